"""``/api/sessions``: which kernel serves which file (facts §1.4).

Thin: parse, call the ``SessionManager``, serialise. Status codes are jupyter_server's
where JupyterLab's client checks them: ``POST`` answers 201 even when it returns the
session that already existed for the path (``@jupyterlab/services`` rejects anything
else), ``PATCH`` 200, ``DELETE`` 204.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from carnet.errors import BadRequest
from carnet.sessions import SessionManager
from carnet.web._json import field, json_response, read_json


def _kernel_fields(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """(name, id) from the body's ``kernel`` object; absent or null means neither."""
    kernel = field(body, "kernel", dict) or {}
    return field(kernel, "name", str), field(kernel, "id", str)


def routes(sessions: SessionManager) -> list[BaseRoute]:
    """The session routes, relative to base_url."""

    async def list_sessions(request: Request) -> Response:
        return json_response(sessions.list())

    async def create(request: Request) -> Response:
        body = await read_json(request)
        assert body is not None
        path = field(body, "path", str)
        type_ = field(body, "type", str)
        if path is None:
            # The classic notebook's body: {"notebook": {"path": ...}, "kernel": {...}}.
            legacy = field(body, "notebook", dict)
            if legacy is not None:
                path = field(legacy, "path", str)
                type_ = type_ or "notebook"
        if path is None:
            raise BadRequest("Missing field in JSON data: path", "bad json")
        if type_ is None:
            raise BadRequest("Missing field in JSON data: type", "bad json")
        kernel_name, kernel_id = _kernel_fields(body)
        model, _created = await sessions.create(
            path=path,
            type=type_,
            name=field(body, "name", str, ""),
            kernel_name=kernel_name,
            kernel_id=kernel_id,
        )
        root = request.scope.get("root_path", "").rstrip("/")
        location = f"{root}/api/sessions/{quote(model['id'], safe='')}"
        return json_response(model, 201, {"Location": location})

    async def get(request: Request) -> Response:
        return json_response(sessions.get(request.path_params["session_id"]))

    async def update(request: Request) -> Response:
        body = await read_json(request)
        assert body is not None
        kernel_name, kernel_id = _kernel_fields(body)
        model = await sessions.update(
            request.path_params["session_id"],
            path=field(body, "path", str),
            name=field(body, "name", str),
            type=field(body, "type", str),
            kernel_name=kernel_name,
            kernel_id=kernel_id,
        )
        return json_response(model)

    async def delete(request: Request) -> Response:
        await sessions.delete(request.path_params["session_id"])
        return Response(status_code=204)

    return [
        Route("/api/sessions", list_sessions, methods=["GET"]),
        Route("/api/sessions", create, methods=["POST"]),
        Route("/api/sessions/{session_id}", get, methods=["GET"]),
        Route("/api/sessions/{session_id}", update, methods=["PATCH"]),
        Route("/api/sessions/{session_id}", delete, methods=["DELETE"]),
    ]
