"""Contents models (facts §1.2): the dicts the Contents API returns, built cheaply.

A listing of 5,000 files builds 5,000 of these, so the pieces are tuned: timestamps are
formatted from ``st_*_ns`` with the date part cached per second, and MIME types are looked
up once per extension.
"""

from __future__ import annotations

import math
import mimetypes
import os
import time
from typing import Any

_EPOCH = "1970-01-01T00:00:00"
_NS = 1_000_000_000
_COMPRESSED_SUFFIXES = frozenset(mimetypes.encodings_map) | frozenset(mimetypes.suffix_map)


class IsoTimes:
    """ISO-8601 UTC timestamps with microseconds and ``Z``, as Jupyter writes them.

    Keeps the formatted date and time of the seconds it has seen (files written together
    share them), so one instance per listing is cheapest.
    """

    def __init__(self) -> None:
        self._seconds: dict[int, str] = {}

    def __call__(self, ns: int) -> str:
        seconds, rest = divmod(ns, _NS)
        prefix = self._seconds.get(seconds)
        if prefix is None:
            try:
                prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
            except (OverflowError, OSError, ValueError):
                # Rare invalid timestamps (jupyter/notebook#2539): the epoch, not a crash.
                prefix, rest = _EPOCH, 0
            self._seconds[seconds] = prefix
        return f"{prefix}.{rest // 1000:06d}Z"


def created_ns(st: os.stat_result) -> int:
    """Birth time where the platform reports a usable one, else ``st_ctime`` (as Jupyter)."""
    birth = getattr(st, "st_birthtime", None)
    if isinstance(birth, (int, float)) and birth >= 0 and math.isfinite(birth):
        birth_ns = getattr(st, "st_birthtime_ns", None)
        return birth_ns if isinstance(birth_ns, int) else int(birth * _NS)
    return st.st_ctime_ns


class MimeTypes:
    """``mimetypes.guess_type(name)[0]``, memoized by extension."""

    def __init__(self) -> None:
        self._by_suffix: dict[str, str | None] = {}

    def guess(self, name: str) -> str | None:
        dot = name.rfind(".")
        if dot <= 0:
            return None if dot < 0 else self._uncached(name)
        suffix = name[dot:]
        if suffix in _COMPRESSED_SUFFIXES or suffix.lower() in _COMPRESSED_SUFFIXES:
            return self._uncached(name)  # "a.tar.gz" depends on both suffixes
        try:
            return self._by_suffix[suffix]
        except KeyError:
            guessed = self._uncached("x" + suffix)
            self._by_suffix[suffix] = guessed
            return guessed

    @staticmethod
    def _uncached(name: str) -> str | None:
        # guess_type parses URLs; a bare name must not be read as "scheme:..."
        return mimetypes.guess_type("./" + name)[0]

    def for_download(self, name: str) -> str | None:
        """The Content-Type ``/files/`` serves, following jupyter_server's rules (RFC 6713)."""
        if name.lower().endswith(".ipynb"):
            return "application/x-ipynb+json"
        guessed, encoding = mimetypes.guess_type("./" + name)
        if encoding == "gzip":
            return "application/gzip"
        if encoding is not None:
            return "application/octet-stream"
        return guessed


def entry_model(
    name: str,
    api_path: str,
    kind: str,
    st: os.stat_result,
    writable: bool,
    mimetype: str | None,
    iso: IsoTimes,
) -> dict[str, Any]:
    """A model without content: what a listing holds, and every write returns."""
    return {
        "name": name,
        "path": api_path,
        "last_modified": iso(st.st_mtime_ns),
        "created": iso(created_ns(st)),
        "content": None,
        "format": None,
        "mimetype": mimetype,
        "size": None if kind == "directory" else st.st_size,
        "writable": writable,
        "hash": None,
        "hash_algorithm": None,
        "type": kind,
    }


def kind_of(name: str, is_dir: bool) -> str:
    if is_dir:
        return "directory"
    return "notebook" if name.endswith(".ipynb") else "file"
