"""A 2,000-cell notebook with outputs: it opens, and Run All covers every cell, shown or not."""

from __future__ import annotations

from typing import Any

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Lab
from tests.browser.test_notebook import cells, open_notebook, write_notebook

pytestmark = pytest.mark.browser

N = 2000


def _cell(i: int) -> Any:
    cell = nbformat.v4.new_code_cell(f"print('ran {i}')")  # type: ignore[no-untyped-call]
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"old {i}\n")]  # type: ignore[no-untyped-call]
    cell.execution_count = i + 1
    return cell


def test_run_all_covers_every_cell_of_a_2000_cell_notebook(lab: Lab) -> None:
    write_notebook(lab, "big.ipynb", [_cell(i) for i in range(N)])
    doc = open_notebook(lab, "big.ipynb")
    expect(cells(doc)).to_have_count(N)
    # Cells far below the view are in the page (not laid out), with their saved outputs.
    last = cells(doc).nth(N - 1)
    expect(last.locator(".carnet-Cell-outputArea")).to_have_text(f"old {N - 1}")
    lab.menu("Run", "Run All Cells")
    # Every cell runs on the server, in order: the last one's output replaces the old one,
    # although it was never scrolled to, and the file on disk gets all of them.
    expect(last.locator(".carnet-Cell-outputArea")).to_have_text(f"ran {N - 1}", timeout=300_000)
    last.scroll_into_view_if_needed()
    expect(last.locator(".carnet-Cell-outputArea")).to_be_in_viewport()
    lab.page.keyboard.press("Control+S")
    path = lab.server.root / "big.ipynb"
    for _ in range(300):
        nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
        texts = ["".join(o.get("text", "") for o in c.outputs) for c in nb.cells]
        if texts == [f"ran {i}\n" for i in range(N)]:
            break
        lab.page.wait_for_timeout(100)
    else:
        stale = [i for i, t in enumerate(texts) if t != f"ran {i}\n"]
        raise AssertionError(f"{len(stale)} cells not saved as run, first {stale[:5]}")
