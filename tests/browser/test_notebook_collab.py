"""Notebooks are server documents: two views see each other, output survives closed tabs."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Lab
from tests.browser.test_notebook import (
    cells,
    code_cell,
    code_cells,
    markdown_cell,
    open_notebook,
    wait_texts,
    write_notebook,
)
from tests.conftest import CarnetServer

pytestmark = pytest.mark.browser


def test_two_views_see_edits_and_run_state(
    server: CarnetServer, new_lab: Callable[[CarnetServer], Lab]
) -> None:
    one = new_lab(server).open()
    two = new_lab(server).open()
    write_notebook(
        one,
        "shared.ipynb",
        [code_cell("import time\ntime.sleep(2)\nprint('slept')")],
    )
    doc1 = open_notebook(one, "shared.ipynb")
    doc2 = open_notebook(two, "shared.ipynb")
    # An edit in one view shows in the other.
    cells(doc1).nth(0).locator(".carnet-Cell-static").click()
    one.page.keyboard.press("Control+End")
    one.page.keyboard.type("\nx = 1")
    wait_texts(doc2, ["import time\ntime.sleep(2)\nprint('slept')\nx = 1"])
    # A run started in one view: the other sees it running, then its output.
    one.page.keyboard.press("Control+Enter")
    prompt2 = cells(doc2).nth(0).locator(".carnet-Cell-inputPrompt")
    expect(prompt2).to_have_text("[*]:")
    expect(cells(doc2).nth(0).locator(".carnet-Cell-outputArea")).to_contain_text("slept")
    expect(prompt2).to_have_text("[1]:")
    # A cell added in the second view appears once in the first.
    two.page.keyboard.press("Escape")
    cells(doc2).nth(0).locator(".carnet-Cell-inputPrompt").click()
    two.page.keyboard.press("b")
    expect(cells(doc1)).to_have_count(2)
    two.page.keyboard.press("Enter")
    two.page.keyboard.type("y = 2")
    wait_texts(doc1, ["import time\ntime.sleep(2)\nprint('slept')\nx = 1", "y = 2"])
    # A move (delete + insert in one transaction) shows once, in its new place, in the other view.
    two.page.keyboard.press("Escape")
    cells(doc2).nth(1).get_by_role("button", name="Move cell up").click()
    wait_texts(doc1, ["y = 2", "import time\ntime.sleep(2)\nprint('slept')\nx = 1"])
    expect(cells(doc1)).to_have_count(2)
    expect(cells(doc1).nth(1).locator(".carnet-Cell-outputArea")).to_contain_text("slept")


def test_output_survives_a_closed_tab(
    server: CarnetServer, new_lab: Callable[[CarnetServer], Lab]
) -> None:
    """Issue 5's scenario: a cell prints once a second for 10 s; its only page closes after
    2 s; the server keeps writing the output into the document and saves it; a page opened
    afterwards shows all ten lines."""
    first = new_lab(server).open()
    write_notebook(
        first,
        "long.ipynb",
        [
            code_cell(
                "import time\n"
                "for i in range(10):\n"
                "    print('line', i, flush=True)\n"
                "    time.sleep(1)"
            )
        ],
    )
    doc = open_notebook(first, "long.ipynb")
    cells(doc).nth(0).locator(".carnet-Cell-inputPrompt").click()
    first.page.keyboard.press("Control+Enter")
    expect(cells(doc).nth(0).locator(".carnet-Cell-outputArea")).to_contain_text("line 1")
    first.page.close()
    # No page is open now: the file on disk gets every line (autosave) and the count.
    lines = [f"line {i}\n" for i in range(10)]
    deadline = time.monotonic() + 60
    while True:
        cell = json.loads((server.root / "long.ipynb").read_text())["cells"][0]
        text = "".join("".join(o.get("text", "")) for o in cell["outputs"])
        if text == "".join(lines) and cell["execution_count"] == 1:
            break
        assert time.monotonic() < deadline, f"the file has {text!r}"
        time.sleep(0.2)
    second = new_lab(server).open()
    doc2 = open_notebook(second, "long.ipynb")
    out = cells(doc2).nth(0).locator(".carnet-Cell-outputArea")
    expect(out).to_contain_text("line 9")
    assert out.inner_text().count("line ") == 10
    for line in lines:
        assert line.strip() in out.inner_text()
    expect(cells(doc2).nth(0).locator(".carnet-Cell-inputPrompt")).to_have_text("[1]:")


def test_large_notebook_renders_every_cell(lab: Lab) -> None:
    sources = [f"value_{i} = {i}\nprint(value_{i})" for i in range(200)]
    cells_ = [code_cell(s) for s in sources]
    for i in range(0, 200, 10):
        cells_[i] = markdown_cell(f"## Section {i}")
    write_notebook(lab, "big.ipynb", cells_)
    lab.page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file("big.ipynb")
    expect(cells(doc)).to_have_count(200)
    expect(doc.locator(".carnet-Cell-rendered h2")).to_have_count(20)
    # Typing in the last cell works (editors are created on demand).
    last = cells(doc).nth(199)
    last.scroll_into_view_if_needed()
    last.locator(".carnet-Cell-static").click()
    lab.page.keyboard.press("Control+End")
    lab.page.keyboard.type("  # end")
    expect(last.locator(".cm-content")).to_contain_text("print(value_199)  # end")


def test_undo_is_per_user_and_cursors_are_shared(
    server: CarnetServer, new_lab: Callable[[CarnetServer], Lab]
) -> None:
    one = new_lab(server).open()
    two = new_lab(server).open()
    write_notebook(one, "undo.ipynb", [code_cell("base")])
    doc1 = open_notebook(one, "undo.ipynb")
    doc2 = open_notebook(two, "undo.ipynb")
    cells(doc1).nth(0).locator(".carnet-Cell-static").click()
    one.page.keyboard.press("Control+End")
    one.page.keyboard.type(" one")
    wait_texts(doc2, ["base one"])
    cells(doc2).nth(0).locator(".cm-content").click()
    two.page.keyboard.press("Control+Home")
    two.page.keyboard.type("two ")
    wait_texts(doc1, ["two base one"])
    # Each user sees the other's caret, with their name, in the cell they edit.
    expect(doc1.locator(".carnet-RemoteCaret")).to_have_count(1)
    expect(doc2.locator(".carnet-RemoteCaret")).to_have_count(1)
    # Undo in the first view removes only the first user's typing.
    one.page.keyboard.press("Control+Z")
    wait_texts(doc1, ["two base"])
    wait_texts(doc2, ["two base"])


def test_a_long_notebook_keeps_order_and_focus_while_another_user_edits_it(
    server: CarnetServer, new_lab: Callable[[CarnetServer], Lab]
) -> None:
    """The page groups cells in chunks of 50: cells inserted, pasted and deleted by someone
    else show in the document's order everywhere, and the cell being typed in keeps focus."""
    alice = new_lab(server).open()
    bob = new_lab(server).open()
    write_notebook(alice, "long.ipynb", code_cells(*[f"c{i}" for i in range(120)]))
    doc1 = open_notebook(alice, "long.ipynb")
    doc2 = open_notebook(bob, "long.ipynb")
    # Alice types in the last cell (the third chunk's).
    mine = cells(doc1).nth(119)
    mine.scroll_into_view_if_needed()
    mine.locator(".carnet-Cell-static").click()
    alice.page.keyboard.press("Control+End")
    alice.page.keyboard.type("a")
    original = [f"c{i}" for i in range(119)] + ["c119a"]
    wait_texts(doc2, original)
    # Bob inserts three cells at the top, then copies every cell and pastes them after c100:
    # 243 cells, and the chunk holding c100 and Alice's cell grows past 100 and is split.
    cells(doc2).nth(0).locator(".carnet-Cell-inputPrompt").click()
    for _ in range(3):
        bob.page.keyboard.press("a")
    bob.page.keyboard.press("Control+a")
    expect(doc2.locator(".carnet-Cell.carnet-mod-selected")).to_have_count(123)
    bob.page.keyboard.press("c")
    cells(doc2).nth(103).locator(".carnet-Cell-inputPrompt").click()
    bob.page.keyboard.press("v")
    # Then deletes the second cell.
    cells(doc2).nth(1).locator(".carnet-Cell-inputPrompt").click()
    bob.page.keyboard.press("d")
    bob.page.keyboard.press("d")
    before = ["", "", "", *original]
    expected = before[:104] + before + before[104:]
    del expected[1]
    wait_texts(doc2, expected)
    wait_texts(doc1, expected)
    # Alice's editor kept the focus and the caret: her typing goes on in her cell.
    alice.page.keyboard.type("b")
    expected[-1] = "c119ab"
    wait_texts(doc1, expected)
    wait_texts(doc2, expected)
