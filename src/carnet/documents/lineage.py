"""Where document lineages persist: file ids and each room's squashed Y state, in SQLite.

One database per user, ``<Jupyter data dir>/carnet/documents.sqlite3``:

- ``files(file_id, path)``: the stable id of a path, kept across renames (the ``fileId`` of
  the collaboration API);
- ``lineages(file_id, kind, epoch, state, content_hash, base_hash)``: the Y state of the
  file's document (``kind`` "notebook" or "file": a notebook can also be open as text) as
  one update, its epoch (the ``sessionId`` clients hold), the hash of the file bytes that
  state corresponds to and the hash of the bytes the file had before (a save stores the
  lineage first, then writes the file: a crash in between leaves the file at ``base_hash``,
  and the state is then that file plus unsaved edits). A room built while the file has one
  of these hashes continues the lineage (same items, same epoch), so browsers that kept their
  copy across a server restart resync without duplicating anything.

The store is small and synchronous (stdlib ``sqlite3``); callers run it in a worker thread.
One connection, guarded by a lock, serves every thread.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from carnet.documents.sqlstore import move_paths, open_db

if TYPE_CHECKING:
    import sqlite3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    file_id TEXT PRIMARY KEY,
    path TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS lineages (
    file_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    epoch TEXT NOT NULL,
    state BLOB NOT NULL,
    content_hash TEXT NOT NULL,
    base_hash TEXT NOT NULL,
    PRIMARY KEY (file_id, kind)
);
"""


@dataclass(frozen=True)
class DiskState:
    """What carnet last read from or wrote to a file: size, mtime and content hash."""

    size: int
    mtime_ns: int
    hash: str


@dataclass(frozen=True)
class Lineage:
    epoch: str
    state: bytes
    content_hash: str
    base_hash: str = ""


class LineageStore:
    """File ids and lineages; ``path=None`` keeps everything in memory (tests)."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = open_db(self._path, _SCHEMA)
        return self._db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # --- file ids -----------------------------------------------------------------------

    def file_id(self, path: str) -> str:
        """The id of ``path``, created on first use."""
        with self._lock:
            db = self._conn()
            row = db.execute("SELECT file_id FROM files WHERE path = ?", (path,)).fetchone()
            if row is not None:
                return str(row[0])
            file_id = str(uuid.uuid4())
            db.execute("INSERT INTO files (file_id, path) VALUES (?, ?)", (file_id, path))
            return file_id

    def path_of(self, file_id: str) -> str | None:
        with self._lock:
            row = (
                self._conn()
                .execute("SELECT path FROM files WHERE file_id = ?", (file_id,))
                .fetchone()
            )
            return None if row is None else str(row[0])

    def rename(self, old: str, new: str) -> None:
        """Follow a rename of a file or a directory (every path below it moves too)."""
        with self._lock:
            move_paths(self._conn(), "files", old, new)

    def forget(self, path: str) -> None:
        """A file or directory was deleted: its ids and lineages go."""
        with self._lock:
            db = self._conn()
            prefix = path + "/"
            where = "path = ? OR substr(path, 1, ?) = ?"
            args = (path, len(prefix), prefix)
            select = f"SELECT file_id FROM files WHERE {where}"  # noqa: S608 (constant text)
            db.execute(f"DELETE FROM lineages WHERE file_id IN ({select})", args)  # noqa: S608
            db.execute(f"DELETE FROM files WHERE {where}", args)  # noqa: S608

    # --- lineages -----------------------------------------------------------------------

    def load(self, file_id: str, kind: str) -> Lineage | None:
        with self._lock:
            row = (
                self._conn()
                .execute(
                    "SELECT epoch, state, content_hash, base_hash FROM lineages "
                    "WHERE file_id = ? AND kind = ?",
                    (file_id, kind),
                )
                .fetchone()
            )
        if row is None:
            return None
        return Lineage(str(row[0]), bytes(row[1]), str(row[2]), str(row[3]))

    def store(self, file_id: str, kind: str, lineage: Lineage) -> None:
        with self._lock:
            self._conn().execute(
                "INSERT OR REPLACE INTO lineages "
                "(file_id, kind, epoch, state, content_hash, base_hash) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    file_id,
                    kind,
                    lineage.epoch,
                    lineage.state,
                    lineage.content_hash,
                    lineage.base_hash,
                ),
            )
