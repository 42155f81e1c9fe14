"""The kernel service: start, watch, restart, cull and stop kernels; attach clients to them.

Kernels are ``jupyter_client.AsyncKernelManager`` processes speaking over IPC sockets in
the runtime directory (TCP on 127.0.0.1 where IPC is unavailable). Around them carnet adds
what jupyter_server lacks or gets wrong:

* a warm pool, so a kernel for a notebook is ready at once and indistinguishable from a
  cold start (``prepare.py``);
* death detection within ``poll_interval`` with the cause (exit code, signal, likely OOM)
  in the model, an IOPub ``status`` notice to clients, and automatic restart;
* no phantom state: a failed start leaves no record, file or process behind;
* one set of sockets per kernel shared by all clients (``channels.py``).

Every background task belongs to the service's :class:`TaskOwner`; :meth:`aclose` (or
leaving ``async with``) stops them all and leaves no kernel process.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import json
import logging
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from carnet.errors import BadRequest, CarnetError, Conflict, NotFound, ServiceUnavailable
from carnet.kernels._tasks import TaskOwner
from carnet.kernels.activity import KernelActivity, isoformat
from carnet.kernels.channels import KernelChannels, KernelGone
from carnet.kernels.connection import CloseReason, KernelConnection
from carnet.kernels.lifecycle import describe_exit, should_cull
from carnet.kernels.paths import cwd_for_path
from carnet.kernels.pool import WarmPool
from carnet.kernels.prepare import LATE_ENV, ipykernel_prepare_code
from carnet.kernels.specs import KernelSpecs, is_poolable

if TYPE_CHECKING:
    import zmq.asyncio

__all__ = ["KernelModel", "KernelService"]

log = logging.getLogger("carnet.kernels")

# Crashes within this window count towards ``restart_limit``.
_CRASH_WINDOW = 60.0
# A kernel restarted after a crash that has not answered ``kernel_info_request`` by then is
# restarted once more (ipykernel 7 can come up wedged: its shell socket fails every reply).
RESTART_ANSWER_S = 15.0
# Longest path a unix socket address may have, with room for jupyter_client's "-<port>".
_MAX_IPC_PATH = 100


class _KernelModelBase(TypedDict):
    id: str
    name: str
    last_activity: str
    execution_state: str
    connections: int


class KernelModel(_KernelModelBase, total=False):
    """The ``/api/kernels`` model; ``reason`` is present once the kernel has died."""

    reason: str


@dataclass(eq=False)
class _Kernel:
    id: str
    name: str
    manager: Any  # jupyter_client AsyncKernelManager
    channels: KernelChannels
    activity: KernelActivity
    launch: dict[str, Any]  # cwd and env of the process: reused by every restart
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Set once the kernel answered on shell *and* IOPub (or is known dead): clients that
    # attach before that could miss the first IOPub messages (ZMQ's slow joiner).
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    busy: bool = False  # a start/restart/stop is under way: the watcher keeps off
    crashes: list[float] = field(default_factory=list)
    kernel_info: dict[str, Any] | None = None

    def model(self) -> KernelModel:
        model = KernelModel(
            id=self.id,
            name=self.name,
            last_activity=isoformat(self.activity.last_activity),
            execution_state=self.activity.execution_state,
            connections=self.channels.connection_count,
        )
        if self.activity.reason:
            model["reason"] = self.activity.reason
        return model

    def exit_code(self) -> tuple[bool, int | None]:
        """(exited, code) of the kernel process, without waiting."""
        process = getattr(self.manager.provisioner, "process", None)
        if process is None:
            return False, None
        code = process.poll()
        return code is not None, code


def _check_env(env: Mapping[str, str] | None) -> dict[str, str]:
    if env is None:
        return {}
    if not isinstance(env, Mapping):
        raise BadRequest("env must be a mapping of strings", reason="Bad env")
    for key, value in env.items():
        if (
            not isinstance(key, str)
            or not isinstance(value, str)
            or not key
            or "=" in key
            or "\0" in key
            or "\0" in value
        ):
            raise BadRequest(f"Invalid environment variable {key!r}", reason="Bad env")
    return dict(env)


def _check_session_id(session_id: str | None) -> str:
    if session_id is None or session_id == "":
        return uuid.uuid4().hex
    if not isinstance(session_id, str) or len(session_id) > 256 or not session_id.isprintable():
        raise BadRequest("Invalid session_id", reason="Bad session_id")
    return session_id


def _import_jupyter_client() -> None:
    import jupyter_client.manager  # noqa: F401
    import zmq.asyncio  # noqa: F401


class KernelService:
    """All kernels of one server.

    Arguments are explicit settings (see ``carnet.config``):

    * ``root_dir`` — kernels start in the directory of their notebook, inside it;
    * ``runtime_dir`` — connection files (0600) and IPC sockets; created 0700;
    * ``pool_sizes`` — pre-started kernels per kernelspec; ``None`` means one of the
      default kernel. Kernelspecs carnet cannot prepare (anything but ipykernel) are
      never pooled;
    * ``cull_*`` — jupyter_server's idle culling (``cull_idle_timeout`` 0 = off);
    * ``autorestart``/``restart_limit`` — restart a crashed kernel, unless it crashed
      that many times within a minute;
    * ``buffer_*``/``max_offline_sessions`` — per-client memory bound, and how many
      disconnected client sessions keep a replay buffer per kernel;
    * ``transport`` — ``"ipc"`` (default on POSIX) or ``"tcp"`` (127.0.0.1).

    Use as ``async with KernelService(...) as kernels:``; :meth:`startup` starts the
    watcher, the culler and the pool (its imports happen in a worker thread, so it does
    not delay the server's start).
    """

    def __init__(
        self,
        *,
        specs: KernelSpecs,
        root_dir: Path,
        runtime_dir: Path,
        default_kernel_name: str | None = None,
        pool_sizes: Mapping[str, int] | None = None,
        cull_idle_timeout: float = 0,
        cull_interval: float = 300,
        cull_connected: bool = False,
        cull_busy: bool = False,
        autorestart: bool = True,
        restart_limit: int = 5,
        kernel_info_timeout: float = 60.0,
        shutdown_wait_time: float = 3.0,
        buffer_offline_messages: bool = True,
        buffer_bytes: int = 16 << 20,
        max_offline_sessions: int = 4,
        transport: Literal["ipc", "tcp"] | None = None,
        poll_interval: float = 0.2,
    ) -> None:
        if transport not in (None, "ipc", "tcp"):
            raise ValueError(f"unknown transport {transport!r}")
        if cull_interval <= 0 or poll_interval <= 0 or kernel_info_timeout <= 0:
            raise ValueError("intervals and timeouts must be positive")
        if restart_limit < 0 or max_offline_sessions < 0 or shutdown_wait_time < 0:
            raise ValueError("limits must not be negative")
        self.specs = specs
        self.default_kernel_name = default_kernel_name or specs.default_name
        self._root = root_dir.resolve()
        self._runtime = runtime_dir
        self._pool_sizes = {self.default_kernel_name: 1} if pool_sizes is None else dict(pool_sizes)
        if any(n < 0 for n in self._pool_sizes.values()):
            raise ValueError("pool sizes must not be negative")
        self._cull_idle_timeout = cull_idle_timeout
        self._cull_interval = cull_interval
        self._cull_connected = cull_connected
        self._cull_busy = cull_busy
        self._autorestart = autorestart
        self._restart_limit = restart_limit
        self._kernel_info_timeout = kernel_info_timeout
        self._shutdown_wait_time = shutdown_wait_time
        self._buffer_offline = buffer_offline_messages
        self._buffer_bytes = buffer_bytes
        self._max_offline = max_offline_sessions
        self._transport = transport or ("ipc" if os.name == "posix" else "tcp")
        self._poll_interval = poll_interval
        self._kernels: dict[str, _Kernel] = {}
        self._managers: set[Any] = set()  # every manager whose process may be running
        self._tasks = TaskOwner("kernels")
        self._pool: WarmPool[_Kernel] | None = None
        self._context: zmq.asyncio.Context | None = None
        self._started = False
        self._closing = False
        self._closed = asyncio.Event()

    # -- lifecycle of the service ----------------------------------------------------------

    async def __aenter__(self) -> KernelService:
        await self.startup()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def startup(self) -> None:
        """Start the watcher, the culler and the warm pool (idempotent)."""
        if self._started:
            return
        self._started = True
        self._runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._tasks.spawn(self._warm_up(), name="warm up")
        self._tasks.spawn(self._watch(), name="watch")
        if self._cull_idle_timeout > 0:
            self._tasks.spawn(self._cull(), name="cull")

    async def aclose(self) -> None:
        """Stop every kernel and background task; release the ZMQ context."""
        await self.shutdown_all()
        if self._context is not None:
            self._context.destroy(linger=0)
            self._context = None
        with contextlib.suppress(OSError):
            self._pool_dir.rmdir()

    async def shutdown_all(self) -> None:
        """Stop all kernels (pooled ones too) and the service; later starts are refused.

        Kernels get a polite shutdown request, then SIGTERM, then SIGKILL after
        ``shutdown_wait_time``; anything still running after that is killed outright.
        """
        if self._closing:
            await self._closed.wait()
            return
        self._closing = True
        try:
            pooled = self._pool.close() if self._pool is not None else []
            await self._tasks.aclose()
            kernels = [*self._kernels.values(), *pooled]
            self._kernels.clear()
            await asyncio.gather(
                *(self._stop(k, now=False, reason=CloseReason.SERVER_SHUTDOWN) for k in kernels),
                return_exceptions=True,
            )
        finally:
            self._kill_leftovers()
            self._closed.set()

    def _check_open(self) -> None:
        if self._closing:
            raise ServiceUnavailable("The server is shutting down", reason="Shutting down")
        if not self._started:
            raise RuntimeError("KernelService.startup() was not called")

    @property
    def _pool_dir(self) -> Path:
        return self._runtime / "carnet-pool-cwd"

    @property
    def _zmq(self) -> zmq.asyncio.Context:
        if self._context is None:
            import zmq.asyncio

            self._context = zmq.asyncio.Context()
        return self._context

    async def _warm_up(self) -> None:
        sizes: dict[str, int] = {}
        # Without a pool nothing needs jupyter_client (~11 MiB) before the first kernel.
        if any(n > 0 for n in self._pool_sizes.values()):
            try:
                await asyncio.to_thread(_import_jupyter_client)
                sizes = await asyncio.to_thread(self._usable_pool_sizes)
            except Exception:
                log.exception("Could not set up the kernel pool")
        if sizes:
            self._pool_dir.mkdir(mode=0o700, exist_ok=True)
        self._pool = WarmPool(
            sizes, spawn=self._spawn_pooled, discard=self._discard, tasks=self._tasks
        )
        self._pool.fill()

    def _usable_pool_sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for name, size in self._pool_sizes.items():
            if size <= 0:
                continue
            try:
                spec = self.specs.get(name)
            except Exception as e:  # NotFound, or a broken kernel.json
                log.warning("Not pooling kernel %r: %s", name, e)
                continue
            if not is_poolable(spec):
                log.info("Not pooling kernel %r: carnet can only prepare ipykernel kernels", name)
                continue
            sizes[name] = size
        return sizes

    @property
    def pool_sizes(self) -> dict[str, int]:
        """The warm pool's target sizes actually in use (empty until the pool is set up)."""
        return self._pool.sizes if self._pool is not None else {}

    async def wait_pool_ready(self, timeout: float = 60.0) -> None:
        """Wait until the warm pool is full (for tests and benchmarks)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            pool = self._pool
            if pool is not None and all(
                pool.ready_count(n) >= size for n, size in pool.sizes.items()
            ):
                return
            if loop.time() > deadline:
                raise asyncio.TimeoutError
            await asyncio.sleep(0.05)

    # -- starting ----------------------------------------------------------------------

    async def start(
        self,
        name: str | None = None,
        path: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> KernelModel:
        """Start a kernel of kernelspec ``name`` (default kernel if ``None``) for ``path``.

        ``path`` is the notebook's API path; the kernel's working directory is its
        directory (see :func:`cwd_for_path`). ``env`` adds environment variables — the
        sessions layer passes ``JPY_SESSION_NAME``. Returns the model (``starting`` for a
        cold start, ``idle`` for a pooled kernel).

        Raises :class:`NotFound` for an unknown kernelspec, :class:`Forbidden` for a path
        outside the root, :class:`BadRequest` for bad arguments and :class:`CarnetError`
        when the kernel process cannot be launched. None of these leaves a record, a
        connection file or a process behind.
        """
        self._check_open()
        if name is None:
            name = self.default_kernel_name
        if not isinstance(name, str):
            raise BadRequest("The kernel name must be a string", reason="Bad name")
        self.specs.get(name)
        cwd = cwd_for_path(self._root, path)
        extra = _check_env(env)
        kernel = await self._checkout(name, cwd, extra)
        if kernel is None:
            kernel = await self._launch(name, cwd, extra)
            if not self._closing:
                self._tasks.spawn(self._become_ready(kernel), name=f"ready {kernel.id}")
        if self._closing:  # shutdown_all ran while this kernel was starting
            await self._stop(kernel, now=True, reason=CloseReason.SERVER_SHUTDOWN)
            self._check_open()
        self._kernels[kernel.id] = kernel
        log.info("Kernel started: %s (%s) in %s", kernel.id, name, cwd)
        return kernel.model()

    def _new_manager(self, kernel_id: str, name: str) -> Any:
        from jupyter_client.manager import AsyncKernelManager

        options: dict[str, Any] = {
            "kernel_id": kernel_id,
            "kernel_name": name,
            "kernel_spec_manager": self.specs.manager,
            "context": self._zmq,
            "connection_file": str(self._runtime / f"kernel-{kernel_id}.json"),
            "shutdown_wait_time": self._shutdown_wait_time,
        }
        prefix = self._ipc_prefix(kernel_id) if self._transport == "ipc" else None
        if prefix is not None:
            options.update(transport="ipc", ip=prefix)
        else:
            options.update(transport="tcp", ip="127.0.0.1")
        return AsyncKernelManager(**options)

    def _ipc_prefix(self, kernel_id: str) -> str | None:
        """Socket path prefix, short enough for a unix socket address (or None: use TCP)."""
        for stem in (f"kernel-{kernel_id}-ipc", f"k-{kernel_id[:13]}"):
            prefix = str(self._runtime / stem)
            if len(os.fsencode(prefix)) + 6 <= _MAX_IPC_PATH:
                return prefix
        log.warning("Runtime dir path too long for IPC sockets; kernels use TCP on 127.0.0.1")
        return None

    async def _launch(self, name: str, cwd: Path, extra_env: Mapping[str, str]) -> _Kernel:
        kernel_id = str(uuid.uuid4())
        manager = self._new_manager(kernel_id, name)
        launch: dict[str, Any] = {"cwd": str(cwd), "env": {**os.environ, **extra_env}}
        self._managers.add(manager)
        try:
            await manager.start_kernel(**launch)
        except BaseException as e:
            await asyncio.shield(self._dispose(manager))
            if isinstance(e, Exception):
                raise CarnetError(
                    f"Kernel {name!r} failed to start: {e}", reason="Kernel failed to start"
                ) from e
            raise
        activity = KernelActivity()
        channels = KernelChannels(
            kernel_id,
            context=self._zmq,
            activity=activity,
            buffer_bytes=self._buffer_bytes,
            max_offline_sessions=self._max_offline,
            buffer_offline=self._buffer_offline,
        )
        curve = None
        if getattr(manager, "curve_publickey", None) is not None:
            curve = (manager.curve_publickey, manager.curve_secretkey)
        channels.open(manager.get_connection_info(), curve)
        return _Kernel(kernel_id, name, manager, channels, activity, launch)

    async def _dispose(self, manager: Any) -> None:
        """Kill a manager's process (if any) and remove its files."""
        try:
            await manager.shutdown_kernel(now=True)
        except Exception:
            log.debug("Cleaning up a kernel manager failed", exc_info=True)
        self._kill_process(manager)
        self._managers.discard(manager)

    async def _become_ready(self, kernel: _Kernel, timeout: float | None = None) -> bool:
        """Wait for the kernel's first answer; False (with the reason set) if none came."""
        answered = True
        timeout = self._kernel_info_timeout if timeout is None else timeout
        try:
            kernel.kernel_info = await kernel.channels.wait_ready(timeout)
        except KernelGone:
            return True  # it died: the watcher reports it and restarts it
        except asyncio.TimeoutError:
            log.warning("Kernel %s did not answer kernel_info_request", kernel.id)
            kernel.activity.reason = f"The kernel did not answer within {timeout:g} seconds."
            answered = False
        if kernel.activity.execution_state == "starting":
            kernel.activity.execution_state = "idle"
        kernel.ready.set()
        return answered

    # -- warm pool ---------------------------------------------------------------------

    async def _spawn_pooled(self, name: str) -> _Kernel:
        kernel = await self._launch(name, self._pool_dir, {})
        try:
            kernel.kernel_info = await kernel.channels.wait_ready(self._kernel_info_timeout)
        except BaseException:
            await asyncio.shield(self._stop(kernel, now=True))
            raise
        kernel.ready.set()
        return kernel

    async def _discard(self, kernel: _Kernel) -> None:
        await self._stop(kernel, now=True)

    async def _checkout(self, name: str, cwd: Path, extra: Mapping[str, str]) -> _Kernel | None:
        """A pooled kernel prepared for ``cwd``/``extra`` env, or None to start cold."""
        pool = self._pool
        if pool is None or not pool.enabled(name):
            return None
        if any(k not in LATE_ENV and os.environ.get(k) != v for k, v in extra.items()):
            return None  # start-up environment differs: only a cold start is faithful
        kernel = await pool.take(name)
        if kernel is None:
            return None
        if kernel.launch["env"] != dict(os.environ):
            self._tasks.spawn(self._discard(kernel), name=f"discard {kernel.id}")
            return None
        try:
            await self._prepare(kernel, cwd, extra)
        except BaseException as e:
            self._tasks.spawn(self._discard(kernel), name=f"discard {kernel.id}")
            if not isinstance(e, Exception):
                raise
            log.warning("Could not prepare pooled kernel %s: %s", kernel.id, e)
            return None
        return kernel

    async def _prepare(self, kernel: _Kernel, cwd: Path, extra: Mapping[str, str]) -> None:
        content = {
            "code": ipykernel_prepare_code(str(cwd), extra),
            "silent": True,
            "store_history": False,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": False,
        }
        reply, _ = await kernel.channels.request(
            "shell", "execute_request", content, timeout=10.0, idle_timeout=2.0
        )
        answer = reply.content()
        if not isinstance(answer, dict) or answer.get("status") != "ok":
            raise RuntimeError(f"preparation failed: {answer!r:.200}")
        kernel.launch = {"cwd": str(cwd), "env": {**kernel.launch["env"], **extra}}
        kernel.activity.touch()
        session_name = extra.get("JPY_SESSION_NAME")
        if session_name:
            self._record_session_name(kernel, session_name)

    def _record_session_name(self, kernel: _Kernel, session_name: str) -> None:
        """Write ``jupyter_session`` into the connection file, as a cold start does."""
        path = Path(kernel.manager.connection_file)
        try:
            info = json.loads(path.read_text())
            info["jupyter_session"] = session_name
            tmp = path.with_name(path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(info, f, indent=1)
            tmp.replace(path)
        except (OSError, ValueError):
            log.debug("Could not update connection file %s", path, exc_info=True)

    # -- queries -----------------------------------------------------------------------

    def _get(self, kernel_id: str) -> _Kernel:
        kernel = self._kernels.get(kernel_id) if isinstance(kernel_id, str) else None
        if kernel is None:
            raise NotFound(f"Kernel does not exist: {kernel_id}", reason="No such kernel")
        return kernel

    def get(self, kernel_id: str) -> KernelModel:
        """The model of a kernel; :class:`NotFound` if there is none with that id."""
        return self._get(kernel_id).model()

    def list(self) -> list[KernelModel]:
        """Models of all running kernels (not the pooled ones waiting to be used)."""
        return [k.model() for k in self._kernels.values()]

    def __contains__(self, kernel_id: object) -> bool:
        return kernel_id in self._kernels

    def __len__(self) -> int:
        return len(self._kernels)

    def process_id(self, kernel_id: str) -> int | None:
        """The PID of the kernel's process (for audit logs and diagnostics)."""
        process = getattr(self._get(kernel_id).manager.provisioner, "process", None)
        return process.pid if process is not None else None

    def kernel_info(self, kernel_id: str) -> dict[str, Any] | None:
        """The kernel's last ``kernel_info_reply`` content (language_info, protocol…)."""
        return self._get(kernel_id).kernel_info

    # -- actions -----------------------------------------------------------------------

    async def connect(self, kernel_id: str, session_id: str | None = None) -> KernelConnection:
        """Attach a client (one websocket) to a kernel.

        ``session_id`` is the websocket URL's ``session_id`` (a random one if absent).
        The connection first yields what was buffered for that session while it was
        away, then an IOPub ``status`` with the kernel's current state.

        While the kernel is (re)starting this waits until it answers (at most
        ``kernel_info_timeout``), as jupyter_server does before accepting a websocket:
        IOPub messages of a request sent earlier could otherwise be lost.
        """
        self._check_open()
        kernel = self._get(kernel_id)
        session = _check_session_id(session_id)
        if not kernel.ready.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(kernel.ready.wait(), self._kernel_info_timeout)
            self._check_open()
            kernel = self._get(kernel_id)
        return kernel.channels.attach(session)

    async def interrupt(self, kernel_id: str) -> None:
        """Interrupt the kernel (SIGINT or ``interrupt_request``, per its kernelspec)."""
        kernel = self._get(kernel_id)
        if kernel.busy or kernel.activity.execution_state in ("dead", "restarting"):
            raise Conflict("The kernel is not running", reason="Kernel not running")
        try:
            await kernel.manager.interrupt_kernel()
        except RuntimeError as e:
            raise Conflict(str(e), reason="Kernel not running") from e

    async def restart(self, kernel_id: str) -> KernelModel:
        """Restart the kernel in place (same id, working directory and environment).

        Returns once the new process answers ``kernel_info_request``. Restarting a dead
        kernel revives it.
        """
        self._check_open()
        kernel = self._get(kernel_id)
        async with kernel.lock:
            kernel.busy = True
            kernel.ready.clear()
            kernel.activity.execution_state = "restarting"
            kernel.channels.fail_pending()
            try:
                await kernel.manager.restart_kernel(now=False, **kernel.launch)
            except Exception as e:
                self._mark_dead(kernel, f"Restarting the kernel failed: {e}")
                raise CarnetError(
                    f"Restarting the kernel failed: {e}", reason="Restart failed"
                ) from e
            finally:
                kernel.busy = False
            kernel.activity.execution_state = "starting"
            kernel.activity.reason = None
            kernel.crashes.clear()
            try:
                kernel.kernel_info = await kernel.channels.wait_ready(self._kernel_info_timeout)
            except asyncio.TimeoutError as e:
                raise CarnetError(
                    "Timeout waiting for the restarted kernel", reason="Restart failed"
                ) from e
            except KernelGone as e:
                raise CarnetError(
                    "The kernel died while restarting", reason="Restart failed"
                ) from e
            if kernel.activity.execution_state == "starting":
                kernel.activity.execution_state = "idle"
            kernel.ready.set()
        return kernel.model()

    async def shutdown(self, kernel_id: str) -> None:
        """Stop the kernel and forget it; its connections end (``KERNEL_SHUTDOWN``)."""
        kernel = self._get(kernel_id)
        del self._kernels[kernel_id]
        log.info("Shutting down kernel %s", kernel_id)
        await self._stop(kernel, now=False)

    async def _stop(
        self, kernel: _Kernel, *, now: bool, reason: CloseReason = CloseReason.KERNEL_SHUTDOWN
    ) -> None:
        kernel.busy = True
        try:
            await kernel.manager.shutdown_kernel(now=now)
        except Exception:
            log.warning("Kernel %s did not shut down cleanly", kernel.id, exc_info=True)
        finally:
            self._kill_process(kernel.manager)
            self._managers.discard(kernel.manager)
            await kernel.channels.close(reason)

    def _kill_process(self, manager: Any) -> None:
        """SIGKILL the process group of a manager's kernel if it is still running."""
        process = getattr(getattr(manager, "provisioner", None), "process", None)
        if process is None or process.poll() is not None:
            return
        try:
            if hasattr(os, "killpg"):
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
            process.wait(timeout=2)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            log.warning("Could not kill kernel process %s", process.pid, exc_info=True)

    def _kill_leftovers(self) -> None:
        for manager in list(self._managers):
            self._kill_process(manager)
        self._managers.clear()

    # -- watching ----------------------------------------------------------------------

    async def _watch(self) -> None:
        """Notice dead kernels within ``poll_interval`` (a waitpid per kernel, no I/O)."""
        while True:
            await asyncio.sleep(self._poll_interval)
            try:
                self._check_processes()
            except Exception:
                log.exception("Error while watching kernel processes")

    def _check_processes(self) -> None:
        for kernel in list(self._kernels.values()):
            if kernel.busy or kernel.activity.execution_state == "dead":
                continue
            exited, code = kernel.exit_code()
            if exited:
                self._on_death(kernel, code)
        pool = self._pool
        if pool is None:
            return
        for kernel in pool.members():
            if kernel.exit_code()[0] and pool.remove(kernel):
                log.warning("Pooled kernel %s died; replacing it", kernel.id)
                self._tasks.spawn(self._discard(kernel), name=f"discard {kernel.id}")

    def _on_death(self, kernel: _Kernel, code: int | None) -> None:
        cause = describe_exit(code)
        log.warning("Kernel %s died: %s", kernel.id, cause)
        kernel.activity.execution_state = "dead"
        kernel.activity.reason = cause
        kernel.ready.clear()
        kernel.channels.fail_pending()
        now = time.monotonic()
        kernel.crashes = [t for t in kernel.crashes if now - t < _CRASH_WINDOW] + [now]
        if self._autorestart and len(kernel.crashes) <= self._restart_limit:
            kernel.busy = True
            kernel.activity.execution_state = "restarting"
            notice = kernel.channels.status_message("restarting", cause)
            kernel.channels.broadcast(notice)
            self._tasks.spawn(self._auto_restart(kernel, cause), name=f"restart {kernel.id}")
            return
        if self._autorestart:
            cause += f" It died {len(kernel.crashes)} times within a minute; not restarting it."
        self._mark_dead(kernel, cause)

    def _mark_dead(self, kernel: _Kernel, reason: str) -> None:
        kernel.activity.execution_state = "dead"
        kernel.activity.reason = reason
        kernel.ready.set()  # nothing to wait for: clients attach and learn it is dead
        kernel.channels.broadcast(kernel.channels.status_message("dead", reason))

    async def _auto_restart(self, kernel: _Kernel, cause: str) -> None:
        for attempt in (1, 2):
            try:
                async with kernel.lock:
                    if self._kernels.get(kernel.id) is not kernel:
                        return
                    await kernel.manager.restart_kernel(now=True, **kernel.launch)
                    kernel.activity.execution_state = "starting"
                    log.info("Kernel %s restarted after it died", kernel.id)
            except asyncio.CancelledError:
                raise
            except Exception as e:
                self._mark_dead(kernel, f"{cause} Restarting it failed: {e}")
                return
            finally:
                kernel.busy = False
            if attempt == 2:
                await self._become_ready(kernel)
                return
            timeout = min(RESTART_ANSWER_S, self._kernel_info_timeout)
            if await self._become_ready(kernel, timeout) or kernel.exit_code()[0]:
                return
            # Alive but silent: restart it again rather than leave it wedged.
            log.warning("Kernel %s is silent after its restart; restarting it again", kernel.id)
            kernel.ready.clear()
            kernel.channels.fail_pending()
            kernel.busy = True
            kernel.activity.execution_state = "restarting"
            kernel.activity.reason = cause
            kernel.channels.broadcast(kernel.channels.status_message("restarting", cause))

    async def _cull(self) -> None:
        while True:
            await asyncio.sleep(self._cull_interval)
            for kernel in self._idle_kernels():
                if self._kernels.get(kernel.id) is kernel:
                    log.warning(
                        "Culling %s kernel %s (%s) with %d connections",
                        kernel.activity.execution_state,
                        kernel.id,
                        kernel.name,
                        kernel.channels.connection_count,
                    )
                    del self._kernels[kernel.id]
                    await self._stop(kernel, now=False)

    def _idle_kernels(self) -> builtins.list[_Kernel]:
        now = datetime.now(timezone.utc)
        idle = []
        for kernel in self._kernels.values():
            if kernel.busy:
                continue
            # A kernelspec may set its own timeout (as jupyter_server allows).
            metadata = getattr(kernel.manager.kernel_spec, "metadata", None) or {}
            try:
                timeout = float(metadata.get("cull_idle_timeout", self._cull_idle_timeout))
            except (TypeError, ValueError):
                timeout = self._cull_idle_timeout
            if should_cull(
                execution_state=kernel.activity.execution_state,
                last_activity=kernel.activity.last_activity,
                connections=kernel.channels.connection_count,
                now=now,
                idle_timeout=timeout,
                cull_connected=self._cull_connected,
                cull_busy=self._cull_busy,
            ):
                idle.append(kernel)
        return idle
