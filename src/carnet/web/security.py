"""The security middleware: every request passes here before any route.

In order: the Host check against DNS rebinding (loopback binds), identity (token header,
``?token=``, or the signed login cookie), the Origin check (cookie requests and every
websocket), XSRF on cookie-authenticated writes, and security headers on every reply.
Starlette has none of this built in (stack-notes §1), so it is all here and tested.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from starlette.datastructures import MutableHeaders

from carnet.auth.authenticator import Authenticator, Outcome
from carnet.auth.identity import User
from carnet.auth.tokens import parse_authorization

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from carnet.web.hub import HubGate

XSRF_COOKIE = "_xsrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_CSP = "default-src 'none'; frame-ancestors 'none'"


@dataclass(frozen=True)
class SecurityPolicy:
    """What the middleware enforces; built from settings in `carnet.server`."""

    base_url: str = "/"
    cookie_name: str = "carnet-login"
    allow_remote_access: bool = False
    local_hostnames: tuple[str, ...] = ("localhost",)
    allow_origin: str = ""
    allow_origin_pat: re.Pattern[str] | None = None
    allow_credentials: bool = False
    disable_check_xsrf: bool = False
    trust_xheaders: bool = False
    secure_cookies: bool = False
    cookie_max_age_s: int = 30 * 86400
    # Paths (relative to base_url) anyone may fetch.
    public_exact: frozenset[str] = field(
        default_factory=lambda: frozenset(
            {"login", "logout", "api", "favicon.ico", "robots.txt", "sandbox/output.html"}
        )
    )
    public_prefixes: tuple[str, ...] = ("static/",)


def client_address(scope: Scope, trust_xheaders: bool) -> str:
    if trust_xheaders:
        headers = _headers(scope)
        forwarded = headers.get("x-forwarded-for") or headers.get("x-real-ip")
        if forwarded:
            return forwarded.split(",")[0].strip()
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    raw = headers.get("cookie")
    if not raw:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed Cookie header is the client's problem, not a 500
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def _host_name(host: str) -> str:
    """The host part of a Host header: port stripped, IPv6 brackets removed."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


