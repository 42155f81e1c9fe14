"""File bytes <-> Y documents, with no I/O: what a room is built from and what it saves.

Notebooks use jupyter_ydoc's ``YNotebook`` schema unchanged, text files ``YUnicode``
(contract §1). jupyter_ydoc is imported on first use (~0.2 s: it scans entry points), never
at server start.

A document built from a file is built **deterministically**: in a scratch ``Doc`` with the
fixed client id 0 and with cell ids that depend only on the file, so two builds of the same
bytes produce identical Yjs items (jupyter-collaboration PR #571) and a browser holding an
earlier build merges without duplicating anything.

Saving reverses the load exactly: notebooks go through the contents layer's writer (the
bytes nbformat writes), the metadata jupyter_ydoc would add (empty ``kernelspec`` and
``language_info``) is not added, 4.0-4.4 notebooks keep their version until a change is
saved (then they become 4.5 with cell ids), and text files get their line endings back.
"""

from __future__ import annotations

import copy
import hashlib
from typing import TYPE_CHECKING, Any

from pycrdt import Doc, Map

from carnet.contents.notebooks import notebook_text, parse_notebook
from carnet.errors import CarnetError

if TYPE_CHECKING:
    from jupyter_ydoc import YNotebook, YUnicode

NOTEBOOK = "notebook"
FILE = "file"

# Documents above this size are refused with 413 (they would not be usable in a browser).
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024


class Unprocessable(CarnetError):
    status = 422


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ydoc_module() -> Any:
    """jupyter_ydoc, imported on first use."""
    import jupyter_ydoc

    return jupyter_ydoc


def new_ynotebook(doc: Doc[Any]) -> YNotebook:
    cls: type[YNotebook] = ydoc_module().YNotebook
    return cls(doc)


def new_yunicode(doc: Doc[Any]) -> YUnicode:
    cls: type[YUnicode] = ydoc_module().YUnicode
    return cls(doc)


# --- notebooks ------------------------------------------------------------------------------


