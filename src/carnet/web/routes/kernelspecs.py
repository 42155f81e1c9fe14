"""``/api/kernelspecs``, ``/api/kernelspecs/<name>`` and ``/kernelspecs/<name>/<resource>``.

Thin: the models and the confinement of resource files are ``KernelSpecs``'s job. Resource
URLs in the models carry the server's base_url (the mount's ``root_path``).
"""

from __future__ import annotations

import mimetypes

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from carnet.kernels import KernelSpecs
from carnet.web._json import json_response


def _base_url(request: Request) -> str:
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/") + "/"


def routes(specs: KernelSpecs) -> list[BaseRoute]:
    """The kernelspec routes, relative to base_url."""

    async def list_specs(request: Request) -> Response:
        return json_response(await specs.models(_base_url(request)))

    async def get_spec(request: Request) -> Response:
        return json_response(await specs.model(request.path_params["name"], _base_url(request)))

    async def resource(request: Request) -> Response:
        path = await specs.resource(request.path_params["name"], request.path_params["path"])
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if mimetype == "application/javascript":
            mimetype = "text/javascript"
        # Kernel logos and kernel.js change only when a kernel is reinstalled.
        headers = {"Cache-Control": "max-age=3600"}
        return FileResponse(path, media_type=mimetype, headers=headers)

    return [
        Route("/api/kernelspecs", list_specs, methods=["GET"]),
        Route("/api/kernelspecs/{name}", get_spec, methods=["GET"]),
        Route("/kernelspecs/{name}/{path:path}", resource, methods=["GET"]),
    ]
