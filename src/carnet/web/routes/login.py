"""`/login` and `/logout`: the password (or token) form and the signed login cookie."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from carnet.auth.authenticator import Authenticator
from carnet.web.pages import PAGE_CSP, login_page, logout_page
from carnet.web.security import XSRF_COOKIE, SecurityPolicy, cookie_header, login_cookie

MAX_FORM_BYTES = 64 * 1024


def safe_next(value: str | None, base_url: str, default: str) -> str:
    """``next=`` only ever leads to a path on this server (no open redirect)."""
    if not value:
        return default
    if "\\" in value or any(ord(c) < 0x20 for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith(base_url) or value.startswith("//"):
        return default
    return value


def routes(
    auth: Authenticator, policy: SecurityPolicy, default_url: str, password_mode: bool
) -> list[BaseRoute]:
    base = policy.base_url
    default = base + default_url.lstrip("/")

    def _page(request: Request, status: int, error: str | None) -> Response:
        xsrf = request.cookies.get(XSRF_COOKIE) or secrets.token_urlsafe(32)
        next_url = safe_next(request.query_params.get("next"), base, default)
        body = login_page(
            action=f"{base}login",
            next_url=next_url,
            xsrf=xsrf,
            error=error,
            password_mode=password_mode,
        )
        response = HTMLResponse(
            body,
            status_code=status,
            headers={"content-security-policy": PAGE_CSP, "cache-control": "no-store"},
        )
        if request.cookies.get(XSRF_COOKIE) != xsrf:
            response.headers.append(
                "set-cookie",
                cookie_header(
                    XSRF_COOKIE,
                    xsrf,
                    path=base,
                    max_age=None,
                    http_only=False,
                    secure=request.url.scheme == "https",
                ),
            )
        return response

    async def login_get(request: Request) -> Response:
        if not auth.enabled or request.state.user is not None:
            target = safe_next(request.query_params.get("next"), base, default)
            return RedirectResponse(target, status_code=302)
        return _page(request, 200, None)

    async def login_post(request: Request) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_FORM_BYTES):
            return _page(request, 413, "The login form was too large.")
        try:
            form = await request.form(max_files=0, max_fields=10)
        except Exception:  # a malformed form body is a 400, not a 500
            return _page(request, 400, "The login form could not be read.")
        sent_xsrf = str(form.get("_xsrf") or "")
        cookie_xsrf = request.cookies.get(XSRF_COOKIE, "")
        if not cookie_xsrf or not secrets.compare_digest(sent_xsrf.encode(), cookie_xsrf.encode()):
            return _page(request, 403, "Your session form expired; please try again.")
        address = request.state.address
        outcome = await auth.login(str(form.get("password") or ""), address)
        if outcome.status == "throttled":
            wait = max(1, int(outcome.retry_after + 0.999))
            response = _page(
                request, 429, f"Too many failed attempts. Try again in {wait} seconds."
            )
            response.headers["retry-after"] = str(wait)
            return response
        if outcome.status != "ok" or outcome.user is None:
            return _page(request, 401, "Invalid credentials")
        target = safe_next(str(form.get("next") or ""), base, default)
        response = RedirectResponse(target, status_code=302)
        response.headers.append(
            "set-cookie",
            login_cookie(auth, policy, outcome.user, https=request.url.scheme == "https"),
        )
        return response

    async def logout(request: Request) -> Response:
        user = request.state.user
        if user is not None and auth.enabled:
            auth.record("logout", address=request.state.address, user=user.username)
        response = HTMLResponse(
            logout_page(f"{base}login"),
            headers={"content-security-policy": PAGE_CSP, "cache-control": "no-store"},
        )
        for path in {base, "/"}:
            response.headers.append(
                "set-cookie",
                cookie_header(
                    policy.cookie_name,
                    "",
                    path=path,
                    max_age=0,
                    http_only=True,
                    secure=request.url.scheme == "https",
                ),
            )
        return response

    return [
        Route("/login", login_get, methods=["GET"]),
        Route("/login", login_post, methods=["POST"]),
        Route("/logout", logout, methods=["GET", "POST"]),
    ]
