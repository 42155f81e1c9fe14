"""Notebook find and replace over all cells (not only the rendered ones), the table of contents,
collapsed sections and "Run Section"."""

from __future__ import annotations

import re
from typing import Any

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Lab
from tests.browser.test_notebook import (
    cells,
    code_cell,
    code_cells,
    markdown_cell,
    wait_texts,
    write_notebook,
)

pytestmark = pytest.mark.browser

BAR = ".carnet-FindBar"


def open_doc(lab: Lab, name: str) -> Any:
    """Opens a notebook without waiting for its kernel (find needs none)."""
    lab.page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file(name)
    expect(cells(doc).first).to_be_visible()
    return doc


def open_find(lab: Lab, doc: Any, keys: str = "Control+f") -> Any:
    cells(doc).nth(0).locator(".carnet-Cell-inputPrompt").click()
    lab.page.keyboard.press(keys)
    bar = doc.locator(BAR)
    expect(bar).to_be_visible()
    expect(bar.get_by_label("Find in notebook", exact=True)).to_be_focused()
    return bar


def counter(bar: Any) -> Any:
    return bar.locator(".carnet-FindBar-counter")


def stream(text: str) -> Any:
    return nbformat.v4.new_output("stream", name="stdout", text=text)  # type: ignore[no-untyped-call]


def read_nb(lab: Lab, name: str) -> Any:
    return nbformat.read(lab.server.root / name, as_version=4)  # type: ignore[no-untyped-call]


def wait_saved(lab: Lab, name: str, check: Any) -> Any:
    """Polls the file on disk (autosave) until `check(notebook)` holds."""
    nb = None
    for _ in range(150):
        nb = read_nb(lab, name)
        if check(nb):
            return nb
        lab.page.wait_for_timeout(100)
    raise AssertionError(f"{name} on disk: {nb}")


def test_find_reaches_a_far_cell_and_selects_the_match(lab: Lab) -> None:
    sources = [f"x_{i} = {i}" for i in range(300)]
    sources[280] = "found = 'the needle'  # cell 280"
    write_notebook(lab, "far.ipynb", code_cells(*sources))
    doc = open_doc(lab, "far.ipynb")
    far = cells(doc).nth(280)
    expect(far).not_to_be_in_viewport()
    bar = open_find(lab, doc)
    lab.page.keyboard.type("needle")
    expect(counter(bar)).to_have_text("1 of 1")
    lab.page.keyboard.press("Enter")
    # The cell got an editor (it never had focus) with the match marked as the current one.
    expect(far).to_be_in_viewport()
    expect(far.locator(".cm-editor .carnet-FindMatch.carnet-mod-current")).to_have_text("needle")
    expect(far).to_have_class(re.compile("carnet-mod-active"))
    expect(bar.get_by_label("Find in notebook", exact=True)).to_be_focused()
    # Escape closes the bar and leaves the match selected in the cell's editor.
    lab.page.keyboard.press("Escape")
    expect(bar).to_be_hidden()
    expect(far.locator(".cm-content")).to_be_focused()
    lab.page.wait_for_function("() => window.getSelection().toString() === 'needle'")
    expect(doc.locator(".carnet-FindMatch")).to_have_count(0)
    # Ctrl+F in an editor (edit mode) opens the bar again, searching for the selected text.
    lab.page.keyboard.press("Control+f")
    query = bar.get_by_label("Find in notebook", exact=True)
    expect(query).to_be_focused()
    expect(query).to_have_value("needle")
    expect(counter(bar)).to_have_text("1 of 1")


def test_case_regex_and_invalid_regex(lab: Lab) -> None:
    write_notebook(
        lab,
        "opts.ipynb",
        code_cells("Apple = 1", "apple = 2", "pineapple = 3", "APPLE_PIE = 4", "grape = 5"),
    )
    doc = open_doc(lab, "opts.ipynb")
    bar = open_find(lab, doc)
    query = bar.get_by_label("Find in notebook", exact=True)
    query.fill("apple")
    expect(counter(bar)).to_have_text("1 of 4")
    # Matches in the static (never edited) sources are highlighted with the CSS Highlight API.
    lab.page.wait_for_function(
        "() => (CSS.highlights.get('carnet-find')?.size ?? 0)"
        " + (CSS.highlights.get('carnet-find-current')?.size ?? 0) === 4"
    )
    # Enter and Shift+Enter step through the matches (and wrap around); the
    # cells of the matches visited get an editor, with the matches marked there.
    lab.page.keyboard.press("Enter")
    expect(counter(bar)).to_have_text("2 of 4")
    lab.page.keyboard.press("Shift+Enter")
    lab.page.keyboard.press("Shift+Enter")
    expect(counter(bar)).to_have_text("4 of 4")
    expect(cells(doc).nth(3).locator(".carnet-FindMatch.carnet-mod-current")).to_have_text("APPLE")
    bar.get_by_role("button", name="Match case").click()
    expect(counter(bar)).to_have_text("1 of 2")
    bar.get_by_role("button", name="Match case").click()
    query.fill("^[a-z]+ =")
    expect(counter(bar)).to_have_text("No results")
    bar.get_by_role("button", name="Use regular expression").click()
    # Case-insensitive: Apple, apple, pineapple, grape (not APPLE_PIE: "_" is no letter). A
    # search starts at the active cell (APPLE_PIE, the last match visited): grape comes first.
    expect(counter(bar)).to_have_text("4 of 4")
    bar.get_by_role("button", name="Match case").click()
    expect(counter(bar)).to_have_text("3 of 3")
    query.fill("(apple")
    expect(bar.get_by_role("alert")).to_contain_text("Invalid regular expression")
    expect(counter(bar)).to_have_text("")
    query.fill("(apple)")
    expect(bar.get_by_role("alert")).to_have_count(0)
    expect(counter(bar)).to_have_text("1 of 2")


