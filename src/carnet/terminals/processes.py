"""Ending everything a terminal started, not only its shell.

A pty's shell is the leader of its own session. Ending the shell alone can leave its
background jobs running: bash sends them SIGHUP when it is hung up, but dash and others
do not, and the kernel signals only the foreground job when the pty closes. So a terminal
is hung up like a modem line: every process of its session gets SIGHUP (then SIGCONT, so
stopped jobs see it). A process that ignores SIGHUP on purpose (``nohup``) keeps running,
as it would after closing a terminal window.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

__all__ = ["hang_up_session", "session_members"]

_PROC = Path("/proc")


def session_members(sid: int) -> list[int]:
    """Live (not zombie) processes of session ``sid``; Linux only (elsewhere: [])."""
    if not _PROC.is_dir():
        return []
    members = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_bytes()
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 3 and fields[0] != b"Z" and fields[3] == str(sid).encode():
            members.append(int(entry.name))
    return members


def hang_up_session(sid: int) -> None:
    """Send SIGHUP then SIGCONT to every process of session ``sid``; never raises.

    Where the session cannot be listed, the session leader's process group gets them."""
    if os.name != "posix" or sid <= 1:
        return
    members = session_members(sid)
    for sig in (signal.SIGHUP, signal.SIGCONT):
        if members:
            for pid in members:
                with contextlib.suppress(OSError):
                    os.kill(pid, sig)
        else:
            with contextlib.suppress(OSError):
                os.killpg(sid, sig)
