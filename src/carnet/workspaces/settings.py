"""Settings: one document per plugin and user, in JupyterLab's ``/lab/api/settings`` format.

The server keeps the user's raw text (JSON with comments, as Lab's settings editor sends it)
and returns it with its parsed value. It knows no schemas: the frontend owns the defaults and
the validation of each plugin's settings, which keeps plugins free to add settings without a
server change. ``schema`` is therefore always ``{}`` and ``composite`` equals ``settings``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import anyio.to_thread

from carnet.errors import BadRequest, PayloadTooLarge
from carnet.workspaces._files import file_times, read_text, user_dir, write_atomic
from carnet.workspaces.jsonc import loads_jsonc

__all__ = ["PLUGIN_ID", "SettingsStore"]

# "@scope/package:plugin" or "package:plugin", as JupyterLab names settings plugins.
PLUGIN_ID = re.compile(r"@?[A-Za-z0-9_][\w.-]*(?:/[\w.-]+)?:[\w.-]{1,100}")
_MAX_ID = 200
_SUFFIX = ".jupyterlab-settings"
DEFAULT_MAX_BYTES = 1024 * 1024


def check_plugin_id(plugin_id: str) -> str:
    if len(plugin_id) > _MAX_ID or not PLUGIN_ID.fullmatch(plugin_id):
        raise BadRequest(
            f"Invalid settings id {plugin_id[:_MAX_ID]!r}: expected '@scope/package:plugin'",
            "bad settings id",
        )
    return plugin_id


class SettingsStore:
    """Settings under ``root/<user>/<quoted id>.jupyterlab-settings`` (raw text as sent)."""

    def __init__(self, root: Path, *, version: str, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root
        self.version = version
        self.max_bytes = max_bytes

    def _path(self, username: str, plugin_id: str) -> Path:
        name = quote(check_plugin_id(plugin_id), safe="@._-")
        return user_dir(self.root, username) / (name + _SUFFIX)

    async def get(self, username: str, plugin_id: str) -> dict[str, Any]:
        """The plugin's settings model; ``raw`` is ``"{}"`` when the user never saved any."""
        path = self._path(username, plugin_id)
        return await anyio.to_thread.run_sync(self._load, path, plugin_id)

    async def list(self, username: str) -> dict[str, Any]:
        """``{"settings": [model, ...]}`` for every plugin the user saved settings for."""
        folder = user_dir(self.root, username)

        def scan() -> dict[str, Any]:
            models: list[dict[str, Any]] = []
            try:
                names = sorted(p.name for p in folder.iterdir() if p.name.endswith(_SUFFIX))
            except FileNotFoundError:
                names = []
            for name in names:
                plugin_id = unquote(name[: -len(_SUFFIX)])
                if PLUGIN_ID.fullmatch(plugin_id):
                    models.append(self._load(folder / name, plugin_id))
            return {"settings": models}

        return await anyio.to_thread.run_sync(scan)

    async def save(self, username: str, plugin_id: str, body: bytes) -> None:
        """Store ``body`` = ``{"raw": "<JSON-with-comments object>"}``; the text is kept as is."""
        path = self._path(username, plugin_id)
        if len(body) > self.max_bytes:
            raise PayloadTooLarge(
                f"Settings may be at most {self.max_bytes} bytes", "settings too large"
            )
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise BadRequest(f"Failed parsing JSON payload: {exc}", "bad json") from None
        raw = payload.get("raw") if isinstance(payload, dict) else None
        if not isinstance(raw, str):
            raise BadRequest(
                'Invalid format for JSON payload. Must be in the form {"raw": ...}',
                "bad settings",
            )
        try:
            value = loads_jsonc(raw)
        except (ValueError, RecursionError) as exc:
            raise BadRequest(f"Failed parsing the settings text: {exc}", "bad settings") from None
        if not isinstance(value, dict):
            raise BadRequest("Settings must be a JSON object", "bad settings")
        await anyio.to_thread.run_sync(write_atomic, path, raw.encode("utf-8"))

    def _load(self, path: Path, plugin_id: str) -> dict[str, Any]:
        raw = read_text(path)
        created: str | None = None
        modified: str | None = None
        settings: Any = {}
        if raw is None:
            raw = "{}"
        else:
            created, modified = file_times(path)
            try:
                settings = loads_jsonc(raw)
            except ValueError:
                settings = {}
            if not isinstance(settings, dict):
                settings = {}
        return {
            "id": plugin_id,
            "raw": raw,
            "settings": settings,
            "composite": settings,
            "schema": {},
            "version": self.version,
            "created": created,
            "last_modified": modified,
        }
