"""`carnet` / `carnet lab` / `carnet notebook`: start the server and show where it is."""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path

from carnet.cli.args import Parsed, UsageError
from carnet.config.loader import Assignment, load_settings
from carnet.config.options import OptionError
from carnet.server import ServerInfo, StartupError, prepare

log = logging.getLogger("carnet")


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="[%(levelname).1s %(asctime)s carnet] %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )


def _positional_root(parsed: Parsed) -> list[Assignment]:
    if not parsed.positional:
        return []
    if len(parsed.positional) > 1:
        raise UsageError(f"unexpected arguments: {' '.join(parsed.positional[1:])}")
    target = Path(parsed.positional[0]).expanduser()
    if target.is_file():
        target = target.parent
    return [Assignment("ServerApp", "root_dir", str(target), "command line")]


def can_open_browser(
    euid: int | None = None,
    environ: dict[str, str] | None = None,
    platform: str = sys.platform,
) -> bool:
    """Whether opening a browser makes sense: never as root (a root browser is a risk and
    usually fails), never without a display on X11/Wayland systems (servers, containers)."""
    uid = (os.geteuid() if hasattr(os, "geteuid") else None) if euid is None else euid
    if uid == 0:
        return False
    if platform in ("darwin", "win32"):
        return True
    env = dict(os.environ) if environ is None else environ
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def serve(family: str, parsed: Parsed) -> int:
    from carnet.cli import error

    warnings: list[str] = list(parsed.warnings)
    try:
        cli = [*parsed.assignments, *_positional_root(parsed)]
        cli = [a for a in cli if a.section != "_Ignored"]
        # `carnet notebook` opens the single-document view unless configured otherwise.
        defaults = (
            [Assignment("CarnetApp", "default_url", "/tree", "default")]
            if parsed.command == "notebook"
            else []
        )
        hub = None
        if parsed.command == "singleuser":
            from carnet.hub.environment import HubConfigError, read_environment

            try:
                hub = read_environment(os.environ)
            except HubConfigError as exc:
                return error(family, str(exc))
            cli = _hub_assignments(hub.assignments(), cli)
        settings = load_settings(family, cli, warnings=warnings, defaults=defaults)
        plan = prepare(settings, hub=hub)
    except (OptionError, StartupError) as exc:
        return error(family, str(exc))
    _setup_logging(settings.log_level)
    for warning in [*warnings, *plan.warnings]:
        log.warning(warning)

    def on_ready(info: ServerInfo) -> None:
        from carnet import __version__

        lines = [f"carnet {__version__} is serving {info.root}"]
        if info.password and not info.token:
            lines.append("Log in with your password at:")
        lines += [f"    {url}" for url in info.urls]
        lines.append("Press Control-C to stop.")
        print("\n".join(lines), flush=True)
        if settings.open_browser and can_open_browser() and info.open_file is not None:
            threading.Thread(
                target=_open_browser, args=(settings.browser, info.open_file), daemon=True
            ).start()

    import asyncio

    from carnet.server import serve as serve_async
    from carnet.server.listen import BindError

    try:
        asyncio.run(serve_async(plan, on_ready))
    except BindError as exc:
        return error(family, str(exc))
    return 0


def _hub_assignments(hub: list[Assignment], cli: list[Assignment]) -> list[Assignment]:
    """The hub's settings outrank config files; the command line (the spawner's ``args``)
    outranks the hub's."""
    from carnet.config.options import lookup

    def field(item: Assignment) -> str | None:
        option = lookup(item.section, item.trait)
        return option.field if option is not None else None

    given = {field(item) for item in cli}
    return [item for item in hub if field(item) not in given] + cli


def _open_browser(browser: str, open_file: Path) -> None:
    import webbrowser

    try:
        opener = webbrowser.get(browser or None)
        opener.open(open_file.as_uri(), new=2)
    except webbrowser.Error as exc:
        log.warning("Could not open a browser: %s", exc)
