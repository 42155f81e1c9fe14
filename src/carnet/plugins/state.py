"""Which plugins are disabled: ``<Jupyter data dir>/carnet/plugins.json``.

The file is ``{"disabled": ["name", ...]}``; everything not listed is enabled. It is read on
every question (it is tiny), so ``carnet plugin disable`` takes effect on the next page load
for frontend plugins, and at the next start for server extensions.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path


class PluginState:
    def __init__(self, path: Path) -> None:
        self.path = path

    def disabled(self) -> frozenset[str]:
        """The disabled names; an unreadable or malformed file disables nothing."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return frozenset()
        names = data.get("disabled") if isinstance(data, dict) else None
        if not isinstance(names, list):
            return frozenset()
        return frozenset(n for n in names if isinstance(n, str))

    def is_enabled(self, name: str) -> bool:
        return name not in self.disabled()

    def set_enabled(self, name: str, enabled: bool) -> bool:
        """Enables or disables ``name``; returns whether anything changed."""
        current = set(self.disabled())
        if (name not in current) == enabled:
            return False
        if enabled:
            current.discard(name)
        else:
            current.add(name)
        self._write({"disabled": sorted(current)})
        return True

    def _write(self, data: dict[str, object]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".plugins-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1)
                f.write("\n")
            Path(tmp).replace(self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
            raise
