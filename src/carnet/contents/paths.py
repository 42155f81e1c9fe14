"""Root confinement: every Jupyter API path becomes an OS path that stays inside the root.

API paths are ``/``-separated and relative to the root (``""`` is the root itself); a
leading or trailing ``/`` is tolerated, as Jupyter clients send both. The route decodes
percent-escapes once; whatever arrives here is taken literally, so ``%2e%2e`` that was
decoded twice by nobody stays a harmless literal name. Refused, with a 404 that reveals
nothing (like jupyter_server): ``..`` and ``.`` components, empty components, NUL bytes,
backslashes (a separator on Windows, so never accepted anywhere), drive letters, names that
are not valid Unicode, and any path whose symlinks resolve outside the root.

The check is done on ``os.path.realpath`` of the joined path, so a symlink inside the root
that points outside is refused for reads, writes, listings and rename/copy targets alike.
"""

# OS paths stay strings here on purpose: confinement works on os.path.realpath strings,
# and hot loops can't afford a pathlib object per call.
# ruff: noqa: PTH112, PTH118

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from carnet.errors import BadRequest, NotFound

_WINDOWS = os.name == "nt"


def split_api_path(path: str) -> tuple[str, ...]:
    """The validated components of an API path (``()`` for the root).

    Raises `NotFound` for anything that is not a plain relative path, `BadRequest` when
    ``path`` is not a string at all.
    """
    if not isinstance(path, str):
        raise BadRequest("A path must be a string", "bad path")
    stripped = path.strip("/")
    if not stripped:
        return ()
    if "\x00" in stripped or "\\" in stripped:
        raise NotFound(f"{path!r} is not a valid path")
    if not stripped.isascii():
        try:
            stripped.encode("utf-8")
        except UnicodeEncodeError:
            raise NotFound(f"{path!r} is not a valid path") from None
    parts = tuple(stripped.split("/"))
    first = parts[0]
    if len(first) >= 2 and first[1] == ":" and first[0].isascii() and first[0].isalpha():
        raise NotFound(f"{path} is not a relative API path")
    for part in parts:
        if part == "..":
            raise NotFound(f"{path} is outside root contents directory")
        if not part or part == ".":
            raise NotFound(f"{path!r} is not a valid path")
        if _WINDOWS and (":" in part or part.endswith((" ", "."))):
            raise NotFound(f"{path!r} is not a valid path")
    return parts


def normalize_api_path(path: str) -> str:
    """The canonical form of an API path: no leading or trailing slash, validated."""
    return "/".join(split_api_path(path))


def is_hidden(parts: tuple[str, ...]) -> bool:
    """Jupyter's rule: a path is hidden when any component starts with a dot."""
    return any(part.startswith(".") for part in parts)


def parent_of(api_path: str) -> str:
    return api_path.rpartition("/")[0]


def name_of(api_path: str) -> str:
    return api_path.rpartition("/")[2]


@dataclass(frozen=True)
class Located:
    """An API path placed on disk.

    ``lexical`` is the root joined with the components (symlinks not followed): rename and
    delete act on it, so a symlink is renamed or deleted itself. ``real`` is where it
    leads (all symlinks resolved, known to be inside the root): reads and writes use it,
    so saving through a symlink updates its target instead of replacing the link.
    """

    api: str
    parts: tuple[str, ...]
    lexical: str
    real: str
    # True for "" and for any path that symlinks lead back to the root itself.
    is_root: bool

    @property
    def name(self) -> str:
        return self.parts[-1] if self.parts else ""

    @property
    def hidden(self) -> bool:
        return is_hidden(self.parts)


class ContentsRoot:
    """The directory the contents service serves, and the only place it touches."""

    def __init__(self, root_dir: Path) -> None:
        real = os.path.realpath(root_dir)
        if not os.path.isdir(real):
            raise ValueError(f"root_dir {str(root_dir)!r} is not a directory")
        self.real = real
        self._prefix = real if real.endswith(os.sep) else real + os.sep

    def contains(self, real_path: str) -> bool:
        """Whether an already resolved path is the root or below it."""
        return real_path == self.real or real_path.startswith(self._prefix)

    def locate(self, path: str) -> Located:
        """Validate ``path`` and place it on disk; `NotFound` if it would leave the root."""
        parts = split_api_path(path)
        api = "/".join(parts)
        lexical = os.path.join(self.real, *parts) if parts else self.real
        real = os.path.realpath(lexical)
        if not self.contains(real):
            raise NotFound(f"{api} is outside root contents directory")
        return Located(api, parts, lexical, real, real == self.real)

    def child(self, parent: Located, name: str) -> Located:
        """A direct child of an already located directory (``name`` is validated)."""
        return self.locate(f"{parent.api}/{name}" if parent.api else name)
