"""A client's outgoing message queue that merges stream output instead of dropping it.

Jupyter throttles IOPub and throws output away ("IOPub data rate exceeded"). carnet keeps
every message for a client that falls behind in an :class:`OutputQueue`: while messages
wait, consecutive ``stream`` messages of the same stream name and the same parent request
merge into one — the exact text, in order — so a flood of ``print`` calls costs memory in
proportion to the text, not to the number of messages.

Memory is bounded by ``max_bytes``. A queue that still outgrows it sheds its oldest bulk
output (stream, display and result messages) down to half the limit and puts, where the
first dropped message was, a stderr ``stream`` notice saying how much was dropped, parented
to the same request so the user sees it in that cell. Replies and status messages are kept
unless nothing else is left to shed. Nothing is ever lost without a trace.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from carnet.protocol.message import FrameError, Message, dumps, new_message

__all__ = ["OutputQueue"]

# Bulk output that may be shed, oldest first, when a queue outgrows its bound.
_SHEDDABLE = frozenset({"stream", "display_data", "update_display_data", "execute_result"})

_UNKNOWN: Any = object()


def _stream_key(msg: Message) -> tuple[str, str, bytes] | None:
    """(parent msg_id, stream name, metadata) when ``msg`` is a mergeable stream message."""
    if msg.channel != "iopub" or len(msg.parts) != 4:
        return None
    try:
        if msg.msg_type != "stream":
            return None
        parent = msg.parent_msg_id
        content = msg.content()
    except FrameError:
        return None
    if (
        parent is None
        or not isinstance(content, dict)
        or content.keys() != {"name", "text"}
        or not isinstance(content["name"], str)
        or not isinstance(content["text"], str)
    ):
        return None
    return (parent, content["name"], msg.parts[2])


def _stream_text(msg: Message) -> str:
    text = msg.content()["text"]
    assert isinstance(text, str)
    return text


class _Entry:
    __slots__ = ("dropped", "key", "msg", "size", "texts")

    def __init__(self, msg: Message, key: Any = _UNKNOWN) -> None:
        self.msg = msg
        self.key = key
        self.size = msg.nbytes
        self.texts: list[str] | None = None
        # For a notice: [messages, bytes] dropped at its place. Notices are never shed.
        self.dropped: list[int] | None = None

    def stream_key(self) -> tuple[str, str, bytes] | None:
        if self.key is _UNKNOWN:
            self.key = _stream_key(self.msg)
        return self.key  # type: ignore[no-any-return]

    def sheddable(self) -> bool:
        if self.msg.channel != "iopub":
            return False
        try:
            return self.msg.msg_type in _SHEDDABLE
        except FrameError:
            return True

    def materialise(self) -> Message:
        if self.texts is None:
            return self.msg
        key = self.stream_key()
        assert key is not None
        content = dumps({"name": key[1], "text": "".join(self.texts)})
        parts = self.msg.parts
        return Message(self.msg.channel, (parts[0], parts[1], parts[2], content))


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024**2:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024**2:.1f} MiB"


class OutputQueue:
    """FIFO of messages for one client, coalescing stream output while it waits.

    Not thread-safe; pure data (no I/O, no event loop). ``push`` never blocks and never
    fails; ``pop`` returns ``None`` when empty.

    >>> q = OutputQueue(max_bytes=1 << 20)
    >>> q.push(msg_a); q.push(msg_b)   # two stdout chunks of one cell
    >>> merged = q.pop()               # one stream message with both texts
    """

    def __init__(self, max_bytes: int = 16 << 20, *, notice_session: str = "carnet") -> None:
        if max_bytes < 1024:
            raise ValueError("max_bytes must be at least 1024")
        self.max_bytes = max_bytes
        self.nbytes = 0
        self.dropped_messages = 0
        self.dropped_bytes = 0
        self._notice_session = notice_session
        self._entries: deque[_Entry] = deque()

    def __len__(self) -> int:
        return len(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def push(self, msg: Message) -> None:
        entries = self._entries
        if entries and msg.channel == "iopub":
            key = _stream_key(msg)
            last = entries[-1]
            if key is not None and last.stream_key() == key:
                text = _stream_text(msg)
                if last.texts is None:
                    last.texts = [_stream_text(last.msg)]
                last.texts.append(text)
                last.size += len(text)
                self.nbytes += len(text)
                self._bound()
                return
            entry = _Entry(msg, key)
        else:
            entry = _Entry(msg)
        entries.append(entry)
        self.nbytes += entry.size
        self._bound()

    def pop(self) -> Message | None:
        if not self._entries:
            return None
        entry = self._entries.popleft()
        self.nbytes -= entry.size
        return entry.materialise()

    def clear(self) -> None:
        self._entries.clear()
        self.nbytes = 0

    def _bound(self) -> None:
        if self.nbytes <= self.max_bytes:
            return
        target = self.max_bytes // 2
        notice: _Entry | None = None
        for only_bulk in (True, False):
            kept: deque[_Entry] = deque()
            for entry in self._entries:
                shed = entry.dropped is None and (not only_bulk or entry.sheddable())
                if shed and self.nbytes > target:
                    if notice is None:
                        # Placeholder at the first gap; its message is written below.
                        notice = _Entry(entry.msg, None)
                        notice.dropped = [0, 0]
                        notice.size = 0
                        kept.append(notice)
                    assert notice.dropped is not None
                    notice.dropped[0] += 1
                    notice.dropped[1] += entry.size
                    self.nbytes -= entry.size
                    self.dropped_messages += 1
                    self.dropped_bytes += entry.size
                else:
                    kept.append(entry)
            self._entries = kept
            if self.nbytes <= target:
                break
        if notice is not None:
            self._merge_notices(notice)

    def _merge_notices(self, new: _Entry) -> None:
        """Write the new notice, folding it into a notice right before or after it."""
        merged: deque[_Entry] = deque()
        changed: set[int] = {id(new)}
        for entry in self._entries:
            previous = merged[-1] if merged else None
            if entry.dropped is not None and previous is not None and previous.dropped is not None:
                previous.dropped[0] += entry.dropped[0]
                previous.dropped[1] += entry.dropped[1]
                self.nbytes -= entry.size
                changed.add(id(previous))
                continue
            merged.append(entry)
        self._entries = merged
        for entry in merged:
            if id(entry) in changed and entry.dropped is not None:
                self.nbytes -= entry.size
                entry.msg = self._notice(entry.dropped[0], entry.dropped[1], entry.msg.parts[1])
                entry.size = entry.msg.nbytes
                self.nbytes += entry.size

    def _notice(self, count: int, size: int, parent: bytes) -> Message:
        text = (
            f"[carnet] {count} output message(s) ({_size(size)}) were dropped here because "
            f"this client fell more than {_size(self.max_bytes)} behind the kernel.\n"
        )
        return new_message(
            "iopub",
            "stream",
            {"name": "stderr", "text": text},
            session=self._notice_session,
            parent=parent,
        )
