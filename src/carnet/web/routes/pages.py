"""The browser pages: `/` redirects, `/lab`, `/tree/...`, `/notebooks/...`, `/edit/...`,
`/view/...` serve the app shell, which opens what the URL names; `/sandbox/output.html` is
the page trusted outputs with scripts run in (`carnet.web.sandbox`)."""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from carnet.web.pages import PAGE_CSP, frontend_missing_page
from carnet.web.routes.plugins import with_importmap
from carnet.web.sandbox import SANDBOX_CSP, SANDBOX_PAGE
from carnet.web.security import XSRF_COOKIE, cookie_header
from carnet.web.static import fill_index, read_index

APP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; frame-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)


def routes(static_dir: Path, base_url: str, default_url: str) -> list[BaseRoute]:
    template = read_index(static_dir)
    shell = fill_index(template, base_url) if template is not None else None
    app_csp = APP_CSP
    if shell is not None:
        # Plugins import the app's shared modules through an inline import map, allowed by hash.
        shell, importmap_hash = with_importmap(shell, static_dir, base_url)
        if importmap_hash is not None:
            app_csp = APP_CSP.replace("script-src 'self'", f"script-src 'self' {importmap_hash}")

    async def app_page(request: Request) -> Response:
        if shell is None:
            response: Response = HTMLResponse(
                frontend_missing_page(), headers={"content-security-policy": PAGE_CSP}
            )
        else:
            response = HTMLResponse(shell, headers={"content-security-policy": app_csp})
        response.headers["cache-control"] = "no-cache"
        if not request.cookies.get(XSRF_COOKIE):
            response.headers.append(
                "set-cookie",
                cookie_header(
                    XSRF_COOKIE,
                    secrets.token_urlsafe(32),
                    path=base_url,
                    max_age=None,
                    http_only=False,
                    secure=request.url.scheme == "https",
                ),
            )
        return response

    async def root(request: Request) -> Response:
        return RedirectResponse(base_url + default_url.lstrip("/"), status_code=302)

    async def favicon(request: Request) -> Response:
        icon = static_dir / "favicon.svg"
        if icon.is_file():
            return FileResponse(
                icon, media_type="image/svg+xml", headers={"cache-control": "public, max-age=86400"}
            )
        return Response(status_code=204)

    async def sandbox_page(request: Request) -> Response:
        # Public (it is static and holds no data) and always sandboxed by its own CSP.
        return HTMLResponse(
            SANDBOX_PAGE,
            headers={"content-security-policy": SANDBOX_CSP, "cache-control": "no-cache"},
        )

    page_routes: list[BaseRoute] = [
        Route("/", root, methods=["GET"]),
        Route("/sandbox/output.html", sandbox_page, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/favicon.svg", favicon, methods=["GET"]),
    ]
    for prefix in ("/lab", "/tree", "/notebooks", "/edit", "/view"):
        page_routes.append(Route(prefix, app_page, methods=["GET"]))
        page_routes.append(Route(prefix + "/{path:path}", app_page, methods=["GET"]))
    return page_routes
