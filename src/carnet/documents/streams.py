"""Stream output text as a notebook shows it: terminal overwrites applied, size bounded. No I/O.

A kernel's ``stream`` messages are raw terminal output. :class:`StreamText` applies them the
way JupyterLab renders them — ``\\r\\n`` is a newline, a ``\\r`` inside a line drops what came
before it on that line (progress bars update in place), a backspace removes the character
before it — incrementally, chunk by chunk, and keeps the result bounded: past ``max_lines``
lines or ``max_bytes`` UTF-8 bytes only a head and a tail stay visible and the lines in
between are counted (``omitted_lines``/``omitted_bytes``). The full text goes to a
:class:`Spill` (memory or a file, chosen by the caller) from the first omitted line on, so it
can still be fetched.

The document holds the visible text in a shared Text; :meth:`StreamText.take_edits` says how
to bring that Text from what was last written to what is visible now, in a few byte-offset
deletes and inserts (pycrdt's Text indices are UTF-8 bytes, and edits fall on character
boundaries), so a flood of output costs a couple of edits per flush, not one per line:

>>> s = StreamText()
>>> s.feed("10%\\r"); s.feed("50%\\r"); s.feed("100%\\n")
>>> s.text()
'100%\\n'
>>> s.take_edits()
[Edit(offset=0, delete=0, insert='100%\\n')]
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable
from typing import NamedTuple, Protocol

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_LINES",
    "Edit",
    "MemorySpill",
    "Spill",
    "StreamText",
    "apply_overwrites",
]

DEFAULT_MAX_BYTES = 1 << 20
DEFAULT_MAX_LINES = 20_000


class Edit(NamedTuple):
    """At UTF-8 byte ``offset``, delete ``delete`` bytes, then insert ``insert``."""

    offset: int
    delete: int
    insert: str


class Spill(Protocol):
    """Where the full text of a truncated stream goes; ``write`` returns False once full."""

    def write(self, text: str) -> bool: ...

    def read(self) -> str: ...

    def close(self) -> None: ...


class MemorySpill:
    """A :class:`Spill` in memory, refusing text beyond ``cap`` bytes."""

    def __init__(self, cap: int = 64 << 20) -> None:
        self._parts: list[str] = []
        self._size = 0
        self._cap = cap

    def write(self, text: str) -> bool:
        size = _nbytes(text)
        if self._size + size > self._cap:
            return False
        self._parts.append(text)
        self._size += size
        return True

    def read(self) -> str:
        return "".join(self._parts)

    def close(self) -> None:
        self._parts.clear()


def _nbytes(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix of ``a`` and ``b`` (``a`` is one line: short)."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _backspace(line: str) -> str:
    """Apply backspaces: each removes the character before it (never past the line start)."""
    out: list[str] = []
    for ch in line:
        if ch == "\b":
            if out:
                out.pop()
        else:
            out.append(ch)
    return "".join(out)


def apply_overwrites(text: str) -> str:
    """The whole-text form of :class:`StreamText`'s rules (for tests and one-off texts)."""
    s = StreamText(max_bytes=1 << 62, max_lines=1 << 62)
    s.feed(text)
    return s.text()


class _Piece(NamedTuple):
    seq: int
    text: str
    nbytes: int


# Sentinel marking the place where the spill stopped taking text.
_SPILL_FULL = "\n[carnet: the output was too large to keep in full; the rest is omitted]\n"


