"""Run notebook cells on the server and write what they produce into the document.

The browser asks to run cells by id, with a hash of the source it saw; the code is read
from the server's document, so what runs is what everyone sees (a collaborator's edit in
between is a 409, not a surprise). Each kernel has one queue and one worker that sends
``execute_request`` in a private client session (replies and ``input_request`` come back
to it, not to a browser), and writes outputs, execution counts and run states into the
document as they arrive. Nobody needs to be connected: closing every browser changes
nothing, and the file gets the outputs at the next autosave, because the room is held
while work is queued or running.

* cells go ``queued`` (outputs cleared, count cleared) -> ``running`` -> ``idle``, the
  execution count and ``idle`` written in one transaction after the reply;
* an error with ``stop_on_error`` sets the cells still queued back to ``idle``; so do an
  interrupt, a restart and the kernel's death (the running cell too);
* ``input()`` is relayed: the pending prompt is published in the document (root Map
  ``carnet``, key ``stdin``) and the first answer through :meth:`DocumentExecutor.input`
  wins.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import shutil
import tempfile
import uuid
from collections import OrderedDict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from carnet.documents.streams import Spill
from carnet.errors import BadRequest, Conflict, NotFound
from carnet.kernels import ConnectionClosed, KernelConnection
from carnet.protocol import FrameError, Message, new_message

if TYPE_CHECKING:
    from carnet.documents.outputs import DocumentOutputs
    from carnet.kernels import KernelService
    from carnet.sessions import SessionManager

__all__ = [
    "ORIGIN",
    "SESSION_PREFIX",
    "DocumentExecutor",
    "FileSpill",
    "SourceMismatch",
    "fnv1a32",
    "is_executor_output",
]

#: Transaction origin of every write made for an execution (no browser undoes them).
ORIGIN = "carnet-execution"

#: Client session ids of the executor's kernel connections start with this.
SESSION_PREFIX = "carnet-exec-"

# IOPub messages that the executor writes into the document: a browser's kernel websocket
# need not carry them for the executor's requests.
_DOCUMENT_OUTPUT = frozenset(
    {
        "stream",
        "display_data",
        "execute_result",
        "error",
        "clear_output",
        "update_display_data",
        "execute_input",
    }
)


def is_executor_output(msg: Message) -> bool:
    """An IOPub output of a request the executor sent (it already reaches the document).

    Status, comm and other messages are not: browsers still show the kernel busy and
    widgets of server-run cells still reach them.
    """
    if msg.channel != "iopub":
        return False
    try:
        if msg.msg_type not in _DOCUMENT_OUTPUT:
            return False
        session = msg.parent_session
    except FrameError:
        return False
    return session is not None and session.startswith(SESSION_PREFIX)


log = logging.getLogger("carnet.documents")

# How often a running cell checks that its kernel was not restarted behind its back.
_KERNEL_CHECK_S = 0.2
# After the reply, how long to wait for the request's IOPub "idle" (its last outputs).
_IDLE_GRACE_S = 5.0
# A worker with nothing to do lets go of its kernel connection after this long.
_WORKER_IDLE_S = 30.0
# Finished requests whose late output still reaches their cell.
_RECENT_RUNS = 64


def fnv1a32(text: str) -> str:
    """FNV-1a 32-bit hash of the UTF-8 bytes of ``text``, as 8 lowercase hex digits."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates: the browser's TextEncoder writes U+FFFD for them, so do the same.
        data = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode()
    h = 0x811C9DC5
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{h:08x}"


class SourceMismatch(Conflict):
    """The cell's source changed since the client hashed it; nothing was queued."""

    def __init__(self, cell_id: str) -> None:
        super().__init__(
            f"The source of cell {cell_id} changed; nothing was run", reason="source_mismatch"
        )
        self.cell_id = cell_id


class FileSpill:
    """A :class:`~carnet.documents.streams.Spill` in a private file, up to ``cap`` bytes."""

    def __init__(self, directory: Path, cap: int = 1 << 30) -> None:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="output-", suffix=".txt", dir=directory)
        self._path = Path(name)
        self._file = open(fd, "w", encoding="utf-8", errors="surrogatepass")  # noqa: SIM115
        self._size = 0
        self._cap = cap

    def write(self, text: str) -> bool:
        size = len(text.encode("utf-8", "surrogatepass"))
        if self._size + size > self._cap:
            return False
        self._file.write(text)
        self._size += size
        return True

    def read(self) -> str:
        self._file.flush()
        return self._path.read_text(encoding="utf-8", errors="surrogatepass")

    def close(self) -> None:
        self._file.close()
        self._path.unlink(missing_ok=True)


