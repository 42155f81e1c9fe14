"""Finding plugins: the data dir's ``carnet/plugins/`` folder and Python entry points.

* ``<Jupyter data dir>/carnet/plugins/NAME.js``: a one-file plugin (only that file is served);
* ``<Jupyter data dir>/carnet/plugins/NAME/index.js``: a folder (everything in it is served);
* entry point group ``carnet.plugins``: a `Plugin` (static folder, optional server part);
* entry point group ``carnet.server_extensions``: a callable taking an `ExtensionAPI`.

The data dir is scanned again on every call (dropping a file in needs no restart); entry points
are loaded once per `Catalog`, since installing a package needs a restart anyway. A plugin that
cannot be loaded is still listed, with its ``error``, so ``carnet plugin list`` can explain it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal

from carnet.plugins.model import Plugin, ServerSetup

log = logging.getLogger("carnet.plugins")

PLUGINS_ENTRY_POINT = "carnet.plugins"
SERVER_EXTENSIONS_ENTRY_POINT = "carnet.server_extensions"

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

Source = Literal["data-dir", "package", "server-extension"]


def valid_name(name: str) -> bool:
    """Plugin names are URL path segments: letters, digits, ``.``, ``_``, ``-``."""
    return _NAME.fullmatch(name) is not None and ".." not in name


def plugins_dir(data_dir: Path | None = None) -> Path:
    """``<Jupyter data dir>/carnet/plugins``."""
    if data_dir is None:
        from jupyter_core.paths import jupyter_data_dir

        data_dir = Path(jupyter_data_dir())
    return data_dir / "carnet" / "plugins"


@dataclass(frozen=True)
class PluginInfo:
    name: str
    source: Source
    # The folder the browser may fetch from, and the ES module inside it (None: server only).
    root: Path | None = None
    entry: str | None = None
    # One-file plugins: only `entry` may be fetched from `root` (the shared plugins folder).
    single_file: bool = False
    server: ServerSetup | None = None
    version: str | None = None
    description: str = ""
    # Why the plugin cannot load (shown by `carnet plugin list` and the list endpoint).
    error: str | None = None

    @property
    def has_frontend(self) -> bool:
        return self.root is not None and self.entry is not None and self.error is None

    def may_serve(self, rel: str) -> bool:
        """Whether the browser may fetch ``rel`` (relative to `root`) for this plugin."""
        if not self.has_frontend:
            return False
        return rel == self.entry if self.single_file else True


class Catalog:
    """Every plugin carnet can find, enabled or not."""

    def __init__(self, folder: Path, *, entry_points: bool = True) -> None:
        self.folder = folder
        self._use_entry_points = entry_points
        self._packages: list[PluginInfo] | None = None

    def all(self) -> list[PluginInfo]:
        """Data-dir plugins, then packages; on a name clash the first one wins."""
        found: dict[str, PluginInfo] = {}
        for info in [*self._scan_folder(), *self.packages()]:
            if info.name in found:
                log.warning(
                    "Plugin %r from %s hides another one from %s",
                    info.name,
                    found[info.name].source,
                    info.source,
                )
                continue
            found[info.name] = info
        return list(found.values())

    def get(self, name: str) -> PluginInfo | None:
        return next((p for p in self.all() if p.name == name), None)

    def packages(self) -> list[PluginInfo]:
        if self._packages is None:
            self._packages = self._load_entry_points() if self._use_entry_points else []
        return self._packages

    def _scan_folder(self) -> list[PluginInfo]:
        try:
            children = sorted(self.folder.iterdir())
        except OSError:
            return []
        found = []
        for child in children:
            if child.name.startswith("."):
                continue
            if child.suffix == ".js" and child.is_file():
                name = child.name[: -len(".js")]
                if valid_name(name):
                    found.append(
                        PluginInfo(
                            name,
                            "data-dir",
                            root=self.folder,
                            entry=child.name,
                            single_file=True,
                        )
                    )
            elif child.is_dir() and (child / "index.js").is_file() and valid_name(child.name):
                found.append(PluginInfo(child.name, "data-dir", root=child, entry="index.js"))
        return found

    def _load_entry_points(self) -> list[PluginInfo]:
        found: list[PluginInfo] = []
        for group, source in (
            (PLUGINS_ENTRY_POINT, "package"),
            (SERVER_EXTENSIONS_ENTRY_POINT, "server-extension"),
        ):
            for ep in sorted(metadata.entry_points(group=group), key=lambda e: e.name):
                version = ep.dist.version if ep.dist is not None else None
                if not valid_name(ep.name):
                    log.warning("Ignoring entry point %r in %s: not a valid name", ep.name, group)
                    continue
                try:
                    target = ep.load()
                except Exception as exc:
                    log.warning("Could not load plugin %r (%s)", ep.name, ep.value, exc_info=True)
                    found.append(
                        PluginInfo(
                            ep.name,
                            source,  # type: ignore[arg-type]
                            version=version,
                            error=f"cannot import {ep.value}: {exc}",
                        )
                    )
                    continue
                if source == "package":
                    found.append(_package_plugin(ep.name, target, version))
                else:
                    found.append(_server_extension(ep.name, target, version))
        return found


def _package_plugin(name: str, target: object, version: str | None) -> PluginInfo:
    if not isinstance(target, Plugin):
        return PluginInfo(
            name,
            "package",
            version=version,
            error="the carnet.plugins entry point is not a carnet.plugins.Plugin",
        )
    root: Path | None = None
    error: str | None = None
    if target.static is not None:
        root = Path(target.static)
        entry = root / target.entry
        if not entry.is_file():
            error = f"{target.entry} is missing from its static folder"
    return PluginInfo(
        name,
        "package",
        root=root,
        entry=target.entry if root is not None else None,
        server=target.server,
        version=version,
        description=target.description,
        error=error,
    )


def _server_extension(name: str, target: object, version: str | None) -> PluginInfo:
    if not callable(target):
        return PluginInfo(
            name,
            "server-extension",
            version=version,
            error="the carnet.server_extensions entry point is not callable",
        )
    doc = (getattr(target, "__doc__", None) or "").strip().splitlines()
    return PluginInfo(
        name,
        "server-extension",
        server=target,
        version=version,
        description=doc[0] if doc else "",
    )
