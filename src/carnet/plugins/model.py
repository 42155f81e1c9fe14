"""What a Python package declares in its ``carnet.plugins`` entry point."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carnet.plugins.extensions import ExtensionAPI

# The major version of the plugin API (Python and browser). A plugin built for a newer major
# version is refused with a message instead of failing in odd ways.
API_VERSION = 1

ServerSetup = Callable[["ExtensionAPI"], object]
"""A server extension: called once at start-up, before the server listens."""


@dataclass(frozen=True)
class Plugin:
    """A plugin shipped in a Python package.

    ``static`` is a folder served at ``<base_url>carnet/plugins/<name>/``; ``entry`` is the ES
    module the browser imports from it. ``server``, when given, is a server extension run at
    start-up. Declare it as::

        [project.entry-points."carnet.plugins"]
        my-plugin = "my_plugin:plugin"

    with ``plugin = Plugin(static=Path(__file__).parent / "static")`` in ``my_plugin``.
    """

    static: Path | str | None = None
    entry: str = "index.js"
    server: ServerSetup | None = None
    description: str = ""
