"""The ``v1.kernel.websocket.jupyter.org`` websocket framing (binary frames only).

Layout, all integers unsigned 64-bit little-endian::

    N                          number of offsets = 2 + number of parts
    offsets[0 .. N-1]          from the start of the frame
        offsets[0] = 8 * (N + 1)            start of the channel name
        offsets[1]                          end of channel / start of part 0
        offsets[k + 2]                      end of part k; offsets[N - 1] = frame length
    channel (UTF-8), then the raw parts: header, parent_header, metadata, content, buffers…

The parts are the kernel's ZMQ frames unchanged: nothing is decoded on the way through.
"""

from __future__ import annotations

import itertools
import struct

from carnet.protocol.message import CHANNELS, FrameError, Message

__all__ = ["SUBPROTOCOL", "decode_v1", "encode_v1"]

SUBPROTOCOL = "v1.kernel.websocket.jupyter.org"

_U64 = struct.Struct("<Q")


def encode_v1(msg: Message) -> bytes:
    """One binary websocket frame for ``msg``."""
    channel = msg.channel.encode("utf-8")
    parts = msg.parts
    count = len(parts) + 2
    offsets = [8 * (count + 1), 8 * (count + 1) + len(channel)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = struct.pack(f"<{count + 1}Q", count, *offsets)
    return b"".join((head, channel, *parts))


def decode_v1(frame: bytes) -> Message:
    """Parse one binary frame from a client; :class:`FrameError` if it is malformed.

    Only the layout is checked here; the parts stay raw (the header is parsed later, when
    the message is routed).
    """
    size = len(frame)
    if size < 8:
        raise FrameError("v1 frame shorter than its offset count")
    (count,) = _U64.unpack_from(frame, 0)
    # 2 offsets for the channel, then at least header, parent_header, metadata, content.
    if count < 6:
        raise FrameError(f"v1 frame declares {count} offsets; a message needs at least 6")
    table_end = 8 * (count + 1)
    if table_end > size:
        raise FrameError("v1 frame is shorter than its offset table")
    offsets = struct.unpack_from(f"<{count}Q", frame, 8)
    if offsets[0] != table_end:
        raise FrameError("v1 frame: the channel must start right after the offset table")
    if offsets[-1] != size:
        raise FrameError("v1 frame: the last offset must be the frame length")
    for a, b in itertools.pairwise(offsets):
        if b < a:
            raise FrameError("v1 frame: offsets must not decrease")
    view = memoryview(frame)
    try:
        channel = bytes(view[offsets[0] : offsets[1]]).decode("utf-8")
    except UnicodeDecodeError:
        raise FrameError("v1 frame: channel name is not UTF-8") from None
    if channel not in CHANNELS:
        raise FrameError(f"unknown channel {channel!r}")
    parts = [bytes(view[offsets[i] : offsets[i + 1]]) for i in range(1, count - 1)]
    return Message(channel, parts)
