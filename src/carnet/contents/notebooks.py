"""Notebook text <-> content: read nbformat v1-v4 (as v4), validate, write v4 like Jupyter.

nbformat is imported lazily (0.3 s; the server preloads it in the background soon after it
starts, see `preload`) and validates with fastjsonschema, its default when installed. Cell
ids are repaired before validation (missing ids in a 4.5+ notebook, duplicates), which is
what nbformat would do itself while warning about it.

Writing never converts a v4 notebook to another minor version, so a file that did not
change is written back byte for byte: same text as ``nbformat.writes`` plus a newline.
"""

from __future__ import annotations

import sys
from typing import Any

from carnet.contents.jsonfmt import dumps_notebook
from carnet.errors import BadRequest

_MAX_DETAIL = 300


def _validation_message(error: Exception) -> str:
    message = getattr(error, "message", None) or str(error)
    message = str(message).splitlines()[0] if message else type(error).__name__
    where = getattr(error, "relative_path", None) or getattr(error, "path", None)
    if where:
        message += f" (at {'/'.join(str(p) for p in where)})"
    if len(message) > _MAX_DETAIL:
        message = message[:_MAX_DETAIL] + "..."
    return f"Notebook validation failed: {message}"


def _nbformat() -> Any:
    """nbformat, imported on first use (and untyped: its functions carry no annotations)."""
    if "jsonschema" not in sys.modules:
        # nbformat imports jsonschema, whose format checkers import rfc3987-syntax when it is
        # installed (JupyterLab's jupyter-events brings it), and that module builds a Lark
        # grammar at import: 0.9 s of CPU, for "iri" formats that no notebook schema uses.
        # Without it jsonschema simply skips those formats.
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    import nbformat

    return nbformat


def preload() -> None:
    """Import nbformat and its validator now (in a worker thread), so that the first
    notebook a user opens does not wait for them."""
    _nbformat().validate(_nbformat().v4.new_notebook())


def _new_cell_id() -> str:
    from nbformat.corpus.words import generate_corpus_id

    return str(generate_corpus_id())  # type: ignore[no-untyped-call]


def _minor(nb: dict[str, Any]) -> int:
    minor = nb.get("nbformat_minor")
    return minor if isinstance(minor, int) and not isinstance(minor, bool) else 0


def _repair_cell_ids(nb: dict[str, Any]) -> None:
    """Give 4.5+ cells a unique id where they lack one, as nbformat's validator does."""
    major = nb.get("nbformat")
    if not isinstance(major, int) or (major, _minor(nb)) < (4, 5):
        return
    cells = nb.get("cells")
    if not isinstance(cells, list):
        return
    seen: set[str] = set()
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        cell_id = cell.get("id")
        if not isinstance(cell_id, str) or cell_id in seen:
            if "id" in cell and not isinstance(cell_id, str):
                continue  # a wrong type is the validator's to report
            cell_id = _new_cell_id()
            while cell_id in seen:
                cell_id = _new_cell_id()
            cell["id"] = cell_id
        seen.add(cell_id)


def _validate(nb: Any) -> str | None:
    """None if ``nb`` is a valid notebook, else a short message saying where it is not."""
    try:
        _nbformat().validate(nb)
    except Exception as e:  # ValidationError, or nbformat tripping over a bad version
        return _validation_message(e)
    return None


def parse_notebook(text: str | bytes, api_path: str) -> tuple[dict[str, Any], str | None]:
    """Notebook content (v4) from file text, and a validation message if it is not valid.

    Unparseable text (not JSON, unknown version) is a 400 "Unreadable Notebook", as in
    Jupyter; a notebook that parses but fails validation is still returned, with a message.
    """
    nbformat = _nbformat()
    try:
        nb = nbformat.reader.reads(text)
        nb = nbformat.convert(nb, 4)
    except Exception as e:
        raise BadRequest(f"Unreadable Notebook: {api_path} {e!r}") from None
    _repair_cell_ids(nb)
    return nb, _validate(nb)


def notebook_text(content: Any) -> str:
    """The file text for notebook content from a client, or `BadRequest` if it is invalid.

    v4 content is written as given (minor version kept); v3 and older is converted to the
    current v4. The text ends with a newline, as ``nbformat.write`` leaves it.
    """
    if not isinstance(content, dict):
        raise BadRequest("Notebook content must be a JSON object", "bad content")
    major = content.get("nbformat")
    if isinstance(major, bool) or not isinstance(major, int):
        raise BadRequest("Notebook validation failed: 'nbformat' must be an integer")
    if major > 4 or major < 1:
        raise BadRequest(f"Notebook validation failed: unsupported nbformat version {major}")
    if major < 4:
        nbformat = _nbformat()
        try:
            content = nbformat.convert(nbformat.from_dict(content), 4)
        except Exception as e:
            raise BadRequest(f"Notebook conversion to v4 failed: {e}") from None
    else:
        content = _with_repaired_ids(content)
    error = _validate(content)
    if error:
        raise BadRequest(error, "bad notebook")
    return dumps_notebook(content) + "\n"


def _with_repaired_ids(nb: dict[str, Any]) -> dict[str, Any]:
    """``nb``, or a shallow copy whose cells got ids, so the caller's dict is left alone."""
    cells = nb.get("cells")
    if not isinstance(cells, list) or _minor(nb) < 5:
        return nb
    ids = [c.get("id") for c in cells if isinstance(c, dict)]
    if all(isinstance(i, str) for i in ids) and len(set(ids)) == len(ids):
        return nb
    copy = {**nb, "cells": [dict(c) if isinstance(c, dict) else c for c in cells]}
    _repair_cell_ids(copy)
    return copy


def new_notebook_text() -> str:
    """An empty current-version notebook, as Jupyter creates for "New Notebook" (72 bytes)."""
    return dumps_notebook(_nbformat().v4.new_notebook()) + "\n"
