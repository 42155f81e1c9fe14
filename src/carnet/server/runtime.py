"""Runtime files: `jpserver-<pid>.json` (what `carnet list`/`stop` read) and the open page.

Same names and keys as jupyter_server, so `jupyter server list` and other tools see carnet.
Files are 0600 in a 0700 directory: they hold the token.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def runtime_dir() -> Path:
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir())


@dataclass
class RuntimeFiles:
    info_path: Path
    open_path: Path

    def remove(self) -> None:
        for path in (self.info_path, self.open_path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)  # noqa: PTH101 - an existing file keeps its mode on O_CREAT


def write_runtime_files(directory: Path, info: dict[str, Any], open_url: str) -> RuntimeFiles:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    pid = info["pid"]
    info_path = directory / f"jpserver-{pid}.json"
    open_path = directory / f"jpserver-{pid}-open.html"
    _write_private(info_path, json.dumps(info, indent=2, sort_keys=True))
    link = html.escape(open_url, quote=True)
    _write_private(
        open_path,
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="1;url={link}"><title>Opening carnet</title>'
        f"</head><body><p>Opening carnet. If nothing happens, "
        f'<a href="{link}">click here</a>.</p></body></html>\n',
    )
    return RuntimeFiles(info_path, open_path)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_servers(directory: Path | None = None) -> list[dict[str, Any]]:
    """Info of every server whose runtime file names a live process; stale files are removed."""
    folder = runtime_dir() if directory is None else directory
    servers: list[dict[str, Any]] = []
    if not folder.is_dir():
        return servers
    for path in sorted(folder.glob("jpserver-*.json")):
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
            pid = int(info["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if pid_alive(pid):
            servers.append(info)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
    return servers
