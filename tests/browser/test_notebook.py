"""The notebook editor: cells render, cells run on the server, command-mode shortcuts."""

from __future__ import annotations

import re
from typing import Any

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Lab

pytestmark = pytest.mark.browser

CELLS = ".carnet-Notebook-cells"


def code_cell(source: str) -> Any:
    return nbformat.v4.new_code_cell(source)  # type: ignore[no-untyped-call]


def markdown_cell(source: str) -> Any:
    return nbformat.v4.new_markdown_cell(source)  # type: ignore[no-untyped-call]


def raw_cell(source: str) -> Any:
    return nbformat.v4.new_raw_cell(source)  # type: ignore[no-untyped-call]


def write_notebook(lab: Lab, name: str, cells: list[Any]) -> None:
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = cells
    nbformat.write(nb, lab.server.root / name)  # type: ignore[no-untyped-call]


def open_notebook(lab: Lab, name: str) -> Any:
    lab.page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file(name)
    # The kernel session starts in the background: wait until it is usable.
    expect(doc.locator(".carnet-NotebookToolbar-kernel")).to_have_text(re.compile(r"\| Idle$"))
    return doc


def cells(doc: Any) -> Any:
    return doc.locator(".carnet-Cell")


def cell_texts(doc: Any) -> list[str]:
    """The cells' sources as shown: editor lines (without remote carets) or the static text."""
    out: list[str] = doc.locator(".carnet-Cell .carnet-Cell-input").evaluate_all(
        """nodes => nodes.map(n => {
          const content = n.querySelector('.cm-content');
          if (content === null) return n.querySelector('pre')?.textContent ?? '';
          return Array.from(content.querySelectorAll('.cm-line')).map(line => {
            const copy = line.cloneNode(true);
            copy.querySelectorAll('.carnet-RemoteCaret').forEach(c => c.remove());
            return copy.textContent;
          }).join('\\n');
        })"""
    )
    return out


def command_mode(lab: Lab, doc: Any) -> None:
    lab.page.keyboard.press("Escape")
    expect(doc.locator(f"{CELLS}.carnet-mod-command")).to_be_visible()


def test_open_notebook_shows_cells(lab: Lab) -> None:
    write_notebook(
        lab,
        "show.ipynb",
        [
            markdown_cell("# Title\n\nSome *text*."),
            code_cell("x = 41\nprint(x + 1)"),
            raw_cell("raw text"),
        ],
    )
    lab.page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file("show.ipynb")
    expect(cells(doc)).to_have_count(3)
    # Markdown is rendered, code shows its source with an empty prompt.
    expect(doc.locator(".carnet-Cell-markdown .carnet-Cell-rendered h1")).to_have_text("Title")
    expect(doc.locator(".carnet-Cell-markdown .carnet-Cell-rendered em")).to_have_text("text")
    code = doc.locator(".carnet-Cell-code")
    expect(code.locator(".carnet-Cell-inputPrompt")).to_have_text("[ ]:")
    expect(code.locator(".carnet-Cell-static")).to_have_text("x = 41\nprint(x + 1)")
    expect(doc.locator(".carnet-Cell-raw .carnet-Cell-static")).to_have_text("raw text")


def test_code_is_highlighted_where_it_is_shown(lab: Lab) -> None:
    """Static sources are highlighted when they come into view, down to the last cell."""
    write_notebook(lab, "long.ipynb", code_cells(*[f"x_{i} = {i}  # cell {i}" for i in range(300)]))
    lab.page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file("long.ipynb")
    expect(cells(doc)).to_have_count(300)
    first = cells(doc).nth(0).locator(".carnet-Cell-static")
    expect(first.locator("span").first).to_be_visible()
    expect(first).to_have_text("x_0 = 0  # cell 0")
    last = cells(doc).nth(299).locator(".carnet-Cell-static")
    last.scroll_into_view_if_needed()
    expect(last.locator("span").first).to_be_visible()
    expect(last).to_have_text("x_299 = 299  # cell 299")


def test_shift_enter_runs_on_the_server(lab: Lab) -> None:
    write_notebook(lab, "run.ipynb", [code_cell("")])
    doc = open_notebook(lab, "run.ipynb")
    page = lab.page
    doc.locator(".carnet-Cell-code .carnet-Cell-static").first.click()
    page.keyboard.type("1+1")
    page.keyboard.press("Shift+Enter")
    first = cells(doc).nth(0)
    expect(first.locator(".carnet-Cell-outputArea")).to_contain_text("2")
    expect(first.locator(".carnet-Cell-inputPrompt")).to_have_text("[1]:")
    # Shift+Enter on the last cell added a new one, in edit mode.
    expect(cells(doc)).to_have_count(2)
    expect(doc.locator(f"{CELLS}.carnet-mod-edit")).to_be_visible()
    # Alt+Enter runs and inserts a cell below; Ctrl+Enter runs and stays.
    page.keyboard.type("'x' * 3")
    page.keyboard.press("Alt+Enter")
    expect(cells(doc).nth(1).locator(".carnet-Cell-outputArea")).to_contain_text("'xxx'")
    expect(cells(doc)).to_have_count(3)
    page.keyboard.type("40 + 2")
    page.keyboard.press("Control+Enter")
    expect(cells(doc).nth(2).locator(".carnet-Cell-outputArea")).to_contain_text("42")
    expect(cells(doc)).to_have_count(3)
    expect(cells(doc).nth(2).locator(".carnet-Cell-inputPrompt")).to_have_text("[3]:")


