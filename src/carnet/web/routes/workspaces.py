"""JupyterLab's per-user UI state: ``/lab/api/workspaces[/{id}]`` and ``/lab/api/settings[/{id}]``.

GET an id that was never saved answers an empty document (as jupyterlab_server does); GET
without an id lists; PUT answers 204. Bodies are read up to the store's limit, so a huge
upload is refused with 413 before it is held in memory.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from carnet.errors import BadRequest, NotFound, PayloadTooLarge, ServiceUnavailable
from carnet.web._json import json_response
from carnet.workspaces import SettingsStore, WorkspaceStore


async def _body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The body may be at most {limit} bytes", "too large")
        chunks.append(chunk)
    body = b"".join(chunks).strip()
    if not body:
        raise BadRequest("JSON body missing", "bad json")
    return body


def _username(request: Request) -> str:
    return str(request.state.user.username)


def _item(request: Request) -> str:
    """The id after the collection's path ("" for the collection itself)."""
    rest = str(request.path_params.get("path", ""))
    if rest and not rest.startswith("/"):
        raise NotFound(f"Not found: {request.url.path}", None)
    return rest.strip("/")


def routes(workspaces: WorkspaceStore | None, settings: SettingsStore | None) -> list[BaseRoute]:
    def stores() -> tuple[WorkspaceStore, SettingsStore]:
        if workspaces is None or settings is None:
            raise ServiceUnavailable("Workspaces and settings are not configured", "disabled")
        return workspaces, settings

    async def workspace(request: Request) -> Response:
        store = stores()[0]
        workspace_id = _item(request)
        user = _username(request)
        if request.method == "GET":
            if not workspace_id:
                return json_response(await store.list(user))
            return json_response(await store.get(user, workspace_id))
        if not workspace_id:
            raise BadRequest(f"Workspace name is required for {request.method}", "no id")
        if request.method == "PUT":
            await store.save(user, workspace_id, await _body(request, store.max_bytes))
        else:
            await store.delete(user, workspace_id)
        return Response(status_code=204)

    async def setting(request: Request) -> Response:
        store = stores()[1]
        plugin_id = _item(request)
        user = _username(request)
        if request.method == "GET":
            if not plugin_id:
                return json_response(await store.list(user))
            return json_response(await store.get(user, plugin_id))
        if not plugin_id:
            raise BadRequest("A settings id is required for PUT", "no id")
        await store.save(user, plugin_id, await _body(request, store.max_bytes))
        return Response(status_code=204)

    # One route per collection, like /api/contents: the path after it names the item.
    return [
        Route("/lab/api/workspaces{path:path}", workspace, methods=["GET", "PUT", "DELETE"]),
        Route("/lab/api/settings{path:path}", setting, methods=["GET", "PUT"]),
    ]
