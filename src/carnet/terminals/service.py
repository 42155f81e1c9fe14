"""The terminal service: named terminals that run until they exit or are stopped.

Each terminal is a shell in a pseudo-terminal, started and read by terminado's
``NamedTermManager`` (ptyprocess on POSIX, pywinpty on Windows). terminado reads ptys
through tornado's ``IOLoop``, which inside uvicorn wraps the running asyncio loop, so no
thread is involved in output; its tornado websocket handler is replaced by `Attachment`.
What carnet adds around it:

* terminals outlive their clients; a client that attaches gets the scrollback (bounded by
  characters, not by read calls) and then the live output;
* a slow client pauses the pty instead of growing a buffer (see `attachment`);
* each terminal's input goes through its own writer thread, so a program that does not
  read its input blocks only its own terminal;
* the start directory is confined to the root dir (`resolve_cwd`);
* culling of inactive terminals, and `run`, which owns the culling task and leaves no
  shell behind when cancelled;
* ``start`` and ``end`` events for the audit log.

terminado (and tornado's websocket module with it) is imported on the first start, in a
thread: carnet starts without it.
"""

from __future__ import annotations

import asyncio
import builtins
import concurrent.futures
import importlib
import logging
import os
import re
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import anyio

from carnet.errors import BadRequest, Conflict, NotFound, ServiceUnavailable
from carnet.terminals.attachment import LOW_WATER, Attachment
from carnet.terminals.paths import resolve_cwd
from carnet.terminals.processes import hang_up_session, session_members
from carnet.terminals.scrollback import Scrollback

if TYPE_CHECKING:
    from terminado.management import NamedTermManager, PtyWithClients

__all__ = ["EventSink", "TerminalModel", "TerminalService"]

log = logging.getLogger("carnet.terminals")

_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_QUICK_EXIT_POLLS = 20
_QUICK_EXIT_POLL_S = 0.005

EventSink = Callable[[str, dict[str, object]], None]
"""Receives ``("start" | "end", fields)``; the server writes them to the audit log."""


class TerminalModel(TypedDict):
    """The ``/api/terminals`` model, as jupyter_server_terminals has it."""

    name: str
    last_activity: str


