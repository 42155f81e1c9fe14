"""Where a user's files live and how they are written: small JSON documents, replaced atomically.

A user's folder is named by a hash of the username, so no username (``..``, ``/``, a very long
one) can name a path outside the store. Files are written to a temp file in the same folder,
fsynced and renamed over the target, so a crash leaves the old file or the new one, never half.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path

TEMP_PREFIX = ".~carnet-"


def user_dir(root: Path, username: str) -> Path:
    """The folder that holds ``username``'s files below ``root`` (not created here)."""
    digest = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return root / digest


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, creating its folder (mode 0700) if needed."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=path.parent)
    try:
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise
    if os.name != "nt":
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)


def read_text(path: Path) -> str | None:
    """The UTF-8 text of ``path``, or None when it does not exist."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def iso_utc(timestamp: float) -> str:
    """Jupyter's timestamp format: ISO-8601 UTC with microseconds and a ``Z``."""
    moment = dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def file_times(path: Path) -> tuple[str, str]:
    """``(created, last_modified)`` of ``path`` as Jupyter timestamps."""
    st = path.stat()
    return iso_utc(st.st_ctime), iso_utc(st.st_mtime)
