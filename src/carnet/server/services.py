"""Build every service once from a `Plan`, and the app that serves them."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from carnet.kernels import KernelService
    from carnet.server import Plan
    from carnet.terminals import TerminalService

log = logging.getLogger("carnet")


class Services:
    """The running server's services and the background tasks they own."""

    def __init__(self, plan: Plan, activity: Any, kernels: KernelService | None = None) -> None:
        self.plan = plan
        self.activity = activity
        self.kernels = kernels
        self.terminals: TerminalService | None = None

    def kernel_count(self) -> int:
        return len(self.kernels) if self.kernels is not None else 0

    @contextlib.asynccontextmanager
    async def running(self, request_shutdown: Callable[[], None]) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack, anyio.create_task_group() as tasks:
            if self.kernels is not None:
                # Leaving the lifespan (SIGTERM, SIGINT, /api/shutdown) stops every kernel.
                await stack.enter_async_context(self.kernels)
            if self.terminals is not None:
                # Culls inactive terminals; cancelled at shutdown, it stops every terminal.
                tasks.start_soon(self.terminals.run)
            timeout = self.plan.settings.shutdown_no_activity_timeout
            if timeout > 0:
                tasks.start_soon(self._shutdown_when_idle, timeout, request_shutdown)
            try:
                yield
            finally:
                tasks.cancel_scope.cancel()

    async def _shutdown_when_idle(
        self, idle_limit: int, request_shutdown: Callable[[], None]
    ) -> None:
        interval = min(60.0, max(1.0, idle_limit / 4))
        while True:
            await anyio.sleep(interval)
            busy = self.kernel_count() > 0 or self.activity.connections > 0
            busy = busy or (self.terminals is not None and len(self.terminals) > 0)
            if not busy and self.activity.idle_seconds() >= idle_limit:
                log.info("No activity for %d seconds; shutting down.", idle_limit)
                request_shutdown()
                return


def _ui_state_dir() -> Path:
    """Where the IDE's per-user workspaces and settings live: ``<Jupyter data dir>/carnet``."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "carnet"


def _login_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "user"


def _kernel_service(plan: Plan) -> KernelService:
    """Kernels run in the runtime dir's IPC sockets; the pool holds the default kernel."""
    from carnet.kernels import KernelService, KernelSpecs

    settings = plan.settings
    specs = KernelSpecs()
    return KernelService(
        specs=specs,
        root_dir=plan.root,
        runtime_dir=plan.runtime_dir,
        pool_sizes={specs.default_name: settings.kernel_pool_size},
        cull_idle_timeout=settings.cull_idle_timeout,
        cull_interval=max(1, settings.cull_interval),
        cull_connected=settings.cull_connected,
        cull_busy=settings.cull_busy,
        autorestart=settings.kernel_autorestart,
    )


def _terminal_service(plan: Plan, port: int, audit: Any) -> TerminalService | None:
    """Terminals run ``terminado_settings``' shell_command or ``$SHELL``, in the root dir by
    default; their starts and ends go to the audit log. None when turned off."""
    import importlib.util

    from carnet.terminals import TerminalService, default_shell_command

    settings = plan.settings
    if not settings.terminals_enabled:
        return None
    if importlib.util.find_spec("terminado") is None:
        log.warning("Terminals are off: the terminado package is not installed.")
        return None
    env = {"JUPYTER_SERVER_ROOT": str(plan.root)}
    if not settings.sock:
        env["JUPYTER_SERVER_URL"] = f"{plan.scheme}://localhost:{port}{settings.base_url}"

    def on_event(action: str, fields: dict[str, object]) -> None:
        audit.record(f"terminal.{action}", **fields)

    return TerminalService(
        root_dir=plan.root,
        shell_command=settings.terminal_shell_command or default_shell_command(),
        extra_env=env,
        cull_inactive_timeout=settings.terminal_cull_inactive_timeout,
        cull_interval=max(1, settings.terminal_cull_interval),
        on_event=on_event,
    )


