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

    from carnet.server import Plan

log = logging.getLogger("carnet")


class Services:
    """The running server's services and the background tasks they own."""

    def __init__(self, plan: Plan, activity: Any) -> None:
        self.plan = plan
        self.activity = activity

    def kernel_count(self) -> int:
        return 0

    @contextlib.asynccontextmanager
    async def running(self, request_shutdown: Callable[[], None]) -> AsyncIterator[None]:
        async with anyio.create_task_group() as tasks:
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
            if not busy and self.activity.idle_seconds() >= idle_limit:
                log.info("No activity for %d seconds; shutting down.", idle_limit)
                request_shutdown()
                return


def _ui_state_dir() -> Path:
    """Where the IDE's per-user workspaces and settings live: ``<Jupyter data dir>/carnet``."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "carnet"


def build_app(
    plan: Plan,
    port: int,
    request_shutdown: Callable[[], None],
    lifespan: Callable[[Any], contextlib.AbstractAsyncContextManager[None]],
) -> tuple[Starlette, Services]:
    from carnet import __version__
    from carnet.auth.audit import AuditLog
    from carnet.auth.authenticator import Authenticator
    from carnet.auth.signing import CookieSigner, derive_cookie_key
    from carnet.auth.throttle import LoginThrottle
    from carnet.contents import ContentsManager
    from carnet.server import cookie_name_for
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
    services = Services(plan, activity)
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
        )
    )
    return app, services
