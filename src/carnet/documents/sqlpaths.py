"""Path columns of carnet's SQLite stores following renames of files and folders."""

from __future__ import annotations

import sqlite3
from typing import Literal

# The tables whose `path` column holds API paths (a closed set: never built from input).
Table = Literal["files", "versions"]


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