def build_app(
    plan: Plan,
    port: int,
    request_shutdown: Callable[[], None],
    lifespan: Callable[[Any], contextlib.AbstractAsyncContextManager[None]],
) -> tuple[Starlette, Services]:
    from carnet import __version__
    from carnet.auth.audit import AuditLog
    from carnet.auth.authenticator import Authenticator
    from carnet.auth.identity import owner_user
    from carnet.auth.signing import CookieSigner, derive_cookie_key
    from carnet.auth.throttle import LoginThrottle
    from carnet.contents import ContentsManager
    from carnet.server import cookie_name_for
    from carnet.sessions import SessionManager
    from carnet.web.activity import Activity
    from carnet.web.app import WebDeps, create_app
    from carnet.web.events import CONTENTS_SCHEMA, EventBus
    from carnet.web.security import SecurityPolicy
    from carnet.web.static import bundled_static_dir
    from carnet.workspaces import SettingsStore, WorkspaceStore

    settings = plan.settings
    secret = plan.cookie_secret
    audit_path = (
        Path(settings.audit_log).expanduser()
        if settings.audit_log
        else plan.runtime_dir / "carnet-audit.log"
    )
    audit = AuditLog(audit_path)
    max_age = int(settings.cookie_max_age_days * 86400)
    auth = Authenticator(
        token=plan.token,
        hashed_password=settings.hashed_password,
        signer=CookieSigner(derive_cookie_key(secret, settings.hashed_password)),
        cookie_max_age_s=max_age,
        login_throttle=LoginThrottle(threshold=max(1, settings.login_max_failures)),
        token_throttle=LoginThrottle(threshold=max(1, settings.login_max_failures)),
        audit=audit,
        owner=owner_user(_login_name()),
    )
    policy = SecurityPolicy(
        base_url=settings.base_url,
        cookie_name=cookie_name_for(settings, port),
        allow_remote_access=plan.allow_remote_access,
        local_hostnames=settings.local_hostnames,
        allow_origin=settings.allow_origin,
        allow_origin_pat=re.compile(settings.allow_origin_pat)
        if settings.allow_origin_pat
        else None,
        allow_credentials=settings.allow_credentials,
        disable_check_xsrf=settings.disable_check_xsrf,
        trust_xheaders=settings.trust_xheaders,
        secure_cookies=plan.ssl_context is not None,
        cookie_max_age_s=max_age,
    )

    events = EventBus()

    def on_contents_change(action: str, fields: dict[str, Any]) -> None:
        audit.record(f"contents.{action}", **fields)
        events.publish(CONTENTS_SCHEMA, {"action": action, **fields})

    contents = ContentsManager(
        root_dir=plan.root,
        allow_hidden=settings.allow_hidden,
        delete_to_trash=settings.delete_to_trash,
        always_delete_dir=settings.always_delete_dir,
        hide_globs=settings.hide_globs,
        hash_algorithm=settings.hash_algorithm,
        on_change=on_contents_change,
    )
    activity = Activity()
    kernels = _kernel_service(plan)
    services = Services(plan, activity, kernels)
    services.terminals = terminals = _terminal_service(plan, port, audit)
    ui_state = _ui_state_dir()
    app = create_app(
        WebDeps(
            auth=auth,
            policy=policy,
            contents=contents,
            activity=activity,
            events=events,
            static_dir=bundled_static_dir(),
            default_url=settings.default_url,
            max_body_size=settings.max_body_size,
            request_shutdown=request_shutdown,
            kernel_count=services.kernel_count,
            lifespan=lifespan,
            workspaces=WorkspaceStore(ui_state / "workspaces"),
            settings_store=SettingsStore(ui_state / "settings", version=__version__),
            kernels=kernels,
            sessions=SessionManager(kernels=kernels, root_dir=plan.root),
            terminals=terminals,
        )
    )
    return app, services