class _QuietLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """terminado logs each start, name and EOF at INFO; carnet logs its own line instead."""

    def info(self, msg: object, *args: Any, **kwargs: Any) -> None:
        self.debug(msg, *args, **kwargs)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Terminal:
    """One running terminal. It is itself the first client of its pty (terminado's client
    interface: ``size``, ``on_pty_read``, ``on_pty_died``) to keep scrollback and activity."""

    def __init__(
        self,
        service: TerminalService,
        name: str,
        pty: PtyWithClients,
        ioloop: Any,
        *,
        user: str,
        address: str,
        scrollback_chars: int,
    ) -> None:
        self.name = name
        self.pty = pty
        self.pid: int = pty.ptyproc.pid
        self.user = user
        self.address = address
        self.scrollback = Scrollback(scrollback_chars)
        self.last_activity = time.time()
        self.attachments: list[Attachment] = []
        self.size: tuple[int | None, int | None] = (None, None)
        self.ended = False
        self.end_reason = "exited"
        self.end_user = user
        self.end_address = address
        self._service = service
        self._ioloop = ioloop
        self._paused = False
        # Input is written by a thread of its own (a write blocks while the program does
        # not read), through a duplicate of the pty's descriptor that only that thread
        # closes: a descriptor number closed by the event loop and reused for another file
        # can never receive keystrokes.
        self._writer = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"carnet-terminal-{name}"
        )
        self._input_fd = os.dup(pty.ptyproc.fd) if os.name == "posix" else -1
        self._input_closed = False

    def model(self) -> TerminalModel:
        return {"name": self.name, "last_activity": _iso(self.last_activity)}

    # -- terminado's client interface ------------------------------------------------------

    def on_pty_read(self, text: str) -> None:
        self.scrollback.append(text)
        self.last_activity = time.time()

    def on_pty_died(self) -> None:
        self._service._ended(self)

    # -- for attachments -------------------------------------------------------------------

    def attach(self) -> Attachment:
        attachment = Attachment(self, self.scrollback.text())
        self.attachments.append(attachment)
        self.pty.clients.append(attachment)
        return attachment

    def detach(self, attachment: Attachment) -> None:
        if attachment in self.attachments:
            self.attachments.remove(attachment)
            self.pty.clients.remove(attachment)
        self.resize()
        self.maybe_resume_reading()

    def resize(self) -> None:
        if self.ended:
            return
        try:
            self.pty.resize_to_smallest()
        except OSError as exc:  # the pty is closing
            log.debug("Cannot resize terminal %s: %s", self.name, exc)

    async def write(self, text: str) -> None:
        self.last_activity = time.time()
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._writer, self._write_all, text)
        except (OSError, RuntimeError) as exc:  # the terminal ended meanwhile
            log.debug("Input to terminal %s dropped: %s", self.name, exc)

    def _write_all(self, text: str) -> None:
        if self._input_closed:
            return
        if os.name != "posix":  # pywinpty's own write
            self.pty.ptyproc.write(text)
            return
        data = text.encode("utf-8", "replace")
        while data and not self._input_closed:
            written = os.write(self._input_fd, data)
            data = data[written:]

    def _close_input(self) -> None:
        if self._input_fd >= 0:
            os.close(self._input_fd)
            self._input_fd = -1

    def pause_reading(self) -> None:
        if not self._paused and not self.ended:
            self._paused = True
            self._ioloop.update_handler(self.pty.ptyproc.fd, 0)

    def maybe_resume_reading(self) -> None:
        if self._paused and all(a.pending <= LOW_WATER for a in self.attachments):
            self.resume_reading()

    def resume_reading(self) -> None:
        if self._paused:
            self._paused = False
            if not self.ended:
                self._ioloop.update_handler(self.pty.ptyproc.fd, self._ioloop.READ)

    def release(self) -> None:
        """Drop pending input and close the input descriptor (in the writer thread)."""
        self._input_closed = True
        self._writer.submit(self._close_input)
        self._writer.shutdown(wait=False)


