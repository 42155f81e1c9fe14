"""One client's attachment to a kernel: what a websocket route reads from and writes to.

Each client session (the ``session_id`` of the websocket URL) has a mailbox: an
:class:`~carnet.protocol.OutputQueue` that receives every IOPub message and the
shell/stdin/control replies to that session's own requests. A :class:`KernelConnection`
reads the mailbox. When the client goes away the mailbox stays (bounded) and keeps
filling, and a reconnect with the same ``session_id`` replays it.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from carnet.protocol import Message, OutputQueue

if TYPE_CHECKING:
    from carnet.kernels.channels import KernelChannels

__all__ = ["CloseReason", "ConnectionClosed", "KernelConnection"]


class CloseReason(str, enum.Enum):
    """Why a connection ended; the web layer maps these to websocket close codes."""

    CLIENT = "closed by the client"
    REPLACED = "replaced by a newer connection with the same session_id"
    KERNEL_SHUTDOWN = "the kernel was shut down"
    SERVER_SHUTDOWN = "the server is shutting down"


class ConnectionClosed(Exception):
    """Raised by :meth:`KernelConnection.receive`/``send`` once the connection has ended."""

    def __init__(self, reason: CloseReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


class Mailbox:
    """Messages waiting for one client session, attached to at most one connection."""

    __slots__ = ("connection", "detached_at", "queue", "session_id")

    def __init__(self, session_id: str, queue: OutputQueue) -> None:
        self.session_id = session_id
        self.queue = queue
        self.connection: KernelConnection | None = None
        self.detached_at = time.monotonic()

    def push(self, msg: Message) -> None:
        self.queue.push(msg)
        if self.connection is not None:
            self.connection._wake()


class KernelConnection:
    """A client's view of one kernel.

    >>> conn = await kernels.connect(kernel_id, session_id)
    >>> async for msg in conn:           # every IOPub message + replies to this session
    ...     await ws.send_bytes(encode_v1(msg))
    >>> await conn.send(decode_v1(frame))  # shell / control / stdin, re-signed for the kernel
    >>> conn.close()                     # the mailbox keeps buffering for a reconnect

    ``receive`` never drops a message: while the caller is slow, stream output coalesces
    in the mailbox (see :class:`~carnet.protocol.OutputQueue`).
    """

    def __init__(self, channels: KernelChannels, mailbox: Mailbox) -> None:
        self._channels = channels
        self._mailbox = mailbox
        self._queue: OutputQueue | None = mailbox.queue
        self._waiter: asyncio.Future[None] | None = None
        self._reason: CloseReason | None = None

    @property
    def kernel_id(self) -> str:
        return self._channels.kernel_id

    @property
    def session_id(self) -> str:
        return self._mailbox.session_id

    @property
    def closed(self) -> bool:
        return self._reason is not None

    @property
    def close_reason(self) -> CloseReason | None:
        return self._reason

    @property
    def pending(self) -> int:
        """Messages waiting to be received."""
        return len(self._queue) if self._queue is not None else 0

    def receive_nowait(self) -> Message | None:
        """The next waiting message, or ``None``; raises :class:`ConnectionClosed` at the end."""
        msg = self._queue.pop() if self._queue is not None else None
        if msg is None and self._reason is not None:
            raise ConnectionClosed(self._reason)
        return msg

    async def receive(self) -> Message:
        """Wait for the next message; raises :class:`ConnectionClosed` at the end.

        After a shutdown, messages already waiting are still delivered first.
        """
        while True:
            msg = self.receive_nowait()
            if msg is not None:
                return msg
            waiter = asyncio.get_running_loop().create_future()
            self._waiter = waiter
            try:
                await waiter
            finally:
                self._waiter = None

    def __aiter__(self) -> AsyncIterator[Message]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Message]:
        try:
            while True:
                yield await self.receive()
        except ConnectionClosed:
            return

    async def send(self, msg: Message) -> None:
        """Send a client message to the kernel (shell, control or stdin).

        Raises :class:`~carnet.protocol.FrameError` (a ``BadRequest``) for a message the
        kernel cannot take, :class:`ConnectionClosed` after the end.
        """
        if self._reason is not None:
            raise ConnectionClosed(self._reason)
        await self._channels.send_from(self._mailbox.session_id, msg)

    def close(self) -> None:
        """Detach from the kernel. Idempotent. Later output is kept for a reconnect."""
        if self._reason is None:
            self._end(CloseReason.CLIENT, keep_queue=False)
            self._channels.detach(self._mailbox, self)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _end(self, reason: CloseReason, *, keep_queue: bool) -> None:
        """Called by the channels: stop, and (unless draining) stop reading the mailbox."""
        if self._reason is None:
            self._reason = reason
        if not keep_queue:
            self._queue = None
        self._wake()
