"""Sample notebooks for the document tests, written with nbformat (every cell and output type)."""

from __future__ import annotations

from typing import Any

import nbformat
from nbformat import v4

# A 1x1 PNG, base64 as Jupyter stores it.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAcCBlCwAA"
    "AABJRU5ErkJggg==\n"
)


def rich_notebook() -> Any:
    """A 4.5 notebook with every cell type, every output type, attachments and metadata."""
    nb = v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python", "version": "3.11.7"},
        "custom": {"nested": [1, 2.5, "é", None, True], "empty": {}},
    }
    code = v4.new_code_cell(
        "import sys\nprint('out')\nprint('err', file=sys.stderr)\n1 + 1",
        execution_count=3,
        metadata={"tags": ["a", "b"], "collapsed": False, "scrolled": True},
    )
    code.outputs = [
        v4.new_output("stream", name="stdout", text="out\nline two\n"),
        v4.new_output("stream", name="stderr", text="err\n"),
        v4.new_output(
            "execute_result",
            data={"text/plain": "2", "application/json": {"k": [1, 2]}},
            execution_count=3,
            metadata={"isolated": True},
        ),
        v4.new_output(
            "display_data",
            data={"image/png": PNG, "text/plain": "<Figure>"},
            metadata={"image/png": {"width": 1, "height": 1}},
        ),
        v4.new_output(
            "error",
            ename="ZeroDivisionError",
            evalue="division by zero",
            traceback=["\x1b[0;31mZeroDivisionError\x1b[0m", "line 2"],
        ),
    ]
    empty = v4.new_code_cell("", execution_count=None)
    markdown = v4.new_markdown_cell(
        "# Title ünïcødé 🎉\n\n![img](attachment:a.png)",
        attachments={"a.png": {"image/png": "iVBORw0KGgo="}},
        metadata={"slideshow": {"slide_type": "slide"}},
    )
    raw = v4.new_raw_cell("raw text\r\nwith CRLF inside", metadata={"format": "text/x-rst"})
    nb.cells = [markdown, code, empty, raw]
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
    return nb


def v44_notebook() -> Any:
    """A 4.4 notebook: no cell ids."""
    nb = v4.new_notebook()
    nb.nbformat_minor = 4
    nb.cells = [v4.new_code_cell("a = 1"), v4.new_markdown_cell("text")]
    for cell in nb.cells:
        del cell["id"]
    return nb


def file_text(nb: Any) -> str:
    """The bytes Jupyter writes for ``nb``."""
    return str(nbformat.writes(nb)) + "\n"
