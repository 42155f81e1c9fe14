"""`DocumentService`: the open documents (rooms), their lineages, autosave and external changes.

- A room is loaded by the server from disk before any client joins. If the lineage store
  has the Y state of exactly the bytes on disk, the room continues that lineage (same items,
  same epoch); otherwise it is built from the file, deterministically, with a new epoch.
- Autosave: a changed document is saved ~1 s after the last change, and at least every
  ~10 s while changes keep coming. Saving writes only when the file bytes would differ
  (opening and closing a file leaves it byte-identical), atomically, and never writes an
  emptied or unreadable notebook over the file. Each save stores the lineage.
- External changes: every ~1 s the files of open rooms are compared (size + mtime, then a
  content hash) with what carnet last read or wrote. A change to a document without unsaved
  edits is merged in place (by cell id for notebooks); with unsaved edits the document is
  kept, the disk version goes into a history file and the ``carnet.conflict`` key says so;
  autosave then waits for the user: an explicit save with ``overwrite`` writes the document,
  a document made equal to the file (a reload) clears the conflict.
  Contents API writes, renames and deletes of open files are reported by the contents layer
  (`on_contents_change`): a rename keeps the room under its new path, a delete closes it.
- Lifetime: a room lives while a client is connected or it is held (an execution); an idle
  room is saved and freed after ~60 s. Stopping the service saves every room.
"""

# OS paths stay strings, as in the contents layer.
# ruff: noqa: PTH116

from __future__ import annotations

import hashlib
import logging
import os
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread

from carnet.contents import ContentsManager, atomic_write, normalize_api_path
from carnet.contents.trust import Notary, TrustError
from carnet.documents.codes import CLOSE_DELETED, CLOSE_GOING_AWAY
from carnet.documents.history import (
    DEFAULT_MAX_SIZE,
    DEFAULT_MAX_VERSIONS,
    HistoryStore,
    NotebookHistory,
)
from carnet.documents.lineage import DiskState, Lineage, LineageStore
from carnet.errors import BadRequest, CarnetError, NotFound

if TYPE_CHECKING:
    # pycrdt and jupyter_ydoc load with the first room, not at server start.
    from carnet.documents.room import DocumentRoom, NotebookRoom

NOTEBOOK = "notebook"
FILE = "file"

log = logging.getLogger("carnet.documents")

T = TypeVar("T")

# (format, type) pairs of the collaboration API, and the room kind each opens.
SESSION_TYPES = {("json", "notebook"): NOTEBOOK, ("text", "file"): FILE}

_TICK_S = 0.25


def _iso_now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(os_path: str) -> tuple[bytes, os.stat_result]:
    with open(os_path, "rb") as f:
        st = os.fstat(f.fileno())
        return f.read(), st


