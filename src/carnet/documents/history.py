"""Notebook history: the saved versions of every notebook, in SQLite under the data dir.

One database per user, ``<Jupyter data dir>/carnet/history.sqlite3``, one table:
``versions(id, path, time, size, stored, hash, data)``: the file's bytes as saved
(``data``, zlib-compressed; ``size`` before and ``stored`` after compression), their sha256
and the time of the save. Ids grow and are never reused, so a client holding one never
gets another version by it.

What goes in: every autosave and explicit save of a notebook document, the file a notebook
document was opened from, versions found on disk (external changes, a conflict's disk
version) and Contents API saves of ``.ipynb`` files (including checkpoint restores). A
version equal to the latest one of its path is skipped. Renames move a file's history
with it (a folder's too); a delete forgets it.

The history is bounded: after each version, the oldest versions (of any notebook) go until
the stored total is at most ``max_size`` bytes, and the oldest of the notebook until it has
at most ``max_versions``; the newest version of the notebook just saved always stays.
``max_size=0`` turns the history off.

`NotebookHistory` queues writes from the event loop (``record_soon``, ``on_contents_change``)
and runs them, in order, in a worker thread (``flush``; the document service flushes on each
tick and at shutdown). Reads flush first, so a client sees every save answered before its
request. A failing write is logged, never raised to a save.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread

from carnet.contents import normalize_api_path
from carnet.documents.sqlstore import move_paths, open_db
from carnet.errors import BadRequest, CarnetError, NotFound, ServiceUnavailable

if TYPE_CHECKING:
    import sqlite3

    from carnet.contents import ContentsManager

T = TypeVar("T")

log = logging.getLogger("carnet.documents.history")

DEFAULT_MAX_SIZE = 200 * 1024 * 1024
DEFAULT_MAX_VERSIONS = 500
# Notebooks saved through the Contents API up to this size are read on the event loop.
_INLINE_READ_MAX = 1024 * 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL,
    time REAL NOT NULL,
    size INTEGER NOT NULL,
    stored INTEGER NOT NULL,
    hash TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_by_path ON versions (path, id);
"""


def is_notebook_path(path: str) -> bool:
    return path.endswith(".ipynb")


