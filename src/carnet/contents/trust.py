"""Jupyter's notebook trust: nbformat's ``NotebookNotary`` with the Jupyter data dir.

A notebook is trusted when the HMAC of its content (the form nbformat reads from the file:
lines joined, ``metadata.signature`` and cells' ``metadata.trusted`` left out) is in the
signature database, keyed with the secret in ``notebook_secret``. Both files live in the
Jupyter data dir by default (``nbsignatures.db``, ``notebook_secret``), exactly where
``jupyter trust`` and jupyter_server look, so a notebook trusted by one is trusted by the other.

Each operation opens its own notary (its SQLite connection belongs to the thread that made
it; the calls run in worker threads) and closes it. Everything here does file I/O: call it
from a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from carnet.contents.notebooks import _nbformat


class TrustError(Exception):
    """A notebook that cannot be signed or checked (unreadable, not a notebook)."""


class Notary:
    """Signs and checks notebooks; ``data_dir`` None means the Jupyter data dir."""

    def __init__(self, data_dir: str | None = None) -> None:
        self._data_dir = data_dir

    @property
    def data_dir(self) -> str:
        if self._data_dir is not None:
            return self._data_dir
        from jupyter_core.paths import jupyter_data_dir

        return str(jupyter_data_dir())

    @contextmanager
    def _notary(self) -> Iterator[Any]:
        from pathlib import Path

        from nbformat.sign import NotebookNotary

        data_dir = self.data_dir
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        with NotebookNotary(data_dir=data_dir) as notary:  # type: ignore[no-untyped-call]
            yield notary

    # --- notebooks as nbformat reads them --------------------------------------------------

    @staticmethod
    def parse(data: bytes | str) -> Any:
        """The notebook as ``jupyter trust`` reads it (no conversion); TrustError if unreadable."""
        nbformat = _nbformat()
        try:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
            nb = nbformat.reader.reads(text)
        except Exception as e:  # JSON errors, unknown versions, bad encoding
            raise TrustError(f"not a readable notebook ({_short(e)})") from None
        if not isinstance(nb, dict) or not isinstance(nb.get("cells", []), list):
            raise TrustError("not a notebook")
        return nb

    @staticmethod
    def node(nb: Any) -> Any:
        """``nb`` with attribute access at the top (what the notary's methods expect)."""
        from nbformat.notebooknode import NotebookNode

        return nb if isinstance(nb, NotebookNode) else NotebookNode(nb)  # type: ignore[no-untyped-call]

    # --- checks and signatures -------------------------------------------------------------

    def is_signed(self, nb: Any) -> bool:
        """Whether the notebook's signature is in the database (jupyter_server's check)."""
        try:
            with self._notary() as notary:
                return bool(notary.check_signature(self.node(nb)))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return False

    def is_signed_bytes(self, data: bytes) -> bool:
        return self.is_signed(self.parse(data))

    def sign(self, nb: Any) -> bool:
        """Store the notebook's signature; False if it was already there."""
        with self._notary() as notary:
            node = self.node(nb)
            if notary.check_signature(node):
                return False
            notary.sign(node)
            return True

    def sign_bytes(self, data: bytes) -> bool:
        """Sign the notebook whose file bytes are ``data`` (as ``jupyter trust FILE``)."""
        return self.sign(self.parse(data))


def cells_trusted(nb: dict[str, Any]) -> bool:
    """nbformat's ``check_cells`` on a copy of ``nb``: every code cell is explicitly trusted
    or has no rich output (jupyter_server signs a notebook it saves only then)."""
    cells = []
    for cell in nb.get("cells") or ():
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            metadata = cell.get("metadata")
            outputs = cell.get("outputs")
            cells.append(
                {
                    "cell_type": "code",
                    "metadata": dict(metadata) if isinstance(metadata, dict) else {},
                    "outputs": outputs if isinstance(outputs, list) else [],
                }
            )
    copy = {"nbformat": nb.get("nbformat", 4), "cells": cells}
    from nbformat.sign import MemorySignatureStore, NotebookNotary

    # check_cells reads neither the secret nor the database: no files are opened here.
    with NotebookNotary(data_dir="", store_factory=MemorySignatureStore) as notary:  # type: ignore[no-untyped-call]
        try:
            return bool(notary.check_cells(Notary.node(copy)))
        except (KeyError, TypeError, AttributeError):
            return False


def _short(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:200]
