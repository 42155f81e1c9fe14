"""carnet's SQLite stores (lineages, history): opening them, and path columns that follow
renames of files and folders. ``sqlite3`` is imported on first use: the server starts
without it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import sqlite3

# The tables whose `path` column holds API paths (a closed set: never built from input).
Table = Literal["files", "versions"]


def open_db(path: Path | None, schema: str, first: Sequence[str] = ()) -> sqlite3.Connection:
    """The database at ``path`` (in memory if None) with ``schema`` applied after the
    ``first`` statements; a damaged file is moved aside (``.damaged``) and started over:
    it only costs what the store remembers."""
    import sqlite3

    def connect(target: str) -> sqlite3.Connection:
        db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        for statement in first:
            db.execute(statement)
        db.executescript(schema)
        return db

    if path is None:
        db = connect(":memory:")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = connect(str(path))
        except sqlite3.DatabaseError:
            path.replace(path.with_suffix(".damaged"))
            db = connect(str(path))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def move_paths(db: sqlite3.Connection, table: Table, old: str, new: str) -> None:
    """In one transaction: rows at ``new`` (or below it) go, rows at ``old`` and below move."""
    db.execute("BEGIN")
    try:
        # Whatever the new path had belonged to a file that is gone.
        db.execute(f"DELETE FROM {table} WHERE path = ? OR substr(path, 1, ?) = ?",  # noqa: S608
                   (new, len(new) + 1, new + "/"))  # fmt: skip
        db.execute(f"UPDATE {table} SET path = ? WHERE path = ?", (new, old))  # noqa: S608
        prefix = old + "/"
        db.execute(
            f"UPDATE {table} SET path = ? || substr(path, ?) WHERE substr(path, 1, ?) = ?",  # noqa: S608
            (new + "/", len(prefix) + 1, len(prefix), prefix),
        )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