class TerminalService:
    """Named terminals (``1``, ``2``, … unless a name is given) running ``shell_command``.

    ``root_dir`` confines start directories; ``extra_env`` is added to the server's own
    environment (a None value removes a variable). ``cull_inactive_timeout`` > 0 stops
    terminals without input or output for that many seconds, checked every
    ``cull_interval`` seconds while `run` runs. ``scrollback_chars`` bounds the output kept
    for clients that attach later. ``on_event`` gets ``start`` and ``end`` events.

    Use from one asyncio event loop. Example::

        service = TerminalService(root_dir=root, shell_command=["bash"])
        model = await service.create(cwd="src", user="ada", address="127.0.0.1")
        attachment = service.attach(model["name"])
        await attachment.send_input("echo hi\\r")
        print(await attachment.receive())
        await service.aclose()
    """

    def __init__(
        self,
        *,
        root_dir: Path,
        shell_command: Sequence[str],
        extra_env: Mapping[str, str | None] | None = None,
        cull_inactive_timeout: float = 0,
        cull_interval: float = 300,
        scrollback_chars: int = 512 * 1024,
        on_event: EventSink | None = None,
    ) -> None:
        if not shell_command or not shell_command[0]:
            raise ValueError("shell_command must name a program")
        if scrollback_chars < 1:
            raise ValueError("scrollback_chars must be at least 1")
        self.root_dir = root_dir
        self.shell_command = list(shell_command)
        # terminado exports COLUMNS and LINES for the initial 80x25; programs would trust
        # them over the pty's real size after a resize (bash updates them, sh does not).
        self.extra_env: dict[str, str | None] = {"COLUMNS": None, "LINES": None}
        self.extra_env.update(extra_env or {})
        self.cull_inactive_timeout = cull_inactive_timeout
        self.cull_interval = max(cull_interval, 0.01)
        self.scrollback_chars = scrollback_chars
        self._on_event = on_event
        self._terminals: dict[str, _Terminal] = {}
        self._manager: NamedTermManager | None = None
        self._closed = False

    def __len__(self) -> int:
        return len(self._terminals)

    def list(self) -> list[TerminalModel]:
        """Every running terminal, oldest first."""
        return [record.model() for record in self._terminals.values()]

    def get(self, name: str) -> TerminalModel:
        return self._find(name).model()

    def pid(self, name: str) -> int:
        """The process id of the terminal's shell."""
        return self._find(name).pid

    async def create(
        self, *, name: str | None = None, cwd: str | None = None, user: str = "", address: str = ""
    ) -> TerminalModel:
        """Start a terminal in ``cwd`` (an API path, see `resolve_cwd`).

        `BadRequest` for a malformed name, `Conflict` if it is taken, `Forbidden` for a
        ``cwd`` outside the root dir, `ServiceUnavailable` if the shell cannot start (then
        nothing is left behind) or the service is closing.
        """
        if name is not None:
            _check_name(name)
        directory = resolve_cwd(self.root_dir, cwd)
        self._check_open()
        manager = await self._manager_ready()
        self._check_open()
        if name is not None and name in self._terminals:
            raise Conflict(f"A terminal named {name!r} already exists", "name taken")
        options: dict[str, Any] = {"cwd": str(directory)}
        if name is not None:
            options["name"] = name
        try:
            name, pty = manager.new_named_terminal(**options)
        except OSError as exc:
            raise ServiceUnavailable(
                f"Cannot start the terminal program {self.shell_command[0]!r}: "
                f"{exc.strerror or exc}",
                "terminal failed",
            ) from None
        assert name is not None
        # Closing a pty whose process has exited needs no grace period (ptyprocess would
        # sleep 0.1 s in the event loop); and scrollback is kept by `_Terminal`, bounded.
        pty.ptyproc.delayafterclose = 0
        pty.read_buffer = deque(maxlen=0)
        from tornado.ioloop import IOLoop

        record = _Terminal(
            self,
            name,
            pty,
            IOLoop.current(),
            user=user,
            address=address,
            scrollback_chars=self.scrollback_chars,
        )
        pty.clients.insert(0, record)
        self._terminals[name] = record
        relative = directory.relative_to(self.root_dir.resolve()).as_posix()
        log.info("Terminal %s started (pid %d) in %s", name, record.pid, directory)
        self._emit(
            "start",
            name=name,
            user=user,
            address=address,
            cwd="" if relative == "." else relative,
            command=self.shell_command,
            pid=record.pid,
        )
        return record.model()

    def attach(self, name: str) -> Attachment:
        """A new client of terminal ``name`` (`NotFound` if there is none)."""
        return self._find(name).attach()

    async def terminate(self, name: str, *, user: str = "", address: str = "") -> None:
        """Stop terminal ``name`` and wait until its shell is gone (`NotFound` if none).

        Attached clients receive the end of the output, then learn that it ended."""
        await self._stop(self._find(name), "deleted", user, address)

    async def cull_inactive(self) -> builtins.list[str]:
        """Stop terminals inactive for longer than ``cull_inactive_timeout``; their names."""
        if self.cull_inactive_timeout <= 0:
            return []
        limit = time.time() - self.cull_inactive_timeout
        idle = [r for r in self._terminals.values() if r.last_activity < limit]
        for record in idle:
            log.info(
                "Culling terminal %s, inactive since %s", record.name, _iso(record.last_activity)
            )
        await asyncio.gather(*(self._stop(r, "culled", r.user, r.address) for r in idle))
        return [record.name for record in idle]

    async def run(self) -> None:
        """Cull inactive terminals until cancelled, then stop every terminal (`aclose`).

        The server runs this in the task group of its lifespan, so shutting the server down
        leaves no shell process behind."""
        try:
            if self.cull_inactive_timeout > 0:
                while True:
                    await anyio.sleep(self.cull_interval)
                    await self.cull_inactive()
            else:
                await anyio.sleep_forever()
        finally:
            with anyio.CancelScope(shield=True):
                await self.aclose()

    async def aclose(self) -> None:
        """Stop every terminal and refuse new ones. Idempotent."""
        self._closed = True
        records = list(self._terminals.values())
        await asyncio.gather(*(self._stop(r, "shutdown", r.user, r.address) for r in records))
        if self._manager is not None:
            manager, self._manager = self._manager, None
            await manager.shutdown()

    # -- internals ---------------------------------------------------------------------------

    def _find(self, name: str) -> _Terminal:
        record = self._terminals.get(name)
        if record is None:
            raise NotFound(f"Terminal not found: {name}", "no such terminal")
        return record

    def _check_open(self) -> None:
        if self._closed:
            raise ServiceUnavailable("The server is shutting down", "shutting down")

    async def _manager_ready(self) -> NamedTermManager:
        if self._manager is None:
            module = await anyio.to_thread.run_sync(importlib.import_module, "terminado.management")
            if self._manager is None:
                manager = module.NamedTermManager(
                    shell_command=self.shell_command, extra_env=self.extra_env
                )
                manager.log = _QuietLog(log, {})
                self._manager = manager
        return self._manager

    async def _stop(self, record: _Terminal, reason: str, user: str, address: str) -> None:
        if record.ended:
            return
        record.end_reason, record.end_user, record.end_address = reason, user, address
        # A paused pty must be read again, or its end would never be seen.
        record.resume_reading()
        # Listing a session scans /proc: in a thread, not in the event loop.
        await anyio.to_thread.run_sync(hang_up_session, record.pid)
        try:
            # Most shells end on the hangup within milliseconds; terminado's escalation
            # (SIGHUP, SIGCONT, SIGINT, SIGTERM, then SIGKILL) waits 0.1 s between steps.
            for _ in range(_QUICK_EXIT_POLLS):
                if not record.pty.ptyproc.isalive():
                    break
                await asyncio.sleep(_QUICK_EXIT_POLL_S)
            await record.pty.terminate(force=True)
        except OSError as exc:
            log.warning("Stopping terminal %s: %s", record.name, exc)
        # Give the session's other processes a moment to act on the hangup, so that none is
        # still exiting when this returns (or when the server exits after `aclose`).
        for _ in range(_QUICK_EXIT_POLLS):
            if not await anyio.to_thread.run_sync(session_members, record.pid):
                break
            await asyncio.sleep(_QUICK_EXIT_POLL_S)
        if not record.ended:
            # The shell is gone but its end has not been read yet (or a process it left in
            # the background still holds the pty): close the pty now.
            self._force_end(record)

    def _force_end(self, record: _Terminal) -> None:
        manager = self._manager
        if manager is not None and record.pty.ptyproc.fd in manager.ptys_by_fd:
            try:
                manager.on_eof(record.pty)
            except OSError as exc:
                log.warning("Closing terminal %s: %s", record.name, exc)
        for client in list(record.pty.clients):
            client.on_pty_died()

    def _ended(self, record: _Terminal) -> None:
        """The pty of ``record`` reached its end (terminado's ``on_pty_died``)."""
        if record.ended:
            return
        record.ended = True
        record.release()
        if self._terminals.get(record.name) is record:
            del self._terminals[record.name]
        if self._manager is not None and self._manager.terminals.get(record.name) is record.pty:
            del self._manager.terminals[record.name]
        log.info("Terminal %s ended (%s)", record.name, record.end_reason)
        self._emit(
            "end",
            name=record.name,
            reason=record.end_reason,
            user=record.end_user,
            address=record.end_address,
            pid=record.pid,
        )

    def _emit(self, action: str, **fields: object) -> None:
        if self._on_event is not None:
            try:
                self._on_event(action, fields)
            except Exception:  # an observer must not break the terminal
                log.exception("Terminal event handler failed for %s", action)


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name) or set(name) == {"."}:
        raise BadRequest(
            "A terminal name is 1 to 64 letters, digits, '_', '-' or '.' (not only dots)",
            "bad name",
        )
