"""Requests to a Kernel Gateway (jupyter_kernel_gateway, Enterprise Gateway, or any server
with Jupyter's kernel API): stdlib HTTP in a worker thread, JSON in and out.

Errors become carnet errors the routes already answer: the gateway's 4xx keep their status
and message; an unreachable gateway or a 5xx is a 503 naming the gateway.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread

from carnet.errors import CarnetError, NotFound, ServiceUnavailable


@dataclass(frozen=True)
class GatewaySettings:
    """Where the gateway is and how to authenticate (``GatewayClient.*`` options)."""

    url: str
    ws_url: str = ""
    auth_token: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    request_timeout_s: float = 42.0
    validate_cert: bool = True

    @classmethod
    def parse(
        cls,
        url: str,
        *,
        ws_url: str = "",
        auth_token: str = "",
        headers: str = "",
        request_timeout_s: float = 42.0,
        validate_cert: bool = True,
    ) -> GatewaySettings:
        """Check the values; ValueError with a one-line message when one is unusable."""
        base = url.rstrip("/")
        if urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc:
            raise ValueError(f"gateway_url must be an http(s) URL, not {url!r}")
        ws = (ws_url or ("ws" + base[4:])).rstrip("/")
        if urlsplit(ws).scheme not in ("ws", "wss"):
            raise ValueError(f"gateway_ws_url must be a ws(s) URL, not {ws_url!r}")
        extra: dict[str, str] = {}
        if headers:
            try:
                parsed = json.loads(headers)
            except ValueError:
                raise ValueError("gateway_headers must be a JSON object") from None
            if not isinstance(parsed, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
            ):
                raise ValueError("gateway_headers must be a JSON object of strings")
            extra = parsed
        if request_timeout_s <= 0:
            raise ValueError("gateway_request_timeout must be positive")
        return cls(base, ws, auth_token, extra, request_timeout_s, validate_cert)

    def request_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.auth_token:
            headers["Authorization"] = f"token {self.auth_token}"
        return headers

    def ssl_context(self) -> ssl.SSLContext | None:
        if self.validate_cert:
            return None
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context


class GatewayClient:
    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        handlers: list[urllib.request.BaseHandler] = []
        context = settings.ssl_context()
        if context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self._opener = urllib.request.build_opener(*handlers)

    async def request(
        self, method: str, path: str, body: object = None, *, raw: bool = False
    ) -> Any:
        """``method`` on ``{url}/{path}``; the JSON reply (None for 204), or the bytes with
        ``raw``. Raises :class:`CarnetError` with the gateway's status for a 4xx, and
        :class:`ServiceUnavailable` when the gateway cannot answer."""
        headers = {"Accept": "application/json", **self.settings.request_headers()}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(  # noqa: S310 (http(s) checked in GatewaySettings)
            f"{self.settings.url}/{path.lstrip('/')}", data=data, headers=headers, method=method
        )
        status, payload = await anyio.to_thread.run_sync(self._send, request)
        if status >= 500:
            raise ServiceUnavailable(
                f"The kernel gateway failed ({status}) on {method} /{path.lstrip('/')}",
                reason="Gateway error",
            )
        if status >= 400:
            message = f"The kernel gateway answered {status}"
            try:
                reply = json.loads(payload)
                if isinstance(reply, dict) and isinstance(reply.get("message"), str):
                    message = reply["message"]
            except ValueError:
                pass
            if status == 404:
                raise NotFound(message, reason="Not Found")
            raise CarnetError(message, reason="Gateway", status=status)
        if raw:
            return payload
        if status == 204 or not payload:
            return None
        try:
            return json.loads(payload)
        except ValueError:
            raise ServiceUnavailable(
                "The kernel gateway sent something that is not JSON", reason="Gateway error"
            ) from None

    def _send(self, request: urllib.request.Request) -> tuple[int, bytes]:
        try:
            with self._opener.open(request, timeout=self.settings.request_timeout_s) as reply:
                return reply.status, reply.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read() if exc.fp is not None else b""
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceUnavailable(
                f"Cannot reach the kernel gateway at {self.settings.url}: {reason}",
                reason="Gateway unreachable",
            ) from None