def test_replace_and_replace_all_undo_in_one_step(lab: Lab) -> None:
    sources = [f"value_{i} = old_name + {i}" for i in range(120)]
    write_notebook(lab, "rep.ipynb", code_cells(*sources))
    doc = open_doc(lab, "rep.ipynb")
    bar = open_find(lab, doc, "Control+h")
    expect(bar.get_by_label("Replace with")).to_be_visible()
    bar.get_by_label("Find in notebook", exact=True).fill("old_(\\w+)")
    bar.get_by_role("button", name="Use regular expression").click()
    expect(counter(bar)).to_have_text("1 of 120")
    bar.get_by_label("Replace with").fill("new_$1")
    bar.get_by_role("button", name="Replace", exact=True).click()
    expect(counter(bar)).to_have_text("1 of 119")
    wait_texts(doc, ["value_0 = new_name + 0", *sources[1:]])
    bar.get_by_role("button", name="Replace All").click()
    expect(counter(bar)).to_have_text("No results")
    expect(bar.get_by_role("alert")).to_have_text("Replaced 119 matches.")
    wait_texts(doc, [s.replace("old_name", "new_name") for s in sources])
    # One undo of the notebook restores every cell that "Replace All" changed.
    lab.page.keyboard.press("Escape")
    expect(bar).to_be_hidden()
    expect(doc.locator(".carnet-Notebook-cells.carnet-mod-command")).to_be_focused()
    lab.page.keyboard.press("Control+z")
    wait_texts(doc, ["value_0 = new_name + 0", *sources[1:]])
    nb = wait_saved(lab, "rep.ipynb", lambda nb: nb.cells[119].source == sources[119])
    assert nb.cells[1].source == sources[1]


def test_search_outputs_finds_text_only_in_an_output(lab: Lab) -> None:
    first = code_cell("print('secret' + '_token')")
    first.outputs = [stream("the secret_token is here\n")]
    first.execution_count = 1
    cells_ = [first, *code_cells(*[f"y_{i} = {i}" for i in range(80)])]
    write_notebook(lab, "outs.ipynb", cells_)
    doc = open_doc(lab, "outs.ipynb")
    bar = open_find(lab, doc)
    query = bar.get_by_label("Find in notebook", exact=True)
    query.fill("secret_token")
    expect(counter(bar)).to_have_text("No results")
    bar.get_by_role("button", name="Search outputs").click()
    expect(counter(bar)).to_have_text("1 of 1")
    lab.page.wait_for_function(
        "() => CSS.highlights.get('carnet-find-current')?.size === 1"
        " && [...CSS.highlights.get('carnet-find-current')][0].toString() === 'secret_token'"
        " && [...CSS.highlights.get('carnet-find-current')][0].startContainer"
        ".parentElement.closest('.carnet-Output') !== null"
    )
    # Output matches are read-only.
    bar.get_by_role("button", name="Toggle replace").click()
    bar.get_by_label("Replace with").fill("x")
    bar.get_by_role("button", name="Replace", exact=True).click()
    expect(bar.get_by_role("alert")).to_have_text("Matches in outputs cannot be replaced.")
    expect(cells(doc).nth(0).locator(".carnet-Cell-outputArea")).to_contain_text("secret_token")
    bar.get_by_role("button", name="Search outputs").click()
    expect(counter(bar)).to_have_text("No results")


def toc_item(lab: Lab, text: str) -> Any:
    return lab.page.locator(".carnet-Toc-item").filter(
        has=lab.page.locator("button", has_text=re.compile(f"^{re.escape(text)}$"))
    )


