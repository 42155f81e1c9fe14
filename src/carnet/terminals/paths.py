"""Where a terminal starts: a directory inside the root dir, never outside it."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from carnet.errors import BadRequest, Forbidden

__all__ = ["resolve_cwd"]


def resolve_cwd(root: Path, cwd: str | None) -> Path:
    """The directory a terminal starts in, for a ``cwd`` given as an API path.

    ``cwd`` is relative to ``root`` ('/'-separated, a leading '/' allowed, as JupyterLab
    sends the file browser's path); an absolute local path is accepted when it lies inside
    ``root``. Symlinks are resolved, and a result outside ``root`` is `Forbidden`. A
    directory that does not exist (or is not a directory) gives ``root``, as Jupyter does: a
    terminal opened from a folder that was just removed still opens.
    """
    real_root = root.resolve()
    if not cwd or cwd.strip("/") == "":
        return real_root
    if "\0" in cwd:
        raise BadRequest("'cwd' must not contain NUL characters", "bad cwd")
    try:
        candidate = Path(cwd).resolve() if Path(cwd).is_absolute() else None
        if candidate is None or not _inside(real_root, candidate):
            parts = PurePosixPath(cwd.replace("\\", "/")).parts
            relative = [part for part in parts if part not in ("/", "")]
            if ".." in relative:
                raise Forbidden(f"'cwd' {cwd!r} is outside the root directory", "outside root")
            candidate = real_root.joinpath(*relative).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a path too long
        return real_root
    if not _inside(real_root, candidate):
        raise Forbidden(f"'cwd' {cwd!r} is outside the root directory", "outside root")
    try:
        return candidate if candidate.is_dir() else real_root
    except OSError:  # not searchable
        return real_root


def _inside(root: Path, path: Path) -> bool:
    return path == root or root in path.parents
