"""Document rooms over HTTP: the collaboration session, the room websocket, save and revert.

- ``PUT /api/collaboration/session/{path}`` loads (or finds) the room of a file and answers
  ``{format, type, fileId, sessionId}`` (jupyter-collaboration's API; ``sessionId`` is the
  room lineage's epoch).
- ``/api/collaboration/room/{format}:{type}:{fileId}?sessionId=...`` is the y-websocket;
  a client from another epoch is closed with 4409, an unknown id with 4404.
- ``POST /api/documents/{fileId}/save`` and ``/revert``.
Auth, Origin and XSRF checks are the security middleware's, as for every route.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from carnet.documents.codes import CLOSE_BAD_REQUEST, CLOSE_NOT_FOUND, CLOSE_STALE_EPOCH
from carnet.documents.service import SESSION_TYPES
from carnet.errors import CarnetError, NotFound
from carnet.web._json import field, json_response, read_json

if TYPE_CHECKING:
    from carnet.documents import DocumentService
    from carnet.documents.room import Client, DocumentRoom
    from carnet.web.activity import Activity


def routes(documents: DocumentService | None, activity: Activity) -> list[BaseRoute]:
    if documents is None:
        return []

    async def session(request: Request) -> Response:
        body = await read_json(request)
        assert body is not None
        path = request.path_params["path"]
        reply = await documents.open_session(path, body.get("format"), body.get("type"))
        return json_response(reply)

    async def save(request: Request) -> Response:
        body = await read_json(request, required=False) or {}
        overwrite = field(body, "overwrite", bool, False)
        reply = await documents.save_now(request.path_params["file_id"], overwrite=overwrite)
        return json_response(reply)

    async def revert(request: Request) -> Response:
        body = await read_json(request, required=False) or {}
        checkpoint_id = field(body, "checkpoint_id", str)
        return json_response(await documents.revert(request.path_params["file_id"], checkpoint_id))

    async def room_socket(websocket: WebSocket) -> None:
        format, _, rest = websocket.path_params["room"].partition(":")
        type, _, file_id = rest.partition(":")
        kind = SESSION_TYPES.get((format, type))
        await websocket.accept()
        if kind is None or not file_id:
            await websocket.close(CLOSE_BAD_REQUEST, "room names are <format>:<type>:<fileId>")
            return
        try:
            room = await documents.get_document(file_id, kind)
        except NotFound as e:
            await websocket.close(CLOSE_NOT_FOUND, e.message[:120])
            return
        except CarnetError as e:
            await websocket.close(CLOSE_BAD_REQUEST, e.message[:120])
            return
        epoch = websocket.query_params.get("sessionId")
        if epoch and epoch != room.epoch:
            await websocket.close(CLOSE_STALE_EPOCH, "the document was reloaded: start afresh")
            return
        client = room.connect()
        activity.connections += 1
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(_send, websocket, client, tasks.cancel_scope)
                if await _receive(websocket, room, client, activity):
                    tasks.cancel_scope.cancel()  # the client left
        except (WebSocketDisconnect, OSError):
            pass
        finally:
            activity.connections -= 1
            room.disconnect(client)

    return [
        Route("/api/collaboration/session/{path:path}", session, methods=["PUT"]),
        WebSocketRoute("/api/collaboration/room/{room}", room_socket),
        Route("/api/documents/{file_id}/save", save, methods=["POST"]),
        Route("/api/documents/{file_id}/revert", revert, methods=["POST"]),
    ]


async def _send(websocket: WebSocket, client: Client, done: anyio.CancelScope) -> None:
    """The room -> client queue, in order; closes the socket when the room asks."""
    try:
        async for message in client.outgoing:
            if message is None:
                break
            await websocket.send_bytes(message)
        with contextlib.suppress(RuntimeError):
            await websocket.close(client.close_code, client.close_reason)
    except (WebSocketDisconnect, OSError, RuntimeError):
        pass
    done.cancel()


async def _receive(
    websocket: WebSocket, room: DocumentRoom, client: Client, activity: Activity
) -> bool:
    """Client -> room; True when the client disconnected, False when it must be closed."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return True
        data = message.get("bytes")
        if data is None:
            client.close(CLOSE_BAD_REQUEST, "room messages are binary")
            return False
        activity.touch()
        try:
            room.receive(client, data)
        except ValueError as e:
            client.close(CLOSE_BAD_REQUEST, str(e)[:120])
            return False
