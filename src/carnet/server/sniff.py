"""HTTPS and a clear answer for plain HTTP on the same port.

A browser pointed at ``http://`` on a TLS port normally gets a reset connection, one of the
most reported confusions with self-signed setups. carnet looks at the first byte of each
connection: a TLS ClientHello (0x16) continues as TLS with the server's context; anything else
gets a short plain-HTTP reply that redirects GET/HEAD to the ``https://`` URL and otherwise says
to use HTTPS, then the connection is closed.
"""

from __future__ import annotations

import asyncio
import ssl
from asyncio import sslproto
from typing import Any

_TLS_HANDSHAKE = 0x16
_MAX_PLAIN_HEAD = 8192
_FIRST_BYTE_TIMEOUT_S = 30.0


def sniffing_protocol(inner: type[asyncio.Protocol], context: ssl.SSLContext) -> type[Any]:
    """A uvicorn-compatible protocol class wrapping ``inner`` (uvicorn's HTTP protocol)."""

    class SniffingProtocol(asyncio.Protocol):
        def __init__(self, **kwargs: Any) -> None:
            self._kwargs = kwargs
            self._loop = kwargs.get("_loop") or asyncio.get_running_loop()
            self._transport: asyncio.Transport | None = None
            self._plain = bytearray()
            self._timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self._transport = transport
            self._timer = self._loop.call_later(_FIRST_BYTE_TIMEOUT_S, transport.close)

        def connection_lost(self, exc: Exception | None) -> None:
            if self._timer is not None:
                self._timer.cancel()

        def data_received(self, data: bytes) -> None:
            transport = self._transport
            if transport is None or not data:
                return
            if not self._plain and data[0] == _TLS_HANDSHAKE:
                if self._timer is not None:
                    self._timer.cancel()
                self._start_tls(transport, data)
                return
            self._plain += data
            if b"\r\n\r\n" in self._plain or len(self._plain) >= _MAX_PLAIN_HEAD:
                if self._timer is not None:
                    self._timer.cancel()
                transport.write(plain_http_reply(bytes(self._plain), transport))
                transport.close()

        def _start_tls(self, transport: asyncio.Transport, first: bytes) -> None:
            app_protocol = inner(**self._kwargs)
            tls: Any = sslproto.SSLProtocol(
                self._loop,
                app_protocol,
                context,
                None,  # type: ignore[arg-type]  # no waiter: nobody awaits the handshake
                server_side=True,
                call_connection_made=True,
            )
            transport.set_protocol(tls)
            tls.connection_made(transport)
            if hasattr(tls, "buffer_updated"):  # Python 3.11+: a buffered protocol
                view = tls.get_buffer(len(first))
                view[: len(first)] = first
                tls.buffer_updated(len(first))
            else:  # pragma: no cover - Python 3.10
                tls.data_received(first)

    return SniffingProtocol


def plain_http_reply(head: bytes, transport: asyncio.BaseTransport) -> bytes:
    """The reply to a plain-HTTP request that reached the TLS port."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ") if lines else []
    method = parts[0].decode("latin-1", "replace") if parts else ""
    target = parts[1].decode("latin-1", "replace") if len(parts) > 1 else "/"
    host = ""
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"host":
            host = value.strip().decode("latin-1", "replace")
            break
    if not host or any(c in host for c in "/\\@ \t\r\n") or not target.startswith("/"):
        sockname = transport.get_extra_info("sockname")
        host = f"localhost:{sockname[1]}" if sockname else "localhost"
        target = "/"
    url = f"https://{host}{target}"
    body = (f"This carnet server only speaks HTTPS.\nUse {url} instead.\n").encode()
    if method in ("GET", "HEAD"):
        status = b"301 Moved Permanently"
        extra = f"Location: {url}\r\n".encode("latin-1", "replace")
    else:
        status = b"400 Bad Request"
        extra = b""
    headers = (
        b"HTTP/1.1 "
        + status
        + b"\r\n"
        + extra
        + b"Content-Type: text/plain; charset=utf-8\r\n"
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n"
        + b"Connection: close\r\n\r\n"
    )
    return headers + (b"" if method == "HEAD" else body)