def host_is_local(host: str, local_hostnames: tuple[str, ...]) -> bool:
    name = _host_name(host).lower()
    if name in local_hostnames:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def cookie_header(
    name: str, value: str, *, path: str, max_age: int | None, http_only: bool, secure: bool
) -> str:
    parts = [f"{name}={value}", f"Path={path}", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if http_only:
        parts.append("HttpOnly")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def login_cookie(auth: Authenticator, policy: SecurityPolicy, user: User, *, https: bool) -> str:
    """The `Set-Cookie` value that logs ``user`` in (signed, HttpOnly, under base_url)."""
    return cookie_header(
        policy.cookie_name,
        auth.cookie_value(policy.cookie_name, user),
        path=policy.base_url,
        max_age=policy.cookie_max_age_s,
        http_only=True,
        secure=policy.secure_cookies or https,
    )


class SecurityMiddleware:
    """Pure ASGI middleware (it must see websockets too, which Starlette's BaseHTTPMiddleware
    does not). Sets ``scope["state"]["user"]`` for routes; ``on_activity`` is called for
    every authenticated request except status polling."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        auth: Authenticator,
        policy: SecurityPolicy,
        on_activity: Callable[[], None] = lambda: None,
        hub: HubGate | None = None,
    ) -> None:
        self.app = app
        self.auth = auth
        self.policy = policy
        self.on_activity = on_activity
        # Single-user mode: the hub says who a request is; carnet's own login is off.
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request = _Request(scope, self.policy)
        websocket = scope["type"] == "websocket"
        send = self._with_headers(send, request)

        if not self.policy.allow_remote_access and not host_is_local(
            request.host, self.policy.local_hostnames
        ):
            await _deny(
                scope,
                send,
                403,
                f"Blocking request with non-local 'Host' {request.host!r}. If carnet should "
                "answer to that name, set ServerApp.allow_remote_access = True.",
                "non-local host",
            )
            return
        if request.relative is None:
            await _deny(scope, send, 404, "Not found", None)
            return

        origin = request.headers.get("origin")
        if (
            request.method == "OPTIONS"
            and origin
            and (self.policy.allow_origin or self.policy.allow_origin_pat)
            and "access-control-request-method" in request.headers
        ):
            # A CORS preflight carries no credentials; answer it for allowed origins only.
            status = 204 if self._origin_allowed(origin, request) else 403
            await _send_simple(
                send,
                status,
                b"",
                [
                    (b"access-control-allow-methods", b"GET, PUT, POST, PATCH, DELETE, OPTIONS"),
                    (
                        b"access-control-allow-headers",
                        b"accept, content-type, authorization, x-xsrftoken",
                    ),
                    (b"access-control-max-age", b"600"),
                ],
            )
            return

        if self.hub is not None:
            identified = await self._identify_hub(request, scope, receive, send)
            if identified is None:
                return
            user, via, throttled = *identified, None
        else:
            user, via, throttled = self._identify(request)
        if throttled is not None:
            await _deny(
                scope,
                send,
                429,
                "Too many failed attempts from your address; try again later.",
                "throttled",
                retry_after=throttled,
            )
            return
        public = request.is_public
        if user is None and not public:
            await self._unauthenticated(request, scope, send)
            return

        # Origin: browsers send it on cross-site requests. Websockets are always checked
        # (a token in a page of another site is still that site's request); HTTP requests
        # only when the cookie is what authenticates them.
        if origin and (websocket or via == "cookie") and not self._origin_allowed(origin, request):
            await _deny(
                scope, send, 403, f"Cross-origin request from {origin} refused", "cross-origin"
            )
            return
        if (
            via == "cookie"
            and not websocket
            and not public
            and request.method in UNSAFE_METHODS
            and not self.policy.disable_check_xsrf
            and not request.xsrf_ok()
        ):
            await _deny(
                scope,
                send,
                403,
                "'_xsrf' argument missing or wrong: send the _xsrf cookie's value "
                "in the X-XSRFToken header",
                "xsrf",
            )
            return
        if (
            via == "cookie"
            and request.relative.startswith("files/")
            and request.headers.get("sec-fetch-site") == "cross-site"
        ):
            await _deny(scope, send, 403, "Cross-site file request refused", "cross-site")
            return

        if via == "token" and request.token_in_query and request.is_navigation:
            # A browser followed a link with ?token=: log it in, then drop the token from
            # the address bar (and from history and Referer headers).
            assert user is not None
            await self._redirect_without_token(request, user, send)
            return

        state = scope.setdefault("state", {})
        open_server = not self.auth.enabled and self.hub is None
        state["user"] = user or (self.auth.owner if open_server else None)
        state["auth_via"] = via
        state["address"] = request.address
        # Status and metrics polling is not activity (it would keep idle servers alive).
        if user is not None and request.relative not in ("api/status", "api/metrics/v1"):
            self.on_activity()
        await self.app(scope, receive, send)

    def _identify(self, request: _Request) -> tuple[User | None, str | None, float | None]:
        if not self.auth.enabled:
            return self.auth.owner, "none", None
        presented = request.token
        if presented is not None:
            outcome: Outcome = self.auth.check_token(presented, request.address)
            if outcome.status == "ok":
                return outcome.user, "token", None
            if outcome.status == "throttled":
                return None, None, outcome.retry_after
        user = self.auth.user_from_cookie(
            self.policy.cookie_name, request.cookies.get(self.policy.cookie_name)
        )
        if user is not None:
            return user, "cookie", None
        return None, None, None

    async def _identify_hub(
        self, request: _Request, scope: Scope, receive: Receive, send: Send
    ) -> tuple[User | None, str | None] | None:
        """The hub's verdict on a request: ``(user, via)``, or None once it was refused."""
        assert self.hub is not None
        query_token = next((v for k, v in request.query if k == "token"), None)
        verdict = await self.hub.identify(
            header_token=parse_authorization(request.headers.get("authorization")),
            query_token=query_token,
            cookies=request.cookies,
            websocket=scope["type"] == "websocket",
        )
        if verdict.status == "ok":
            return verdict.user, verdict.via
        if verdict.status == "anonymous" or request.is_public:
            # Public paths (login, static assets, /api) answer whatever the hub says.
            return None, None
        status = {"refused": 401, "forbidden": 403, "unavailable": 503}[verdict.status]
        if request.is_navigation and scope["type"] == "http":
            from carnet.web.hub import error_page

            title = "JupyterHub is unavailable" if status == 503 else "Access denied"
            links = {"JupyterHub": self.hub.env.control_panel_url}
            await error_page(status, title, verdict.message, links)(scope, receive, send)
        else:
            await _deny(scope, send, status, verdict.message, verdict.status)
        return None

    def _origin_allowed(self, origin: str, request: _Request) -> bool:
        policy = self.policy
        if policy.allow_origin == "*":
            return True
        if policy.allow_origin and origin == policy.allow_origin:
            return True
        if (
            not policy.allow_origin
            and policy.allow_origin_pat is not None
            and policy.allow_origin_pat.fullmatch(origin)
        ):
            return True
        parts = urlsplit(origin)
        return bool(parts.netloc) and parts.netloc.lower() == request.host.lower()

    async def _unauthenticated(self, request: _Request, scope: Scope, send: Send) -> None:
        if scope["type"] == "websocket" or request.is_api or request.method != "GET":
            await _deny(
                scope, send, 403, "Forbidden: authentication required", "authentication required"
            )
            return
        target = request.relative_with_query(drop_token=True)
        if self.hub is not None:
            location, cookie = self.hub.login_redirect(
                self.policy.base_url + target, secure=request.secure
            )
            headers = [
                (b"location", location.encode("latin-1")),
                (b"set-cookie", cookie.encode("latin-1")),
            ]
            await _send_simple(send, 302, b"", headers)
            return
        location = (
            f"{self.policy.base_url}login?{urlencode({'next': self.policy.base_url + target})}"
        )
        await _send_simple(send, 302, b"", [(b"location", location.encode("latin-1"))])

    async def _redirect_without_token(self, request: _Request, user: User, send: Send) -> None:
        location = self.policy.base_url + request.relative_with_query(drop_token=True)
        cookie = (
            self.hub.token_cookie(request.token or "", secure=request.secure)
            if self.hub is not None
            else login_cookie(self.auth, self.policy, user, https=request.secure)
        )
        await _send_simple(
            send,
            302,
            b"",
            [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode("latin-1"))],
        )

    def _with_headers(self, send: Send, request: _Request) -> Send:
        policy = self.policy

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", "same-origin")
                headers.setdefault("content-security-policy", API_CSP)
                if request.relative is not None and not request.is_public:
                    headers.setdefault("cache-control", "no-store")
                if self.hub is not None and self.hub.version:
                    headers["x-jupyterhub-version"] = self.hub.version
                origin = request.headers.get("origin")
                if (
                    origin
                    and (policy.allow_origin or policy.allow_origin_pat)
                    and (self._origin_allowed(origin, request))
                ):
                    headers["access-control-allow-origin"] = (
                        "*"
                        if policy.allow_origin == "*" and not policy.allow_credentials
                        else origin
                    )
                    headers.setdefault("vary", "Origin")
                    if policy.allow_credentials:
                        headers["access-control-allow-credentials"] = "true"
            await send(message)

        return wrapped


