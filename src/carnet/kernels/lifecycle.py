"""Lifecycle decisions as plain functions: why a kernel died, and whether to cull it."""

from __future__ import annotations

import signal
from datetime import datetime

__all__ = ["describe_exit", "should_cull"]


def describe_exit(code: int | None) -> str:
    """A sentence for the kernel model's ``reason`` from a process exit status.

    ``code`` is ``Popen.returncode``: negative for a signal, ``None`` when unknown.
    A SIGKILL nobody asked for is almost always the kernel's out-of-memory killer.
    """
    if code is None:
        return "The kernel process stopped."
    if code < 0:
        number = -code
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        text = f"The kernel was killed by {name} (signal {number})"
        if number == getattr(signal, "SIGKILL", None):
            return text + "; it most likely ran out of memory."
        return text + "."
    return f"The kernel exited with code {code}."


def should_cull(
    *,
    execution_state: str,
    last_activity: datetime,
    connections: int,
    now: datetime,
    idle_timeout: float,
    cull_connected: bool,
    cull_busy: bool,
) -> bool:
    """jupyter_server's culling rule: idle long enough, and not busy/connected unless allowed.

    A dead kernel is always culled (its process is gone; only the record remains); one
    that is still starting or restarting never is.
    """
    if idle_timeout <= 0 or execution_state in ("starting", "restarting"):
        return False
    if execution_state == "dead":
        return True
    if (now - last_activity).total_seconds() <= idle_timeout:
        return False
    if execution_state == "busy" and not cull_busy:
        return False
    return not (connections and not cull_connected)