def test_revert_to_checkpoint(lab: Lab) -> None:
    write_notebook(lab, "rev.ipynb", code_cells("kept = 1"))
    doc = open_notebook(lab, "rev.ipynb")
    page = lab.page
    page.keyboard.press("Control+S")
    expect(page.locator("#carnet-statusbar")).to_contain_text("Saved")
    cells(doc).nth(0).locator(".carnet-Cell-static").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nchanged = 2")
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    wait_texts(doc, ["kept = 1\nchanged = 2", ""])
    lab.run_command("Revert Notebook to Checkpoint…")
    lab.dialog().get_by_role("button", name="Revert").click()
    wait_texts(doc, ["kept = 1"])


def code_cells(*sources: str) -> list[Any]:
    return [code_cell(s) for s in sources]


def wait_texts(doc: Any, expected: list[str]) -> None:
    """Waits until the cells' sources are `expected` (in order)."""
    last: list[str] = []
    for _ in range(100):
        last = cell_texts(doc)
        if last == expected:
            return
        doc.page.wait_for_timeout(50)
    raise AssertionError(f"cells are {last}, expected {expected}")


def active(doc: Any) -> Any:
    return doc.locator(".carnet-Cell.carnet-mod-active")


def test_command_mode_shortcuts(lab: Lab) -> None:
    write_notebook(lab, "keys.ipynb", code_cells("a", "b", "c"))
    doc = open_notebook(lab, "keys.ipynb")
    page = lab.page
    wait_texts(doc, ["a", "b", "c"])
    cells(doc).nth(0).locator(".carnet-Cell-static").click()
    command_mode(lab, doc)
    # B inserts below and selects the new cell; A inserts above it.
    page.keyboard.press("b")
    wait_texts(doc, ["a", "", "b", "c"])
    expect(active(doc)).to_have_attribute(
        "data-cell-id", cells(doc).nth(1).get_attribute("data-cell-id") or ""
    )
    page.keyboard.press("a")
    wait_texts(doc, ["a", "", "", "b", "c"])
    # D D deletes the selected cell, twice.
    page.keyboard.press("d")
    page.keyboard.press("d")
    wait_texts(doc, ["a", "", "b", "c"])
    page.keyboard.press("d")
    page.keyboard.press("d")
    wait_texts(doc, ["a", "b", "c"])
    # Z undoes the last cell operation.
    page.keyboard.press("z")
    wait_texts(doc, ["a", "", "b", "c"])
    page.keyboard.press("k")
    page.keyboard.press("d")
    page.keyboard.press("d")
    wait_texts(doc, ["a", "b", "c"])
    page.keyboard.press("k")
    # M and Y change the cell type.
    page.keyboard.press("m")
    expect(cells(doc).nth(0)).to_have_attribute("data-type", "markdown")
    page.keyboard.press("y")
    expect(cells(doc).nth(0)).to_have_attribute("data-type", "code")
    page.keyboard.press("r")
    expect(cells(doc).nth(0)).to_have_attribute("data-type", "raw")
    page.keyboard.press("y")
    expect(cells(doc).nth(0)).to_have_attribute("data-type", "code")
    # X cuts, V pastes below the selected cell.
    page.keyboard.press("x")
    wait_texts(doc, ["b", "c"])
    page.keyboard.press("v")
    wait_texts(doc, ["b", "a", "c"])
    # Shift+Up extends the selection; Shift+M merges it.
    page.keyboard.press("Shift+ArrowUp")
    expect(doc.locator(".carnet-Cell.carnet-mod-selected")).to_have_count(2)
    page.keyboard.press("Shift+M")
    wait_texts(doc, ["b\na", "c"])
    # Ctrl+Shift+- splits at the cursor (edit mode).
    page.keyboard.press("Enter")
    expect(doc.locator(f"{CELLS}.carnet-mod-edit")).to_be_visible()
    page.keyboard.press("Control+Home")
    page.keyboard.press("End")
    page.keyboard.press("Control+Shift+Minus")
    wait_texts(doc, ["b", "a", "c"])


def test_markdown_cell_edit_and_render(lab: Lab) -> None:
    write_notebook(lab, "md.ipynb", [markdown_cell("Some **bold** text, $a_1 * b_2$.")])
    doc = open_notebook(lab, "md.ipynb")
    page = lab.page
    rendered = doc.locator(".carnet-Cell-rendered")
    expect(rendered.locator("strong")).to_have_text("bold")
    # TeX is typeset (KaTeX), and marked did not turn its `_` and `*` into emphasis.
    expect(rendered.locator(".carnet-Math .katex")).to_have_count(1)
    expect(rendered.locator("em")).to_have_count(0)
    rendered.dblclick()
    editor = doc.locator(".carnet-Cell-markdown .cm-content")
    expect(editor).to_be_visible()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\n## Heading two")
    page.keyboard.press("Control+Enter")
    expect(rendered.locator("h2")).to_have_text("Heading two")
    expect(editor).to_be_hidden()
    # Enter in command mode edits it again.
    page.keyboard.press("Enter")
    expect(editor).to_be_visible()


