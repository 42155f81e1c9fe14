"""The plugin service the web layer and the CLI ask: what exists, what is enabled, what failed."""

from __future__ import annotations

from typing import Any

from carnet.errors import NotFound
from carnet.plugins.discovery import Catalog, PluginInfo, valid_name
from carnet.plugins.extensions import LoadedExtensions
from carnet.plugins.model import API_VERSION
from carnet.plugins.state import PluginState

# Where the browser fetches a plugin's files, relative to the base URL.
FILES_PREFIX = "carnet/plugins/"


class PluginService:
    def __init__(
        self, catalog: Catalog, state: PluginState, extensions: LoadedExtensions | None = None
    ) -> None:
        self.catalog = catalog
        self.state = state
        self.extensions = extensions

    def model(self, info: PluginInfo, disabled: frozenset[str]) -> dict[str, Any]:
        enabled = info.name not in disabled
        errors = self.extensions.errors if self.extensions is not None else {}
        loaded = self.extensions.loaded if self.extensions is not None else []
        url = (
            f"{FILES_PREFIX}{info.name}/{info.entry}"
            if info.has_frontend and info.entry is not None
            else None
        )
        return {
            "name": info.name,
            "source": info.source,
            "enabled": enabled,
            "version": info.version,
            "description": info.description,
            "url": url,
            "server": info.server is not None,
            "server_loaded": info.name in loaded,
            "error": info.error or errors.get(info.name),
        }

    def list(self) -> dict[str, Any]:
        """``{"api_version": 1, "plugins": [...]}``: every plugin, enabled or not."""
        disabled = self.state.disabled()
        return {
            "api_version": API_VERSION,
            "plugins": [self.model(info, disabled) for info in self.catalog.all()],
        }

    def servable(self, name: str, rel: str) -> PluginInfo:
        """The enabled plugin whose file ``rel`` the browser may fetch (NotFound otherwise)."""
        info = self.catalog.get(name) if valid_name(name) else None
        if info is None or not self.state.is_enabled(name) or not info.may_serve(rel):
            raise NotFound(f"No plugin file {name}/{rel}")
        return info
