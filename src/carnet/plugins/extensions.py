"""Server extensions: what they may extend, and loading them at start-up.

Each enabled server extension (entry point ``carnet.server_extensions``, or a `Plugin`'s
``server``) is called once with its own `ExtensionAPI` while the server is being built, before
it listens. What it adds takes effect only if it returns normally: one that raises is logged,
listed with its error, and leaves nothing behind; the server starts without it.

* Routes are mounted under ``base_url`` inside carnet's middleware, so they get the same
  authentication, XSRF, Host/Origin checks and body limit as carnet's own API. Core routes are
  matched first: an extension cannot shadow them. Use paths under ``/api/<your name>/``.
* Background tasks run in the task group of the app's lifespan: started when the server is
  ready, cancelled at shutdown. A task that raises is logged and does not stop the server.
* Providers: `set_contents_manager` and `set_kernel_service` replace the contents manager or
  the kernel service every route, session and document uses (a subclass that adds a remote
  store, another kernel launcher…). The last extension to set one wins.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carnet.plugins.discovery import PluginInfo
from carnet.plugins.model import API_VERSION

if TYPE_CHECKING:
    from carnet.contents import ContentsManager
    from carnet.kernels import KernelService

log = logging.getLogger("carnet.plugins")

Task = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class RouteSpec:
    """A route an extension adds; the web layer mounts it (Starlette semantics)."""

    path: str
    # `async def endpoint(request) -> Response`, a Starlette HTTPEndpoint class, or an ASGI app
    # (for websocket routes: `async def endpoint(websocket)`).
    endpoint: Callable[..., Any]
    methods: tuple[str, ...] | None = None
    websocket: bool = False
    name: str | None = None
    extension: str = ""


class ExtensionAPI:
    """What a server extension may use and extend. One per extension, valid during setup."""

    api_version = API_VERSION

    def __init__(
        self,
        name: str,
        *,
        root_dir: Path,
        base_url: str,
        data_dir: Path,
        contents: ContentsManager,
        kernels: KernelService | None,
        contents_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        # The keyword arguments carnet built its ContentsManager with (root_dir, allow_hidden,
        # hide_globs, on_change…): `MyContents(**api.contents_options)` keeps the user's
        # settings and the audit log's file events.
        self.contents_options: Mapping[str, Any] = dict(contents_options or {})
        self.root_dir = root_dir
        self.base_url = base_url
        # A folder this extension may keep files in (created on first use by the extension).
        self.data_dir = data_dir
        self.log = logging.getLogger(f"carnet.ext.{name}")
        self._contents = contents
        self._kernels = kernels
        self._routes: list[RouteSpec] = []
        self._tasks: list[tuple[str, Task]] = []
        self._contents_set = False
        self._kernels_set = False

    @property
    def contents(self) -> ContentsManager:
        """The contents manager (files under the root dir): ``await api.contents.get(path)``."""
        return self._contents

    @property
    def kernels(self) -> KernelService | None:
        """The kernel service (``list()``, ``process_id(id)``, ``start()``…); None if off."""
        return self._kernels

    def add_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Sequence[str] = ("GET",),
        name: str | None = None,
    ) -> None:
        """Serves ``endpoint`` at ``<base_url><path>`` (``path`` starts with ``/``; it may
        hold Starlette parameters like ``{id}`` or ``{path:path}``)."""
        _check_path(path)
        upper = tuple(m.upper() for m in methods)
        self._routes.append(RouteSpec(path, endpoint, upper, False, name, self.name))

    def add_websocket_route(
        self, path: str, endpoint: Callable[..., Any], *, name: str | None = None
    ) -> None:
        """A websocket endpoint at ``<base_url><path>`` (Origin is checked like carnet's)."""
        _check_path(path)
        self._routes.append(RouteSpec(path, endpoint, None, True, name, self.name))

    def start_task(self, task: Task, *, name: str | None = None) -> None:
        """Runs ``await task()`` for the server's lifetime (cancelled at shutdown)."""
        if not callable(task):
            raise TypeError("start_task needs an async function taking no arguments")
        self._tasks.append((name or str(getattr(task, "__name__", "task")), task))

    def set_contents_manager(self, manager: ContentsManager) -> None:
        """Replaces the contents manager (a `carnet.contents.ContentsManager` subclass)."""
        from carnet.contents import ContentsManager

        if not isinstance(manager, ContentsManager):
            raise TypeError("the contents manager must subclass carnet.contents.ContentsManager")
        self._contents = manager
        self._contents_set = True

    def set_kernel_service(self, service: KernelService) -> None:
        """Replaces the kernel service (a `carnet.kernels.KernelService` subclass)."""
        from carnet.kernels import KernelService

        if not isinstance(service, KernelService):
            raise TypeError("the kernel service must subclass carnet.kernels.KernelService")
        self._kernels = service
        self._kernels_set = True


def _check_path(path: str) -> None:
    if not isinstance(path, str) or not path.startswith("/") or "//" in path:
        raise ValueError(f"route paths start with a single '/': {path!r}")


@dataclass
class LoadedExtensions:
    """The outcome of `load_extensions`, for the server to wire in."""

    contents: ContentsManager
    kernels: KernelService | None
    routes: list[RouteSpec] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def load_extensions(
    plugins: Sequence[PluginInfo],
    *,
    disabled: frozenset[str],
    root_dir: Path,
    base_url: str,
    data_dir: Path,
    contents: ContentsManager,
    kernels: KernelService | None,
    contents_options: Mapping[str, Any] | None = None,
) -> LoadedExtensions:
    """Runs every enabled server part in order; a failing one is logged and left out."""
    out = LoadedExtensions(contents=contents, kernels=kernels)
    for info in plugins:
        if info.server is None or info.name in disabled or info.error is not None:
            continue
        api = ExtensionAPI(
            info.name,
            root_dir=root_dir,
            base_url=base_url,
            data_dir=data_dir / info.name,
            contents=out.contents,
            kernels=out.kernels,
            contents_options=contents_options,
        )
        try:
            result: object = info.server(api)
            if result is not None and hasattr(result, "__await__"):
                raise TypeError("a server extension's setup must not be async (use start_task)")
        except Exception as exc:
            log.error("Server extension %r failed; starting without it", info.name, exc_info=True)
            out.errors[info.name] = f"{type(exc).__name__}: {exc}"
            continue
        out.routes.extend(api._routes)
        out.tasks.extend(_guarded(info.name, label, task) for label, task in api._tasks)
        if api._contents_set:
            out.contents = api._contents
        if api._kernels_set:
            out.kernels = api._kernels
        out.loaded.append(info.name)
        log.info("Server extension %r loaded", info.name)
    return out


def _guarded(extension: str, label: str, task: Task) -> Task:
    async def run() -> None:
        try:
            await task()
        except Exception:
            log.error("Background task %r of %r failed", label, extension, exc_info=True)

    return run
