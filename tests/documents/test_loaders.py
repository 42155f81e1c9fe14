"""Notebook and text bytes <-> Y documents, without a server (carnet.documents.loaders)."""

from __future__ import annotations

from typing import Any

import nbformat
from pycrdt import Doc

from carnet.documents import loaders
from tests.documents.samples import file_text, rich_notebook, v44_notebook


def _room_doc(data: bytes) -> tuple[Doc[Any], Any]:
    doc: Doc[Any] = Doc()
    doc.apply_update(loaders.notebook_update(loaders.read_notebook(data, "a.ipynb"), "a.ipynb"))
    return doc, loaders.new_ynotebook(doc)


def test_notebook_round_trip_is_byte_identical() -> None:
    for nb in (rich_notebook(), v44_notebook(), nbformat.v4.new_notebook()):
        data = file_text(nb).encode()
        if not nb.cells:
            continue  # an empty notebook gets its first cell (the document is then "changed")
        _, ynb = _room_doc(data)
        assert loaders.notebook_bytes(loaders.notebook_content(ynb)) == data


def test_builds_are_deterministic() -> None:
    """Two builds of one file have the same items: merging them duplicates nothing."""
    for nb in (rich_notebook(), v44_notebook(), nbformat.v4.new_notebook()):
        data = file_text(nb).encode()
        content = loaders.read_notebook(data, "a.ipynb")
        first = loaders.notebook_update(content, "a.ipynb")
        doc, ynb = _room_doc(data)
        before = loaders.notebook_content(ynb)
        cells = len(ynb.ycells)
        doc.apply_update(loaders.notebook_update(content, "a.ipynb"))
        assert len(ynb.ycells) == cells
        assert loaders.notebook_content(ynb) == before
        other: Doc[Any] = Doc()
        other.apply_update(first)
        assert other.get_state() == doc.get_state()
    assert loaders.text_update("a\nb", "t.txt") == loaders.text_update("a\nb", "t.txt")


def test_change_then_save_matches_nbformat() -> None:
    nb = rich_notebook()
    doc, ynb = _room_doc(file_text(nb).encode())
    with doc.transaction():
        ynb.ycells[2]["source"].insert(0, "y = 2")
    nb.cells[2].source = "y = 2"
    assert loaders.notebook_bytes(loaders.notebook_content(ynb)) == file_text(nb).encode()


def test_text_line_endings() -> None:
    text, crlf = loaders.read_text(b"a\r\nb\r\n", "t.txt")
    assert (text, crlf) == ("a\nb\n", True)
    assert loaders.text_bytes(text + "c\n", crlf) == b"a\r\nb\r\nc\r\n"
    assert loaders.read_text(b"a\nb", "t.txt") == ("a\nb", False)
