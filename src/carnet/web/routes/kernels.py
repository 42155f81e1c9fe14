"""``/api/kernels``: list, start, get, shut down, interrupt and restart kernels (facts §1.5).

Thin: parse, call the ``KernelService``, serialise. The service refuses unknown
kernelspecs, paths outside the root and bad arguments without leaving anything behind;
those errors become JSON 4xx replies. The websocket lives in ``carnet.web.kernel_ws``.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from carnet.kernels import KernelService
from carnet.web._json import field, json_response, read_json


def kernel_url(request: Request, kernel_id: str) -> str:
    """``Location`` of a kernel, under the server's base_url."""
    root = request.scope.get("root_path", "").rstrip("/")
    return f"{root}/api/kernels/{quote(kernel_id, safe='')}"


def routes(kernels: KernelService) -> list[BaseRoute]:
    """The kernel REST routes, relative to base_url."""

    async def list_kernels(request: Request) -> Response:
        return json_response(kernels.list())

    async def start(request: Request) -> Response:
        body = await read_json(request, required=False) or {}
        name = field(body, "name", str)
        path = field(body, "path", str)
        model = await kernels.start(name=name, path=path)
        return json_response(model, 201, {"Location": kernel_url(request, model["id"])})

    async def get(request: Request) -> Response:
        return json_response(kernels.get(request.path_params["kernel_id"]))

    async def delete(request: Request) -> Response:
        await kernels.shutdown(request.path_params["kernel_id"])
        return Response(status_code=204)

    async def interrupt(request: Request) -> Response:
        await kernels.interrupt(request.path_params["kernel_id"])
        return Response(status_code=204)

    async def restart(request: Request) -> Response:
        model = await kernels.restart(request.path_params["kernel_id"])
        return json_response(model)

    return [
        Route("/api/kernels", list_kernels, methods=["GET"]),
        Route("/api/kernels", start, methods=["POST"]),
        Route("/api/kernels/{kernel_id}", get, methods=["GET"]),
        Route("/api/kernels/{kernel_id}", delete, methods=["DELETE"]),
        Route("/api/kernels/{kernel_id}/interrupt", interrupt, methods=["POST"]),
        Route("/api/kernels/{kernel_id}/restart", restart, methods=["POST"]),
    ]
