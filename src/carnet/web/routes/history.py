"""``GET /api/history{path}``: the saved versions of a notebook (`carnet.documents.history`).

Without a query: ``{path, versions: [{id, path, time, size}]}``, newest first. With
``?version=<id>``: that version, ``{id, path, time, size, content}`` with the notebook's
nbformat JSON. The path is checked as the Contents API checks it (confined to the root,
hidden files, existence).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from carnet.contents import dumps_compact
from carnet.web._json import json_response

if TYPE_CHECKING:
    from carnet.documents.history import NotebookHistory


def routes(history: NotebookHistory | None) -> list[BaseRoute]:
    if history is None:
        return []

    async def get(request: Request) -> Response:
        path = request.path_params["path"]
        version = request.query_params.get("version")
        if version is None:
            return json_response(await history.versions(path))
        model = await history.version(path, version)
        # Notebooks are long strings, where the fast encoder is quicker.
        return Response(dumps_compact(model).encode("utf-8"), media_type="application/json")

    return [Route("/api/history{path:path}", get, methods=["GET"])]
