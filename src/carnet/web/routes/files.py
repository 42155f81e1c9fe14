"""``GET/HEAD /files/{path}``: the raw bytes of a file under the root (facts §1.1).

Same confinement and hidden-file rules as the Contents API. The reply is sandboxed
(``Content-Security-Policy: sandbox allow-scripts``): an HTML file opened here runs in an
opaque origin, never with the server's cookies. ``?download=1`` makes it an attachment.
Range requests, ``ETag`` and ``Last-Modified`` come from Starlette's `FileResponse`.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from carnet.contents import ContentsManager

SANDBOX_CSP = "sandbox allow-scripts"


def routes(contents: ContentsManager) -> list[BaseRoute]:
    """The ``/files/`` route, relative to base_url."""

    async def serve(request: Request) -> Response:
        path = request.path_params["path"]
        os_path, mimetype = await contents.file_response_info(path)
        headers = {"Content-Security-Policy": SANDBOX_CSP}
        if request.query_params.get("download", "0") not in ("", "0", "false"):
            name = path.rstrip("/").rpartition("/")[2]
            headers["Content-Disposition"] = f"attachment; filename*=utf-8''{quote(name, safe='')}"
        return FileResponse(os_path, headers=headers, media_type=mimetype)

    return [Route("/files/{path:path}", serve, methods=["GET", "HEAD"])]
