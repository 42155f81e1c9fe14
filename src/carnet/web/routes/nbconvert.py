"""Exports and trust, Jupyter's routes.

- ``GET /api/nbconvert``: the exporters, ``{name: {output_mimetype}}`` (jupyter_server).
- ``GET /nbconvert/{format}/{path}?download=true``: the notebook exported (what JupyterLab's
  "Save and Export Notebook As" opens); ``download`` makes it an attachment. The reply is
  sandboxed like ``/files/``: an exported HTML page never runs with the server's cookies.
- ``GET/POST /api/trust/{path}``: whether the notebook is trusted (its signature checks);
  trust it (sign it, mark the cells of its open document trusted).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from carnet.web._json import json_response
from carnet.web.routes.files import SANDBOX_CSP

if TYPE_CHECKING:
    from carnet.documents import DocumentService
    from carnet.documents.export import ExportService


def routes(exports: ExportService | None, documents: DocumentService | None) -> list[BaseRoute]:
    found: list[BaseRoute] = []
    if exports is not None:
        found += _export_routes(exports)
    if documents is not None:
        found += _trust_routes(documents)
    return found


def _export_routes(exports: ExportService) -> list[BaseRoute]:
    async def formats(request: Request) -> Response:
        return json_response(await exports.formats())

    async def export(request: Request) -> Response:
        result = await exports.export(request.path_params["format"], request.path_params["path"])
        headers = {
            "Content-Security-Policy": SANDBOX_CSP,
            "Cache-Control": "no-store, no-cache, must-revalidate, max-age=0",
        }
        if request.query_params.get("download", "false").lower() in ("true", "1"):
            name = quote(result.filename, safe="")
            headers["Content-Disposition"] = f"attachment; filename*=utf-8''{name}"
        mimetype = result.mimetype
        if mimetype.startswith("text/") or mimetype == "application/json":
            mimetype += "; charset=utf-8"
        return Response(result.body, headers=headers, media_type=mimetype)

    return [
        Route("/api/nbconvert", formats, methods=["GET"]),
        Route("/nbconvert/{format}/{path:path}", export, methods=["GET"]),
    ]


def _trust_routes(documents: DocumentService) -> list[BaseRoute]:
    async def status(request: Request) -> Response:
        return json_response(await documents.trust_status(request.path_params["path"]))

    async def trust(request: Request) -> Response:
        return json_response(await documents.trust(request.path_params["path"]))

    return [
        Route("/api/trust/{path:path}", status, methods=["GET"]),
        Route("/api/trust/{path:path}", trust, methods=["POST"]),
    ]
