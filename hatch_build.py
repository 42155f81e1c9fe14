"""Build hook: compile the frontend into src/carnet/static so a wheel carries its UI.

Skipped when the assets are already built (``make fe`` or a previous build) or when
``CARNET_SKIP_FRONTEND=1``; editable installs rely on ``make`` to build them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        static = root / "src" / "carnet" / "static"
        if os.environ.get("CARNET_SKIP_FRONTEND") == "1" or version == "editable":
            return
        if (static / "index.html").exists():
            return
        frontend = root / "frontend"
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("building carnet's frontend needs Node.js 20+ and npm on PATH")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=frontend, check=True)
        subprocess.run([npm, "run", "build"], cwd=frontend, check=True)
