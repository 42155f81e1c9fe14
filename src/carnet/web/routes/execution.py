"""``/api/documents/{file_id}/...``: run cells of a server-owned notebook, and their outputs.

Thin: parse, call the :class:`~carnet.documents.execution.DocumentExecutor`, serialise.

* ``POST execute`` ``{"cells": [{"id", "source_hash"}], "stop_on_error"?}`` -> 202
  ``{"queued": [ids]}``; 409 ``source_mismatch`` (with ``cell_id``) or ``no_kernel``;
* ``POST interrupt`` -> 204; ``POST input`` ``{"request_id", "value"}`` -> 204 (409 when
  that prompt is no longer pending);
* ``GET outputs/{cell_id}/{index}`` -> the full text of a truncated output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from carnet.errors import BadRequest
from carnet.web._json import field, json_response, read_json

if TYPE_CHECKING:
    from carnet.documents.execution import DocumentExecutor


def routes(executor: DocumentExecutor) -> list[BaseRoute]:
    """The execution routes, relative to base_url."""
    from carnet.documents.execution import SourceMismatch

    async def execute(request: Request) -> Response:
        body = await read_json(request) or {}
        cells = field(body, "cells", list)
        if cells is None:
            raise BadRequest("'cells' is required", "bad json")
        stop_on_error = field(body, "stop_on_error", bool, True)
        try:
            queued = await executor.execute(
                request.path_params["file_id"], cells, stop_on_error=stop_on_error
            )
        except SourceMismatch as e:
            return JSONResponse(
                {"message": e.message, "reason": e.reason, "cell_id": e.cell_id}, e.status
            )
        return json_response({"queued": queued}, 202)

    async def interrupt(request: Request) -> Response:
        await executor.interrupt(request.path_params["file_id"])
        return Response(status_code=204)

    async def answer(request: Request) -> Response:
        body = await read_json(request) or {}
        request_id = field(body, "request_id", str)
        value = field(body, "value", str, "")
        if request_id is None:
            raise BadRequest("'request_id' is required", "bad json")
        await executor.input(request.path_params["file_id"], request_id, value)
        return Response(status_code=204)

    async def output(request: Request) -> Response:
        index_text = request.path_params["index"]
        if not index_text.isdigit() or len(index_text) > 9:
            raise BadRequest("The output index must be a small non-negative integer", "bad index")
        text, media_type = await executor.full_output(
            request.path_params["file_id"], request.path_params["cell_id"], int(index_text)
        )
        return Response(
            text.encode("utf-8", "surrogatepass"),
            media_type=f"{media_type}; charset=utf-8",
            headers={"Cache-Control": "no-store"},
        )

    base = "/api/documents/{file_id}"
    return [
        Route(f"{base}/execute", execute, methods=["POST"]),
        Route(f"{base}/interrupt", interrupt, methods=["POST"]),
        Route(f"{base}/input", answer, methods=["POST"]),
        Route(f"{base}/outputs/{{cell_id}}/{{index}}", output, methods=["GET"]),
    ]
