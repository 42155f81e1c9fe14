"""Directory copies: bounded in size, staged out of sight, never importing outside data.

A copy is built in a hidden staging directory beside its destination and renamed into
place, so a listing shows the whole copy or nothing. Symlinks are copied as links: one
that leads out of the root stays refused, and nothing from outside the root is copied in
(jupyter_server's ``copytree`` follows them). Sockets, FIFOs and carnet's temp files are
skipped; a FIFO would otherwise block the copy forever.
"""

from __future__ import annotations

# OS paths stay strings here on purpose, as in the rest of the contents package.
# ruff: noqa: PTH104, PTH118
import os
import shutil
import stat
import tempfile

from carnet.contents.atomic import TEMP_PREFIX
from carnet.contents.oserrors import translate
from carnet.contents.paths import Located
from carnet.errors import BadRequest, Forbidden


def check_folder_size(source: Located, limit: int) -> None:
    """`BadRequest` if the regular files under ``source`` add up to more than ``limit`` bytes.

    Walks with ``os.scandir`` (jupyter_server runs ``du``) and stops as soon as the limit
    is passed; symlinks are not followed.
    """
    total, stack = 0, [source.real]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
        except OSError:
            continue
        if total > limit:
            mb = limit // (1024 * 1024)
            raise BadRequest(f"Can't copy folders larger than {mb}MB, {source.api!r} is larger")


def _skipped(directory: str, names: list[str]) -> set[str]:
    out = set()
    for name in names:
        try:
            mode = os.lstat(os.path.join(directory, name)).st_mode
        except OSError:
            out.add(name)
            continue
        plain = stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)
        if name.startswith(TEMP_PREFIX) or not plain:
            out.add(name)
    return out


def copy_tree(source: Located, destination: Located, target: Located) -> None:
    """Copy directory ``source`` to ``target`` (a free name inside ``destination``)."""
    try:
        staging = tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=destination.real)
    except OSError as e:
        raise translate(e, destination.api, "copying into") from e
    try:
        staged = os.path.join(staging, "copy")
        shutil.copytree(source.real, staged, symlinks=True, ignore=_skipped)
        os.rename(staged, target.real)
    except OSError as e:
        if isinstance(e, PermissionError):
            raise Forbidden(f"Permission denied: {destination.api or '/'}") from e
        raise BadRequest(f"Can't copy '{source.api}' into folder '{destination.api}'") from e
    finally:
        shutil.rmtree(staging, ignore_errors=True)
