"""The Starlette application factory: typed dependencies in, ASGI app out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount

from carnet.errors import CarnetError, TooManyRequests
from carnet.web.activity import Activity
from carnet.web.events import EventBus
from carnet.web.events import routes as event_routes
from carnet.web.hub import HubGate
from carnet.web.hub import routes as hub_routes
from carnet.web.limits import BodyLimitMiddleware
from carnet.web.routes import contents as contents_routes
from carnet.web.routes import documents as document_routes
from carnet.web.routes import files, login, pages, server
from carnet.web.routes import history as history_routes
from carnet.web.routes import metrics as metrics_routes
from carnet.web.routes import plugins as plugin_routes
from carnet.web.routes import terminals as terminal_routes
from carnet.web.routes import workspaces as workspace_routes
from carnet.web.security import SecurityMiddleware, SecurityPolicy
from carnet.web.static import static_routes

if TYPE_CHECKING:
    from carnet.auth.authenticator import Authenticator
    from carnet.contents import ContentsManager
    from carnet.documents import DocumentService
    from carnet.documents.execution import DocumentExecutor
    from carnet.kernels import KernelService
    from carnet.plugins import PluginService, RouteSpec
    from carnet.sessions import SessionManager
    from carnet.terminals import TerminalService
    from carnet.workspaces import SettingsStore, WorkspaceStore

log = logging.getLogger("carnet.web")


@dataclass(frozen=True)
class WebDeps:
    """Everything the web layer needs, built once by `carnet.server`."""

    auth: Authenticator
    policy: SecurityPolicy
    contents: ContentsManager
    activity: Activity
    events: EventBus
    static_dir: Path
    default_url: str
    max_body_size: int
    request_shutdown: Callable[[], None]
    kernel_count: Callable[[], int]
    lifespan: Callable[[Starlette], AbstractAsyncContextManager[Any]] | None = None
    workspaces: WorkspaceStore | None = None
    settings_store: SettingsStore | None = None
    kernels: KernelService | None = None
    sessions: SessionManager | None = None
    terminals: TerminalService | None = None
    documents: DocumentService | None = None
    executor: DocumentExecutor | None = None
    # Single-user mode: the hub authenticates (see carnet.web.hub).
    hub: HubGate | None = None
    plugins: PluginService | None = None
    # Routes added by server extensions, mounted after carnet's own (which match first).
    extension_routes: tuple[RouteSpec, ...] = ()


def all_routes(deps: WebDeps) -> list[BaseRoute]:
    """Every route, relative to base_url (the spec test walks this list)."""
    base = deps.policy.base_url
    return [
        *server.routes(
            deps.auth, deps.policy, deps.activity, deps.request_shutdown, deps.kernel_count
        ),
        *contents_routes.routes(deps.contents),
        *files.routes(deps.contents),
        *event_routes(deps.events, deps.activity),
        *hub_routes(deps.hub),
        *metrics_routes.routes(),
        *login.routes(
            deps.auth, deps.policy, deps.default_url, password_mode=bool(deps.auth.hashed_password)
        ),
        *workspace_routes.routes(deps.workspaces, deps.settings_store),
        *_kernel_routes(deps),
        *terminal_routes.routes(deps.terminals, deps.activity),
        *document_routes.routes(deps.documents, deps.activity),
        *history_routes.routes(deps.documents.history if deps.documents is not None else None),
        *_export_routes(deps),
        *plugin_routes.routes(deps.plugins),
        *static_routes(deps.static_dir),
        *pages.routes(deps.static_dir, base, deps.default_url),
    ]


def _export_routes(deps: WebDeps) -> list[BaseRoute]:
    """nbconvert exports (of open documents when there are) and notebook trust."""
    from carnet.documents.export import ExportService
    from carnet.web.routes import nbconvert

    return nbconvert.routes(ExportService(deps.contents, deps.documents), deps.documents)


def _kernel_routes(deps: WebDeps) -> list[BaseRoute]:
    """Kernelspecs, kernels, their websocket and sessions (absent when not configured)."""
    from carnet.web import kernel_ws
    from carnet.web.routes import kernels, kernelspecs, sessions

    found: list[BaseRoute] = []
    if deps.kernels is not None:
        found += kernelspecs.routes(deps.kernels.specs)
        found += kernels.routes(deps.kernels)
        found += kernel_ws.routes(deps.kernels, deps.activity)
    if deps.sessions is not None:
        found += sessions.routes(deps.sessions)
    if deps.executor is not None:
        from carnet.web.routes import execution

        found += execution.routes(deps.executor)
    return found


async def _carnet_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CarnetError)
    headers = {}
    if isinstance(exc, TooManyRequests):
        headers["retry-after"] = str(exc.retry_after)
    return JSONResponse({"message": exc.message, "reason": exc.reason}, exc.status, headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = f"Not found: {request.url.path}"
    elif exc.status_code == 405:
        message = f"Method {request.method} not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    return JSONResponse(
        {"message": message, "reason": None}, exc.status_code, headers=dict(exc.headers or {})
    )


async def _unhandled(request: Request, exc: Exception) -> Response:
    # The body reveals nothing (no traceback, no paths); the log has the details.
    log.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"message": "Unhandled error", "reason": None}, 500)


def create_app(deps: WebDeps) -> Starlette:
    routes = all_routes(deps) + plugin_routes.extension_routes(list(deps.extension_routes))
    base = deps.policy.base_url.rstrip("/")
    mounted: list[BaseRoute] = [Mount(base, routes=routes)] if base else routes
    app = Starlette(
        routes=mounted,
        exception_handlers={
            CarnetError: _carnet_error,
            HTTPException: _http_error,
            Exception: _unhandled,
        },
        lifespan=deps.lifespan,
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=deps.max_body_size)
    app.add_middleware(
        SecurityMiddleware,
        auth=deps.auth,
        policy=deps.policy,
        on_activity=deps.activity.touch,
        hub=deps.hub,
    )
    return app
