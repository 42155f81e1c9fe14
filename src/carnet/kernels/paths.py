"""Where a kernel runs: the working directory for a notebook's API path, confined to the root."""

from __future__ import annotations

from pathlib import Path

from carnet.errors import BadRequest, Forbidden

__all__ = ["cwd_for_path"]


def cwd_for_path(root: Path, path: str | None) -> Path:
    """The directory a kernel for API path ``path`` starts in (jupyter_server's rule).

    ``path`` is a ``/``-separated path relative to ``root`` — usually a notebook file, so
    its directory is used; a path that does not exist (yet) walks up to the nearest
    existing directory. The result is the resolved directory, which is what
    ``os.getcwd()`` reports inside the kernel. ``..`` segments and symlinks leading out
    of the root raise :class:`Forbidden`; a NUL byte raises :class:`BadRequest`.
    """
    base = root.resolve()
    if path is None:
        return base
    if not isinstance(path, str) or "\0" in path:
        raise BadRequest("The kernel path must be a string without NUL bytes", reason="Bad path")
    segments = [s for s in path.split("/") if s not in ("", ".")]
    outside = Forbidden(f"The kernel path {path!r} is outside the server root", reason="Bad path")
    if ".." in segments:
        raise outside
    current = base.joinpath(*segments)
    while current != base and not _is_dir(current):
        current = current.parent
    try:
        resolved = current.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        raise outside from None
    if not resolved.is_relative_to(base):
        raise outside
    return resolved


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # e.g. a name too long for the file system
        return False
