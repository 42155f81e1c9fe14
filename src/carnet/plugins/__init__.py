"""Plugins: plain ES modules and Python entry points that extend carnet without a build step.

A *frontend plugin* is an ES module exporting ``activate(app)``. carnet finds them in
``<Jupyter data dir>/carnet/plugins/`` (``NAME.js`` or ``NAME/index.js``) and in Python
packages declaring the entry point group ``carnet.plugins`` (a `Plugin`: a static folder,
optionally a server part). A *server extension* is a callable in the entry point group
``carnet.server_extensions`` (or a `Plugin`'s ``server``), given an `ExtensionAPI` to add
routes, background tasks and contents or kernel providers. `PluginState` keeps which ones are
disabled. See ``docs/plugins.md``.
"""

from carnet.plugins.discovery import (
    PLUGINS_ENTRY_POINT,
    SERVER_EXTENSIONS_ENTRY_POINT,
    Catalog,
    PluginInfo,
    plugins_dir,
    valid_name,
)
from carnet.plugins.extensions import ExtensionAPI, LoadedExtensions, RouteSpec, load_extensions
from carnet.plugins.model import API_VERSION, Plugin, ServerSetup
from carnet.plugins.service import FILES_PREFIX, PluginService
from carnet.plugins.state import PluginState

__all__ = [
    "API_VERSION",
    "FILES_PREFIX",
    "PLUGINS_ENTRY_POINT",
    "SERVER_EXTENSIONS_ENTRY_POINT",
    "Catalog",
    "ExtensionAPI",
    "LoadedExtensions",
    "Plugin",
    "PluginInfo",
    "PluginService",
    "PluginState",
    "RouteSpec",
    "ServerSetup",
    "load_extensions",
    "plugins_dir",
    "valid_name",
]
