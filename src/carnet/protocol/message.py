"""One Jupyter message as the raw JSON parts that ZMQ and the v1 websocket framing carry.

A kernel message travels as four JSON documents — header, parent header, metadata,
content — followed by optional binary buffers. carnet keeps them as bytes from the kernel
socket to the websocket and back: only the small header (and, for replies, the parent
header) is ever parsed, for routing. :class:`Message` parses those lazily and caches them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from carnet.errors import BadRequest

__all__ = [
    "CHANNELS",
    "PROTOCOL_VERSION",
    "FrameError",
    "Message",
    "dumps",
    "iso_now",
    "new_message",
]

#: The channels a websocket may carry. The heartbeat is never exposed.
CHANNELS = frozenset({"shell", "iopub", "stdin", "control"})

#: The messaging protocol version carnet writes in the headers it creates.
PROTOCOL_VERSION = "5.4"


class FrameError(BadRequest):
    """A frame or message that does not follow the Jupyter wire format."""


def dumps(obj: Any) -> bytes:
    """Serialise one message part as compact UTF-8 JSON (NaN refused, as the kernel would)."""
    try:
        text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (from a "\ud800" escape) cannot be UTF-8: keep it escaped.
        return json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("ascii")
    except (TypeError, ValueError) as e:
        raise FrameError(f"message part is not serialisable as JSON: {e}") from e


def iso_now() -> str:
    """The current UTC time as Jupyter writes it: ``2026-11-25T18:06:02.842921Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _load_object(part: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(part)
    except (ValueError, UnicodeDecodeError) as e:
        raise FrameError(f"{what} is not valid JSON: {e}") from e
    if not isinstance(value, dict):
        raise FrameError(f"{what} must be a JSON object")
    return value


class Message:
    """A message on one channel: ``parts`` = header, parent_header, metadata, content, buffers….

    Treat instances as immutable; they are shared between the queues of several clients.
    """

    __slots__ = ("_header", "_parent", "channel", "parts")

    def __init__(self, channel: str, parts: Sequence[bytes]) -> None:
        if len(parts) < 4:
            raise FrameError(
                f"a message needs at least 4 parts (header, parent_header, metadata, "
                f"content), got {len(parts)}"
            )
        self.channel = channel
        self.parts: tuple[bytes, ...] = tuple(parts)
        self._header: dict[str, Any] | None = None
        self._parent: dict[str, Any] | None = None

    def __repr__(self) -> str:
        try:
            kind = self.msg_type
        except FrameError:
            kind = "?"
        return f"<Message {self.channel} {kind} {self.nbytes}B>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self.channel == other.channel and self.parts == other.parts

    __hash__ = None  # type: ignore[assignment]

    @property
    def header(self) -> dict[str, Any]:
        """The parsed header; :class:`FrameError` if it is not a JSON object."""
        if self._header is None:
            self._header = _load_object(self.parts[0], "header")
        return self._header

    @property
    def parent_header(self) -> dict[str, Any]:
        """The parsed parent header (``{}`` for unsolicited messages)."""
        if self._parent is None:
            self._parent = _load_object(self.parts[1], "parent_header")
        return self._parent

    @property
    def msg_type(self) -> str:
        value = self.header.get("msg_type")
        if not isinstance(value, str):
            raise FrameError("header.msg_type must be a string")
        return value

    @property
    def msg_id(self) -> str:
        value = self.header.get("msg_id")
        if not isinstance(value, str):
            raise FrameError("header.msg_id must be a string")
        return value

    @property
    def parent_msg_id(self) -> str | None:
        value = self.parent_header.get("msg_id")
        return value if isinstance(value, str) else None

    @property
    def parent_session(self) -> str | None:
        value = self.parent_header.get("session")
        return value if isinstance(value, str) else None

    def check(self) -> Message:
        """Make sure the header has string ``msg_id`` and ``msg_type``; return ``self``."""
        _ = self.msg_id, self.msg_type
        return self

    @property
    def buffers(self) -> tuple[bytes, ...]:
        return self.parts[4:]

    @property
    def nbytes(self) -> int:
        return sum(len(p) for p in self.parts)

    def content(self) -> Any:
        """Parse the content. Only for the few messages carnet itself must read."""
        try:
            return json.loads(self.parts[3])
        except (ValueError, UnicodeDecodeError) as e:
            raise FrameError(f"content is not valid JSON: {e}") from e


def new_message(
    channel: str,
    msg_type: str,
    content: Mapping[str, Any],
    *,
    session: str,
    parent: bytes | Mapping[str, Any] = b"{}",
    metadata: Mapping[str, Any] | None = None,
    username: str = "carnet",
) -> Message:
    """Build a message that carnet itself sends (requests to kernels, server notices).

    ``parent`` may be the raw parent-header part of another message, so a notice can be
    attached to the cell whose output it concerns without reparsing it.
    """
    header = {
        "msg_id": uuid.uuid4().hex,
        "msg_type": msg_type,
        "username": username,
        "session": session,
        "date": iso_now(),
        "version": PROTOCOL_VERSION,
    }
    parent_part = parent if isinstance(parent, bytes) else dumps(dict(parent))
    parts = (dumps(header), parent_part, dumps(dict(metadata or {})), dumps(dict(content)))
    return Message(channel, parts)
