"""Terminals: ``/api/terminals[/{name}]`` and terminado's websocket ``/terminals/websocket/{name}``.

The REST models and status codes are jupyter_server_terminals' (POST answers 200, DELETE
204, an unknown name 404 with a JSON body). The websocket speaks terminado's JSON arrays
(`carnet.terminals.messages`): ``["setup", {}]`` first, then the scrollback and live
output as ``["stdout", text]``, and ``["disconnect", 1]`` when the terminal's process
ends. Closing the socket leaves the terminal running. A frame that is not a terminado
message closes the socket (1003 for binary, 1007 for malformed). Without a service
(``terminals_enabled = False``) there are no routes, so everything here answers 404.
"""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from carnet.errors import NotFound
from carnet.terminals import (
    Attachment,
    ProtocolError,
    SetSize,
    Stdin,
    TerminalService,
    disconnect_frame,
    parse_client_message,
    setup_frame,
    stdout_frame,
)
from carnet.web._json import field, json_response, read_json
from carnet.web.activity import Activity

# Close codes (RFC 6455): unsupported data, invalid payload.
_CLOSE_BINARY = 1003
_CLOSE_INVALID = 1007


def _who(request: Request | WebSocket) -> dict[str, str]:
    user = request.state.user
    return {
        "user": str(getattr(user, "username", "") or ""),
        "address": str(getattr(request.state, "address", "") or ""),
    }


def routes(terminals: TerminalService | None, activity: Activity) -> list[BaseRoute]:
    if terminals is None:
        return []

    async def collection(request: Request) -> Response:
        if request.method == "GET":
            return json_response(terminals.list())
        body = await read_json(request, required=False) or {}
        model = await terminals.create(
            name=field(body, "name", str), cwd=field(body, "cwd", str), **_who(request)
        )
        return json_response(model)

    async def item(request: Request) -> Response:
        name = request.path_params["name"]
        if request.method == "GET":
            return json_response(terminals.get(name))
        await terminals.terminate(name, **_who(request))
        return Response(status_code=204)

    async def socket(websocket: WebSocket) -> None:
        try:
            attachment = terminals.attach(websocket.path_params["name"])
        except NotFound as exc:
            await _refuse(websocket, 404, exc.message, exc.reason)
            return
        try:
            await websocket.accept()
            await websocket.send_text(setup_frame())
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(_send_output, websocket, attachment, tasks.cancel_scope)
                await _receive_input(websocket, attachment, activity)
                tasks.cancel_scope.cancel()
        except WebSocketDisconnect:
            pass
        finally:
            attachment.close()

    return [
        Route("/api/terminals", collection, methods=["GET", "POST"]),
        Route("/api/terminals/{name}", item, methods=["GET", "DELETE"]),
        WebSocketRoute("/terminals/websocket/{name}", socket),
    ]


async def _send_output(
    websocket: WebSocket, attachment: Attachment, done: anyio.CancelScope
) -> None:
    try:
        while (text := await attachment.receive()) is not None:
            await websocket.send_text(stdout_frame(text))
        if attachment.ended:
            await websocket.send_text(disconnect_frame())
            await websocket.close()
    except (WebSocketDisconnect, RuntimeError):  # the client left meanwhile
        pass
    done.cancel()


async def _receive_input(websocket: WebSocket, attachment: Attachment, activity: Activity) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            await websocket.close(_CLOSE_BINARY, "terminal messages are JSON text frames")
            return
        try:
            parsed = parse_client_message(text)
        except ProtocolError as exc:
            await websocket.close(_CLOSE_INVALID, str(exc)[:120])
            return
        activity.touch()
        if isinstance(parsed, Stdin):
            await attachment.send_input(parsed.text)
        elif isinstance(parsed, SetSize):
            attachment.resize(parsed.rows, parsed.cols)


async def _refuse(websocket: WebSocket, status: int, message: str, reason: str | None) -> None:
    """Answer the handshake with an HTTP error where the server allows it."""
    if "websocket.http.response" in (websocket.scope.get("extensions") or {}):
        await websocket.send_denial_response(
            json_response({"message": message, "reason": reason}, status)
        )
    else:
        await websocket.close(1008)