def iso_time(stamp: float) -> str:
    moment = datetime.fromtimestamp(stamp, timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Version:
    id: int
    path: str
    time: float
    size: int

    def model(self) -> dict[str, Any]:
        return {"id": self.id, "path": self.path, "time": iso_time(self.time), "size": self.size}


class HistoryStore:
    """The versions table; ``path=None`` keeps everything in memory (tests).

    Synchronous (stdlib ``sqlite3``): callers run it in a worker thread. One connection,
    guarded by a lock, serves every thread.
    """

    def __init__(
        self,
        path: Path | None,
        *,
        max_size: int = DEFAULT_MAX_SIZE,
        max_versions: int = DEFAULT_MAX_VERSIONS,
    ) -> None:
        self._path = path
        self.max_size = max_size
        self.max_versions = max_versions
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            # Pages freed by eviction go back to the file system (set before the first table).
            self._db = open_db(self._path, _SCHEMA, first=["PRAGMA auto_vacuum=INCREMENTAL"])
        return self._db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def record(self, path: str, data: bytes, when: float | None = None) -> int | None:
        """Store ``data`` as the newest version of ``path``; its id, or None if skipped."""
        if self.max_size <= 0:
            return None
        digest = hashlib.sha256(data).hexdigest()
        packed = zlib.compress(data, 6)
        with self._lock:
            db = self._conn()
            latest = db.execute(
                "SELECT hash FROM versions WHERE path = ? ORDER BY id DESC LIMIT 1", (path,)
            ).fetchone()
            if latest is not None and latest[0] == digest:
                return None
            db.execute("BEGIN")
            try:
                cursor = db.execute(
                    "INSERT INTO versions (path, time, size, stored, hash, data) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (path, time.time() if when is None else when, len(data), len(packed),
                     digest, packed),
                )  # fmt: skip
                new_id = int(cursor.lastrowid or 0)
                self._evict(db, path, new_id)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("PRAGMA incremental_vacuum")
            return new_id

    def _evict(self, db: sqlite3.Connection, path: str, keep: int) -> None:
        """Oldest first: the path's versions beyond ``max_versions``, then any beyond the size."""
        if self.max_versions > 0:
            db.execute(
                "DELETE FROM versions WHERE path = ? AND id NOT IN "
                "(SELECT id FROM versions WHERE path = ? ORDER BY id DESC LIMIT ?)",
                (path, path, self.max_versions),
            )
        total = int(db.execute("SELECT COALESCE(SUM(stored), 0) FROM versions").fetchone()[0])
        if total <= self.max_size:
            return
        doomed: list[int] = []
        for version_id, stored in db.execute("SELECT id, stored FROM versions ORDER BY id"):
            if total <= self.max_size:
                break
            if version_id == keep:
                continue
            doomed.append(int(version_id))
            total -= int(stored)
        db.executemany("DELETE FROM versions WHERE id = ?", [(i,) for i in doomed])

    def versions(self, path: str) -> list[Version]:
        """The versions of ``path``, newest first."""
        with self._lock:
            rows = (
                self._conn()
                .execute(
                    "SELECT id, path, time, size FROM versions WHERE path = ? ORDER BY id DESC",
                    (path,),
                )
                .fetchall()
            )
        return [Version(int(r[0]), str(r[1]), float(r[2]), int(r[3])) for r in rows]

    def version(self, path: str, version_id: int) -> tuple[Version, bytes] | None:
        """One version of ``path`` and its bytes; None if ``path`` has no such version."""
        with self._lock:
            row = (
                self._conn()
                .execute(
                    "SELECT id, path, time, size, data FROM versions WHERE id = ? AND path = ?",
                    (version_id, path),
                )
                .fetchone()
            )
        if row is None:
            return None
        return Version(int(row[0]), str(row[1]), float(row[2]), int(row[3])), zlib.decompress(
            row[4]
        )

    def total_size(self) -> int:
        with self._lock:
            row = self._conn().execute("SELECT COALESCE(SUM(stored), 0) FROM versions").fetchone()
        return int(row[0])

    def rename(self, old: str, new: str) -> None:
        """Follow a rename of a file or a folder (every path below it moves too)."""
        with self._lock:
            move_paths(self._conn(), "versions", old, new)

    def forget(self, path: str) -> None:
        """A file or folder was deleted: its history goes."""
        prefix = path + "/"
        with self._lock:
            self._conn().execute(
                "DELETE FROM versions WHERE path = ? OR substr(path, 1, ?) = ?",
                (path, len(prefix), prefix),
            )


def _read_file(os_path: Path) -> bytes | None:
    try:
        return os_path.read_bytes()
    except OSError:
        return None


