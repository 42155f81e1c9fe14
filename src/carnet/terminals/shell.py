"""Which program a terminal runs when the configuration does not say."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping

__all__ = ["default_shell_command"]


def default_shell_command(
    environ: Mapping[str, str] | None = None, *, login: bool | None = None
) -> list[str]:
    """``$SHELL`` (else ``sh``; ``powershell.exe`` on Windows), as jupyter_server does.

    ``login`` adds ``-l`` so that ``/etc/profile`` and the like are read: by default when
    carnet's own output is not a terminal (started by JupyterHub, systemd or a container),
    where the environment is likely not set up for an interactive user.
    """
    env = os.environ if environ is None else environ
    if os.name == "nt":
        return [env.get("SHELL") or "powershell.exe"]
    shell = env.get("SHELL") or shutil.which("sh") or "/bin/sh"
    if login is None:
        login = not sys.stdout.isatty()
    return [shell, "-l"] if login else [shell]
