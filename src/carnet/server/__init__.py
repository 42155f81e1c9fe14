"""Composition root: settings -> services -> ASGI app -> uvicorn.

`prepare` checks everything that can be checked before listening (root dir, TLS files,
secure-defaults rules, password requirements) and raises `StartupError` with one clear line;
`serve` binds, writes runtime files, runs until a signal or `/api/shutdown`, and cleans up.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import logging
import os
import re
import signal
import ssl
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carnet.config.settings import Settings

if TYPE_CHECKING:
    from carnet.hub.environment import HubEnvironment

log = logging.getLogger("carnet")


class StartupError(Exception):
    """Carnet cannot start as configured; the message is one line for the user."""


@dataclass(frozen=True)
class Plan:
    """Settings checked and resolved into what the server will actually do."""

    settings: Settings
    root: Path
    token: str
    ssl_context: ssl.SSLContext | None
    public: bool
    allow_remote_access: bool
    runtime_dir: Path
    cookie_secret: bytes
    warnings: list[str] = field(default_factory=list)
    # Single-user mode (`carnet singleuser`): the hub authenticates every request.
    hub: HubEnvironment | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.ssl_context is not None else "http"


@dataclass(frozen=True)
class ServerInfo:
    """What the CLI shows once carnet listens."""

    urls: list[str]
    root: Path
    token: str
    port: int
    pid: int
    open_file: Path | None
    secure: bool
    password: bool


def is_loopback(ip: str) -> bool:
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def prepare(
    settings: Settings, environ: dict[str, str] | None = None, hub: HubEnvironment | None = None
) -> Plan:
    env = dict(os.environ if environ is None else environ)
    warnings: list[str] = []

    root_setting = settings.root_dir or str(Path.cwd())
    root = Path(root_setting).expanduser()
    if not root.is_dir():
        raise StartupError(
            f"root_dir: no such directory {root_setting!r} (from {settings.origin('root_dir')})"
        )
    root = root.resolve()

    if settings.keyfile and not settings.certfile:
        raise StartupError(
            f"keyfile is set (from {settings.origin('keyfile')}) but certfile is not; "
            "give both, e.g. --certfile=cert.pem --keyfile=key.pem"
        )
    context = None
    if settings.certfile:
        from carnet.auth.errors import TLSConfigError
        from carnet.auth.tls import server_ssl_context

        try:
            context = server_ssl_context(
                str(Path(settings.certfile).expanduser()),
                str(Path(settings.keyfile).expanduser()) if settings.keyfile else None,
                str(Path(settings.client_ca).expanduser()) if settings.client_ca else None,
            )
        except TLSConfigError as exc:
            raise StartupError(f"{exc} (from {settings.origin('certfile')})") from None

    if hub is not None:
        # The hub authenticates every request; carnet's own token and password are off.
        settings = dataclasses.replace(settings, token="", hashed_password="")
    if settings.password_required and not settings.hashed_password and hub is None:
        raise StartupError(
            "password_required is set but no password is configured; run `carnet password` "
            "(or `jupyter notebook password`) first"
        )
    if settings.hashed_password and ":" not in settings.hashed_password:
        raise StartupError(
            f"hashed_password (from {settings.origin('hashed_password')}) is not a password "
            "hash; set one with `carnet password`"
        )

    if settings.token is not None:
        token = settings.token
    elif settings.hashed_password:
        token = ""
    else:
        from carnet.auth.tokens import generate_token

        token = generate_token()

    public = not settings.sock and not is_loopback(settings.ip)
    if public and hub is None:
        problems = []
        if context is None:
            problems.append("without TLS")
        if not token and not settings.hashed_password:
            problems.append("without a password or token")
        if problems:
            where = settings.ip or "*"
            message = (
                f"refusing to listen on the public address {where!r} {' and '.join(problems)}. "
                "Secure it: `carnet certificate` makes a certificate (then --certfile/--keyfile), "
                "`carnet password` sets a password; or pass --allow-insecure-public to do it anyway"
            )
            if not settings.allow_insecure_public:
                raise StartupError(message)
            warnings.append(
                f"WARNING: listening on {where!r} {' and '.join(problems)}: anyone who can reach "
                "this machine can read your files and run code"
            )
    if not token and not settings.hashed_password and not public and hub is None:
        warnings.append(
            "WARNING: authentication is disabled (empty token, no password): any local user "
            "or web page that can reach this port can run code"
        )
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        warnings.append("Running as root is not recommended; carnet continues.")

    if settings.gateway_url:
        from carnet.gateway import GatewaySettings

        try:
            GatewaySettings.parse(
                settings.gateway_url,
                ws_url=settings.gateway_ws_url,
                headers=settings.gateway_headers,
                request_timeout_s=settings.gateway_request_timeout,
            )
        except ValueError as exc:
            raise StartupError(f"{exc} (from {settings.origin('gateway_url')})") from None

    allow_remote = settings.allow_remote_access
    if allow_remote is None:
        allow_remote = public

    from carnet.server.runtime import runtime_dir

    runtime = Path(env["JUPYTER_RUNTIME_DIR"]) if env.get("JUPYTER_RUNTIME_DIR") else runtime_dir()
    return Plan(
        settings=settings,
        root=root,
        token=token,
        ssl_context=context,
        public=public,
        allow_remote_access=allow_remote,
        runtime_dir=runtime,
        cookie_secret=_cookie_secret(settings, runtime),
        warnings=warnings,
        hub=hub,
    )


def _cookie_secret(settings: Settings, runtime: Path) -> bytes:
    from carnet.auth.errors import SecretFileError
    from carnet.auth.signing import load_or_create_secret

    if settings.cookie_secret:
        return settings.cookie_secret.encode()
    path = (
        Path(settings.cookie_secret_file).expanduser()
        if settings.cookie_secret_file
        else runtime / "jupyter_cookie_secret"
    )
    try:
        return load_or_create_secret(path)
    except SecretFileError as exc:
        raise StartupError(f"cookie_secret_file: {exc}") from None


def display_urls(plan: Plan, port: int, with_token: bool) -> list[str]:
    settings = plan.settings
    base = settings.base_url
    path = base + settings.default_url.lstrip("/")
    query = f"?token={plan.token}" if with_token and plan.token else ""
    if settings.custom_display_url:
        return [settings.custom_display_url.rstrip("/") + path + query]
    if settings.sock:
        return [f"http+unix://{settings.sock}{path}{query}"]
    ip = settings.ip
    if ip in ("", "localhost") or is_loopback(ip):
        hosts = ["localhost", "127.0.0.1"] if ip in ("", "localhost", "127.0.0.1") else [ip]
        if ip == "":
            import socket

            hosts = [socket.gethostname(), "127.0.0.1"]
    else:
        hosts = [f"[{ip}]" if ":" in ip else ip]
    return [f"{plan.scheme}://{host}:{port}{path}{query}" for host in hosts]


def cookie_name_for(settings: Settings, port: int) -> str:
    if settings.cookie_name:
        return settings.cookie_name
    host = re.sub(r"[^A-Za-z0-9]", "-", settings.ip or "all")
    return f"username-{host}-{port}"


class _Server:
    """uvicorn.Server whose signal handling stops cleanly without re-raising the signal."""

    def __new__(cls, config: Any) -> Any:
        import uvicorn

        class Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self) -> Iterator[None]:
                if threading.current_thread() is not threading.main_thread():
                    yield
                    return
                loop = asyncio.get_running_loop()
                signals = (signal.SIGINT, signal.SIGTERM)
                for sig in signals:
                    loop.add_signal_handler(sig, self.handle_exit, sig, None)
                try:
                    yield
                finally:
                    for sig in signals:
                        loop.remove_signal_handler(sig)

        return Server(config)


async def serve(plan: Plan, on_ready: Callable[[ServerInfo], None]) -> None:
    """Listen and serve until SIGINT/SIGTERM or `/api/shutdown`."""
    import uvicorn

    from carnet.server.listen import bind, bind_unix
    from carnet.server.runtime import write_runtime_files
    from carnet.server.services import build_app

    settings = plan.settings
    if settings.sock:
        sockets = [bind_unix(settings.sock)]
        port = 0
    else:
        bound = bind(settings.ip, settings.port, settings.port_retries)
        sockets, port = bound.sockets, bound.port

    server_box: list[Any] = []

    def request_shutdown() -> None:
        if server_box:
            server_box[0].should_exit = True

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        info = {
            "base_url": settings.base_url,
            "hostname": "localhost" if is_loopback(settings.ip) or not settings.ip else settings.ip,
            "password": bool(settings.hashed_password),
            "pid": os.getpid(),
            "port": port,
            "root_dir": str(plan.root),
            "secure": plan.ssl_context is not None,
            "sock": settings.sock,
            "token": plan.token,
            "url": f"{plan.scheme}://localhost:{port}{settings.base_url}"
            if not settings.sock
            else f"http+unix://{settings.sock}{settings.base_url}",
            "version": __import__("carnet").__version__,
        }
        urls = display_urls(plan, port, with_token=True)
        files = write_runtime_files(plan.runtime_dir, info, urls[0])
        try:
            async with services.running(request_shutdown):
                on_ready(
                    ServerInfo(
                        urls=urls,
                        root=plan.root,
                        token=plan.token,
                        port=port,
                        pid=os.getpid(),
                        open_file=files.open_path,
                        secure=plan.ssl_context is not None,
                        password=bool(settings.hashed_password),
                    )
                )
                yield
        finally:
            files.remove()

    app, services = build_app(plan, port, request_shutdown, lifespan)
    config = uvicorn.Config(
        app,
        lifespan="on",
        log_level=logging.WARNING,
        log_config=None,  # keep our logging; skips dictConfig at start
        access_log=False,
        proxy_headers=False,
        server_header=False,
        date_header=True,
        ws="websockets-sansio",
        ws_max_size=settings.max_body_size,
        timeout_graceful_shutdown=5,
        loop="asyncio",
    )
    config.load()
    if plan.ssl_context is not None:
        from carnet.server.sniff import sniffing_protocol

        config.http_protocol_class = sniffing_protocol(config.http_protocol_class, plan.ssl_context)
    server = _Server(config)
    server_box.append(server)
    await server.serve(sockets=sockets)
