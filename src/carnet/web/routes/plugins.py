"""Plugins over HTTP: the list the page loads them from, their files, and the import map.

* ``GET api/carnet/plugins``: every plugin with its state (see `PluginService.list`).
* ``GET carnet/plugins/<name>/<path>``: a file of an enabled plugin (authenticated like the
  API; revalidated on every load, since plugin files are edited in place).
* The page's import map: ``<script type="importmap">`` naming the shared modules (preact,
  lumino, codemirror, yjs, ``carnet``), built from ``importmap.json`` which the frontend build
  writes into the static dir. It is inline, so the page's CSP allows it by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from carnet.errors import NotFound
from carnet.web.static import _StaticFiles

if TYPE_CHECKING:
    from carnet.plugins import PluginService, RouteSpec

IMPORTMAP_FILE = "importmap.json"


def routes(plugins: PluginService | None) -> list[BaseRoute]:
    async def list_plugins(request: Request) -> Response:
        if plugins is None:
            return JSONResponse({"api_version": 1, "plugins": []})
        return JSONResponse(plugins.list())

    async def plugin_file(request: Request) -> Response:
        if plugins is None:
            raise NotFound("No plugins")
        name: str = request.path_params["name"]
        rel: str = request.path_params["path"]
        info = plugins.servable(name, rel)
        assert info.root is not None
        response = await _StaticFiles(info.root).respond(request)
        # Unlike the build's assets, plugin files keep their names when edited.
        response.headers["cache-control"] = "no-cache"
        return response

    return [
        Route("/api/carnet/plugins", list_plugins, methods=["GET"]),
        Route("/carnet/plugins/{name}/{path:path}", plugin_file, methods=["GET"]),
    ]


def extension_routes(specs: list[RouteSpec]) -> list[BaseRoute]:
    """Routes that server extensions added, for mounting after carnet's own."""
    out: list[BaseRoute] = []
    for spec in specs:
        if spec.websocket:
            out.append(WebSocketRoute(spec.path, spec.endpoint, name=spec.name))
        else:
            out.append(
                Route(
                    spec.path,
                    spec.endpoint,
                    methods=list(spec.methods) if spec.methods else None,
                    name=spec.name,
                )
            )
    return out


def importmap(static_dir: Path, base_url: str) -> dict[str, Any] | None:
    """The import map for the page, or None when the build wrote none."""
    try:
        data = json.loads((static_dir / IMPORTMAP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    imports = data.get("imports") if isinstance(data, dict) else None
    if not isinstance(imports, dict):
        return None
    return {
        "imports": {
            str(spec): f"{base_url}static/{rel}"
            for spec, rel in imports.items()
            if isinstance(rel, str) and not rel.startswith(("/", "."))
        }
    }


_HEAD_SCRIPT = re.compile(r"<(script|link)\b", re.IGNORECASE)


def with_importmap(page: str, static_dir: Path, base_url: str) -> tuple[str, str | None]:
    """``page`` with its import map inserted before the first script or link of the head,
    and the CSP source that allows it (``'sha256-…'``); unchanged and None without a map."""
    imports = importmap(static_dir, base_url)
    if imports is None:
        return page, None
    # `</script>` inside JSON would end the element: `<` never appears unescaped.
    body = json.dumps(imports, separators=(",", ":")).replace("<", "\\u003c")
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    tag = f'<script type="importmap">{body}</script>\n    '
    head_end = page.find("</head>")
    match = _HEAD_SCRIPT.search(page, 0, head_end if head_end >= 0 else len(page))
    at = match.start() if match else (head_end if head_end >= 0 else 0)
    return page[:at] + tag + page[at:], f"'sha256-{digest}'"
