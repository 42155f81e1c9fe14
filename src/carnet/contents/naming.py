"""Names the server picks: ``Untitled1.ipynb``, ``Untitled Folder 2``, ``a-Copy1.txt``.

Same rules as jupyter_server's ``increment_filename``: the counter goes before the last dot
of a notebook name, before the first dot of any other name (``x.tar.gz`` ->
``x-Copy1.tar.gz``), and the bare name is used when it is free.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

# A name that already is a copy is copied from its original name: a-Copy1.txt -> a-Copy2.txt
_COPY_SUFFIX = re.compile(r"\-Copy\d*\.")


def copy_source_name(name: str) -> str:
    return _COPY_SUFFIX.sub(".", name)


def increment_filename(name: str, taken: Callable[[str], bool], insert: str = "") -> str:
    """The first of ``name``, ``<base><insert>1<ext>``, ``<base><insert>2<ext>``... not taken."""
    base, dot, ext = name.rpartition(".")
    if ext != "ipynb":
        base, dot, ext = name.partition(".")
    suffix = dot + ext
    for i in itertools.count():
        candidate = f"{base}{insert}{i}{suffix}" if i else name
        if not taken(candidate):
            return candidate
    raise AssertionError("unreachable")