def test_toc_covers_far_cells_and_collapse_survives_reload(lab: Lab) -> None:
    nb_cells: list[Any] = [markdown_cell("# Start")]
    nb_cells += code_cells(*[f"a_{i} = {i}" for i in range(1, 250)])
    nb_cells += [markdown_cell("## Deep heading\n\ntext")]
    nb_cells += code_cells(*[f"z_{i} = {i}" for i in range(251, 260)])
    nb_cells += [markdown_cell("## After")]
    nb_cells += code_cells(*[f"b_{i} = {i}" for i in range(261, 300)])
    write_notebook(lab, "long-toc.ipynb", nb_cells)
    doc = open_doc(lab, "long-toc.ipynb")
    page = lab.page
    page.locator("#carnet-left-tabs [role=tab]", has_text="Contents").click()
    toc = page.locator(".carnet-Toc-list")
    expect(toc.locator(".carnet-Toc-item > button:not(.carnet-Toc-run)")).to_have_text(
        ["Start", "Deep heading", "After"]
    )
    toc.locator("button", has_text="Deep heading").click()
    heading = cells(doc).nth(250)
    expect(heading).to_be_in_viewport()
    expect(heading).to_have_class(re.compile("carnet-mod-active"))
    # Collapse the section: its 9 cells hide, the next section stays.
    heading.get_by_role("button", name="Collapse section").click()
    for i in (251, 255, 259):
        expect(cells(doc).nth(i)).to_be_hidden()
    expect(cells(doc).nth(260)).to_be_visible()
    expect(heading.locator(".carnet-Cell-hiddenCells")).to_have_text("9 cells hidden")
    nb = wait_saved(
        lab, "long-toc.ipynb", lambda nb: nb.cells[250].metadata.get("heading_collapsed")
    )
    assert "heading_collapsed" not in nb.cells[0].metadata
    # The state is in the notebook: it survives a reload of the page.
    lab.reload()
    doc = lab.page.locator(
        ".carnet-Document[data-path$='long-toc.ipynb'][data-carnet-rendered='1']"
    )
    expect(cells(doc).nth(250)).to_be_attached()
    expect(cells(doc).nth(255)).to_be_hidden()
    heading = cells(doc).nth(250)
    heading.scroll_into_view_if_needed()
    expect(heading.get_by_role("button", name="Expand section")).to_be_visible()
    heading.locator(".carnet-Cell-hiddenCells").click()
    expect(cells(doc).nth(255)).to_be_visible()
    expect(heading.locator(".carnet-Cell-hiddenCells")).to_be_hidden()
    wait_saved(lab, "long-toc.ipynb", lambda nb: "heading_collapsed" not in nb.cells[250].metadata)


def test_find_expands_a_collapsed_section(lab: Lab) -> None:
    write_notebook(
        lab,
        "hidden.ipynb",
        [
            markdown_cell("# Top"),
            code_cell("a = 1"),
            markdown_cell("## Inner"),
            code_cell("hidden_value = 2"),
        ],
    )
    doc = open_doc(lab, "hidden.ipynb")
    cells(doc).nth(0).get_by_role("button", name="Collapse section").click()
    expect(cells(doc).nth(3)).to_be_hidden()
    bar = open_find(lab, doc)
    lab.page.keyboard.type("hidden_value")
    expect(counter(bar)).to_have_text("1 of 1")
    lab.page.keyboard.press("Enter")
    expect(cells(doc).nth(3)).to_be_visible()
    expect(cells(doc).nth(3).locator(".carnet-FindMatch.carnet-mod-current")).to_have_text(
        "hidden_value"
    )


def test_run_section_runs_exactly_its_cells(lab: Lab) -> None:
    write_notebook(
        lab,
        "sections.ipynb",
        [
            markdown_cell("# A"),
            code_cell("print('in A')"),
            markdown_cell("## A1"),
            code_cell("print('in A1')"),
            markdown_cell("# B"),
            code_cell("print('in B')"),
        ],
    )
    doc = open_doc(lab, "sections.ipynb")
    # The kernel starts in the background (slowly on a busy machine).
    kernel = doc.locator(".carnet-NotebookToolbar-kernel")
    expect(kernel).to_have_text(re.compile(r"\| Idle$"), timeout=60_000)
    page = lab.page
    prompt = [cells(doc).nth(i).locator(".carnet-Cell-inputPrompt") for i in range(6)]
    page.locator("#carnet-left-tabs [role=tab]", has_text="Contents").click()
    # The context menu of heading A runs A's cells, A1's included (a lower level), not B's.
    toc_item(lab, "A").locator("button").first.click(button="right")
    page.locator(".lm-Menu:visible .lm-Menu-item", has_text="Run Section").click()
    expect(cells(doc).nth(3).locator(".carnet-Cell-outputArea")).to_contain_text("in A1")
    expect(cells(doc).nth(1).locator(".carnet-Cell-outputArea")).to_contain_text("in A")
    expect(prompt[1]).to_have_text("[1]:")
    expect(prompt[3]).to_have_text("[2]:")
    # The notebook command runs the section of the active cell: B alone, as the third run.
    prompt[5].click()
    lab.run_command("Run Section")
    expect(cells(doc).nth(5).locator(".carnet-Cell-outputArea")).to_contain_text("in B")
    expect(prompt[5]).to_have_text("[3]:")
    # The ▶ of A1 in the table of contents runs A1's cell only.
    item = toc_item(lab, "A1")
    item.hover()
    item.get_by_role("button", name="Run section A1").click()
    expect(prompt[3]).to_have_text("[4]:")
    expect(prompt[1]).to_have_text("[1]:")
    expect(prompt[5]).to_have_text("[3]:")
