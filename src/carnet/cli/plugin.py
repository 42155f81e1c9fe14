"""`carnet plugin list|enable|disable NAME`."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from carnet.cli.args import Parsed, UsageError

if TYPE_CHECKING:
    from carnet.plugins import PluginService

USAGE = "usage: carnet plugin list [--json] | carnet plugin enable|disable NAME"


def plugin_command(parsed: Parsed) -> int:
    from carnet.plugins import Catalog, PluginService, PluginState, plugins_dir

    # Importing a broken plugin package logs a warning: `list` shows its error instead.
    logging.getLogger("carnet.plugins").setLevel(logging.ERROR)
    folder = plugins_dir()
    catalog = Catalog(folder)
    state = PluginState(folder.parent / "plugins.json")
    service = PluginService(catalog, state)
    action, *names = parsed.positional or ["list"]
    if action == "list":
        if names:
            raise UsageError(USAGE)
        return _list(service, as_json=parsed.has("--json"))
    if action in ("enable", "disable"):
        if len(names) != 1:
            raise UsageError(USAGE)
        name = names[0]
        if catalog.get(name) is None and name not in state.disabled():
            known = ", ".join(p.name for p in catalog.all()) or "none"
            print(f"carnet plugin: no plugin named {name!r} (installed: {known})")
            return 1
        enabled = action == "enable"
        changed = state.set_enabled(name, enabled)
        word = "enabled" if enabled else "disabled"
        print(f"{name}: {word}" if changed else f"{name}: already {word}")
        print("Reload the page; server extensions change at the next start.")
        return 0
    raise UsageError(USAGE)


def _list(service: PluginService, *, as_json: bool) -> int:
    listing = service.list()
    if as_json:
        print(json.dumps(listing, indent=1))
        return 0
    plugins = listing["plugins"]
    if not plugins:
        print(f"No plugins. Put NAME.js or NAME/index.js in {service.catalog.folder}")
        return 0
    for p in plugins:
        parts = [p["source"]]
        if p["version"]:
            parts.append(p["version"])
        kinds = [k for k, on in (("frontend", p["url"]), ("server", p["server"])) if on]
        parts.append("+".join(kinds) or "nothing to load")
        state = "enabled " if p["enabled"] else "disabled"
        line = f"{p['name']:<24} {state}  {', '.join(parts)}"
        if p["error"]:
            line += f"\n    error: {p['error']}"
        print(line)
    return 0
