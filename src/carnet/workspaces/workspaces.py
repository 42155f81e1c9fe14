"""Workspaces: the IDE's layout and open tabs, per user, in JupyterLab's format.

A workspace is ``{"data": {...}, "metadata": {"id": ..., ...}}``; ``data`` is opaque to the
server (the frontend owns its keys). As in jupyterlab_server, a workspace that was never saved
reads as empty rather than 404, ``metadata.id`` must name the workspace being written (an
optional leading ``/`` is accepted), and ``created``/``last_modified`` come from the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio.to_thread

from carnet.errors import BadRequest, NotFound, PayloadTooLarge
from carnet.workspaces._files import file_times, read_text, user_dir, write_atomic

__all__ = ["WORKSPACE_ID", "WorkspaceStore"]

# Jupyter's rule ("ASCII letters, digits, hyphen-minuses and underscores"), plus inner dots.
WORKSPACE_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}")
_SUFFIX = ".jupyterlab-workspace"
DEFAULT_MAX_BYTES = 4 * 1024 * 1024


def check_workspace_id(workspace_id: str) -> str:
    if not WORKSPACE_ID.fullmatch(workspace_id):
        raise BadRequest(
            f"Invalid workspace id {workspace_id[:140]!r}: use letters, digits, '-', '_' and '.'",
            "bad workspace id",
        )
    return workspace_id


class WorkspaceStore:
    """Workspaces under ``root/<user>/<id>.jupyterlab-workspace``.

    ``max_bytes`` bounds one workspace document (413 beyond it): layouts are small, and a
    runaway client must not fill the disk.
    """

    def __init__(self, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def _path(self, username: str, workspace_id: str) -> Path:
        return user_dir(self.root, username) / (check_workspace_id(workspace_id) + _SUFFIX)

    async def get(self, username: str, workspace_id: str) -> dict[str, Any]:
        """The workspace, or an empty one (``{"data": {}, "metadata": {"id"}}``) if never saved."""
        path = self._path(username, workspace_id)
        return await anyio.to_thread.run_sync(_load, path, workspace_id)

    async def list(self, username: str) -> dict[str, Any]:
        """``{"workspaces": {"ids": [...], "values": [...]}}``, sorted by id."""
        folder = user_dir(self.root, username)

        def scan() -> dict[str, Any]:
            ids: list[str] = []
            values: list[dict[str, Any]] = []
            try:
                names = sorted(p.name for p in folder.iterdir() if p.name.endswith(_SUFFIX))
            except FileNotFoundError:
                names = []
            for name in names:
                workspace_id = name[: -len(_SUFFIX)]
                if not WORKSPACE_ID.fullmatch(workspace_id):
                    continue
                value = _load(folder / name, workspace_id)
                ids.append(str(value["metadata"].get("id", workspace_id)))
                values.append(value)
            return {"workspaces": {"ids": ids, "values": values}}

        return await anyio.to_thread.run_sync(scan)

    async def save(self, username: str, workspace_id: str, body: bytes) -> None:
        """Replace the workspace with ``body`` (a JSON workspace document)."""
        path = self._path(username, workspace_id)
        if len(body) > self.max_bytes:
            raise PayloadTooLarge(
                f"A workspace may be at most {self.max_bytes} bytes", "workspace too large"
            )
        document = _parse(body, workspace_id)
        data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        await anyio.to_thread.run_sync(write_atomic, path, data)

    async def delete(self, username: str, workspace_id: str) -> None:
        path = self._path(username, workspace_id)

        def remove() -> None:
            try:
                path.unlink()
            except FileNotFoundError:
                raise NotFound(f"Workspace {workspace_id!r} not found", "not found") from None

        await anyio.to_thread.run_sync(remove)


def _parse(body: bytes, workspace_id: str) -> dict[str, Any]:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadRequest(f"A workspace must be JSON: {exc}", "bad json") from None
    if not isinstance(document, dict):
        raise BadRequest("A workspace must be a JSON object", "bad workspace")
    data, metadata = document.get("data"), document.get("metadata")
    if not isinstance(data, dict) or not isinstance(metadata, dict):
        raise BadRequest('A workspace needs "data" and "metadata" objects', "bad workspace")
    given = metadata.get("id")
    if not isinstance(given, str):
        raise BadRequest('A workspace needs a string "metadata.id"', "bad workspace")
    if unquote(given).removeprefix("/") != workspace_id:
        raise BadRequest(
            f"Workspace metadata ID mismatch: expected {workspace_id!r} got {given[:140]!r}",
            "id mismatch",
        )
    # Times come from the file when read back; stale copies in the body mean nothing.
    metadata.pop("created", None)
    metadata.pop("last_modified", None)
    return {**document, "data": data, "metadata": metadata}


def _load(path: Path, workspace_id: str) -> dict[str, Any]:
    text = read_text(path)
    if text is None:
        return {"data": {}, "metadata": {"id": workspace_id}}
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        # Written by hand and broken: start afresh instead of failing every page load.
        document = {"data": {}, "metadata": {"id": workspace_id}}
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {"id": workspace_id}
    created, modified = file_times(path)
    document["metadata"] = {**metadata, "created": created, "last_modified": modified}
    return document