class _Room(Protocol):
    """What the executor needs of a ``carnet.documents`` room (see the contract)."""

    @property
    def path(self) -> str: ...

    @property
    def file_id(self) -> str: ...

    @property
    def ynotebook(self) -> Any: ...

    @property
    def doc(self) -> Any: ...

    def hold(self) -> contextlib.AbstractContextManager[Any]: ...


class _Documents(Protocol):
    def get_room(self, file_id: str) -> Any: ...


@dataclass(eq=False)
class _Document:
    """A document with work queued or running (or whose truncated outputs are kept)."""

    room: _Room
    outputs: DocumentOutputs
    jobs: int = 0
    hold: contextlib.ExitStack | None = None


@dataclass(eq=False)
class _Job:
    document: _Document
    cell_id: str
    stop_on_error: bool


@dataclass(eq=False)
class _Stdin:
    request_id: str
    job: _Job
    parent: bytes  # the input_request's header: the parent of the input_reply
    prompt: str
    password: bool


@dataclass(eq=False)
class _Run:
    """What one execute_request has produced so far."""

    msg_id: str
    count: int | None = None
    status: str | None = None
    replied: bool = False
    idle: bool = False
    aborted: bool = False


@dataclass(eq=False)
class _Worker:
    kernel_id: str
    session: str
    queue: deque[_Job] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    conn: KernelConnection | None = None
    running: _Job | None = None
    stdin: _Stdin | None = None
    task: asyncio.Task[None] | None = None
    # Finished requests (msg_id -> job): later output of theirs (from a background thread)
    # still goes to their cell, as JupyterLab shows it.
    recent: OrderedDict[str, _Job] = field(default_factory=OrderedDict)


