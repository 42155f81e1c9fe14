"""DocumentOutputs finds cells by id through an index that follows the cells Array."""

from __future__ import annotations

from typing import Any

from pycrdt import Array, Doc, Map

from carnet.documents.outputs import DocumentOutputs


def _cell(cell_id: str, source: str = "") -> Map[Any]:
    return Map({"id": cell_id, "cell_type": "code", "source": source, "outputs": Array()})


def test_lookups_follow_inserts_deletes_and_moves() -> None:
    doc: Doc[Any] = Doc()
    cells: Array[Any] = doc.get("cells", type=Array)
    cells.extend([_cell(f"c{i}", f"print({i})") for i in range(5)])
    outputs = DocumentOutputs("f", doc, cells)
    assert outputs.find_cell("c3")["source"] == "print(3)"
    # Deleted: gone at once.
    del cells[3]
    assert outputs.find_cell("c3") is None
    # Moved (jupyter_ydoc moves a cell as delete + insert of a new Map with the same id).
    moved = cells[0].to_py()
    del cells[0]
    cells.append(Map({**moved, "outputs": Array()}))
    found = outputs.find_cell("c0")
    assert found is not None and found["source"] == "print(0)"
    assert str(cells[len(cells) - 1]["id"]) == "c0"
    found["source"] = "changed"
    assert cells[len(cells) - 1]["source"] == "changed"
    # Inserted after the index was built.
    cells.insert(1, _cell("new", "x"))
    assert outputs.find_cell("new")["source"] == "x"
    assert outputs.find_cell("missing") is None
    # After forget_all the index is dropped, lookups still work.
    outputs.forget_all()
    del cells[1]
    assert outputs.find_cell("new") is None
    assert outputs.find_cell("c1")["source"] == "print(1)"
