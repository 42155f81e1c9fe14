"""Sessions: which kernel serves which file (jupyter_server 2.x semantics, minus its quirks).

A session ties an API path (a notebook, a console, a file) to a kernel. Clients open a
document, ``POST /api/sessions`` with its path, and get the session that already exists for
that path or a new one with a freshly started kernel whose working directory is the file's
directory and whose ``JPY_SESSION_NAME`` names the file.

What differs from jupyter_server, on purpose:

* nothing is left behind by a failed request: an unknown kernel, a bad path or a kernel that
  cannot start leaves no session row and no kernel;
* two concurrent creates for one path give one session, not two;
* deleting a session stops its kernel only if no other session uses it (JupyterLab attaches
  consoles to a notebook's kernel);
* sessions whose kernel was shut down or culled disappear from every answer.

Sessions live in memory; they describe running kernels, which do not outlive the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from carnet.errors import BadRequest, Conflict, NotFound
from carnet.kernels import KernelModel, KernelService, cwd_for_path

__all__ = ["SessionManager", "SessionModel"]


class _SessionModelBase(TypedDict):
    id: str
    path: str
    name: str
    type: str
    kernel: KernelModel


class SessionModel(_SessionModelBase, total=False):
    """The ``/api/sessions`` model; ``notebook`` (deprecated) only for type ``notebook``."""

    notebook: dict[str, str]


@dataclass(eq=False)
class _Session:
    id: str
    path: str
    name: str
    type: str
    kernel_id: str


def _key(path: str) -> str:
    """The identity of a path for reuse: ``/a//b.ipynb`` and ``a/b.ipynb`` are one file."""
    return "/".join(s for s in path.split("/") if s not in ("", "."))


