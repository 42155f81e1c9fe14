"""terminado's websocket protocol: JSON arrays whose first item names the message.

Client to server: ``["stdin", text]`` and ``["set_size", rows, cols, height_px, width_px]``
(pixel sizes are optional and unused). Server to client: ``["setup", {}]`` once, first;
``["stdout", text]``; ``["disconnect", 1]`` when the terminal's process has ended.
Unknown message types are ignored, as terminado does, so newer clients keep working;
anything malformed is a `ProtocolError`. No I/O here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = [
    "MAX_SIZE",
    "ProtocolError",
    "SetSize",
    "Stdin",
    "disconnect_frame",
    "parse_client_message",
    "setup_frame",
    "stdout_frame",
]

# terminado uses 10001 as "no size"; a real terminal is far smaller.
MAX_SIZE = 10000


class ProtocolError(ValueError):
    """A frame that is not a terminado message; the message says what is wrong."""


@dataclass(frozen=True)
class Stdin:
    """Text typed or pasted by the user, written to the terminal as is."""

    text: str


@dataclass(frozen=True)
class SetSize:
    """The client's visible size in character cells."""

    rows: int
    cols: int


def parse_client_message(frame: str) -> Stdin | SetSize | None:
    """The message in one text frame; None for a well-formed message of an unknown type."""
    try:
        message = json.loads(frame)
    except (ValueError, RecursionError):
        raise ProtocolError("a terminal message must be a JSON array") from None
    if not isinstance(message, list) or not message or not isinstance(message[0], str):
        raise ProtocolError("a terminal message must be a JSON array starting with its type")
    kind = message[0]
    if kind == "stdin":
        if len(message) < 2 or not isinstance(message[1], str):
            raise ProtocolError("'stdin' needs a string: [\"stdin\", text]")
        return Stdin(message[1])
    if kind == "set_size":
        if len(message) < 3:
            raise ProtocolError("'set_size' needs rows and cols: [\"set_size\", rows, cols]")
        rows, cols = message[1], message[2]
        for value in (rows, cols):
            if not isinstance(value, int) or isinstance(value, bool):
                raise ProtocolError("'set_size' rows and cols must be integers")
            if not 1 <= value <= MAX_SIZE:
                raise ProtocolError(f"'set_size' rows and cols must be between 1 and {MAX_SIZE}")
        return SetSize(rows, cols)
    return None


def setup_frame() -> str:
    return '["setup",{}]'


def stdout_frame(text: str) -> str:
    return json.dumps(["stdout", text], ensure_ascii=False)


def disconnect_frame() -> str:
    return '["disconnect",1]'
