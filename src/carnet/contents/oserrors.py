"""OS errors -> Contents API errors, with API paths only (no server paths in messages)."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

from carnet.errors import BadRequest, CarnetError, Conflict, Forbidden, NotFound

_NO_SPACE = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def translate(error: OSError, api_path: str, doing: str) -> CarnetError:
    """The API error for ``error``, raised while ``doing`` something to ``api_path``."""
    shown = api_path or "/"
    if isinstance(error, PermissionError):
        return Forbidden(f"Permission denied: {shown}")
    if isinstance(error, FileNotFoundError):
        return NotFound(f"No such file or directory: {shown}")
    if isinstance(error, FileExistsError):
        return Conflict(f"File already exists: {shown}")
    if isinstance(error, IsADirectoryError):
        return BadRequest(f"{shown} is a directory")
    if isinstance(error, NotADirectoryError):
        return BadRequest(f"Not a directory: {shown}")
    code = error.errno
    if code in _NO_SPACE:
        # A 4xx: the request cannot be stored as it is; the old file is untouched.
        return CarnetError(
            f"Not enough disk space (or over the file size limit) while {doing} {shown}",
            "no space",
            status=413,
        )
    if code == errno.EROFS:
        return Forbidden(f"Read-only file system: {shown}")
    if code == errno.ENAMETOOLONG:
        return BadRequest(f"File name too long: {shown}")
    if code == errno.ELOOP:
        return NotFound(f"Too many levels of symbolic links: {shown}")
    if code == errno.ENOTEMPTY:
        return BadRequest(f"Directory {shown} not empty")
    reason = error.strerror or type(error).__name__
    return CarnetError(f"Unexpected error while {doing} {shown}: {reason}")


@contextmanager
def os_errors(api_path: str, doing: str) -> Iterator[None]:
    """Turn any ``OSError`` in the block into the matching `CarnetError`."""
    try:
        yield
    except OSError as e:
        raise translate(e, api_path, doing) from e
