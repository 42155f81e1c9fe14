"""The fast JSON writers produce exactly what nbformat and the json module produce."""

from __future__ import annotations

import base64
import json
import random
from typing import Any

import nbformat
import pytest
from nbformat import v4

from carnet.contents.jsonfmt import dumps_compact, dumps_notebook

LONG_B64 = base64.b64encode(random.Random(1).randbytes(30_000)).decode()
LONG_TEXT_WITH_ESCAPES = ('line with "quotes" and \\ and \t tab\n' * 300) + "\x01end"
LONG_UNICODE = "ünïcødé ✓ 名前 " * 400
LONG_UNICODE_QUOTE = LONG_UNICODE + '"'


def _rich_notebook() -> Any:
    nb = v4.new_notebook()
    nb.metadata.update(
        {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python", "version": "3.11.0"},
            "custom": {"nested": [1, 2.5, -0.0, 1e300, True, False, None, [], {}], "ünï": "✓"},
            "orig_nbformat": 3,  # transient: dropped on write
            "signature": "sha256:abc",  # transient: dropped on write
        }
    )
    code = v4.new_code_cell("import x\nprint('hi')\n\n", execution_count=3)
    code.metadata["trusted"] = True  # transient
    code.metadata["tags"] = ["a", "b"]
    code.outputs = [
        v4.new_output("stream", name="stdout", text="one\ntwo\r\nthree"),
        v4.new_output(
            "display_data",
            data={
                "image/png": LONG_B64,
                "image/svg+xml": "<svg>\n<g/>\n</svg>",
                "text/plain": "<Figure>\nsize",
                "text/html": LONG_UNICODE_QUOTE,
                "application/json": {"a": [1, 2]},
                "application/vnd.custom+json": {"b": "c\nd"},
                "application/javascript": "var a;\nvar b;",
            },
            metadata={"image/png": {"width": 10}},
        ),
        v4.new_output(
            "execute_result", data={"text/plain": LONG_TEXT_WITH_ESCAPES}, execution_count=3
        ),
        v4.new_output("error", ename="E", evalue="bad", traceback=["a\x1b[0m", "b"]),
    ]
    md = v4.new_markdown_cell("# Title\n\n![img](attachment:a.png)")
    md.attachments = {"a.png": {"image/png": LONG_B64, "text/plain": "x\ny"}}
    raw = v4.new_raw_cell("")
    nb.cells = [code, md, raw, v4.new_code_cell(LONG_UNICODE)]
    return nb


@pytest.mark.parametrize(
    "make",
    [
        v4.new_notebook,
        _rich_notebook,
        lambda: nbformat.reads(
            json.dumps(
                {
                    "cells": [
                        {
                            "cell_type": "code",
                            "execution_count": None,
                            "metadata": {},
                            "outputs": [],
                            "source": ["a\n", "b"],
                        }
                    ],
                    "metadata": {},
                    "nbformat": 4,
                    "nbformat_minor": 4,
                }
            ),
            as_version=4,
        ),
    ],
)
def test_dumps_notebook_is_nbformat_writes(make: Any) -> None:
    nb = make()
    expected = nbformat.writes(nb)
    assert dumps_notebook(nb) == expected
    # From plain dicts (what a PUT body parses to), too, and without changing the input.
    plain = json.loads(json.dumps(nb))
    before = json.dumps(plain, sort_keys=True)
    assert dumps_notebook(plain) == expected
    assert json.dumps(plain, sort_keys=True) == before


def test_dumps_notebook_falls_back_for_values_json_never_holds() -> None:
    nb = v4.new_notebook()
    nb.metadata["raw"] = b"bytes"  # nbformat's writer turns ascii bytes into str
    assert dumps_notebook(nb) == nbformat.writes(nb)


@pytest.mark.parametrize(
    "obj",
    [
        {"a": 1, "b": [True, False, None], "c": {"d": 1.5, "e": -2}},
        [],
        {},
        "x",
        [LONG_B64, LONG_TEXT_WITH_ESCAPES, LONG_UNICODE, LONG_UNICODE_QUOTE],
        {"nan": float("nan"), "inf": float("inf"), "ninf": float("-inf"), "big": 10**40},
        {LONG_B64: LONG_B64},
        {3: "int key", 2.5: "float key", True: "bool key", None: "null key"},
        ("tuple", 1),
    ],
)
def test_dumps_compact_is_json_dumps(obj: Any) -> None:
    expected = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    assert dumps_compact(obj) == expected


def test_dumps_compact_falls_back_for_other_types() -> None:
    with pytest.raises(TypeError):
        dumps_compact({"a": object()})
