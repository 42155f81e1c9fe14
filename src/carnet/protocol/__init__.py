"""Jupyter kernel messages on the wire: framings, signatures and client queues. No I/O.

* :class:`Message` — one message as raw JSON parts (header, parent_header, metadata,
  content, buffers…), parsed only as far as routing needs.
* ZMQ side: :func:`to_zmq` / :func:`from_zmq` with a :class:`Signer` (HMAC, byte-compatible
  with ``jupyter_client``).
* Websocket side: :func:`encode_v1` / :func:`decode_v1` for the
  ``v1.kernel.websocket.jupyter.org`` subprotocol (:data:`V1_SUBPROTOCOL`), and
  :func:`encode_legacy` / :func:`decode_legacy` for the legacy JSON (+ binary buffers)
  framing.
* :class:`OutputQueue` — a bounded per-client queue that coalesces stream output.

Malformed input raises :class:`FrameError` (a ``BadRequest``).
"""

from carnet.protocol.coalesce import OutputQueue
from carnet.protocol.legacy import decode_legacy, encode_legacy
from carnet.protocol.message import (
    CHANNELS,
    PROTOCOL_VERSION,
    FrameError,
    Message,
    dumps,
    iso_now,
    new_message,
)
from carnet.protocol.v1 import SUBPROTOCOL as V1_SUBPROTOCOL
from carnet.protocol.v1 import decode_v1, encode_v1
from carnet.protocol.wire import DELIM, Signer, from_zmq, to_zmq

__all__ = [
    "CHANNELS",
    "DELIM",
    "PROTOCOL_VERSION",
    "V1_SUBPROTOCOL",
    "FrameError",
    "Message",
    "OutputQueue",
    "Signer",
    "decode_legacy",
    "decode_v1",
    "dumps",
    "encode_legacy",
    "encode_v1",
    "from_zmq",
    "iso_now",
    "new_message",
    "to_zmq",
]