def test_multi_select_and_delete(lab: Lab) -> None:
    write_notebook(lab, "multi.ipynb", code_cells("one", "two", "three", "four"))
    doc = open_notebook(lab, "multi.ipynb")
    page = lab.page
    wait_texts(doc, ["one", "two", "three", "four"])
    cells(doc).nth(1).locator(".carnet-Cell-inputPrompt").click()
    cells(doc).nth(2).locator(".carnet-Cell-inputPrompt").click(modifiers=["Shift"])
    expect(doc.locator(".carnet-Cell.carnet-mod-selected")).to_have_count(2)
    page.keyboard.press("d")
    page.keyboard.press("d")
    wait_texts(doc, ["one", "four"])


def test_drag_and_drop_reorders_cells(lab: Lab) -> None:
    write_notebook(lab, "drag.ipynb", code_cells("first", "second", "third"))
    doc = open_notebook(lab, "drag.ipynb")
    wait_texts(doc, ["first", "second", "third"])
    target = cells(doc).nth(2)
    box = target.bounding_box()
    assert box is not None
    cells(doc).nth(0).locator(".carnet-Cell-inputPrompt").drag_to(
        target, target_position={"x": 20, "y": box["height"] - 4}
    )
    wait_texts(doc, ["second", "third", "first"])
    # The cell toolbar moves the active cell too.
    cells(doc).nth(2).locator(".carnet-Cell-inputPrompt").click()
    cells(doc).nth(2).get_by_role("button", name="Move cell up").click()
    wait_texts(doc, ["second", "first", "third"])


def test_input_is_answered_in_the_notebook(lab: Lab) -> None:
    write_notebook(
        lab,
        "ask.ipynb",
        code_cells('name = input("Your name: ")\nprint("hello", name)'),
    )
    doc = open_notebook(lab, "ask.ipynb")
    page = lab.page
    cells(doc).nth(0).locator(".carnet-Cell-inputPrompt").click()
    page.keyboard.press("Control+Enter")
    box = doc.locator(".carnet-Stdin-input")
    expect(box).to_be_visible()
    expect(doc.locator(".carnet-Stdin-prompt")).to_have_text("Your name: ")
    box.fill("Ada")
    box.press("Enter")
    expect(cells(doc).nth(0).locator(".carnet-Cell-outputArea")).to_contain_text("hello Ada")
    expect(box).to_have_count(0)
    expect(cells(doc).nth(0).locator(".carnet-Cell-inputPrompt")).to_have_text("[1]:")


def test_save_writes_outputs_to_disk(lab: Lab) -> None:
    write_notebook(lab, "save.ipynb", code_cells("6 * 7"))
    doc = open_notebook(lab, "save.ipynb")
    page = lab.page
    cells(doc).nth(0).locator(".carnet-Cell-inputPrompt").click()
    page.keyboard.press("Control+Enter")
    expect(cells(doc).nth(0).locator(".carnet-Cell-outputArea")).to_contain_text("42")
    page.keyboard.press("Control+S")
    path = lab.server.root / "save.ipynb"
    for _ in range(100):
        nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
        outputs = nb.cells[0].get("outputs", [])
        if outputs and outputs[0].get("data", {}).get("text/plain") == "42":
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError(f"not saved: {path.read_text()}")
    assert nb.cells[0]["execution_count"] == 1


def test_table_of_contents_lists_markdown_headings(lab: Lab) -> None:
    write_notebook(
        lab,
        "toc.ipynb",
        [
            markdown_cell("# Intro"),
            *code_cells(*[f"x{i} = {i}" for i in range(40)]),
            markdown_cell("## Results\n\ntext"),
            code_cell("done = True"),
        ],
    )
    doc = open_notebook(lab, "toc.ipynb")
    page = lab.page
    page.locator("#carnet-left-tabs [role=tab]", has_text="Contents").click()
    toc = page.locator(".carnet-Toc-list")
    expect(toc.locator(".carnet-Toc-item > button:not(.carnet-Toc-run)")).to_have_text(
        ["Intro", "Results"]
    )
    toc.locator("button", has_text="Results").click()
    results = cells(doc).nth(41)
    expect(results).to_have_class(re.compile("carnet-mod-active"))
    expect(results).to_be_in_viewport()
    # Headings follow edits of the markdown cells.
    cells(doc).nth(0).locator(".carnet-Cell-rendered").dblclick()
    page.keyboard.press("Control+End")
    page.keyboard.type(" and scope")
    expect(toc.locator("button").first).to_have_text("Intro and scope")
