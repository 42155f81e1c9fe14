"""Atomic file replacement: readers and crashes (even ``kill -9``) see the old file or the new.

Write to a temp file in the same directory, fsync it, give it the old file's mode (and
owner, when allowed), then ``os.replace`` it over the target and fsync the directory.
jupyter_server instead overwrites the target in place after copying it aside, which left
0-byte files and ``.~`` leftovers behind when a save failed (facts §8.4).

Temp files are named ``.~carnet-*``: hidden, and skipped by listings even when hidden
files are shown. A write that fails removes its temp file; a process that is killed leaves
one behind, never a damaged target.
"""

# OS paths stay strings here on purpose: confinement works on os.path.realpath strings,
# and hot loops can't afford a pathlib object per call.
# ruff: noqa: PTH101, PTH105, PTH108, PTH116, PTH120

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable

TEMP_PREFIX = ".~carnet-"
_CHUNK = 1 << 20


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows."""
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("Umask:"):
                        return int(line.split()[1], 8)
        except (OSError, ValueError, IndexError):
            pass
    # os.umask can only be read by setting it: restore it at once.
    old = os.umask(0o022)
    os.umask(old)
    return old


def default_file_mode() -> int:
    """The mode ``open()`` would give a new file (0o666 minus the umask)."""
    return 0o666 & ~current_umask()


def fsync_dir(directory: str) -> None:
    """Make a rename in ``directory`` durable (a no-op where directories can't be fsynced)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes | Iterable[bytes]) -> None:
    with open(fd, "wb", closefd=False) as f:
        if isinstance(data, (bytes, bytearray, memoryview)):
            f.write(data)
        else:
            for chunk in data:
                f.write(chunk)
        f.flush()
        os.fsync(fd)


def _copy_owner_and_mode(path: str, existing: os.stat_result | None, mode: int) -> None:
    if existing is None:
        os.chmod(path, mode)
        return
    os.chmod(path, existing.st_mode & 0o7777)
    if hasattr(os, "chown"):
        try:
            os.chown(path, existing.st_uid, existing.st_gid)
        except OSError:
            pass  # only root (or the owner, for the group) may; the mode is kept regardless


def atomic_write(
    path: str | os.PathLike[str],
    data: bytes | Iterable[bytes],
    *,
    mode: int | None = None,
) -> None:
    """Replace ``path`` with ``data`` (bytes, or an iterable of byte chunks) atomically.

    An existing file keeps its permission bits and, when the process may set it, its owner
    and group; a new file gets ``mode`` (default: what ``open()`` would give). Text is
    written by the caller as bytes, so newlines are exactly what it passes.

    If the directory is not writable but the file is, the file is rewritten in place
    (fsynced, but not atomic): saving must still work there, as in Jupyter.
    """
    target = os.fspath(path)
    directory = os.path.dirname(target) or "."
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=directory)
    except PermissionError:
        if existing is None or not os.access(target, os.W_OK):
            raise
        _write_in_place(target, data)
        return
    try:
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        _copy_owner_and_mode(tmp, existing, default_file_mode() if mode is None else mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(directory)


def _write_in_place(target: str, data: bytes | Iterable[bytes]) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_TRUNC)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def read_chunks(path: str, chunk_size: int = _CHUNK) -> Iterable[bytes]:
    """The bytes of ``path`` in chunks, for copies that must not hold a whole file in memory."""
    with open(path, "rb") as f:
        while chunk := f.read(chunk_size):
            yield chunk


def atomic_copy(src: str, dst: str, *, keep_times: bool = False, mode: int | None = None) -> None:
    """Copy the bytes of ``src`` over ``dst`` atomically (see `atomic_write`).

    ``keep_times`` also copies the access and modification times, like ``shutil.copy2``
    (checkpoints report the time of the version they hold).
    """
    atomic_write(dst, read_chunks(src), mode=mode)
    if keep_times:
        st = os.stat(src)
        os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