class _Request:
    """The parts of an ASGI scope the middleware needs, parsed once."""

    def __init__(self, scope: Scope, policy: SecurityPolicy) -> None:
        self.scope = scope
        self.policy = policy
        self.headers = _headers(scope)
        self.cookies = _cookies(self.headers)
        self.method = scope.get("method", "GET")
        self.host = self.headers.get("host", "")
        self.address = client_address(scope, policy.trust_xheaders)
        path: str = scope.get("path", "/")
        base = policy.base_url
        if path == base.rstrip("/") and base != "/":
            self.relative: str | None = ""
        elif path.startswith(base):
            self.relative = path[len(base) :]
        else:
            self.relative = None
        self.query = parse_qsl(
            scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
        )
        self.token_in_query = any(k == "token" for k, _ in self.query)
        header_token = parse_authorization(self.headers.get("authorization"))
        query_token = next((v for k, v in self.query if k == "token"), None)
        self.token: str | None = header_token if header_token is not None else query_token
        forwarded_proto = self.headers.get("x-forwarded-proto") if policy.trust_xheaders else None
        self.secure = scope.get("scheme") in ("https", "wss") or forwarded_proto == "https"

    @property
    def is_api(self) -> bool:
        rel = self.relative or ""
        return rel == "api" or rel.startswith(("api/", "lab/api/"))

    @property
    def is_public(self) -> bool:
        rel = self.relative
        if rel is None:
            return False
        if rel in self.policy.public_exact:
            return True
        return rel.startswith(self.policy.public_prefixes)

    @property
    def is_navigation(self) -> bool:
        return (
            self.scope["type"] == "http"
            and self.method == "GET"
            and not self.is_api
            and self.headers.get("authorization") is None
        )

    def xsrf_ok(self) -> bool:
        cookie = self.cookies.get(XSRF_COOKIE)
        sent = self.headers.get("x-xsrftoken") or self.headers.get("x-csrftoken")
        if not cookie or not sent:
            return False
        return secrets.compare_digest(cookie.encode(), sent.encode())

    def relative_with_query(self, *, drop_token: bool) -> str:
        query = [(k, v) for k, v in self.query if not (drop_token and k == "token")]
        path = quote(self.relative or "", safe="/:@!$&'()*+,;=-._~")
        return path + ("?" + urlencode(query) if query else "")


async def _send_simple(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _deny(
    scope: Scope,
    send: Send,
    status: int,
    message: str,
    reason: str | None,
    *,
    retry_after: float | None = None,
) -> None:
    body = json.dumps({"message": message, "reason": reason}).encode()
    headers: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json")]
    if retry_after is not None:
        headers.append((b"retry-after", str(max(1, int(retry_after + 0.999))).encode()))
    if scope["type"] == "websocket":
        # Refuse the handshake with a real HTTP status when the server supports it.
        extensions: dict[str, Any] = scope.get("extensions") or {}
        if "websocket.http.response" in extensions:
            await send(
                {
                    "type": "websocket.http.response.start",
                    "status": status,
                    "headers": [(b"content-length", str(len(body)).encode()), *headers],
                }
            )
            await send({"type": "websocket.http.response.body", "body": body})
        else:
            await send({"type": "websocket.close", "code": 1008})
        return
    await _send_simple(send, status, body, headers)