class DocumentService:
    """The server's open documents; see the module docstring.

    ``state_dir`` holds the lineage database and the history of disk versions kept aside
    (``None``: in memory, no history files). Delays are in seconds.
    """

    def __init__(
        self,
        contents: ContentsManager,
        state_dir: Path | None,
        *,
        save_delay: float = 1.0,
        max_save_interval: float = 10.0,
        poll_interval: float = 1.0,
        idle_timeout: float = 60.0,
        history_max_size: int = DEFAULT_MAX_SIZE,
        history_max_versions: int = DEFAULT_MAX_VERSIONS,
        notary: Notary | None = None,
    ) -> None:
        self._contents = contents
        # Notebook trust (Jupyter's signatures); None: nothing is signed or checked.
        self.notary = notary
        self._store = LineageStore(state_dir / "documents.sqlite3" if state_dir else None)
        history_store = HistoryStore(
            state_dir / "history.sqlite3" if state_dir else None,
            max_size=history_max_size,
            max_versions=history_max_versions,
        )
        # Every saved version of each notebook (documents.history); flushed on each tick.
        self.history = NotebookHistory(history_store, contents)
        self.history.on_queued = lambda: self._wake.set()
        self._history_dir = state_dir / "history" if state_dir else None
        self.save_delay = save_delay
        self.max_save_interval = max_save_interval
        self.poll_interval = poll_interval
        self.idle_timeout = idle_timeout
        self._rooms: dict[str, DocumentRoom] = {}
        self._loading: dict[str, anyio.Lock] = {}
        self._last_poll: dict[str, float] = {}
        self._check_now: set[str] = set()
        self._pending: list[Callable[[], None]] = []
        self._wake = anyio.Event()

    def __len__(self) -> int:
        return len(self._rooms)

    @property
    def rooms(self) -> list[DocumentRoom]:
        return list(self._rooms.values())

    async def _thread(self, func: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(func)

    # --- opening rooms ---------------------------------------------------------------------

    async def open_session(self, path: str, format: Any, type: Any) -> dict[str, str]:
        """``PUT api/collaboration/session/<path>``: load (or find) the room of ``path``."""
        kind = SESSION_TYPES.get((format, type)) if isinstance(format, str) else None
        if kind is None:
            raise BadRequest(
                'The session body must be {"format": "json", "type": "notebook"} '
                'or {"format": "text", "type": "file"}',
                "bad session",
            )
        path = normalize_api_path(path)
        model = await self._contents.get(path, content=False)
        if model["type"] == "directory":
            raise BadRequest(f"{path} is a directory", "bad type")
        file_id = await self._thread(partial(self._store.file_id, path))
        room = await self._load(kind, file_id, path)
        return {"format": format, "type": type, "fileId": file_id, "sessionId": room.epoch}

    async def get_document(self, file_id: str, kind: str) -> DocumentRoom:
        """The room of ``file_id`` opened as ``kind``, loaded again if it was freed."""
        room = self._rooms.get(f"{kind}:{file_id}")
        if room is not None:
            return room
        path = await self._thread(partial(self._store.path_of, file_id))
        if path is None:
            raise NotFound(f"No document with id {file_id}", "unknown document")
        await self._contents.get(path, content=False)  # confinement, hidden files, existence
        return await self._load(kind, file_id, path)

    async def get_room(self, file_id: str) -> NotebookRoom:
        """The notebook room of ``file_id`` (for executions); NotFound if there is none."""
        from carnet.documents.room import NotebookRoom

        room = await self.get_document(file_id, NOTEBOOK)
        assert isinstance(room, NotebookRoom)
        return room

    def loaded(self, file_id: str) -> list[DocumentRoom]:
        return [r for r in self._rooms.values() if r.file_id == file_id]

    async def _load(self, kind: str, file_id: str, path: str) -> DocumentRoom:
        key = f"{kind}:{file_id}"
        lock = self._loading.setdefault(key, anyio.Lock())
        async with lock:
            room = self._rooms.get(key)
            if room is not None:
                return room
            room = await self._build(kind, file_id, path)
            self._rooms[key] = room
            self._last_poll[key] = time.monotonic()
            self._wake.set()
            log.debug("Opened %s room of %s (epoch %s)", kind, path, room.epoch)
            return room

    async def _build(self, kind: str, file_id: str, path: str) -> DocumentRoom:
        from pycrdt import Map

        from carnet.documents import loaders
        from carnet.documents.room import NotebookRoom, TextRoom

        os_path = str(self._contents.local_path(path))
        try:
            data, st = await self._thread(partial(_read, os_path))
        except FileNotFoundError:
            raise NotFound(f"No such file: {path}") from None
        except IsADirectoryError:
            raise BadRequest(f"{path} is a directory", "bad type") from None
        except OSError as e:
            raise CarnetError(f"Cannot read {path}: {e.strerror}", status=403) from None
        digest = content_hash(data)
        disk = DiskState(st.st_size, st.st_mtime_ns, digest)
        lineage = await self._thread(partial(self._store.load, file_id, kind))
        crlf = False
        signed = False
        if kind == FILE:
            text, crlf = loaders.read_text(data, path)
        # The file as the lineage last saw it, or as it was when a save was cut short.
        restored = lineage is not None and digest in (lineage.content_hash, lineage.base_hash)
        if lineage is not None and restored:
            update, epoch = lineage.state, lineage.epoch
        elif kind == NOTEBOOK:
            nb = await self._thread(partial(loaders.read_notebook, data, path))
            signed = await self._is_signed(nb)
            update = await self._thread(partial(loaders.notebook_update, nb, path))
            epoch = uuid.uuid4().hex
        else:
            update = await self._thread(partial(loaders.text_update, text, path))
            epoch = uuid.uuid4().hex
        room: DocumentRoom
        if kind == NOTEBOOK:
            room = NotebookRoom(file_id, path, epoch, update, disk, self._changed)
            if restored:
                with room.server_write(quiet=True):
                    loaders.reset_run_state(room.ynotebook)
                # Trusted since (``jupyter trust``)? Cells run here keep their mark anyway.
                if not room.code_cells_trusted() and await self._is_signed_data(data):
                    room.mark_trusted(True)
            else:
                room.mark_trusted(signed)
        else:
            room = TextRoom(file_id, path, epoch, update, disk, self._changed, crlf=crlf)
        room.set_status(stdin=None)
        if room.doc.get("state", type=Map).get("path") != path:
            room.set_path(path)
        if kind == NOTEBOOK:
            self.history.record_soon(path, data)  # the version it was opened from
        if not restored:
            await self._store_lineage(room)
        elif lineage is not None and digest != lineage.content_hash:
            # A save was interrupted: the document has edits the file lacks.
            room.dirty = True
            room.first_change = room.last_change = time.monotonic()
        return room

    def _changed(self, room: DocumentRoom) -> None:
        """A document changed (called inside its transaction: only bookkeeping here)."""

    # --- trust (Jupyter's notebook signatures) -------------------------------------------------

    async def _is_signed(self, nb: Any) -> bool:
        notary = self.notary
        if notary is None:
            return False
        return await self._thread(partial(notary.is_signed, nb))

    async def _is_signed_data(self, data: bytes) -> bool:
        notary = self.notary
        if notary is None:
            return False
        try:
            return await self._thread(partial(notary.is_signed_bytes, data))
        except TrustError:
            return False

    async def _mark_from_disk(self, room: DocumentRoom, data: bytes) -> None:
        """After the file replaced the document: trusted cells iff the file is signed."""
        from carnet.documents.room import NotebookRoom

        if isinstance(room, NotebookRoom):
            room.mark_trusted(await self._is_signed_data(data))

    async def _sign_saved(self, room: DocumentRoom, data: bytes) -> None:
        """A saved notebook whose cells are all trusted is signed (jupyter_server's rule)."""
        from carnet.documents.room import NotebookRoom

        notary = self.notary
        if notary is None or not isinstance(room, NotebookRoom) or not room.encoded_trusted:
            return
        try:
            await self._thread(partial(notary.sign_bytes, data))
        except Exception:
            log.exception("Could not sign %s", room.path)

    async def trust_status(self, path: str) -> dict[str, Any]:
        """``GET api/trust/<path>``: whether the notebook file's signature checks."""
        path, data = await self._notebook_file(path)
        notary = self._require_notary()
        try:
            signed = await self._thread(partial(notary.is_signed_bytes, data))
        except TrustError as e:
            raise CarnetError(f"{path} is {e}", "not a notebook", status=422) from None
        return {"path": path, "trusted": signed}

    async def trust(self, path: str) -> dict[str, Any]:
        """``POST api/trust/<path>``: the user trusts the notebook ("Trust Notebook").

        Every code cell of its open document is marked trusted (open pages re-render their
        outputs at once), the document is saved, and the file is signed.
        """
        from carnet.documents.room import NotebookRoom

        path, data = await self._notebook_file(path)
        notary = self._require_notary()
        try:
            await self._thread(partial(notary.parse, data))
        except TrustError as e:
            raise CarnetError(f"{path} is {e}", "not a notebook", status=422) from None
        for room in list(self._rooms.values()):
            if isinstance(room, NotebookRoom) and room.path == path and not room.deleted:
                async with room.lock:
                    room.mark_trusted(True)
                    await self._save_locked(room)
                    await self._store_lineage(room)
        path, data = await self._notebook_file(path)
        try:
            await self._thread(partial(notary.sign_bytes, data))
        except TrustError as e:
            raise CarnetError(f"{path} is {e}", "not a notebook", status=422) from None
        except OSError as e:
            raise CarnetError(f"Could not sign {path}: {e}", "not signed", status=500) from None
        return {"path": path, "trusted": True}

    async def notebook_bytes(self, path: str) -> bytes | None:
        """The file bytes of the open notebook document of ``path`` (None if none is open)."""
        from carnet.documents.room import NotebookRoom

        path = normalize_api_path(path)
        for room in list(self._rooms.values()):
            if isinstance(room, NotebookRoom) and room.path == path and not room.deleted:
                async with room.lock:
                    return await room.file_bytes()
        return None

    def _require_notary(self) -> Notary:
        if self.notary is None:
            raise CarnetError("Notebook trust is not available", "no trust", status=501)
        return self.notary

    async def _notebook_file(self, path: str) -> tuple[str, bytes]:
        path = normalize_api_path(path)
        model = await self._contents.get(path, content=False)  # confinement, hidden, existence
        if model["type"] != "notebook":
            raise BadRequest(f"{path} is not a notebook", "not a notebook")
        os_path = str(self._contents.local_path(path))
        try:
            data, _ = await self._thread(partial(_read, os_path))
        except FileNotFoundError:
            raise NotFound(f"No such file: {path}") from None
        except OSError as e:
            raise CarnetError(f"Cannot read {path}: {e.strerror}", status=403) from None
        return path, data

    # --- saving ------------------------------------------------------------------------------

    async def _store_lineage(self, room: DocumentRoom, writing: str | None = None) -> None:
        """Store the room's state; ``writing``: the hash of bytes about to be written."""
        content = room.disk.hash if writing is None else writing
        lineage = Lineage(room.epoch, room.state_update(), content, room.disk.hash)
        try:
            await self._thread(partial(self._store.store, room.file_id, room.kind, lineage))
        except Exception:
            log.exception("Could not store the lineage of %s", room.path)

    async def _unsaved(self, room: DocumentRoom) -> bool:
        """Whether the document differs from the file as carnet last saw it."""
        data = await room.file_bytes()
        return data is not None and content_hash(data) != room.disk.hash

    async def save(self, room: DocumentRoom, *, overwrite: bool = False) -> bool:
        """Save ``room`` if its bytes differ from the file's; True if it wrote.

        While the room has a conflict (the file changed on disk during unsaved edits),
        autosave pauses until the user decides: ``overwrite`` writes the document anyway.
        """
        async with room.lock:
            return await self._save_locked(room, overwrite=overwrite)

    async def _save_locked(self, room: DocumentRoom, *, overwrite: bool = False) -> bool:
        if room.deleted or ("conflict" in room.carnet and not overwrite):
            return False
        room.dirty = False
        try:
            data = await room.file_bytes()
        except CarnetError as e:
            room.set_status(last_error=f"Not saved: {e.message}")
            return False
        if data is None:
            room.set_status(
                last_error="Not saved: the document is empty or damaged and the file is not."
            )
            log.warning("Not saving %s: the document looks empty or damaged", room.path)
            return False
        digest = content_hash(data)
        if digest == room.disk.hash:
            # Changed and back (or only run states changed): the file already has it.
            room.set_status(conflict=None, saved=_iso_now())
            return False
        os_path = str(self._contents.local_path(room.path))
        current = await self._disk_version(room, os_path)
        if current is not None and current[0].hash != room.disk.hash:
            # Changed on disk since carnet saw it, and the document changed too: keep both.
            await self._keep_disk_version(room, current[1])
            room.disk = current[0]
            if not overwrite:
                return False
        await self._store_lineage(room, writing=digest)
        try:
            await self._thread(partial(atomic_write, os_path, data))
            st = os.stat(os_path)
        except OSError as e:
            room.set_status(last_error=f"Not saved: {e.strerror or e}")
            log.warning("Could not save %s: %s", room.path, e)
            room.dirty = True
            return False
        room.disk = DiskState(st.st_size, st.st_mtime_ns, digest)
        if room.kind == NOTEBOOK:
            self.history.record_soon(room.path, data)
        room.saved()
        room.set_status(saved=_iso_now(), last_error=None, conflict=None)
        await self._sign_saved(room, data)
        return True

    async def _disk_version(
        self, room: DocumentRoom, os_path: str
    ) -> tuple[DiskState, bytes] | None:
        """The file's state now (None if it is missing); bytes only when it changed."""
        try:
            st = os.stat(os_path)
        except OSError:
            return None
        if (st.st_size, st.st_mtime_ns) == (room.disk.size, room.disk.mtime_ns):
            return room.disk, b""
        try:
            data, st = await self._thread(partial(_read, os_path))
        except OSError:
            return None
        return DiskState(st.st_size, st.st_mtime_ns, content_hash(data)), data

    async def _keep_disk_version(self, room: DocumentRoom, data: bytes) -> None:
        if room.kind == NOTEBOOK:
            self.history.record_soon(room.path, data)
        history = ""
        if self._history_dir is not None:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
            target = self._history_dir / room.file_id / f"{stamp}-{Path(room.path).name}"

            def write() -> None:
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, data)

            try:
                await self._thread(write)
                history = str(target)
            except OSError:
                log.exception("Could not keep the disk version of %s", room.path)
        message = (
            f"{room.path} changed on disk while it had unsaved changes here. "
            "This version is kept; the version from disk is in the history."
        )
        room.set_status(conflict={"message": message, "history_path": history})
        log.warning("%s changed on disk during unsaved edits; disk version kept at %s",
                    room.path, history or "(nowhere)")  # fmt: skip

    async def save_now(self, file_id: str, *, overwrite: bool = False) -> dict[str, Any]:
        """``POST api/documents/<id>/save``: save every room of the file and checkpoint it.

        If the file changed on disk while the document had unsaved edits, nothing is saved
        (unless ``overwrite``) and the answer carries ``conflict`` (a 200: browsers log every
        4xx as an error, and this is a question for the user, not a failure).
        """
        rooms = self.loaded(file_id)
        path = rooms[0].path if rooms else await self._thread(partial(self._store.path_of, file_id))
        if path is None:
            raise NotFound(f"No document with id {file_id}", "unknown document")
        for room in rooms:
            await self.check_disk(room)
            conflict = room.carnet.get("conflict")
            if isinstance(conflict, dict) and not overwrite:
                model = await self._contents.get(path, content=False)
                return {"last_modified": model["last_modified"], "checkpoint": None,
                        "conflict": dict(conflict)}  # fmt: skip
            await self.save(room, overwrite=overwrite)
            error = room.carnet.get("last_error")
            if isinstance(error, str) and error:
                raise CarnetError(error, "not saved", status=409)
        checkpoint = await self._contents.create_checkpoint(path)
        model = await self._contents.get(path, content=False)
        return {"last_modified": model["last_modified"], "checkpoint": checkpoint}

    async def revert(self, file_id: str, checkpoint_id: str | None = None) -> dict[str, Any]:
        """``POST api/documents/<id>/revert``: put a checkpoint back into the file and rooms."""
        rooms = self.loaded(file_id)
        path = rooms[0].path if rooms else await self._thread(partial(self._store.path_of, file_id))
        if path is None:
            raise NotFound(f"No document with id {file_id}", "unknown document")
        if checkpoint_id is None:
            checkpoints = await self._contents.list_checkpoints(path)
            if not checkpoints:
                raise NotFound(f"{path} has no checkpoint", "no checkpoint")
            checkpoint_id = str(checkpoints[0]["id"])
        await self._contents.restore_checkpoint(path, checkpoint_id)
        os_path = str(self._contents.local_path(path))
        data, st = await self._thread(partial(_read, os_path))
        disk = DiskState(st.st_size, st.st_mtime_ns, content_hash(data))
        for room in rooms:
            async with room.lock:
                room.reload(data)
                await self._mark_from_disk(room, data)
                room.disk = disk
                room.dirty = False
                room.saved()
                room.set_status(conflict=None, last_error=None, saved=_iso_now())
                await self._store_lineage(room)
        model = await self._contents.get(path, content=False)
        return {"last_modified": model["last_modified"], "checkpoint_id": checkpoint_id}

    # --- external changes ------------------------------------------------------------------

    async def check_disk(self, room: DocumentRoom) -> None:
        """Compare the file with what carnet last saw; merge or keep both (module docstring)."""
        async with room.lock:
            if room.deleted:
                return
            os_path = str(self._contents.local_path(room.path))
            current = await self._disk_version(room, os_path)
            if current is None:
                if not await self._unsaved(room):
                    log.info("%s disappeared from disk; closing its document", room.path)
                    self._drop(room, CLOSE_DELETED, "file deleted")
                return
            disk, data = current
            if disk.hash == room.disk.hash:
                room.disk = disk
                return
            if await self._unsaved(room):
                # Autosave now waits for the user (save with overwrite, or a reload).
                await self._keep_disk_version(room, data)
                room.disk = disk
                return
            try:
                room.reload(data)
            except CarnetError as e:
                # Perhaps an editor is half-way through writing it: look again next time.
                room.set_status(last_error=f"The file on disk is not readable: {e.message}")
                return
            await self._mark_from_disk(room, data)
            room.disk = disk
            room.dirty = False
            room.saved()
            room.set_status(conflict=None, last_error=None)
            if room.kind == NOTEBOOK:
                self.history.record_soon(room.path, data)
            await self._store_lineage(room)

    def on_contents_change(self, action: str, fields: dict[str, Any]) -> None:
        """The contents layer's hook (on the event loop): follow writes, renames, deletes."""
        path = fields.get("path")
        if not isinstance(path, str):
            return
        path = normalize_api_path(path)
        source = fields.get("source_path")

        def under(candidate: str, root: str) -> bool:
            return candidate == root or candidate.startswith(root + "/")

        if isinstance(source, str):
            source = normalize_api_path(source)
        self.history.on_contents_change(action, path, source if isinstance(source, str) else None)
        if action == "rename" and isinstance(source, str):
            for room in self._rooms.values():
                if under(room.path, source):
                    room.set_path(path + room.path[len(source) :])
            self._pending.append(partial(self._store.rename, source, path))
        elif action == "delete":
            for room in list(self._rooms.values()):
                if under(room.path, path):
                    self._drop(room, CLOSE_DELETED, "file deleted")
            self._pending.append(partial(self._store.forget, path))
        elif action == "save":
            self._check_now.update(r.key for r in self._rooms.values() if r.path == path)
        self._wake.set()

    def _drop(self, room: DocumentRoom, code: int, reason: str) -> None:
        room.deleted = True
        room.close_all(code, reason)
        room.dispose()
        self._rooms.pop(room.key, None)
        self._last_poll.pop(room.key, None)

    # --- the background task -----------------------------------------------------------------

    async def run(self) -> None:
        """Autosave, disk polling and freeing idle rooms; cancelled at shutdown (saves all)."""
        try:
            while True:
                busy = self._rooms or self._pending or self.history.pending
                with anyio.move_on_after(_TICK_S if busy else None):
                    await self._wake.wait()
                self._wake = anyio.Event()
                await self._tick()
        finally:
            with anyio.CancelScope(shield=True):
                await self.close()

    async def _tick(self) -> None:
        pending, self._pending = self._pending, []
        for job in pending:
            try:
                await self._thread(job)
            except Exception:
                log.exception("Updating the document ids failed")
        await self.history.flush()
        now = time.monotonic()
        for room in list(self._rooms.values()):
            try:
                await self._tend(room, now)
            except Exception:
                log.exception("Document upkeep failed for %s", room.path)

    async def _tend(self, room: DocumentRoom, now: float) -> None:
        if "conflict" in room.carnet and not await self._unsaved(room):
            room.set_status(conflict=None)  # the user took the disk version
        if room.dirty and (
            now - room.last_change >= self.save_delay
            or now - room.first_change >= self.max_save_interval
        ):
            await self.save(room)
        key = room.key
        if key in self._check_now or now - self._last_poll.get(key, 0.0) >= self.poll_interval:
            self._check_now.discard(key)
            self._last_poll[key] = now
            await self.check_disk(room)
        idle = not room.in_use and now - room.idle_since >= self.idle_timeout
        if idle and not room.deleted and "conflict" not in room.carnet:
            await self._free(room)

    async def _free(self, room: DocumentRoom) -> None:
        async with room.lock:
            await self._save_locked(room)
            if room.in_use or room.deleted:
                return
            await self._store_lineage(room)
            self._drop(room, CLOSE_GOING_AWAY, "document closed")
            room.deleted = False
            log.debug("Freed the idle room of %s", room.path)

    async def close(self) -> None:
        """Save every room, close its clients (1001) and the lineage store."""
        for room in list(self._rooms.values()):
            try:
                async with room.lock:
                    await self._save_locked(room)
                    await self._store_lineage(room)
            except Exception:
                log.exception("Saving %s at shutdown failed", room.path)
            room.close_all(CLOSE_GOING_AWAY, "server shutting down")
            room.dispose()
        self._rooms.clear()
        self._store.close()
        try:
            await self.history.aclose()
        except Exception:
            log.exception("Closing the notebook history failed")
