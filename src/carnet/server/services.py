"""Build every service once from a `Plan`, and the app that serves them."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from carnet.contents import ContentsManager
    from carnet.documents import DocumentService
    from carnet.documents.execution import DocumentExecutor
    from carnet.kernels import KernelService
    from carnet.plugins import LoadedExtensions, PluginService
    from carnet.server import Plan
    from carnet.terminals import TerminalService

log = logging.getLogger("carnet")

# Seconds after start-up before nbformat is imported in the background (the first page load
# and the pool's kernel start come first).
PRELOAD_DELAY_S = 1.0


class Services:
    """The running server's services and the background tasks they own."""

    def __init__(self, plan: Plan, activity: Any, kernels: KernelService | None = None) -> None:
        self.plan = plan
        self.activity = activity
        self.kernels = kernels
        self.terminals: TerminalService | None = None
        self.documents: DocumentService | None = None
        self.executor: DocumentExecutor | None = None
        # Server extensions' background tasks (already guarded: a failure is only logged).
        self.extension_tasks: list[Callable[[], Any]] = []
        # Single-user mode: hub check and activity reports.
        self.hub_tasks: list[Callable[[], Any]] = []

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
            if self.documents is not None:
                # Autosave, external changes, idle rooms; cancelled at shutdown, it saves all.
                tasks.start_soon(self.documents.run)
            timeout = self.plan.settings.shutdown_no_activity_timeout
            if timeout > 0:
                tasks.start_soon(self._shutdown_when_idle, timeout, request_shutdown)
            tasks.start_soon(self._preload)
            for task in self.extension_tasks:
                tasks.start_soon(task)
            for task in self.hub_tasks:
                tasks.start_soon(task)
            try:
                yield
            finally:
                if self.executor is not None:
                    # Cells back to idle and rooms released before the last autosave.
                    with anyio.CancelScope(shield=True):
                        await self.executor.aclose()
                tasks.cancel_scope.cancel()

    async def _preload(self) -> None:
        """Once the start-up burst is over, import what the first notebook open needs."""
        from carnet.contents.notebooks import preload

        await anyio.sleep(PRELOAD_DELAY_S)
        try:
            await anyio.to_thread.run_sync(preload)
        except Exception:  # only a head start: the first open imports it anyway
            log.debug("Preloading nbformat failed", exc_info=True)

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
    if settings.gateway_url:
        from carnet.server.singleuser import gateway_kernels

        return gateway_kernels(plan)
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


def _plugins(
    plan: Plan,
    contents: ContentsManager,
    contents_options: dict[str, Any],
    kernels: KernelService | None,
) -> tuple[PluginService, LoadedExtensions]:
    """Finds the plugins and runs the enabled server extensions (see carnet.plugins)."""
    from carnet.plugins import Catalog, PluginService, PluginState, load_extensions, plugins_dir

    folder = plugins_dir(_ui_state_dir().parent)
    catalog = Catalog(folder)
    state = PluginState(folder.parent / "plugins.json")
    extensions = load_extensions(
        catalog.all(),
        disabled=state.disabled(),
        root_dir=plan.root,
        base_url=plan.settings.base_url,
        data_dir=folder.parent / "plugin-data",
        contents=contents,
        contents_options=contents_options,
        kernels=kernels,
    )
    return PluginService(catalog, state, extensions), extensions


def _executor(
    documents: DocumentService, kernels: KernelService | None, sessions: Any
) -> DocumentExecutor | None:
    """Runs notebook cells into the server's documents (needs kernels)."""
    if kernels is None:
        return None
    from carnet.documents.execution import DocumentExecutor

    return DocumentExecutor(documents, kernels, sessions)


def _document_service(plan: Plan, contents: ContentsManager) -> DocumentService:
    """Open notebooks and text files, their lineages under ``<data dir>/carnet``."""
    from carnet.contents.trust import Notary
    from carnet.documents import DocumentService

    delay = max(0.05, plan.settings.document_save_delay)
    return DocumentService(
        contents,
        _ui_state_dir(),
        save_delay=delay,
        max_save_interval=max(10.0, delay * 10),
        idle_timeout=plan.settings.document_cleanup_delay,
        history_max_size=plan.settings.history_max_size,
        history_max_versions=plan.settings.history_max_versions,
        # Signatures in the Jupyter data dir, shared with `jupyter trust` and jupyter_server.
        notary=Notary(str(_ui_state_dir().parent)),
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
    if plan.hub is not None:
        policy = dataclasses.replace(policy, public_exact=policy.public_exact | {"oauth_callback"})

    events = EventBus()

    def on_contents_change(action: str, fields: dict[str, Any]) -> None:
        audit.record(f"contents.{action}", **fields)
        events.publish(CONTENTS_SCHEMA, {"action": action, **fields})
        if documents is not None:
            documents.on_contents_change(action, fields)

    documents: DocumentService | None = None

    # Kept for server extensions that provide their own ContentsManager subclass.
    contents_options: dict[str, Any] = {
        "root_dir": plan.root,
        "allow_hidden": settings.allow_hidden,
        "delete_to_trash": settings.delete_to_trash,
        "always_delete_dir": settings.always_delete_dir,
        "hide_globs": settings.hide_globs,
        "hash_algorithm": settings.hash_algorithm,
        "on_change": on_contents_change,
    }
    contents = ContentsManager(**contents_options)
    activity = Activity()
    kernels = _kernel_service(plan)
    plugins, extensions = _plugins(plan, contents, contents_options, kernels)
    contents = extensions.contents
    kernels = extensions.kernels or kernels
    services = Services(plan, activity, kernels)
    services.extension_tasks = list(extensions.tasks)
    services.terminals = terminals = _terminal_service(plan, port, audit)
    services.documents = documents = _document_service(plan, contents)
    contents.notary = documents.notary  # one notary for rooms and Contents API saves
    sessions = SessionManager(kernels=kernels, root_dir=plan.root)
    services.executor = executor = _executor(documents, kernels, sessions)
    hub_gate = None
    if plan.hub is not None:
        from carnet.server.singleuser import build_hub

        hub_gate, services.hub_tasks = build_hub(plan, plan.hub, activity, max_age)
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
            sessions=sessions,
            executor=executor,
            terminals=terminals,
            documents=documents,
            plugins=plugins,
            extension_routes=tuple(extensions.routes),
            hub=hub_gate,
        )
    )
    return app, services