class DocumentExecutor:
    """Executes cells of server-owned notebook documents (one queue per kernel).

    ``documents`` is the :class:`~carnet.documents.DocumentService` (``get_room``),
    ``kernels``/``sessions`` find and reach the notebook's kernel (the session whose path
    is the document's). ``spill_dir`` keeps the full text of truncated outputs (a private
    temporary directory if None). Call :meth:`aclose` at shutdown.
    """

    def __init__(
        self,
        documents: _Documents,
        kernels: KernelService,
        sessions: SessionManager,
        *,
        spill_dir: Path | None = None,
        flush_interval: float = 0.03,
    ) -> None:
        self._documents = documents
        self._kernels = kernels
        self._sessions = sessions
        self._spill_dir = spill_dir
        self._own_spill_dir: Path | None = None
        self._flush_interval = flush_interval
        self._docs: dict[str, _Document] = {}
        self._workers: dict[str, _Worker] = {}
        self._session_ids: dict[str, str] = {}
        self._closed = False

    # -- public API ----------------------------------------------------------------------

    async def execute(
        self, file_id: str, cells: Sequence[Mapping[str, Any]], stop_on_error: bool = True
    ) -> list[str]:
        """Queue ``cells`` (``[{"id", "source_hash"}]``) of document ``file_id``.

        Returns the ids of the code cells queued. Raises :class:`NotFound` (document or
        cell), :class:`SourceMismatch`, ``Conflict`` (reason ``no_kernel``) or
        ``BadRequest``; in every such case nothing is queued or changed.
        """
        if self._closed:
            raise Conflict("The server is shutting down", reason="shutting_down")
        requested = _parse_cells(cells)
        room = await self._room(file_id)
        kernel_id = self._kernel_for(room)
        document = self._document(file_id, room)
        outputs = document.outputs
        code_cells: list[tuple[str, Any]] = []
        for cell_id, source_hash in requested:
            ycell = outputs.find_cell(cell_id)
            if ycell is None:
                raise NotFound(f"No cell {cell_id} in the document", reason="no_such_cell")
            if fnv1a32(str(ycell.get("source", ""))) != source_hash:
                raise SourceMismatch(cell_id)
            if ycell.get("cell_type") == "code":
                code_cells.append((cell_id, ycell))
        worker = self._worker(kernel_id)
        with room.doc.transaction(origin=ORIGIN):
            for cell_id, ycell in code_cells:
                outputs.clear(cell_id)
                ycell["execution_count"] = None
                ycell["execution_state"] = "queued"
        again = {(file_id, cell_id) for cell_id, _ in code_cells}
        for msg_id, old in list(worker.recent.items()):
            if (old.document.room.file_id, old.cell_id) in again:
                del worker.recent[msg_id]  # its late output must not mix with the new run's
        for cell_id, _ in code_cells:
            self._add_job(worker, _Job(document, cell_id, stop_on_error))
        worker.wake.set()
        return [cell_id for cell_id, _ in code_cells]

    async def interrupt(self, file_id: str) -> None:
        """Empty the queue of the document's kernel and interrupt the kernel."""
        room = await self._room(file_id)
        kernel_id = self._kernel_for(room)
        worker = self._workers.get(kernel_id)
        if worker is not None:
            self._cancel_stdin(worker)
            self._drop_queue(worker)
        with contextlib.suppress(Conflict):  # restarting or dead: nothing to interrupt
            await self._kernels.interrupt(kernel_id)

    async def input(self, file_id: str, request_id: str, value: str) -> None:
        """Answer the pending ``input()`` prompt ``request_id``; the first answer wins."""
        if not isinstance(request_id, str) or not isinstance(value, str):
            raise BadRequest("request_id and value must be strings", reason="bad json")
        for worker in self._workers.values():
            pending = worker.stdin
            if (
                pending is not None
                and pending.request_id == request_id
                and pending.job.document.room.file_id == file_id
            ):
                break
        else:
            raise Conflict("No such input request is pending", reason="not_pending")
        worker.stdin = None  # before any await: a second answer gets the 409
        outputs = pending.job.document.outputs
        self._publish_stdin(pending.job.document, None)
        echo = pending.prompt if pending.password else pending.prompt + value
        outputs.stdin_echo(pending.job.cell_id, echo + "\n")
        reply = new_message(
            "stdin",
            "input_reply",
            {"status": "ok", "value": value},
            session=worker.session,
            parent=pending.parent,
        )
        if worker.conn is not None:
            with contextlib.suppress(ConnectionClosed):
                await worker.conn.send(reply)

    async def full_output(self, file_id: str, cell_id: str, index: int) -> tuple[str, str]:
        """(text, media type) of a truncated output; :class:`NotFound` if there is none."""
        document = self._docs.get(file_id)
        found = document.outputs.full_output(cell_id, index) if document is not None else None
        if found is None:
            raise NotFound("No truncated output there", reason="no_such_output")
        return found

    def state(self, file_id: str) -> dict[str, Any]:
        """Queued and running cells of a document (for diagnostics and tests)."""
        queued: list[str] = []
        running: str | None = None
        for worker in self._workers.values():
            queued += [j.cell_id for j in worker.queue if j.document.room.file_id == file_id]
            if worker.running is not None and worker.running.document.room.file_id == file_id:
                running = worker.running.cell_id
        return {"queued": queued, "running": running}

    async def aclose(self) -> None:
        """Stop every worker (cells back to idle), release the rooms, remove the spills."""
        self._closed = True
        tasks = [w.task for w in self._workers.values() if w.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for document in self._docs.values():
            document.outputs.forget_all()
            if document.hold is not None:
                document.hold.close()
                document.hold = None
        self._docs.clear()
        if self._own_spill_dir is not None:
            shutil.rmtree(self._own_spill_dir, ignore_errors=True)

    # -- documents -----------------------------------------------------------------------

    async def _room(self, file_id: str) -> _Room:
        if not isinstance(file_id, str) or not file_id:
            raise NotFound("No such document", reason="no_such_document")
        room = self._documents.get_room(file_id)
        if inspect.isawaitable(room):
            room = await room
        return room  # type: ignore[no-any-return]

    def _kernel_for(self, room: _Room) -> str:
        kernel_id = self._sessions.kernel_for_path(room.path)
        if kernel_id is None or kernel_id not in self._kernels:
            raise Conflict(f"No kernel runs for {room.path}", reason="no_kernel")
        return kernel_id

    def _document(self, file_id: str, room: _Room) -> _Document:
        document = self._docs.get(file_id)
        if document is not None and document.room is room:
            return document
        if document is not None:
            document.outputs.forget_all()
        document = _Document(
            room,
            _outputs().DocumentOutputs(
                file_id, room.doc, room.ynotebook.ycells, spill=self._new_spill
            ),
        )
        self._docs[file_id] = document
        return document

    def _new_spill(self) -> Spill:
        directory = self._spill_dir
        if directory is None:
            if self._own_spill_dir is None:
                self._own_spill_dir = Path(tempfile.mkdtemp(prefix="carnet-outputs-"))
            directory = self._own_spill_dir
        return FileSpill(directory)

    def _set_cell(self, job: _Job, **values: Any) -> None:
        ycell = job.document.outputs.find_cell(job.cell_id)
        if ycell is None:
            return
        with job.document.room.doc.transaction(origin=ORIGIN):
            for key, value in values.items():
                if ycell.get(key) != value:
                    ycell[key] = value

    def _publish_stdin(self, document: _Document, value: dict[str, Any] | None) -> None:
        set_status = getattr(document.room, "set_status", None)
        if set_status is not None:  # the room's quiet write: a prompt is not an edit to save
            set_status(stdin=value)
            return
        doc = document.room.doc
        from pycrdt import Map

        with doc.transaction(origin=ORIGIN):
            carnet = doc.get("carnet", type=Map)
            if value is not None:
                carnet["stdin"] = value
            elif "stdin" in carnet:
                del carnet["stdin"]

    # -- queue ---------------------------------------------------------------------------

    def _worker(self, kernel_id: str) -> _Worker:
        worker = self._workers.get(kernel_id)
        if worker is None:
            session = self._session_ids.setdefault(kernel_id, f"{SESSION_PREFIX}{uuid.uuid4().hex}")
            worker = self._workers[kernel_id] = _Worker(kernel_id, session)
            worker.task = asyncio.get_running_loop().create_task(
                self._run(worker), name=f"carnet execution on kernel {kernel_id}"
            )
        return worker

    def _add_job(self, worker: _Worker, job: _Job) -> None:
        document = job.document
        if document.jobs == 0:
            stack = contextlib.ExitStack()
            stack.enter_context(document.room.hold())
            document.hold = stack
        document.jobs += 1
        worker.queue.append(job)

    def _end_job(self, job: _Job) -> None:
        """A job is done or dropped: release the room once its last job is."""
        document = job.document
        document.jobs -= 1
        if document.jobs == 0:
            document.outputs.flush()
            if document.hold is not None:
                document.hold.close()
                document.hold = None

    def _drop_queue(self, worker: _Worker) -> None:
        """Set every queued cell back to idle and forget the queue."""
        jobs = list(worker.queue)
        worker.queue.clear()
        for job in jobs:
            still_queued = any(j.cell_id == job.cell_id for j in jobs if j is not job)
            running = worker.running is not None and worker.running.cell_id == job.cell_id
            if not running and not still_queued:
                self._set_cell(job, execution_state="idle")
            self._end_job(job)

    def _cancel_stdin(self, worker: _Worker) -> None:
        if worker.stdin is not None:
            self._publish_stdin(worker.stdin.job.document, None)
            worker.stdin = None

    # -- the worker ----------------------------------------------------------------------

    async def _run(self, worker: _Worker) -> None:
        try:
            while True:
                if not worker.queue:
                    if await self._idle(worker):
                        continue
                    return
                job = worker.queue.popleft()
                worker.running = job
                try:
                    await self._run_job(worker, job)
                finally:
                    job.document.outputs.finish(job.cell_id)
                    ycell = job.document.outputs.find_cell(job.cell_id)
                    if ycell is not None and ycell.get("execution_state") == "running":
                        self._set_cell(job, execution_state="idle")
                    worker.running = None
                    self._cancel_stdin(worker)
                    self._end_job(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Execution on kernel %s failed", worker.kernel_id)
        finally:
            if self._workers.get(worker.kernel_id) is worker:
                del self._workers[worker.kernel_id]
            self._drop_queue(worker)
            if worker.conn is not None:
                worker.conn.close()
                worker.conn = None

    async def _idle(self, worker: _Worker) -> bool:
        """Wait for work (True) or give up after a while (False), reading the mailbox."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _WORKER_IDLE_S
        worker.wake.clear()
        while not worker.queue:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            self._pump(worker)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(worker.wake.wait(), min(1.0, remaining))
        return True

    async def _connection(self, worker: _Worker) -> KernelConnection | None:
        if worker.conn is not None and not worker.conn.closed:
            return worker.conn
        try:
            worker.conn = await self._kernels.connect(worker.kernel_id, worker.session)
        except (NotFound, ConnectionClosed, Conflict):
            return None
        return worker.conn

    def _kernel_pid(self, kernel_id: str) -> int | None:
        try:
            return self._kernels.process_id(kernel_id)
        except NotFound:
            return None

    def _kernel_state(self, kernel_id: str) -> str:
        try:
            return self._kernels.get(kernel_id)["execution_state"]
        except NotFound:
            return "dead"

    async def _run_job(self, worker: _Worker, job: _Job) -> None:
        conn = await self._connection(worker)
        if conn is None or self._kernel_state(worker.kernel_id) in ("restarting", "dead"):
            self._set_cell(job, execution_state="idle")
            self._drop_queue(worker)
            return
        # Looked up after the await: a browser moves a cell by replacing its Map.
        ycell = job.document.outputs.find_cell(job.cell_id)
        if ycell is None or ycell.get("cell_type") != "code":
            return
        code = str(ycell.get("source", ""))
        msg = new_message(
            "shell",
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": True,
                "user_expressions": {},
                "allow_stdin": True,
                "stop_on_error": job.stop_on_error,
            },
            session=worker.session,
            metadata={"cellId": job.cell_id},
        )
        run = _Run(msg.msg_id)
        with job.document.room.doc.transaction(origin=ORIGIN):
            # Empty unless the cell was queued twice: then only the last run's output stays.
            job.document.outputs.clear(job.cell_id)
            self._set_cell(job, execution_state="running")
            # Server-run output is trusted: mark the cell as JupyterLab marks cells it runs.
            metadata = ycell.get("metadata")
            trusted = metadata.get("trusted") if metadata is not None else True
            if trusted is not True and not isinstance(metadata, dict):
                metadata["trusted"] = True
        pid = self._kernel_pid(worker.kernel_id)
        self._pump(worker)  # earlier notices (a restart's status messages) are not about this run
        try:
            await conn.send(msg)
            await self._follow(worker, job, run, pid)
        except ConnectionClosed:
            run.aborted = True
        job.document.outputs.flush()
        if run.aborted:
            self._set_cell(job, execution_state="idle")
            self._drop_queue(worker)
            return
        self._set_cell(job, execution_count=run.count, execution_state="idle")
        worker.recent[run.msg_id] = job
        while len(worker.recent) > _RECENT_RUNS:
            worker.recent.popitem(last=False)
        if run.status == "error" and job.stop_on_error:
            self._drop_queue(worker)

    async def _follow(self, worker: _Worker, job: _Job, run: _Run, pid: int | None) -> None:
        """Handle the request's messages until its reply and its IOPub idle arrived."""
        conn = worker.conn
        assert conn is not None
        loop = asyncio.get_running_loop()
        outputs = job.document.outputs
        flush_at: float | None = None
        check_at = loop.time() + _KERNEL_CHECK_S
        replied_at: float | None = None
        while not (run.replied and run.idle):
            now = loop.time()
            if flush_at is not None and now >= flush_at:
                outputs.flush()
                flush_at = None
            if now >= check_at:
                check_at = now + _KERNEL_CHECK_S
                state = self._kernel_state(worker.kernel_id)
                if state in ("restarting", "dead") or self._kernel_pid(worker.kernel_id) != pid:
                    run.aborted = True
                    return
            if replied_at is not None and now - replied_at > _IDLE_GRACE_S:
                return
            msg = conn.receive_nowait()
            if msg is None:
                deadline = min(check_at, flush_at) if flush_at is not None else check_at
                msg = await _receive(conn, max(0.0, deadline - loop.time()))
                if msg is None:
                    continue
            try:
                self._handle(worker, job, run, msg)
            except FrameError as e:
                log.warning("Dropped a malformed message from kernel %s: %s", worker.kernel_id, e)
            if run.aborted:
                return
            if run.replied and replied_at is None:
                replied_at = loop.time()
            if outputs.dirty and flush_at is None:
                flush_at = loop.time() + self._flush_interval

    def _pump(self, worker: _Worker) -> None:
        """Between runs: write late output of finished runs, discard everything else."""
        conn = worker.conn
        if conn is None:
            return
        with contextlib.suppress(ConnectionClosed):
            while (msg := conn.receive_nowait()) is not None:
                try:
                    self._late(worker, msg)
                except FrameError as e:
                    log.warning("Dropped a malformed message from %s: %s", worker.kernel_id, e)

    def _late(self, worker: _Worker, msg: Message) -> None:
        """Output of a finished run (a background thread's) goes to that run's cell."""
        parent = msg.parent_msg_id
        job = worker.recent.get(parent) if parent is not None else None
        if job is None or msg.channel != "iopub":
            return
        if self._write_output(job, msg.msg_type, _content(msg)):
            job.document.outputs.flush()

    def _handle(self, worker: _Worker, job: _Job, run: _Run, msg: Message) -> None:
        msg_type = msg.msg_type
        if msg.parent_msg_id != run.msg_id:
            if msg.channel == "iopub" and msg_type == "status":
                state = _content(msg).get("execution_state")
                # The server's notices of an automatic restart or of the kernel's death.
                if state in ("restarting", "dead") and not msg.parent_header:
                    run.aborted = True
            else:
                self._late(worker, msg)
            return
        if msg.channel == "shell":
            if msg_type == "execute_reply":
                content = _content(msg)
                run.replied = True
                run.status = str(content.get("status", "ok"))
                count = content.get("execution_count")
                if isinstance(count, int) and not isinstance(count, bool):
                    run.count = count
            return
        if msg.channel == "stdin":
            if msg_type == "input_request":
                self._on_input_request(worker, job, msg)
            return
        if msg.channel != "iopub":
            return
        content = _content(msg)
        if msg_type == "status":
            if content.get("execution_state") == "idle":
                run.idle = True
        elif msg_type == "execute_input":
            count = content.get("execution_count")
            if isinstance(count, int) and not isinstance(count, bool):
                run.count = count
        else:
            self._write_output(job, msg_type, content)

    def _write_output(self, job: _Job, msg_type: str, content: dict[str, Any]) -> bool:
        """Write an IOPub output message into the job's cell; False if it is none."""
        outputs = job.document.outputs
        if msg_type == "stream":
            text = content.get("text")
            if isinstance(text, str):
                outputs.stream(job.cell_id, str(content.get("name", "stdout")), text)
        elif msg_type == "clear_output":
            outputs.clear_output(job.cell_id, wait=bool(content.get("wait", False)))
        elif msg_type == "update_display_data":
            display_id = _outputs().display_id_of(content)
            output = _outputs().output_from_message("display_data", content)
            if display_id is not None and output is not None:
                outputs.update_display(display_id, output)
        else:
            output = _outputs().output_from_message(msg_type, content)
            if output is None:
                return False
            outputs.add(job.cell_id, output, _outputs().display_id_of(content))
        return True

    def _on_input_request(self, worker: _Worker, job: _Job, msg: Message) -> None:
        content = _content(msg)
        pending = _Stdin(
            request_id=msg.msg_id,
            job=job,
            parent=msg.parts[0],
            prompt=str(content.get("prompt", "")),
            password=bool(content.get("password", False)),
        )
        job.document.outputs.flush()
        worker.stdin = pending
        self._publish_stdin(
            job.document,
            {
                "request_id": pending.request_id,
                "cell_id": job.cell_id,
                "prompt": pending.prompt,
                "password": pending.password,
            },
        )


def _outputs() -> Any:
    """``carnet.documents.outputs``, imported on first use (it loads pycrdt)."""
    from carnet.documents import outputs

    return outputs


def _content(msg: Message) -> dict[str, Any]:
    content = msg.content()
    return content if isinstance(content, dict) else {}


async def _receive(conn: KernelConnection, timeout: float) -> Message | None:
    try:
        return await asyncio.wait_for(conn.receive(), timeout)
    except asyncio.TimeoutError:
        return None


def _parse_cells(cells: Any) -> list[tuple[str, str]]:
    if not isinstance(cells, list) or not cells:
        raise BadRequest("'cells' must be a non-empty array", reason="bad json")
    parsed: list[tuple[str, str]] = []
    for cell in cells:
        cell_id = cell.get("id") if isinstance(cell, dict) else None
        source_hash = cell.get("source_hash") if isinstance(cell, dict) else None
        if not isinstance(cell_id, str) or not isinstance(source_hash, str):
            raise BadRequest(
                "each cell must be an object with string 'id' and 'source_hash'",
                reason="bad json",
            )
        parsed.append((cell_id, source_hash.lower()))
    return parsed