class NotebookHistory:
    """The history as the server uses it: queued writes and checked reads (module docstring)."""

    def __init__(self, store: HistoryStore, contents: ContentsManager) -> None:
        self._store = store
        self._contents = contents
        self._queue: list[Callable[[], object]] = []
        self._lock = anyio.Lock()
        self._failed = False
        # Called when a write is queued (the document service wakes up to flush it).
        self.on_queued: Callable[[], None] = lambda: None

    @property
    def enabled(self) -> bool:
        return self._store.max_size > 0

    @property
    def pending(self) -> bool:
        return bool(self._queue)

    def _queue_job(self, job: Callable[[], object]) -> None:
        if not self.enabled:
            return
        self._queue.append(job)
        self.on_queued()

    def record_soon(self, path: str, data: bytes) -> None:
        """Queue ``data`` as a version of the notebook ``path`` (event loop only)."""
        if is_notebook_path(path):
            self._queue_job(partial(self._store.record, path, data, time.time()))

    def on_contents_change(self, action: str, path: str, source: str | None) -> None:
        """A Contents API write (event loop): record saved notebooks, follow renames, deletes."""
        if action == "save" and is_notebook_path(path) and self.enabled:
            when = time.time()
            try:
                os_path = self._contents.local_path(path)
                size = os_path.stat().st_size
            except (CarnetError, OSError):
                return
            if size <= _INLINE_READ_MAX:
                # Read now (faster than a thread hop), before another save replaces the file.
                data = _read_file(os_path)
                if data is not None:
                    self._queue_job(partial(self._store.record, path, data, when))
                return

            def record() -> None:
                data = _read_file(os_path)
                if data is not None:
                    self._store.record(path, data, when)

            self._queue_job(record)
        elif action == "rename" and source is not None:
            self._queue_job(partial(self._store.rename, source, path))
        elif action == "delete":
            self._queue_job(partial(self._store.forget, path))

    async def flush(self) -> None:
        """Run the queued writes, in order, in a worker thread; failures are logged."""
        async with self._lock:
            while self._queue:
                jobs, self._queue = self._queue, []

                def run(jobs: list[Callable[[], object]] = jobs) -> None:
                    for job in jobs:
                        try:
                            job()
                        except Exception as e:
                            if self._failed:  # said once with the details: now one line
                                log.warning("Writing the notebook history failed: %s", e)
                            else:
                                log.exception("Writing the notebook history failed")
                            self._failed = True
                        else:
                            self._failed = False

                await anyio.to_thread.run_sync(run)

    async def aclose(self) -> None:
        await self.flush()
        await anyio.to_thread.run_sync(self._store.close)

    # --- reading (the HTTP API) -------------------------------------------------------------

    async def _checked(self, path: str) -> str:
        path = normalize_api_path(path)
        # Confinement, hidden files, existence: as the Contents API sees the path.
        model = await self._contents.get(path, content=False)
        if model["type"] == "directory":
            raise BadRequest(f"{path} is a directory", "bad type")
        if not is_notebook_path(path):
            raise BadRequest(f"History is kept for notebooks (.ipynb) only, not {path}", "bad type")
        await self.flush()
        return path

    async def _read(self, func: Callable[[], T]) -> T:
        import sqlite3

        try:
            return await anyio.to_thread.run_sync(func)
        except (OSError, sqlite3.Error) as e:
            log.warning("Reading the notebook history failed: %s", e)
            raise ServiceUnavailable(
                f"The notebook history cannot be read: {e}", "history unavailable"
            ) from None

    async def versions(self, path: str) -> dict[str, Any]:
        """``{path, versions: [{id, path, time, size}]}``, newest first."""
        path = await self._checked(path)
        found = await self._read(partial(self._store.versions, path))
        return {"path": path, "versions": [v.model() for v in found]}

    async def version(self, path: str, version_id: str) -> dict[str, Any]:
        """One version: ``{id, path, time, size, content}`` (nbformat v4 JSON)."""
        if not version_id.isdigit() or len(version_id) > 18:
            raise BadRequest(f"Bad version id {version_id!r}: expected an integer", "bad version")
        path = await self._checked(path)
        found = await self._read(partial(self._store.version, path, int(version_id)))
        if found is None:
            raise NotFound(f"{path} has no version {version_id}", "unknown version")
        version, data = found

        def parse() -> dict[str, Any]:
            from carnet.contents.notebooks import parse_notebook

            try:
                nb, _ = parse_notebook(data, path)
            except CarnetError:
                raise CarnetError(
                    f"Version {version_id} of {path} is not a readable notebook",
                    "unreadable",
                    status=422,
                ) from None
            return dict(nb)

        content = await anyio.to_thread.run_sync(parse)
        return {**version.model(), "content": content}
