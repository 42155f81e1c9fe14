"""Chunked uploads (``chunk``: 1, 2, ..., -1), as JupyterLab sends files over 15 MiB.

jupyter_server appends each chunk to the target file itself, so an interrupted upload
leaves a truncated file in the user's directory. Here chunks go to a hidden partial file
beside the target (``.~carnet-upload-<hash of the name>``), and the last chunk moves it over
the target in one ``os.replace``: until then the old file, if any, is untouched.

A ``-1`` chunk with no upload in progress is a complete one-chunk upload. A chunk after
the first with no upload in progress (the partial file is gone) is refused, rather than
silently producing a file that lacks its beginning.
"""

# OS paths stay strings here on purpose: confinement works on os.path.realpath strings,
# and hot loops can't afford a pathlib object per call.
# ruff: noqa: PTH101, PTH105, PTH116, PTH118, PTH120

from __future__ import annotations

import hashlib
import os

from carnet.contents.atomic import TEMP_PREFIX, fsync_dir
from carnet.contents.paths import Located
from carnet.errors import BadRequest


def check_chunk(chunk: object) -> int:
    """The chunk number, or `BadRequest` unless it is -1 or a positive integer."""
    if isinstance(chunk, bool) or not isinstance(chunk, int) or (chunk != -1 and chunk < 1):
        raise BadRequest(f"Invalid chunk {chunk!r}: send 1, 2, ... and -1 for the last chunk")
    return chunk


def partial_path(target: Located) -> str:
    digest = hashlib.sha256(target.name.encode("utf-8")).hexdigest()[:32]
    return os.path.join(os.path.dirname(target.real), f"{TEMP_PREFIX}upload-{digest}")


def write_chunk(target: Located, chunk: int, data: bytes, *, new_file_mode: int) -> str:
    """Add ``data`` to the upload of ``target``; on the last chunk, publish it.

    Returns the path whose stat describes the upload so far (the partial file, or the
    target once the last chunk is in).
    """
    partial = partial_path(target)
    flags = os.O_WRONLY | getattr(os, "O_BINARY", 0)
    if chunk == 1:
        fd = os.open(partial, flags | os.O_CREAT | os.O_TRUNC, 0o600)
    else:
        try:
            fd = os.open(partial, flags | os.O_APPEND)
        except FileNotFoundError:
            if chunk != -1:
                raise BadRequest(
                    f"No upload of {target.api} in progress: chunk {chunk} came without chunk 1"
                ) from None
            fd = os.open(partial, flags | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        if chunk == -1:
            os.fsync(fd)
    finally:
        os.close(fd)
    if chunk != -1:
        return partial
    _publish(partial, target.real, new_file_mode)
    return target.real


def _publish(partial: str, target: str, new_file_mode: int) -> None:
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        os.chmod(partial, new_file_mode)
    else:
        os.chmod(partial, existing.st_mode & 0o7777)
        if hasattr(os, "chown"):
            try:
                os.chown(partial, existing.st_uid, existing.st_gid)
            except OSError:
                pass
    os.replace(partial, target)
    fsync_dir(os.path.dirname(target))
