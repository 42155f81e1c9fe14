"""A small client for the hub's REST API (stdlib HTTP, run in a worker thread).

carnet does not depend on jupyterhub or an HTTP client library: the hub API needs a handful
of JSON requests, which :mod:`urllib.request` does well. Proxy variables are ignored (the
hub API is an internal address, as in jupyterhub's own client). A hub that cannot be
reached, or answers 5xx, raises :class:`HubUnavailable`; other statuses are returned.
"""

from __future__ import annotations

import json
import logging
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread

log = logging.getLogger("carnet.hub")

TIMEOUT_S = 10.0


class HubUnavailable(Exception):
    """The hub could not be reached or failed; the message says why, for an error page."""


@dataclass(frozen=True)
class HubResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


class HubClient:
    """Talks to ``api_url`` with the server's API token (or another token given per call)."""

    def __init__(
        self,
        api_url: str,
        api_token: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout_s: float = TIMEOUT_S,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self._token = api_token
        self._timeout = timeout_s
        handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]
        if ssl_context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=ssl_context))
        self._opener = urllib.request.build_opener(*handlers)

    def url(self, path: str) -> str:
        """``path`` relative to the API URL (``user``, ``oauth2/token``), or a full URL."""
        if "://" in path:
            return path
        return f"{self.api_url}/{path.lstrip('/')}"

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json_body: object = None,
        form: Mapping[str, str] | None = None,
    ) -> HubResponse:
        headers = {
            "Authorization": f"token {self._token if token is None else token}",
            "Accept": "application/json",
        }
        data: bytes | None = None
        if form is not None:
            from urllib.parse import urlencode

            data = urlencode(dict(form)).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(  # noqa: S310 (the URL is the hub's, http(s) checked)
            self.url(path), data=data, headers=headers, method=method
        )
        response = await anyio.to_thread.run_sync(self._send, request)
        if response.status >= 500:
            raise HubUnavailable(f"the hub answered {response.status} to {method} {path}")
        return response

    def _send(self, request: urllib.request.Request) -> HubResponse:
        try:
            with self._opener.open(request, timeout=self._timeout) as reply:
                return HubResponse(reply.status, dict(reply.headers.items()), reply.read())
        except urllib.error.HTTPError as exc:
            body = exc.read() if exc.fp is not None else b""
            return HubResponse(exc.code, dict(exc.headers.items()) if exc.headers else {}, body)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise HubUnavailable(f"cannot reach the hub at {self.api_url}: {reason}") from None


def client_ssl_context(certfile: str, keyfile: str, ca_file: str) -> ssl.SSLContext | None:
    """The context for the hub's internal SSL (``JUPYTERHUB_SSL_*``), or None without it."""
    if not (certfile and keyfile) and not ca_file:
        return None
    context = ssl.create_default_context(cafile=ca_file or None)
    if certfile and keyfile:
        context.load_cert_chain(certfile, keyfile)
    return context
