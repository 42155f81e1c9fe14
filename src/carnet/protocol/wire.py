"""The ZMQ multipart form of a message, and its HMAC signature.

On the kernel's sockets a message is ``[identities…, b"<IDS|MSG>", signature, header,
parent_header, metadata, content, buffers…]``. The signature is the hex HMAC of the four
JSON parts (not the buffers) under the key from the connection file; this matches
``jupyter_client.session.Session.sign`` byte for byte.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from carnet.protocol.message import FrameError, Message

__all__ = ["DELIM", "Signer", "from_zmq", "to_zmq"]

DELIM = b"<IDS|MSG>"


class Signer:
    """Signs and verifies messages for one kernel. An empty key disables signing (as in Jupyter).

    ``scheme`` is the connection file's ``signature_scheme``, ``hmac-<hashlib name>``.
    """

    __slots__ = ("_hmac",)

    def __init__(self, key: bytes, scheme: str = "hmac-sha256") -> None:
        if not scheme.startswith("hmac-"):
            raise ValueError(f"unsupported signature scheme {scheme!r}")
        digest = scheme[len("hmac-") :]
        if digest not in hashlib.algorithms_available:
            raise ValueError(f"unsupported signature scheme {scheme!r}")
        self._hmac = hmac.new(key, digestmod=digest) if key else None

    def sign(self, parts: Sequence[bytes]) -> bytes:
        """The signature of the first four parts (header … content)."""
        if self._hmac is None:
            return b""
        h = self._hmac.copy()
        for part in parts[:4]:
            h.update(part)
        return h.hexdigest().encode("ascii")

    def verify(self, signature: bytes, parts: Sequence[bytes]) -> bool:
        if self._hmac is None:
            return True
        return hmac.compare_digest(signature, self.sign(parts))


def to_zmq(msg: Message, signer: Signer, identities: Sequence[bytes] = ()) -> list[bytes]:
    """The frames to send on a kernel socket, signed with the kernel's key."""
    return [*identities, DELIM, signer.sign(msg.parts), *msg.parts]


def from_zmq(channel: str, frames: Sequence[bytes], signer: Signer) -> Message:
    """Split off the routing identities, check the signature, and wrap the parts.

    Raises :class:`FrameError` for a missing delimiter, too few parts or a bad signature.
    """
    try:
        i = frames.index(DELIM)
    except ValueError:
        raise FrameError("no <IDS|MSG> delimiter in ZMQ message") from None
    if len(frames) < i + 6:
        raise FrameError("ZMQ message has fewer than 4 parts after the signature")
    parts = frames[i + 2 :]
    if not signer.verify(frames[i + 1], parts):
        raise FrameError("invalid message signature")
    return Message(channel, parts)
