"""Bind the listening sockets: one address or all interfaces (IPv4 and IPv6), port retries."""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass


class BindError(OSError):
    """No socket could be bound; the message says which address and why."""


@dataclass(frozen=True)
class Bound:
    sockets: list[socket.socket]
    port: int


def _addresses(ip: str) -> list[tuple[socket.AddressFamily, str]]:
    if ip in ("", "*"):
        families = [(socket.AF_INET, "0.0.0.0")]
        if socket.has_ipv6:
            families.append((socket.AF_INET6, "::"))
        return families
    if ip == "localhost":
        families = [(socket.AF_INET, "127.0.0.1")]
        if socket.has_ipv6 and _ipv6_loopback_works():
            families.append((socket.AF_INET6, "::1"))
        return families
    try:
        infos = socket.getaddrinfo(ip, None, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise BindError(f"ip: cannot resolve {ip!r}: {exc.strerror}") from None
    family, _, _, _, sockaddr = infos[0]
    return [(socket.AddressFamily(family), str(sockaddr[0]))]


def _ipv6_loopback_works() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def _bind_one(family: socket.AddressFamily, host: str, port: int) -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say TCP,
    # and without it every keep-alive reply waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def bind(ip: str, port: int, port_retries: int) -> Bound:
    """Bind every address of ``ip`` on the first free port among ``port .. port+retries``.

    Port 0 asks the OS for a free port (shared by all addresses of ``ip``).
    """
    addresses = _addresses(ip)
    last_error: OSError | None = None
    candidates = [0] if port == 0 else range(port, min(port + port_retries, 65535) + 1)
    for candidate in candidates:
        sockets: list[socket.socket] = []
        try:
            actual = candidate
            for family, host in addresses:
                sock = _bind_one(family, host, actual)
                actual = sock.getsockname()[1]
                sockets.append(sock)
            return Bound(sockets, actual)
        except OSError as exc:
            for sock in sockets:
                sock.close()
            last_error = exc
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                break
    where = ip or "*"
    reason = last_error.strerror if last_error else "unknown error"
    if port_retries and port:
        raise BindError(
            f"port: no free port among {port}-{port + port_retries} on {where} ({reason})"
        )
    raise BindError(f"port: cannot listen on {where}:{port} ({reason})")


def bind_unix(path: str, mode: int = 0o600) -> socket.socket:
    import os

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        if os.path.exists(path):  # noqa: PTH110 - a stale socket from a dead server
            os.unlink(path)  # noqa: PTH108
        sock.bind(path)
        os.chmod(path, mode)  # noqa: PTH101
        sock.listen(2048)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise BindError(f"sock: cannot listen on {path} ({exc.strerror})") from None
    return sock
