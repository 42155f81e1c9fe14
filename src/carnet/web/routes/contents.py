"""``/api/contents{path}`` and its checkpoints: the Jupyter Contents REST API (facts §1.3).

Thin: parse the query and body, call the `ContentsManager`, serialise. Paths arrive
percent-decoded once by the server; the service does all path checking. ``Location``
headers are built under the mount's ``root_path`` (the lead mounts these under base_url).
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from carnet.contents import ContentsManager, dumps_compact
from carnet.errors import BadRequest, CarnetError
from carnet.web._json import field, json_response, read_json

_TYPES = ("directory", "file", "notebook")


def _url(request: Request, *parts: str) -> str:
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{root}/api/contents/" + "/".join(quote(p) for p in parts if p)


def _http_date(iso: str) -> str:
    stamp = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return format_datetime(stamp, usegmt=True)


def _model_response(
    request: Request, model: dict[str, Any], status: int = 200, *, location: bool = True
) -> Response:
    headers = {"Last-Modified": _http_date(model["last_modified"])}
    if location:
        headers["Location"] = _url(request, model["path"])
    if isinstance(model.get("content"), (str, dict)):
        # A file or notebook: long strings, where the fast encoder is 3-5x quicker.
        body = dumps_compact(model).encode("utf-8")
        return Response(body, status, headers=headers, media_type="application/json")
    return json_response(model, status, headers)


def _flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name, "0" if name == "hash" else "1")
    if value not in ("0", "1"):
        raise BadRequest(f"{name.capitalize()} {value!r} is invalid")
    return value == "1"


def routes(contents: ContentsManager) -> list[BaseRoute]:
    """The Contents API routes, relative to base_url."""

    async def get(request: Request) -> Response:
        path = request.path_params["path"]
        query = request.query_params
        type_ = query.get("type")
        if type_ is not None and type_ not in _TYPES:
            type_ = "file"  # jupyter_server reads any other type as "file"
        format_ = query.get("format")
        if format_ is not None and format_ not in ("text", "base64"):
            raise BadRequest(f"Format {format_!r} is invalid")
        content = _flag(request, "content")
        hash_ = _flag(request, "hash")
        model = await contents.get(path, type=type_, format=format_, content=content, hash=hash_)
        return _model_response(request, model, location=False)

    async def post(request: Request) -> Response:
        """Create an untitled file/notebook/directory, or a copy; the server picks the name."""
        path = request.path_params["path"]
        body = await read_json(request, required=False) or {}
        copy_from = field(body, "copy_from", str)
        existing = await _existing_type(path)
        if existing in ("file", "notebook"):
            raise BadRequest("Cannot POST to files, use PUT instead.")
        if copy_from:
            model = await contents.copy(copy_from, path)
        else:
            type_ = field(body, "type", str)
            if type_ not in (None, "", *_TYPES):
                type_ = "file"
            model = await contents.new_untitled(
                path, type=type_ or None, ext=field(body, "ext", str)
            )
        return _model_response(request, model, 201)

    async def _existing_type(path: str) -> str | None:
        try:
            model = await contents.get(path, content=False)
        except CarnetError:
            return None
        return str(model["type"])

    async def put(request: Request) -> Response:
        """Save or upload; the client names the file. 201 if it was created, else 200."""
        path = request.path_params["path"]
        body = await read_json(request, required=False)
        if not body:
            model = await contents.new_untitled(path)
            return _model_response(request, model, 201)
        if body.get("copy_from"):
            raise BadRequest("Cannot copy with PUT, only POST")
        type_ = field(body, "type", str)
        if type_ is not None and type_ not in ("", *_TYPES):
            body["type"] = "file"
        field(body, "format", str)
        field(body, "chunk", int)
        saved, created = await contents.save(path, body)
        return _model_response(request, saved, 201 if created else 200)

    async def patch(request: Request) -> Response:
        """Rename or move to ``{"path": new}``; 409 if the target exists."""
        path = request.path_params["path"]
        body = await read_json(request)
        assert body is not None
        new_path = field(body, "path", str)
        model = await contents.rename(path, path if new_path is None else new_path)
        return _model_response(request, model)

    async def delete(request: Request) -> Response:
        await contents.delete(request.path_params["path"])
        return Response(status_code=204)

    async def list_checkpoints(request: Request) -> Response:
        return json_response(await contents.list_checkpoints(request.path_params["path"]))

    async def create_checkpoint(request: Request) -> Response:
        path = request.path_params["path"]
        checkpoint = await contents.create_checkpoint(path)
        location = _url(request, path.strip("/"), "checkpoints", checkpoint["id"])
        return json_response(checkpoint, 201, {"Location": location})

    async def restore_checkpoint(request: Request) -> Response:
        params = request.path_params
        await contents.restore_checkpoint(params["path"], params["checkpoint_id"])
        return Response(status_code=204)

    async def delete_checkpoint(request: Request) -> Response:
        params = request.path_params
        await contents.delete_checkpoint(params["path"], params["checkpoint_id"])
        return Response(status_code=204)

    base = "/api/contents{path:path}"
    return [
        Route(base + "/checkpoints/{checkpoint_id}", restore_checkpoint, methods=["POST"]),
        Route(base + "/checkpoints/{checkpoint_id}", delete_checkpoint, methods=["DELETE"]),
        Route(base + "/checkpoints", list_checkpoints, methods=["GET"]),
        Route(base + "/checkpoints", create_checkpoint, methods=["POST"]),
        Route(base, get, methods=["GET"]),
        Route(base, post, methods=["POST"]),
        Route(base, put, methods=["PUT"]),
        Route(base, patch, methods=["PATCH"]),
        Route(base, delete, methods=["DELETE"]),
    ]
