"""The legacy kernel websocket framing (no subprotocol): JSON text, binary when buffers exist.

A message is one JSON object::

    {"header": {...}, "msg_id": "...", "msg_type": "...", "parent_header": {...},
     "metadata": {...}, "content": {...}, "buffers": [], "channel": "iopub"}

(``msg_id``/``msg_type`` are redundant copies that Jupyter adds on outgoing messages.)
A message with buffers goes as a binary frame instead: ``uint32 BE nbufs`` (= 1 + number
of buffers), ``nbufs`` uint32 BE offsets from the start of the frame, then the UTF-8 JSON
of the message (without ``buffers``), then each raw buffer.

Outgoing JSON is assembled around the kernel's own JSON parts, so content is never
decoded and re-encoded on the way to the browser.
"""

from __future__ import annotations

import itertools
import json
import struct
from typing import Any

from carnet.protocol.message import CHANNELS, FrameError, Message, dumps

__all__ = ["decode_legacy", "encode_legacy"]


def _text(part: bytes) -> str:
    try:
        return part.decode("utf-8")
    except UnicodeDecodeError:
        return part.decode("utf-8", "replace")


def encode_legacy(msg: Message) -> str | bytes:
    """A text frame (``str``) for a message without buffers, else a binary frame (``bytes``)."""
    header = msg.header
    h, p, m, c = (_text(part) for part in msg.parts[:4])
    body = (
        f'{{"header":{h},"msg_id":{json.dumps(header.get("msg_id"))},'
        f'"msg_type":{json.dumps(header.get("msg_type"))},"parent_header":{p},'
        f'"metadata":{m},"content":{c},"channel":{json.dumps(msg.channel)}'
    )
    buffers = msg.buffers
    if not buffers:
        return body + ',"buffers":[]}'
    blobs = [(body + "}").encode("utf-8"), *buffers]
    nbufs = len(blobs)
    offsets = [4 * (nbufs + 1)]
    for blob in blobs[:-1]:
        offsets.append(offsets[-1] + len(blob))
    return b"".join((struct.pack(f">{nbufs + 1}I", nbufs, *offsets), *blobs))


def decode_legacy(frame: str | bytes) -> Message:
    """Parse a client's legacy frame: JSON text, or the binary form carrying buffers.

    A missing ``channel`` means ``shell`` (as in Jupyter). Raises :class:`FrameError`.
    """
    if isinstance(frame, str):
        obj = _load(frame)
        buffers = obj.get("buffers")
        if buffers not in (None, []):
            raise FrameError("a JSON text frame cannot carry buffers; use the binary framing")
        return _from_object(obj, [])
    blobs = _split_binary(frame)
    return _from_object(_load(blobs[0]), blobs[1:])


def _load(data: str | bytes) -> dict[str, Any]:
    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        raise FrameError(f"message is not valid JSON: {e}") from e
    if not isinstance(obj, dict):
        raise FrameError("message must be a JSON object")
    return obj


def _split_binary(frame: bytes) -> list[bytes]:
    size = len(frame)
    if size < 8:
        raise FrameError("binary frame shorter than its header")
    (nbufs,) = struct.unpack_from(">I", frame, 0)
    table_end = 4 * (nbufs + 1)
    if nbufs < 1 or table_end > size:
        raise FrameError(f"binary frame declares {nbufs} parts that do not fit in it")
    offsets = struct.unpack_from(f">{nbufs}I", frame, 4)
    if offsets[0] < table_end:
        raise FrameError("binary frame: the first part overlaps the offset table")
    for a, b in itertools.pairwise(offsets):
        if b < a:
            raise FrameError("binary frame: offsets must not decrease")
    if offsets[-1] > size:
        raise FrameError("binary frame: an offset points past the end of the frame")
    ends = [*offsets[1:], size]
    return [frame[a:b] for a, b in zip(offsets, ends, strict=True)]


def _from_object(obj: dict[str, Any], buffers: list[bytes]) -> Message:
    channel = obj.get("channel")
    if channel is None:
        channel = "shell"
    if channel not in CHANNELS:
        raise FrameError(f"unknown channel {channel!r}")
    header = obj.get("header")
    if not isinstance(header, dict):
        raise FrameError("message has no header object")
    if not isinstance(header.get("msg_id"), str) or not isinstance(header.get("msg_type"), str):
        raise FrameError("header.msg_id and header.msg_type must be strings")
    parts = [dumps(header)]
    for key in ("parent_header", "metadata", "content"):
        value = obj.get(key)
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise FrameError(f"{key} must be a JSON object")
        parts.append(dumps(value))
    return Message(channel, [*parts, *buffers])
