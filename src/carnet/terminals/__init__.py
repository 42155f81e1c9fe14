"""Terminals: shells in pseudo-terminals that outlive their browser tabs.

Domain code, no HTTP. The web layer's routes call :class:`TerminalService`; its terminal
websocket pumps between an :class:`Attachment` and the socket, speaking terminado's
protocol (``messages``). Importing this package is cheap: terminado loads on first use.
"""

from carnet.terminals.attachment import Attachment
from carnet.terminals.messages import (
    ProtocolError,
    SetSize,
    Stdin,
    disconnect_frame,
    parse_client_message,
    setup_frame,
    stdout_frame,
)
from carnet.terminals.paths import resolve_cwd
from carnet.terminals.scrollback import Scrollback
from carnet.terminals.service import EventSink, TerminalModel, TerminalService
from carnet.terminals.shell import default_shell_command

__all__ = [
    "Attachment",
    "EventSink",
    "ProtocolError",
    "Scrollback",
    "SetSize",
    "Stdin",
    "TerminalModel",
    "TerminalService",
    "default_shell_command",
    "disconnect_frame",
    "parse_client_message",
    "resolve_cwd",
    "setup_frame",
    "stdout_frame",
]
