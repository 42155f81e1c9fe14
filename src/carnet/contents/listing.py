"""Directory listings: one ``os.scandir`` pass, one stat per entry, cheap dicts.

What a listing leaves out (facts §1.3, "Listing rules"): names matching ``hide_globs``,
hidden entries (dot names, or the ``UF_HIDDEN`` flag) unless hidden files are allowed,
carnet's own temp files always, anything that is not a regular file or a directory
(sockets, FIFOs, devices), broken symlinks, symlinks that lead outside the root, and names
no API path can address (not valid UTF-8, or holding a backslash).
"""

# OS paths stay strings here on purpose: confinement works on os.path.realpath strings,
# and hot loops can't afford a pathlib object per call.
# ruff: noqa: PTH116

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Callable, Sequence
from typing import Any

from carnet.contents.atomic import TEMP_PREFIX
from carnet.contents.models import IsoTimes, MimeTypes, entry_model
from carnet.contents.paths import ContentsRoot, Located

_UF_HIDDEN = getattr(stat, "UF_HIDDEN", 0)


def compile_hide_globs(globs: Sequence[str]) -> Callable[[str], bool]:
    """One regex for all globs, matched like ``fnmatch.fnmatch`` (case-blind on Windows)."""
    if not globs:
        return lambda name: False
    flags = re.IGNORECASE if os.name == "nt" else 0
    pattern = re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in globs), flags)
    return lambda name: pattern.match(name) is not None


def list_directory(
    root: ContentsRoot,
    directory: Located,
    *,
    allow_hidden: bool,
    hidden_by_glob: Callable[[str], bool],
    mimes: MimeTypes,
) -> list[dict[str, Any]]:
    """The child models (without content) of an already located directory."""
    iso = IsoTimes()
    prefix = f"{directory.api}/" if directory.api else ""
    at_root = not directory.api
    out: list[dict[str, Any]] = []
    access, w_ok, isdir, isreg = os.access, os.W_OK, stat.S_ISDIR, stat.S_ISREG
    with os.scandir(directory.real) as entries:
        for entry in entries:
            name = entry.name
            if name[0] == "." and (not allow_hidden or name.startswith(TEMP_PREFIX)):
                continue
            if hidden_by_glob(name) or "\\" in name:
                continue
            if not name.isascii():
                try:
                    name.encode("utf-8")
                except UnicodeEncodeError:
                    continue
            if at_root and len(name) >= 2 and name[1] == ":" and name[0].isalpha():
                continue  # "C:x" reads as a drive letter: the API refuses it
            try:
                if entry.is_symlink():
                    if not root.contains(os.path.realpath(entry.path)):
                        continue
                    st = os.stat(entry.path)
                else:
                    st = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # broken symlink, loop, vanished, or no permission
            mode = st.st_mode
            if isdir(mode):
                kind, mimetype = "directory", None
            elif isreg(mode):
                if name.endswith(".ipynb"):
                    kind, mimetype = "notebook", None
                else:
                    kind, mimetype = "file", mimes.guess(name)
            else:
                continue
            if _UF_HIDDEN and not allow_hidden and getattr(st, "st_flags", 0) & _UF_HIDDEN:
                continue
            out.append(
                entry_model(name, prefix + name, kind, st, access(entry.path, w_ok), mimetype, iso)
            )
    return out
