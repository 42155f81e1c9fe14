"""Notebook parsing, validation and writing rules."""

from __future__ import annotations

import json
from typing import Any

import nbformat
import pytest
from nbformat import v3, v4

from carnet.contents.notebooks import new_notebook_text, notebook_text, parse_notebook
from carnet.errors import BadRequest


def test_new_notebook_is_the_72_byte_jupyter_one() -> None:
    text = new_notebook_text()
    assert text == nbformat.writes(v4.new_notebook()) + "\n"
    assert len(text.encode()) == 72


def test_v3_is_read_as_v4() -> None:
    old = v3.new_notebook()
    old.worksheets.append(v3.new_worksheet(cells=[v3.new_code_cell(input="1+1")]))
    nb, message = parse_notebook(v3.nbjson.writes(old), "old.ipynb")
    assert message is None
    assert nb["nbformat"] == 4
    assert nb["cells"][0]["source"] == "1+1"
    assert isinstance(nb["cells"][0]["id"], str)


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", '{"nbformat": 99}', "{"])
def test_unreadable_notebooks_are_400(text: str) -> None:
    with pytest.raises(BadRequest, match=r"^Unreadable Notebook: bad\.ipynb"):
        parse_notebook(text, "bad.ipynb")


def test_an_invalid_notebook_on_disk_is_read_with_a_message() -> None:
    text = json.dumps(
        {
            "cells": [{"cell_type": "code", "source": "x", "metadata": {}}],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 4,
        }
    )
    nb, message = parse_notebook(text, "x.ipynb")
    assert nb["cells"][0]["source"] == "x"
    assert message is not None
    assert message.startswith("Notebook validation failed: 'outputs' is a required property")
    assert "cells/0" in message


def test_missing_cell_ids_are_repaired_without_warnings() -> None:
    # (warnings are errors in this test suite: nbformat would warn here)
    text = json.dumps(
        {
            "cells": [
                {"cell_type": "markdown", "source": "a", "metadata": {}},
                {"cell_type": "markdown", "source": "b", "metadata": {}, "id": "same"},
                {"cell_type": "markdown", "source": "c", "metadata": {}, "id": "same"},
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )
    nb, message = parse_notebook(text, "x.ipynb")
    assert message is None
    ids = [c["id"] for c in nb["cells"]]
    assert len(set(ids)) == 3 and ids[1] == "same"


def _valid() -> dict[str, Any]:
    nb = v4.new_notebook()
    nb.cells.append(v4.new_code_cell("1"))
    return json.loads(json.dumps(nb))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "must be a JSON object"),
        ([1], "must be a JSON object"),
        ("text", "must be a JSON object"),
        ({}, "'nbformat' must be an integer"),
        ({"nbformat": "4"}, "'nbformat' must be an integer"),
        ({"nbformat": True}, "'nbformat' must be an integer"),
        ({"nbformat": 5, "nbformat_minor": 0, "cells": [], "metadata": {}}, "unsupported"),
        ({"nbformat": 0}, "unsupported"),
        (
            {"nbformat": 4, "nbformat_minor": 5, "cells": [{}], "metadata": {}},
            "Notebook validation failed",
        ),
        (
            {"nbformat": 4, "nbformat_minor": "5", "cells": [], "metadata": {}},
            "Notebook validation failed",
        ),
        (
            {"nbformat": 4, "nbformat_minor": 5, "cells": "x", "metadata": {}},
            "Notebook validation failed",
        ),
        ({"nbformat": 4, "nbformat_minor": 5, "metadata": {}}, "Notebook validation failed"),
        ({"nbformat": 3, "worksheets": "x"}, "Notebook"),
    ],
)
def test_invalid_content_is_refused(content: Any, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        notebook_text(content)


def test_valid_content_is_written_like_nbformat_and_not_modified() -> None:
    content = _valid()
    del content["cells"][0]["id"]
    before = json.dumps(content)
    text = notebook_text(content)
    assert json.dumps(content) == before  # the caller's dict is left alone
    written = json.loads(text)
    assert isinstance(written["cells"][0]["id"], str)
    assert text == nbformat.writes(nbformat.from_dict(written)) + "\n"


def test_v3_content_is_written_as_v4() -> None:
    old = v3.new_notebook()
    old.worksheets.append(v3.new_worksheet(cells=[v3.new_code_cell(input="1+1")]))
    text = notebook_text(json.loads(v3.nbjson.writes(old)))
    assert json.loads(text)["nbformat"] == 4