class SessionManager:
    """All sessions of one server, on top of its :class:`KernelService`.

    ``root_dir`` is the contents root: session paths are relative to it and may not leave
    it. Methods raise :class:`~carnet.errors.CarnetError` subclasses for bad requests.
    """

    def __init__(self, *, kernels: KernelService, root_dir: Path) -> None:
        self._kernels = kernels
        self._root = root_dir.resolve()
        self._sessions: dict[str, _Session] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiters: dict[str, int] = {}

    def __len__(self) -> int:
        self._prune()
        return len(self._sessions)

    # -- queries -----------------------------------------------------------------------

    def list(self) -> list[SessionModel]:
        """Every session whose kernel still exists."""
        self._prune()
        return [self._model(s) for s in self._sessions.values()]

    def get(self, session_id: str) -> SessionModel:
        """One session; :class:`NotFound` if there is none (or its kernel is gone)."""
        self._prune()
        return self._model(self._get(session_id))

    def kernel_for_path(self, path: str) -> str | None:
        """The id of the kernel of the session for ``path`` (``a//b.ipynb`` = ``a/b.ipynb``)."""
        self._prune()
        session = self._by_path(_key(path)) if isinstance(path, str) else None
        return session.kernel_id if session is not None else None

    def _get(self, session_id: str) -> _Session:
        session = self._sessions.get(session_id) if isinstance(session_id, str) else None
        if session is None:
            raise NotFound(f"Session not found: {session_id}", reason="No such session")
        return session

    def _model(self, session: _Session) -> SessionModel:
        model = SessionModel(
            id=session.id,
            path=session.path,
            name=session.name,
            type=session.type,
            kernel=self._kernels.get(session.kernel_id),
        )
        if session.type == "notebook":
            model["notebook"] = {"path": session.path, "name": session.name}
        return model

    def _prune(self) -> None:
        """Forget sessions whose kernel was shut down or culled behind their back."""
        for session in list(self._sessions.values()):
            if session.kernel_id not in self._kernels:
                del self._sessions[session.id]

    def _by_path(self, key: str, *, besides: _Session | None = None) -> _Session | None:
        for session in self._sessions.values():
            if session is not besides and _key(session.path) == key:
                return session
        return None

    # -- changes -----------------------------------------------------------------------

    async def create(
        self,
        *,
        path: str,
        type: str,
        name: str = "",
        kernel_name: str | None = None,
        kernel_id: str | None = None,
    ) -> tuple[SessionModel, bool]:
        """The session for ``path``: the existing one, else a new one. Returns (model, created).

        A new session gets kernel ``kernel_id`` (an existing kernel, shared) or a new kernel
        of kernelspec ``kernel_name`` (the default kernel if both are ``None``). An
        existing session is returned unchanged, whatever kernel was asked for.
        """
        self._check_fields(path=path, type=type, name=name)
        cwd = self._cwd(path)
        key = _key(path)
        async with self._lock(key):
            self._prune()
            existing = self._by_path(key)
            if existing is not None:
                return self._model(existing), False
            if kernel_id is not None:
                self._require_kernel(kernel_id)
            else:
                env = {"JPY_SESSION_NAME": self._session_name(cwd, path, name)}
                started = await self._kernels.start(kernel_name, path, env)
                kernel_id = started["id"]
            session = _Session(str(uuid.uuid4()), path, name, type, kernel_id)
            self._sessions[session.id] = session
            return self._model(session), True

    async def update(
        self,
        session_id: str,
        *,
        path: str | None = None,
        name: str | None = None,
        type: str | None = None,
        kernel_name: str | None = None,
        kernel_id: str | None = None,
    ) -> SessionModel:
        """Rename/move a session, or give it another kernel (``kernel_id`` wins over a name).

        A kernel replaced this way is shut down unless another session still uses it. On
        any error the session is unchanged and no new kernel is left running.
        """
        self._prune()
        session = self._get(session_id)
        self._check_fields(path=path, type=type, name=name)
        target_path = session.path if path is None else path
        cwd = self._cwd(target_path)
        if path is not None and self._by_path(_key(path), besides=session) is not None:
            raise Conflict(f"Another session already uses the path {path!r}", reason="Conflict")
        started: str | None = None
        new_kernel = session.kernel_id
        if kernel_id is not None:
            self._require_kernel(kernel_id)
            new_kernel = kernel_id
        elif kernel_name is not None:
            session_name = session.name if name is None else name
            env = {"JPY_SESSION_NAME": self._session_name(cwd, target_path, session_name)}
            started = new_kernel = (await self._kernels.start(kernel_name, target_path, env))["id"]
        if self._sessions.get(session_id) is not session or (
            path is not None and self._by_path(_key(path), besides=session) is not None
        ):
            # Deleted or overtaken while the kernel started: undo, leave nothing behind.
            if started is not None:
                await self._shutdown_kernel(started)
            self._get(session_id)
            raise Conflict(f"Another session already uses the path {path!r}", reason="Conflict")
        old_kernel = session.kernel_id
        if path is not None:
            session.path = path
        if name is not None:
            session.name = name
        if type is not None:
            session.type = type
        session.kernel_id = new_kernel
        if old_kernel != new_kernel:
            await self._release(old_kernel)
        return self._model(session)

    async def delete(self, session_id: str) -> None:
        """End a session and stop its kernel (unless another session shares it)."""
        self._prune()
        session = self._get(session_id)
        del self._sessions[session_id]
        await self._release(session.kernel_id)

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _check_fields(*, path: str | None, type: str | None, name: str | None) -> None:
        if path is not None and (not isinstance(path, str) or not _key(path)):
            raise BadRequest("The session path must be a non-empty string", reason="Bad path")
        if type is not None and (not isinstance(type, str) or not type):
            raise BadRequest("The session type must be a non-empty string", reason="Bad type")
        if name is not None and not isinstance(name, str):
            raise BadRequest("The session name must be a string", reason="Bad name")
        for label, value in (("path", path), ("type", type), ("name", name)):
            if value is not None and "\0" in value:
                raise BadRequest(f"The session {label} contains a NUL byte", reason="Bad input")

    def _cwd(self, path: str) -> Path:
        """The kernel directory for ``path``; raises for paths outside the root."""
        return cwd_for_path(self._root, path)

    def _session_name(self, cwd: Path, path: str, name: str) -> str:
        """``JPY_SESSION_NAME``: jupyter_server joins the kernel's directory and the name."""
        if name and "/" not in name:
            return str(cwd / name)
        return str(self._root.joinpath(*_key(path).split("/")))

    def _require_kernel(self, kernel_id: str) -> None:
        if not isinstance(kernel_id, str) or kernel_id not in self._kernels:
            raise BadRequest(f"Kernel does not exist: {kernel_id}", reason="No such kernel")

    async def _release(self, kernel_id: str) -> None:
        if any(s.kernel_id == kernel_id for s in self._sessions.values()):
            return
        await self._shutdown_kernel(kernel_id)

    async def _shutdown_kernel(self, kernel_id: str) -> None:
        with contextlib.suppress(NotFound):
            await self._kernels.shutdown(kernel_id)

    @contextlib.asynccontextmanager
    async def _lock(self, key: str) -> AsyncIterator[None]:
        """Serialise creates for one path; locks of idle paths are dropped."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiters[key] = self._waiters.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiters[key] -= 1
            if not self._waiters[key]:
                del self._waiters[key]
                del self._locks[key]
