"""The kernel websocket, ``/api/kernels/<id>/channels?session_id=…`` (facts §2).

Both wire formats: ``v1.kernel.websocket.jupyter.org`` (binary, the kernel's JSON parts
forwarded as they are), chosen whenever the client offers it, else the legacy JSON framing
(binary frames when a message carries buffers). The route only pumps frames between the
socket and a :class:`~carnet.kernels.KernelConnection`, which does the routing, the replay
of buffered messages for a returning ``session_id``, the status message on connect and the
coalescing of output for a client that falls behind (nothing is dropped).

Every TCP socket of the server has ``TCP_NODELAY`` set (asyncio's transports set it on
accept), so the burst of small messages of an execution is not held back by Nagle's
algorithm — the 30-40 ms that jupyter_server loses per request. Kernels speak over IPC
sockets; when they use TCP, libzmq sets ``TCP_NODELAY`` on its own.

A malformed frame from the client is logged and dropped; the connection stays open.
Close codes: 1000 when the kernel is shut down (or a newer connection took this session
over), 1001 when the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from carnet.errors import CarnetError
from carnet.kernels import CloseReason, ConnectionClosed, KernelConnection, KernelService
from carnet.protocol import (
    V1_SUBPROTOCOL,
    FrameError,
    Message,
    decode_legacy,
    decode_v1,
    encode_legacy,
    encode_v1,
)
from carnet.web.activity import Activity

log = logging.getLogger("carnet.web")

_CLOSE_CODES = {CloseReason.SERVER_SHUTDOWN: 1001}


def _decoder(v1: bool) -> Callable[[str | bytes], Message]:
    if not v1:
        return decode_legacy

    def decode(frame: str | bytes) -> Message:
        if isinstance(frame, str):
            raise FrameError("the v1 kernel protocol uses binary frames only")
        return decode_v1(frame)

    return decode


async def _deny(websocket: WebSocket, error: CarnetError) -> None:
    body = {"message": error.message, "reason": error.reason}
    try:
        await websocket.send_denial_response(JSONResponse(body, error.status))
    except RuntimeError:  # the server cannot answer a handshake with an HTTP response
        await websocket.close(1008)


async def _outgoing(websocket: WebSocket, connection: KernelConnection, v1: bool) -> None:
    """Kernel -> client until the connection ends.

    Output of cells the server runs into a notebook document is not sent: it reaches the
    browser through the document (status, comms and replies still are).
    """
    from carnet.documents.execution import is_executor_output

    send = websocket.send
    async for msg in connection:
        if is_executor_output(msg):
            continue
        frame = encode_v1(msg) if v1 else encode_legacy(msg)
        if isinstance(frame, bytes):
            await send({"type": "websocket.send", "bytes": frame})
        else:
            await send({"type": "websocket.send", "text": frame})


async def _incoming(websocket: WebSocket, connection: KernelConnection, v1: bool) -> None:
    """Client -> kernel until the client goes away."""
    decode = _decoder(v1)
    receive = websocket.receive
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("bytes")
        if data is None:
            data = message.get("text")
        if data is None:
            continue
        try:
            await connection.send(decode(data))
        except FrameError as e:
            log.warning("Kernel %s: dropped a bad client message: %s", connection.kernel_id, e)
        except ConnectionClosed:
            return


async def _pump(websocket: WebSocket, connection: KernelConnection, v1: bool) -> None:
    out = asyncio.ensure_future(_outgoing(websocket, connection, v1))
    inc = asyncio.ensure_future(_incoming(websocket, connection, v1))
    try:
        done, _ = await asyncio.wait({out, inc}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        connection.close()
        for task in (out, inc):
            task.cancel()
        results = await asyncio.gather(out, inc, return_exceptions=True)
    for result in results:
        if isinstance(result, (WebSocketDisconnect, OSError, asyncio.CancelledError)):
            continue  # the client went away mid-frame
        if isinstance(result, BaseException):
            raise result
    if out in done and inc not in done:
        # The kernel side ended (shutdown, replaced, server stopping): tell the client.
        reason = connection.close_reason or CloseReason.KERNEL_SHUTDOWN
        with contextlib.suppress(WebSocketDisconnect, OSError, RuntimeError):
            await websocket.close(_CLOSE_CODES.get(reason, 1000), reason.value)


def routes(kernels: KernelService, activity: Activity) -> list[BaseRoute]:
    """The kernel websocket route, relative to base_url (auth and Origin: the middleware)."""

    async def channels(websocket: WebSocket) -> None:
        kernel_id = websocket.path_params["kernel_id"]
        session_id = websocket.query_params.get("session_id") or None
        try:
            connection = await kernels.connect(kernel_id, session_id)
        except CarnetError as e:
            await _deny(websocket, e)
            return
        except ConnectionClosed as e:
            await _deny(websocket, CarnetError(str(e), "Kernel shut down", status=404))
            return
        v1 = V1_SUBPROTOCOL in websocket.scope.get("subprotocols", ())
        activity.connections += 1
        try:
            await websocket.accept(subprotocol=V1_SUBPROTOCOL if v1 else None)
            await _pump(websocket, connection, v1)
        except (WebSocketDisconnect, OSError):
            pass
        finally:
            connection.close()
            activity.connections -= 1

    return [WebSocketRoute("/api/kernels/{kernel_id}/channels", channels)]
