"""HTTP side of single-user mode: who a request is according to the hub, the OAuth login
redirect, ``/oauth_callback``, and ``/login`` and ``/logout`` leading to the hub.

The security middleware asks :meth:`HubGate.identify` instead of carnet's own token and
password checks. A browser logs in by OAuth: it is sent to the hub's authorize URL with a
random state (kept, with the PKCE verifier and the page it wanted, in a signed short-lived
cookie), comes back to ``oauth_callback`` with a code, which the server exchanges for a hub
token; the token is kept in a signed HttpOnly cookie named after the OAuth client and checked
against the hub (with a short cache) on every request.
"""

from __future__ import annotations

import html
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from carnet.auth.identity import User, owner_user
from carnet.auth.signing import CookieSigner
from carnet.hub.auth import HubAuth, OAuthError
from carnet.hub.client import HubUnavailable
from carnet.web.pages import PAGE_CSP, page

log = logging.getLogger("carnet.web")

STATE_MAX_AGE_S = 600
STARTUP_CHECK_WAIT_S = 10.0


@dataclass(frozen=True)
class HubVerdict:
    """``ok``: ``user`` may enter (``via``: ``token`` or ``cookie``); ``anonymous``: no
    credentials (or an expired/unknown cookie); ``refused``: the hub does not know the token
    (401); ``forbidden``: a real user without access to this server (403); ``unavailable``:
    the hub could not answer (503), never access."""

    status: Literal["ok", "anonymous", "refused", "forbidden", "unavailable"]
    user: User | None = None
    via: str | None = None
    message: str = ""


def _safe_next(value: str | None, prefix: str) -> str:
    """A ``next`` URL that stays on this server, under its prefix (no open redirect)."""
    if not value or "\\" in value or any(ord(c) < 0x20 for c in value):
        return prefix
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith("//") or not value.startswith(prefix):
        return prefix
    return value


def error_page(status: int, title: str, message: str, links: dict[str, str]) -> Response:
    items = "".join(
        f'<p><a href="{html.escape(url, quote=True)}">{html.escape(label)}</a></p>'
        for label, url in links.items()
    )
    body = f'<h1>{html.escape(title)}</h1><p class="error" role="alert">{html.escape(message)}</p>'
    return HTMLResponse(
        page(f"{title} - carnet", body + items),
        status_code=status,
        headers={"content-security-policy": PAGE_CSP, "cache-control": "no-store"},
    )


