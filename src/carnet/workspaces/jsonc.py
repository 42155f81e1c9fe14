"""JSON with comments, as JupyterLab writes settings: ``//`` and ``/* */`` comments and
trailing commas are allowed; everything else is strict JSON.

JupyterLab's settings editor sends the user's raw text (with the comments it shows as help),
so the server must accept it, and must keep the text as written.
"""

from __future__ import annotations

import json
from typing import Any


def strip_jsonc(text: str) -> str:
    """``text`` with comments replaced by spaces and trailing commas removed.

    Comment markers inside strings are kept. Line breaks inside block comments are kept, so
    the line numbers in a later JSON error still point at the user's text.
    """
    out: list[str] = []
    i, n = 0, len(text)
    pending_comma = -1  # index in `out` of a comma that may turn out to be trailing
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            pending_comma = -1
            i = j + 1
        elif c == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif c == ",":
            pending_comma = len(out)
            out.append(c)
            i += 1
        elif c in "}]":
            if pending_comma >= 0:
                out[pending_comma] = " "
            pending_comma = -1
            out.append(c)
            i += 1
        else:
            if not c.isspace():
                pending_comma = -1
            out.append(c)
            i += 1
    return "".join(out)


def loads_jsonc(text: str) -> Any:
    """Parse JSON with comments and trailing commas; raises ``ValueError`` when invalid."""
    return json.loads(strip_jsonc(text))
