"""Server-owned documents: one shared pycrdt document (room) per open notebook or text file.

`DocumentService` loads rooms from disk, keeps their lineages (SQLite under the data dir),
autosaves them and follows external changes; `NotebookRoom` / `TextRoom` hold the document
and its clients (y-websocket protocol). Executions (`execution`) and bounded outputs
(`outputs`, `streams`) write into notebook rooms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from carnet.documents.service import DocumentService

if TYPE_CHECKING:
    from carnet.documents.room import DocumentRoom, NotebookRoom, TextRoom

__all__ = ["DocumentRoom", "DocumentService", "NotebookRoom", "TextRoom"]


def __getattr__(name: str) -> Any:
    # The rooms import pycrdt (~0.1 s): only when a room is first needed.
    if name in ("DocumentRoom", "NotebookRoom", "TextRoom"):
        from carnet.documents import room

        return getattr(room, name)
    raise AttributeError(name)
