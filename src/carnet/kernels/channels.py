"""The server's one set of ZMQ sockets to a kernel, shared by all of that kernel's clients.

jupyter_server opens four sockets per websocket; carnet opens four per kernel and routes:

* IOPub goes to every client session's mailbox (attached or buffering offline).
* Shell, control and stdin replies go to the session that sent the request: by the
  request's ``msg_id`` (remembered when the client sent it), else by the parent header's
  ``session``. ``input_request`` is parented to the ``execute_request``, so it finds the
  right client the same way.
* carnet's own requests (readiness nudges, warm-pool preparation) use a private session;
  their replies and IOPub traffic are consumed here and never reach clients.

Messages stay raw bytes; only headers (and parent headers of replies) are parsed.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from carnet.kernels._tasks import TaskOwner
from carnet.kernels.activity import KernelActivity
from carnet.kernels.connection import (
    CloseReason,
    ConnectionClosed,
    KernelConnection,
    Mailbox,
)
from carnet.protocol import (
    FrameError,
    Message,
    OutputQueue,
    Signer,
    from_zmq,
    new_message,
    to_zmq,
)

if TYPE_CHECKING:
    import zmq.asyncio

__all__ = ["KernelChannels", "KernelGone"]

log = logging.getLogger("carnet.kernels")

# Requests remembered for reply routing; older ones fall back to routing by session.
_MAX_ROUTES = 4096
# ZMQ reconnect interval (ms): a (re)starting kernel binds its sockets at an unknown
# moment, and the default 100 ms would add up to that much to every start.
_RECONNECT_MS = 10


class KernelGone(Exception):
    """The kernel died or went away while carnet waited for one of its replies."""


class KernelChannels:
    """ZMQ sockets, reader tasks and client mailboxes of one kernel.

    ``open`` connects (the kernel may not be listening yet: ZMQ queues and retries), and
    the sockets survive kernel restarts because a restarted kernel binds the same
    endpoints. ``close`` ends every connection and closes the sockets.
    """

    def __init__(
        self,
        kernel_id: str,
        *,
        context: zmq.asyncio.Context,
        activity: KernelActivity,
        buffer_bytes: int,
        max_offline_sessions: int,
        buffer_offline: bool = True,
    ) -> None:
        self.kernel_id = kernel_id
        self.session = f"carnet-{uuid.uuid4().hex}"
        self._context = context
        self._activity = activity
        self._buffer_bytes = buffer_bytes
        self._max_offline = max_offline_sessions
        self._buffer_offline = buffer_offline
        self._signer = Signer(b"")
        self._sockets: dict[str, zmq.asyncio.Socket] = {}
        self._mailboxes: OrderedDict[str, Mailbox] = OrderedDict()
        self._routes: OrderedDict[str, str] = OrderedDict()
        self._pending: dict[str, asyncio.Future[Message]] = {}
        self._idle_waiters: dict[str, asyncio.Future[None]] = {}
        self._tasks = TaskOwner(f"kernel {kernel_id} channels")
        self._closed = False

    # -- sockets -----------------------------------------------------------------------

    def open(self, info: Mapping[str, Any], curve: tuple[bytes, bytes] | None = None) -> None:
        """Connect to the endpoints in ``info`` (a connection-file dict) and start reading.

        ``curve`` = (public key, secret key) when the kernel was provisioned with CurveZMQ.
        """
        import zmq

        key = info.get("key", b"")
        self._signer = Signer(
            key.encode() if isinstance(key, str) else bytes(key),
            str(info.get("signature_scheme", "hmac-sha256")),
        )
        identity = self.session.encode()
        kinds = {
            "shell": zmq.DEALER,
            "control": zmq.DEALER,
            "stdin": zmq.DEALER,
            "iopub": zmq.SUB,
        }
        for channel, kind in kinds.items():
            sock = self._context.socket(kind)
            sock.linger = 0
            sock.setsockopt(zmq.RECONNECT_IVL, _RECONNECT_MS)
            if kind == zmq.SUB:
                # Never let ZMQ drop IOPub for us; bounding is the mailboxes' job.
                sock.setsockopt(zmq.RCVHWM, 0)
                sock.setsockopt(zmq.SUBSCRIBE, b"")
            else:
                sock.identity = identity
            if curve is not None:
                sock.curve_publickey, sock.curve_secretkey = curve
                sock.curve_serverkey = curve[0]
            sock.connect(_url(info, channel))
            self._sockets[channel] = sock
            self._tasks.spawn(self._read(channel, sock), name=f"read {channel}")

    async def close(self, reason: CloseReason = CloseReason.KERNEL_SHUTDOWN) -> None:
        """End every connection (waiting messages stay readable) and close the sockets."""
        if self._closed:
            return
        self._closed = True
        for mailbox in list(self._mailboxes.values()):
            if mailbox.connection is not None:
                mailbox.connection._end(reason, keep_queue=True)
        self._mailboxes.clear()
        self.fail_pending()
        await self._tasks.aclose()
        for sock in self._sockets.values():
            sock.close(linger=0)
        self._sockets.clear()

    async def _read(self, channel: str, sock: zmq.asyncio.Socket) -> None:
        while True:
            frames = await sock.recv_multipart()
            try:
                msg = from_zmq(channel, frames, self._signer).check()  # bad headers stop here
                if channel == "iopub":
                    self._on_iopub(msg)
                else:
                    self._on_reply(msg)
            except FrameError as e:
                log.warning(
                    "Kernel %s: dropped a malformed %s message: %s", self.kernel_id, channel, e
                )
            except Exception:
                log.exception("Kernel %s: error handling a %s message", self.kernel_id, channel)

    # -- routing -----------------------------------------------------------------------

    def _on_iopub(self, msg: Message) -> None:
        self._activity.observe(msg)
        parent = msg.parent_header
        if parent.get("session") == self.session:
            waiter = self._idle_waiters.get(str(parent.get("msg_id")))
            if waiter is not None and not waiter.done() and _is_idle(msg):
                waiter.set_result(None)
            return
        for mailbox in self._mailboxes.values():
            mailbox.push(msg)

    def _on_reply(self, msg: Message) -> None:
        parent_id = msg.parent_msg_id
        if parent_id is not None:
            future = self._pending.get(parent_id)
            if future is not None:
                if not future.done():
                    future.set_result(msg)
                return
        session = self._routes.get(parent_id) if parent_id is not None else None
        mailbox = self._mailboxes.get(session or msg.parent_session or "")
        if mailbox is not None:
            mailbox.push(msg)

    def broadcast(self, msg: Message) -> None:
        """Deliver a server-made IOPub message (e.g. a status notice) to every session."""
        for mailbox in self._mailboxes.values():
            mailbox.push(msg)

    def status_message(self, state: str, reason: str | None = None) -> Message:
        """An IOPub ``status`` message from the server, as jupyter_server sends on restarts."""
        content: dict[str, Any] = {"execution_state": state}
        if reason:
            content["reason"] = reason
        return new_message("iopub", "status", content, session=self.session)

    # -- clients -----------------------------------------------------------------------

    @property
    def connection_count(self) -> int:
        return sum(1 for m in self._mailboxes.values() if m.connection is not None)

    def attach(self, session_id: str) -> KernelConnection:
        """Connect a client session: replay what its mailbox holds, then a status message.

        A connection already open for the same session is ended (``REPLACED``): that is
        a client reconnecting before the server noticed the old socket was gone.
        """
        if self._closed:
            raise ConnectionClosed(CloseReason.KERNEL_SHUTDOWN)
        mailbox = self._mailboxes.get(session_id)
        if mailbox is None:
            queue = OutputQueue(self._buffer_bytes, notice_session=self.session)
            mailbox = self._mailboxes[session_id] = Mailbox(session_id, queue)
        elif mailbox.connection is not None:
            mailbox.connection._end(CloseReason.REPLACED, keep_queue=False)
        connection = KernelConnection(self, mailbox)
        mailbox.connection = connection
        self._mailboxes.move_to_end(session_id)
        state = self._activity.execution_state
        mailbox.push(self.status_message(state, self._activity.reason))
        return connection

    def detach(self, mailbox: Mailbox, connection: KernelConnection) -> None:
        """Called by :meth:`KernelConnection.close`: keep buffering for a reconnect."""
        if mailbox.connection is not connection:
            return
        mailbox.connection = None
        if self._closed:
            return
        if not self._buffer_offline:
            self._mailboxes.pop(mailbox.session_id, None)
            return
        mailbox.detached_at = time.monotonic()
        offline = [m for m in self._mailboxes.values() if m.connection is None]
        offline.sort(key=lambda m: m.detached_at)
        for old in offline[: max(0, len(offline) - self._max_offline)]:
            log.info(
                "Kernel %s: discarding %d buffered messages of session %s",
                self.kernel_id,
                len(old.queue),
                old.session_id,
            )
            del self._mailboxes[old.session_id]

    async def send_from(self, session_id: str, msg: Message) -> None:
        """Sign and send a client's message; replies will be routed back to ``session_id``."""
        if self._closed:
            raise ConnectionClosed(CloseReason.KERNEL_SHUTDOWN)
        if msg.channel == "iopub":
            raise FrameError("clients cannot send on the iopub channel")
        sock = self._sockets.get(msg.channel)
        if sock is None:
            raise FrameError(f"unknown channel {msg.channel!r}")
        msg_id = msg.msg_id
        self._routes[msg_id] = session_id
        self._routes.move_to_end(msg_id)
        if len(self._routes) > _MAX_ROUTES:
            self._routes.popitem(last=False)
        await sock.send_multipart(to_zmq(msg, self._signer))

    # -- carnet's own requests -----------------------------------------------------------

    async def request(
        self,
        channel: str,
        msg_type: str,
        content: Mapping[str, Any],
        *,
        timeout: float,
        idle_timeout: float | None = None,
    ) -> tuple[Message, bool]:
        """Send a request in carnet's private session and wait for its reply.

        With ``idle_timeout``, also wait that long for the IOPub ``idle`` status of the
        request; the second value says whether it came (proof that IOPub is connected).
        Raises ``TimeoutError`` or :class:`KernelGone`.
        """
        if self._closed:
            raise KernelGone("the kernel's channels are closed")
        msg = new_message(channel, msg_type, content, session=self.session)
        loop = asyncio.get_running_loop()
        reply: asyncio.Future[Message] = loop.create_future()
        idle: asyncio.Future[None] = loop.create_future()
        msg_id = msg.msg_id
        self._pending[msg_id] = reply
        if idle_timeout is not None:
            self._idle_waiters[msg_id] = idle
        try:
            await self._sockets[channel].send_multipart(to_zmq(msg, self._signer))
            answer = await asyncio.wait_for(reply, timeout)
            if idle_timeout is None:
                return answer, False
            try:
                await asyncio.wait_for(idle, idle_timeout)
            except asyncio.TimeoutError:
                return answer, False
            return answer, True
        finally:
            self._pending.pop(msg_id, None)
            self._idle_waiters.pop(msg_id, None)
            if not idle.done():
                idle.cancel()

    async def wait_ready(self, timeout: float) -> dict[str, Any]:
        """Nudge with ``kernel_info_request`` until the kernel answers on shell and IOPub.

        Returns the ``kernel_info_reply`` content. A request sent before the kernel
        listens is queued by ZMQ, so there is one request in flight at a time; it is only
        repeated when the reply came but its IOPub status did not (the subscription was
        not established yet).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise asyncio.TimeoutError
            reply, seen = await self.request(
                "shell",
                "kernel_info_request",
                {},
                timeout=remaining,
                idle_timeout=min(0.5, remaining),
            )
            if seen:
                content = reply.content()
                return content if isinstance(content, dict) else {}

    def fail_pending(self) -> None:
        """Wake carnet's own waiters with :class:`KernelGone` (the kernel died)."""
        for future in self._pending.values():
            if not future.done():
                future.set_exception(KernelGone("the kernel died"))
        for waiter in self._idle_waiters.values():
            waiter.cancel()


def _is_idle(msg: Message) -> bool:
    if msg.msg_type != "status":
        return False
    content = msg.content()
    return isinstance(content, dict) and content.get("execution_state") == "idle"


def _url(info: Mapping[str, Any], channel: str) -> str:
    """The ZMQ endpoint of ``channel``, as jupyter_client builds it."""
    transport = info.get("transport", "tcp")
    port = int(info[f"{channel}_port"])
    if transport == "tcp":
        return f"tcp://{info['ip']}:{port}"
    return f"{transport}://{info['ip']}-{port}"