class StreamText:
    """The visible (bounded) text of one stream output, fed incrementally.

    * ``feed(chunk)`` — apply a chunk of kernel output;
    * ``text()`` — what the notebook shows: head + tail + the current line;
    * ``full_text()`` — everything (head + spilled lines + tail), for the "show all" URL;
    * ``take_edits()`` — the edits since the last call, for the document's shared Text;
    * ``omitted_lines``/``omitted_bytes`` — what ``text()`` leaves out (0 when not truncated).

    The head keeps the first half of the budget, the tail the most recent half. A line
    longer than half of ``max_bytes`` is cut into pieces, so one endless line is bounded too.
    """

    def __init__(
        self,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_lines: int = DEFAULT_MAX_LINES,
        spill: Callable[[], Spill] = MemorySpill,
    ) -> None:
        if max_bytes < 16 or max_lines < 2:
            raise ValueError("max_bytes must be >= 16 and max_lines >= 2")
        self._head_max_bytes = max_bytes // 2
        self._head_max_lines = max_lines // 2
        self._tail_max_bytes = max_bytes - self._head_max_bytes
        self._tail_max_lines = max_lines - self._head_max_lines
        # A current line longer than this (in characters, so <= 4x bytes) is cut.
        self._line_cut = max(1, self._tail_max_bytes // 8)
        self._new_spill = spill
        self._head: list[_Piece] = []
        self._head_bytes = 0
        self._head_full = False
        self._tail: deque[_Piece] = deque()
        self._tail_bytes = 0
        self._seq = 0
        self._cur = ""
        self._cr = False  # a "\r" ended the last chunk: the next text replaces the line
        self.omitted_lines = 0
        self.omitted_bytes = 0
        self._spill: Spill | None = None
        self._spill_full_at: int | None = None  # seq of the first tail piece not spilled
        # What the document's Text holds: head pieces [:_y_head], tail pieces [:_y_tail]
        # (minus ``_y_evicted`` bytes evicted since), then ``_y_cur``.
        self._y_head = 0
        self._y_head_bytes = 0
        self._y_tail = 0
        self._y_tail_bytes = 0
        self._y_evicted = 0
        self._y_cur = ""

    # -- input ---------------------------------------------------------------------------

    def feed(self, chunk: str) -> None:
        """Apply a chunk of output (any size, split anywhere)."""
        if not chunk:
            return
        segments = chunk.split("\n")
        self._segment(segments[0])
        for seg in segments[1:]:
            self._commit(self._cur + "\n")
            self._cur = ""
            self._cr = False
            self._segment(seg)

    def _segment(self, seg: str) -> None:
        """Text within one line (no newline)."""
        if not seg:
            return
        if "\r" not in seg and "\b" not in seg:
            if self._cr:
                self._cur = ""
                self._cr = False
            self._cur += seg
        else:
            stripped = seg.rstrip("\r")
            trailing = len(stripped) != len(seg)
            if not stripped:
                self._cr = True
                return
            cut = stripped.rfind("\r")
            if cut >= 0 or self._cr:
                self._cur = ""
                stripped = stripped[cut + 1 :]
            line = self._cur + stripped
            self._cur = _backspace(line) if "\b" in line else line
            self._cr = trailing
        if len(self._cur) > self._line_cut:
            # An endless line: keep it bounded by committing it in pieces.
            self._commit(self._cur)
            self._cur = ""

    def _commit(self, text: str) -> None:
        piece = _Piece(self._seq, text, _nbytes(text))
        self._seq += 1
        if not self._head_full:
            if (
                len(self._head) < self._head_max_lines
                and self._head_bytes + piece.nbytes <= self._head_max_bytes
            ):
                self._head.append(piece)
                self._head_bytes += piece.nbytes
                return
            self._head_full = True
        self._tail.append(piece)
        self._tail_bytes += piece.nbytes
        if self._spill is not None:
            self._write_spill(piece)
        while self._tail and (
            len(self._tail) > self._tail_max_lines or self._tail_bytes > self._tail_max_bytes
        ):
            self._evict()

    def _evict(self) -> None:
        if self._spill is None:
            self._spill = self._new_spill()
            for piece in self._tail:
                self._write_spill(piece)
        piece = self._tail.popleft()
        self._tail_bytes -= piece.nbytes
        self.omitted_lines += 1
        self.omitted_bytes += piece.nbytes
        if self._y_tail > 0:
            self._y_tail -= 1
            self._y_tail_bytes -= piece.nbytes
            self._y_evicted += piece.nbytes

    def _write_spill(self, piece: _Piece) -> None:
        if self._spill_full_at is not None:
            return
        assert self._spill is not None
        if not self._spill.write(piece.text):
            self._spill_full_at = piece.seq

    # -- output --------------------------------------------------------------------------

    @property
    def truncated(self) -> bool:
        return self.omitted_lines > 0

    @property
    def head_lines(self) -> int:
        """Lines (pieces) of the head: where ``text()`` skips ``omitted_lines``."""
        return len(self._head)

    def text(self) -> str:
        """The visible text: head, tail and the current line."""
        return "".join([*(p.text for p in self._head), *(p.text for p in self._tail), self._cur])

    def full_text(self) -> str:
        """Everything, as far as the spill could keep it."""
        if self._spill is None:
            return self.text()
        parts = [p.text for p in self._head]
        parts.append(self._spill.read())
        if self._spill_full_at is not None:
            parts.append(_SPILL_FULL)
            # The tail pieces that came after the spill was full are still in memory.
            parts.extend(p.text for p in self._tail if p.seq > self._spill_full_at)
        parts.append(self._cur)
        return "".join(parts)

    def take_edits(self) -> list[Edit]:
        """Edits that turn the previously taken state of the text into the current one."""
        edits: list[Edit] = []
        if self._y_evicted:
            edits.append(Edit(self._y_head_bytes, self._y_evicted, ""))
            self._y_evicted = 0
        old = self._y_cur
        new = "".join(
            [
                *(p.text for p in self._head[self._y_head :]),
                *(p.text for p in itertools.islice(self._tail, self._y_tail, None)),
                self._cur,
            ]
        )
        keep = _common_prefix(old, new)
        end = self._y_head_bytes + self._y_tail_bytes
        offset = end + _nbytes(old[:keep])
        delete = _nbytes(old) - _nbytes(old[:keep])
        insert = new[keep:]
        if delete or insert:
            edits.append(Edit(offset, delete, insert))
        self._y_head = len(self._head)
        self._y_head_bytes = self._head_bytes
        self._y_tail = len(self._tail)
        self._y_tail_bytes = self._tail_bytes
        self._y_cur = self._cur
        return edits

    @property
    def synced_bytes(self) -> int:
        """UTF-8 length the document's Text has if it took every edit so far."""
        return self._y_head_bytes + self._y_tail_bytes + self._y_evicted + _nbytes(self._y_cur)

    def reset_edits(self) -> None:
        """Forget what was taken: the next :meth:`take_edits` inserts everything anew."""
        self._y_head = self._y_head_bytes = self._y_tail = self._y_tail_bytes = 0
        self._y_evicted = 0
        self._y_cur = ""

    def close(self) -> None:
        """Release the spill (its file, if any)."""
        if self._spill is not None:
            self._spill.close()