def read_notebook(data: bytes, api_path: str) -> dict[str, Any]:
    """Notebook content from file bytes; 422 if it is not a readable, valid notebook."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CarnetError(f"{api_path} is too large to open", "too large", status=413)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Unprocessable(f"Unreadable Notebook: {api_path} {e!r}", "unreadable") from None
    try:
        nb, message = parse_notebook(text, api_path)
    except CarnetError as e:
        raise Unprocessable(e.message, "unreadable") from None
    if message:
        raise Unprocessable(f"{api_path}: {message}", "invalid notebook")
    return dict(nb)


def _minor(nb: dict[str, Any]) -> int:
    minor = nb.get("nbformat_minor", 0)
    return int(minor) if isinstance(minor, (int, float)) else 0


def _with_stable_ids(nb: dict[str, Any]) -> dict[str, Any]:
    """Cells without an id (nbformat 4.0-4.4) get one that depends only on their position."""
    cells = nb.get("cells") or []
    if all(isinstance(c, dict) and isinstance(c.get("id"), str) for c in cells):
        return nb
    fixed = []
    for index, cell in enumerate(cells):
        if isinstance(cell, dict) and not isinstance(cell.get("id"), str):
            cell = {**cell, "id": hashlib.sha256(f"carnet-cell-{index}".encode()).hexdigest()[:12]}
        fixed.append(cell)
    return {**nb, "cells": fixed}


def _as_floats(value: Any) -> Any:
    """What jupyter_ydoc stores for metadata: numbers as floats (Yjs numbers)."""
    cast_all = ydoc_module().utils.cast_all
    return cast_all(copy.deepcopy(value), int, float)


def set_notebook(ynb: YNotebook, nb: dict[str, Any]) -> None:
    """Put ``nb`` into ``ynb`` (granular by cell id); call inside a transaction."""
    nb = _with_stable_ids(nb)
    if not nb.get("cells"):
        # jupyter_ydoc would add a cell with a random id: add it ourselves, deterministically.
        nb = {**nb, "cells": [_empty_cell()]}
    ynb.set(nb)
    metadata = nb.get("metadata", {})
    ymeta = ynb.ydoc.get("meta", type=Map)
    current = ymeta.get("metadata")
    if not isinstance(current, Map) or ynb.get()["metadata"] != metadata:
        # jupyter_ydoc adds empty kernelspec/language_info: the file did not have them.
        ymeta["metadata"] = Map(_as_floats(metadata))


def _empty_cell() -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": "carnet-first-cell",
        "metadata": {"trusted": True},
        "outputs": [],
        "source": "",
    }


def notebook_update(nb: dict[str, Any], path: str) -> bytes:
    """The Y update of a notebook built deterministically (see the module docstring)."""
    doc: Doc[Any] = Doc(client_id=0)
    ynb = new_ynotebook(doc)
    with doc.transaction():
        set_notebook(ynb, nb)
        ynb.ystate["path"] = path
    return doc.get_update()


def notebook_content(ynb: YNotebook) -> dict[str, Any]:
    content: dict[str, Any] = ynb.get()
    return content


def notebook_bytes(nb: dict[str, Any]) -> bytes:
    """The file bytes of notebook content, exactly as the contents layer writes them."""
    return notebook_text(nb).encode("utf-8")


def upgrade_to_45(ynb: YNotebook) -> None:
    """A 4.0-4.4 notebook that changed is saved as 4.5 (its cells keep their ids)."""
    ymeta = ynb.ydoc.get("meta", type=Map)
    if _minor(ymeta.to_py() or {}) < 5 and int(ymeta.get("nbformat", 4)) == 4:
        ymeta["nbformat_minor"] = 5.0


def needs_upgrade(nb: dict[str, Any]) -> bool:
    return nb.get("nbformat") == 4 and _minor(nb) < 5


def reset_run_state(ynb: YNotebook) -> None:
    """A document restored after a restart has no running or queued cells."""
    for ycell in ynb.ycells:
        if ycell.get("cell_type") == "code" and ycell.get("execution_state") not in (None, "idle"):
            ycell["execution_state"] = "idle"


# --- text files -----------------------------------------------------------------------------


def read_text(data: bytes, api_path: str) -> tuple[str, bool]:
    """The text of a file with LF line ends, and whether it used CRLF."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CarnetError(f"{api_path} is too large to open", "too large", status=413)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unprocessable(f"{api_path} is not UTF-8 text", "not text") from None
    crlf = "\r\n" in text
    return (text.replace("\r\n", "\n") if crlf else text), crlf


def text_update(text: str, path: str) -> bytes:
    doc: Doc[Any] = Doc(client_id=0)
    ytext = new_yunicode(doc)
    with doc.transaction():
        ytext.set(text)
        ytext.ystate["path"] = path
    return doc.get_update()


def text_bytes(text: str, crlf: bool) -> bytes:
    return (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")


def strip_for_disk(notebook: dict[str, Any]) -> dict[str, Any]:
    """Drop carnet's ``metadata`` from stream outputs (nbformat forbids it); in place.

    A truncated stream keeps its head and tail text, with a line between them saying what
    was left out, so that the file never passes the cut off as the whole output.
    """
    for cell in notebook.get("cells", ()):
        for output in cell.get("outputs", ()) if isinstance(cell, dict) else ():
            if isinstance(output, dict) and output.get("output_type") == "stream":
                metadata = output.pop("metadata", None)
                info = metadata.get("carnet_truncated") if isinstance(metadata, dict) else None
                if isinstance(info, dict):
                    output["text"] = _with_omission_note(output.get("text"), info)
    return notebook


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return None
    return int(value)


def _with_omission_note(text: Any, info: dict[str, Any]) -> Any:
    # Numbers come back from the shared document as floats.
    head, lines, size = (
        _count(info.get(k)) for k in ("head_lines", "omitted_lines", "omitted_bytes")
    )
    if isinstance(text, list):
        text = "".join(str(t) for t in text)
    if not isinstance(text, str) or head is None or lines is None:
        return text
    parts = text.splitlines(keepends=True)
    before = "".join(parts[:head])
    sep = "" if before == "" or before.endswith("\n") else "\n"
    mib = f", {size / (1 << 20):.1f} MiB" if size is not None and size >= 1 << 20 else ""
    note = f"{sep}[carnet: {lines:,} lines{mib} of this output were not kept]\n"
    return before + note + "".join(parts[head:])