class HubGate:
    """The hub's answers to the middleware's questions, and the OAuth routes."""

    def __init__(
        self, auth: HubAuth, signer: CookieSigner, *, cookie_max_age_s: int, secure: bool
    ) -> None:
        self.auth = auth
        self.env = auth.env
        self._signer = signer
        self._max_age = cookie_max_age_s
        self._secure = secure
        self.cookie_name = self.env.client_id
        self.state_cookie_name = f"{self.env.client_id}-oauth-state"
        self.prefix = self.env.service_prefix

    @property
    def version(self) -> str:
        return self.auth.hub_version

    # -- identity ----------------------------------------------------------------------------

    async def identify(
        self,
        *,
        header_token: str | None,
        query_token: str | None,
        cookies: dict[str, str],
        websocket: bool,
    ) -> HubVerdict:
        via = "token"
        token = header_token
        if token is None and query_token is not None and (websocket or self.env.allow_token_in_url):
            token = query_token
        if token is None:
            token = self._token_from_cookie(cookies.get(self.cookie_name))
            via = "cookie"
        if not token:
            return HubVerdict("anonymous")
        if not self.auth.checked.is_set():
            # The first requests wait (briefly) for the start-up check of the hub.
            with anyio.move_on_after(STARTUP_CHECK_WAIT_S):
                await self.auth.checked.wait()
        try:
            hub_user = await self.auth.user_for_token(token)
        except HubUnavailable as exc:
            log.warning("Hub check failed: %s", exc)
            return HubVerdict("unavailable", message=f"JupyterHub could not be asked: {exc}")
        if hub_user is None:
            if via == "cookie":
                # An expired or revoked login: start a new one.
                return HubVerdict("anonymous")
            return HubVerdict("refused", message="JupyterHub does not accept this token")
        if not self.auth.allowed(hub_user):
            return HubVerdict(
                "forbidden",
                message=f"{hub_user.kind} {hub_user.name!r} may not access the server of "
                f"{self.env.server_label!r}",
            )
        return HubVerdict("ok", owner_user(hub_user.name), via)

    def _token_from_cookie(self, value: str | None) -> str | None:
        if not value:
            return None
        return self._signer.unsign(self.cookie_name, value, self._max_age)

    def _cookie(self, name: str, value: str, max_age: int, secure: bool) -> str:
        parts = [f"{name}={value}", f"Path={self.prefix}", "SameSite=Lax", "HttpOnly"]
        parts.append(f"Max-Age={max_age}")
        if secure or self._secure:
            parts.append("Secure")
        return "; ".join(parts)

    def token_cookie(self, token: str, *, secure: bool) -> str:
        """The ``Set-Cookie`` value that keeps a hub token for this browser."""
        signed = self._signer.sign(self.cookie_name, token)
        return self._cookie(self.cookie_name, signed, self._max_age, secure)

    def page_config(self, user: User | None) -> dict[str, str]:
        """What the IDE needs to link to the hub (JupyterLab's page config names)."""
        return {
            "hubUser": user.username if user is not None else "",
            "hubServerUser": self.env.user,
            "hubServerName": self.env.server_name,
            "hubPrefix": self.env.hub_prefix,
            "hubHost": self.env.host,
            "controlPanelUrl": self.env.control_panel_url,
            "logoutUrl": self.env.logout_url,
        }

    # -- OAuth ------------------------------------------------------------------------------

    def login_redirect(self, next_url: str, *, secure: bool) -> tuple[str, str]:
        """``(location, set-cookie)`` that sends a browser to the hub to log in."""
        start = self.auth.begin_login()
        state = json.dumps(
            {
                "state": start.state,
                "verifier": start.code_verifier,
                "next": _safe_next(next_url, self.prefix),
            }
        )
        cookie = self._cookie(
            self.state_cookie_name,
            self._signer.sign(self.state_cookie_name, state),
            STATE_MAX_AGE_S,
            secure,
        )
        return start.url, cookie

    def _secure_request(self, request: Request) -> bool:
        return request.url.scheme == "https"

    async def login(self, request: Request) -> Response:
        next_url = _safe_next(request.query_params.get("next"), self.prefix)
        if request.state.user is not None:
            return RedirectResponse(next_url, status_code=302)
        location, cookie = self.login_redirect(next_url, secure=self._secure_request(request))
        response = RedirectResponse(location, status_code=302)
        response.headers.append("set-cookie", cookie)
        return response

    async def logout(self, request: Request) -> Response:
        response = RedirectResponse(self.env.logout_url, status_code=302)
        response.headers.append(
            "set-cookie", self._cookie(self.cookie_name, "", 0, self._secure_request(request))
        )
        return response

    async def callback(self, request: Request) -> Response:
        links = {"Log in again": f"{self.prefix}login", "JupyterHub": self.env.control_panel_url}
        code = request.query_params.get("code", "")
        state = request.query_params.get("state", "")
        if request.query_params.get("error"):
            reason = request.query_params.get("error_description") or request.query_params["error"]
            return error_page(403, "Login refused", f"JupyterHub said: {reason}", links)
        if not code or not state:
            return error_page(400, "Login failed", "The hub's reply lacks a code or state.", links)
        raw = request.cookies.get(self.state_cookie_name)
        saved_text = (
            self._signer.unsign(self.state_cookie_name, raw, STATE_MAX_AGE_S) if raw else None
        )
        try:
            saved = json.loads(saved_text) if saved_text else None
        except ValueError:
            saved = None
        if (
            not isinstance(saved, dict)
            or not isinstance(saved.get("state"), str)
            or not secrets.compare_digest(saved["state"].encode(), state.encode())
        ):
            return error_page(
                400,
                "Login failed",
                "This login does not match the one this browser started (or it expired).",
                links,
            )
        secure = self._secure_request(request)
        try:
            token = await self.auth.token_for_code(code, str(saved.get("verifier") or ""))
            hub_user = await self.auth.user_for_token(token)
        except HubUnavailable as exc:
            return error_page(503, "JupyterHub is unavailable", str(exc), links)
        except OAuthError as exc:
            return error_page(403, "Login refused", str(exc), links)
        if hub_user is None or not self.auth.allowed(hub_user):
            name = hub_user.name if hub_user is not None else "this user"
            return error_page(
                403,
                "Access denied",
                f"{name} may not access the server of {self.env.server_label}.",
                {"JupyterHub": self.env.control_panel_url},
            )
        response = RedirectResponse(
            _safe_next(str(saved.get("next") or ""), self.prefix), status_code=302
        )
        response.headers.append("set-cookie", self.token_cookie(token, secure=secure))
        response.headers.append("set-cookie", self._cookie(self.state_cookie_name, "", 0, secure))
        return response


def routes(gate: HubGate | None) -> list[BaseRoute]:
    """``/oauth_callback``, and ``/login`` and ``/logout`` going through the hub (mounted
    before carnet's own login routes, which they replace in single-user mode); ``/api/hub``
    always (``{}`` when there is no hub, so the IDE asks without a failing request)."""

    async def no_hub(request: Request) -> Response:
        return JSONResponse({})

    if gate is None:
        return [Route("/api/hub", no_hub, methods=["GET"])]

    async def callback(request: Request) -> Response:
        return await gate.callback(request)

    async def login(request: Request) -> Response:
        return await gate.login(request)

    async def logout(request: Request) -> Response:
        return await gate.logout(request)

    async def hub_info(request: Request) -> Response:
        return JSONResponse(gate.page_config(request.state.user))

    return [
        Route("/api/hub", hub_info, methods=["GET"]),
        Route("/oauth_callback", callback, methods=["GET"]),
        Route("/login", login, methods=["GET"]),
        Route("/logout", logout, methods=["GET", "POST"]),
    ]
