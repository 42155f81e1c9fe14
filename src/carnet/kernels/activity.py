"""What a kernel is doing, as seen from its IOPub traffic: execution state and last activity.

The rules are jupyter_server's, so culling and the ``execution_state`` of the REST model
behave as users know them: traffic that a user did not cause (status, kernel_info,
comm_info, streams of nothing in particular …) does not count as activity, and status
messages answering such requests do not change the state, except that the first one after
start-up turns ``starting`` into ``idle``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from carnet.protocol import FrameError, Message

__all__ = ["UNTRACKED_MESSAGE_TYPES", "KernelActivity", "isoformat"]

UNTRACKED_MESSAGE_TYPES = frozenset(
    {
        "comm_info_request",
        "comm_info_reply",
        "kernel_info_request",
        "kernel_info_reply",
        "shutdown_request",
        "shutdown_reply",
        "interrupt_request",
        "interrupt_reply",
        "debug_request",
        "debug_reply",
        "stream",
        "display_data",
        "update_display_data",
        "execute_input",
        "execute_result",
        "error",
        "status",
        "clear_output",
        "debug_event",
        "input_request",
        "input_reply",
    }
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def isoformat(moment: datetime) -> str:
    """Jupyter's timestamp format: UTC with microseconds and a ``Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _tracked(msg_type: object) -> bool:
    return msg_type not in UNTRACKED_MESSAGE_TYPES


@dataclass
class KernelActivity:
    """Mutable state of one kernel: ``starting|idle|busy|restarting|dead`` and why it died."""

    execution_state: str = "starting"
    last_activity: datetime = field(default_factory=_now)
    reason: str | None = None

    def touch(self) -> None:
        self.last_activity = _now()

    def observe(self, msg: Message) -> None:
        """Update from one IOPub message (malformed headers are ignored)."""
        try:
            msg_type = msg.msg_type
            parent_type = msg.parent_header.get("msg_type")
        except FrameError:
            return
        parent_tracked = _tracked(parent_type)
        if _tracked(msg_type) or parent_tracked or self.execution_state == "busy":
            self.touch()
        if msg_type != "status" or self.execution_state in ("restarting", "dead"):
            return
        try:
            content = msg.content()
        except FrameError:
            return
        state = content.get("execution_state") if isinstance(content, dict) else None
        if not isinstance(state, str):
            return
        if parent_tracked:
            self.execution_state = state
        elif self.execution_state == "starting" and state != "starting":
            self.execution_state = "idle"
