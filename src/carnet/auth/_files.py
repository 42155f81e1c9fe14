"""Private files and directories: created owner-only from the first byte, never loosened later."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) if needed; a directory we create is 0700.

    An existing directory is left as it is: it belongs to the user, who chose its mode.
    Raises ``OSError``.
    """
    if path.is_dir():
        return
    try:
        path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    except FileExistsError as exc:
        # Something that is not a directory is in the way; that is not "file exists".
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path)) from exc
    # mkdir's mode is filtered by the umask; say exactly what we mean.
    path.chmod(PRIVATE_DIR_MODE)


def write_private_file(path: Path, data: bytes, *, replace: bool) -> None:
    """Write ``data`` to ``path`` with mode 0600 from creation, atomically.

    The bytes go to a fresh 0600 temporary file beside ``path`` first, so no reader ever
    sees a partial file and the content is never world-readable, not even briefly. With
    ``replace=False`` an existing ``path`` is kept and ``FileExistsError`` is raised (also
    when another process wins a race to create it). Raises ``OSError``.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if replace:
            tmp.replace(path)
        else:
            # link() fails if path exists, which makes creation exclusive and atomic.
            os.link(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def is_loose(path: Path) -> bool:
    """Whether group or others may read or write ``path`` (POSIX only)."""
    if os.name != "posix":
        return False
    try:
        return bool(path.stat().st_mode & 0o077)
    except OSError:
        return False


def describe_os_error(exc: OSError) -> str:
    """A short human reason for ``exc``, without repeating the path."""
    if isinstance(exc, IsADirectoryError):
        return "it is a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    return exc.strerror or exc.__class__.__name__
