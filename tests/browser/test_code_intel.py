"""Code intelligence in the browser on a real ipykernel: Tab completion, Shift+Tab docs, the
contextual help panel, folding, rulers, indentation settings and the line numbers toggle."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Lab
from tests.browser.test_console import new_console, type_code
from tests.browser.test_notebook import (
    CELLS,
    cell_texts,
    code_cell,
    command_mode,
    write_notebook,
)

pytestmark = pytest.mark.browser

POPUP = ".cm-tooltip-autocomplete"
TOOLTIP = ".carnet-InspectTooltip"
HELP = ".carnet-HelpPanel"
# The kernel's first completion loads jedi and parses the standard library: slow on a busy machine.
KERNEL_MS = 60_000


def open_notebook(lab: Lab, name: str) -> Any:
    lab.page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file(name)
    kernel = doc.locator(".carnet-NotebookToolbar-kernel")
    expect(kernel).to_have_text(re.compile(r"\| Idle$"), timeout=KERNEL_MS)
    return doc


def expect_source(lab: Lab, expected: str, index: int = 0) -> None:
    """Waits until the `index`th code cell's editor holds exactly `expected`."""
    lab.page.wait_for_function(
        """([index, expected]) => {
          const content = document.querySelectorAll('.carnet-Cell-code .cm-content')[index];
          if (content === undefined) return false;
          const lines = Array.from(content.querySelectorAll('.cm-line')).map(line => {
            const copy = line.cloneNode(true);
            copy.querySelectorAll('.carnet-RemoteCaret, .cm-widgetBuffer').forEach(c => c.remove());
            return copy.textContent;
          });
          return lines.join('\\n') === expected;
        }""",
        arg=[index, expected],
        timeout=KERNEL_MS,
    )


def edit_first_cell(lab: Lab, doc: Any) -> Any:
    """Enters edit mode in the first cell, the cursor at the end of its text."""
    doc.locator(".carnet-Cell-code .carnet-Cell-input").first.click()
    editor = doc.locator(".carnet-Cell-code .cm-content").first
    expect(editor).to_be_focused()
    lab.page.keyboard.press("Control+End")
    return editor


def test_tab_completes_from_the_kernel(lab: Lab) -> None:
    write_notebook(lab, "complete.ipynb", [code_cell("")])
    doc = open_notebook(lab, "complete.ipynb")
    page = lab.page
    edit_first_cell(lab, doc)
    page.keyboard.type("import os\nos.pa")
    page.keyboard.press("Tab")
    popup = page.locator(POPUP)
    option = popup.locator("li").filter(
        has=page.locator(".cm-completionLabel", has_text=re.compile("^path$"))
    )
    expect(option).to_be_visible(timeout=KERNEL_MS)
    expect(popup.locator("li").filter(has_text="pardir")).to_be_visible()
    # ipykernel's types (`_jupyter_types_experimental`) are shown beside the matches.
    expect(popup.locator(".carnet-CompletionType").first).to_have_text(
        re.compile("^(module|instance|function|class|statement)$")
    )
    option.click()
    expect(popup).to_be_hidden()
    assert cell_texts(doc) == ["import os\nos.path"]
    # A unique prefix completes at once, without a popup.
    page.keyboard.type("\nos.listdi")
    page.keyboard.press("Tab")
    expect_source(lab, "import os\nos.path\nos.listdir")
    expect(popup).to_be_hidden()
    # The popup also takes the keyboard: Tab, arrows and Enter pick, Escape closes it only.
    page.keyboard.type("\nos.pa")
    page.keyboard.press("Tab")
    expect(popup).to_be_visible()
    page.keyboard.press("Escape")
    expect(popup).to_be_hidden()
    expect(doc.locator(f"{CELLS}.carnet-mod-edit")).to_be_visible()
    # Tab with only blanks before the cursor indents, as before.
    page.keyboard.press("Enter")
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    page.keyboard.type("x")
    expect_source(lab, "import os\nos.path\nos.listdir\nos.pa\n    x")
    expect(popup).to_be_hidden()


def test_completion_counts_code_points(lab: Lab) -> None:
    """The protocol's offsets are unicode code points: an emoji is one, not two UTF-16 units."""
    write_notebook(lab, "astral.ipynb", [code_cell("\n# after")])
    doc = open_notebook(lab, "astral.ipynb")
    page = lab.page
    edit_first_cell(lab, doc)
    page.keyboard.press("Control+Home")
    page.keyboard.type("'\U0001f600'.upp")
    page.keyboard.press("Tab")
    expect_source(lab, "'\U0001f600'.upper\n# after")


def test_shift_tab_shows_the_docs_at_the_cursor(lab: Lab) -> None:
    write_notebook(lab, "inspect.ipynb", [code_cell("")])
    doc = open_notebook(lab, "inspect.ipynb")
    page = lab.page
    edit_first_cell(lab, doc)
    page.keyboard.type("len(")
    page.keyboard.press("Shift+Tab")
    tooltip = page.locator(TOOLTIP)
    expect(tooltip).to_contain_text("Return the number of items", timeout=KERNEL_MS)
    # Escape closes it and stays in edit mode; the text is unchanged (no dedent).
    page.keyboard.press("Escape")
    expect(tooltip).to_be_hidden()
    expect(doc.locator(f"{CELLS}.carnet-mod-edit")).to_be_visible()
    assert cell_texts(doc) == ["len("]
    # Moving the cursor away closes it too.
    page.keyboard.press("Shift+Tab")
    expect(tooltip).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(tooltip).to_be_hidden()


def test_contextual_help_follows_the_cursor(lab: Lab) -> None:
    write_notebook(lab, "help.ipynb", [code_cell("len([])\nabs(-1)\n# a comment")])
    doc = open_notebook(lab, "help.ipynb")
    page = lab.page
    edit_first_cell(lab, doc)
    page.keyboard.press("Control+Home")
    page.keyboard.press("Control+i")
    help_panel = page.locator(HELP)
    content = help_panel.locator(".carnet-HelpPanel-content")
    expect(content).to_contain_text("Return the number of items", timeout=KERNEL_MS)
    # The cell keeps the focus; moving onto another name shows its docs.
    page.keyboard.press("ArrowDown")
    expect(content).to_contain_text("Return the absolute value")
    expect(content).not_to_contain_text("Return the number of items")
    # Nothing to show on a comment: the last docs stay.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    expect(content).to_contain_text("Return the absolute value")


def test_console_tab_completion_and_help(lab: Lab) -> None:
    new_console(lab)
    page = lab.page
    type_code(lab, "import os; os.listdi")
    page.keyboard.press("Tab")
    editor = page.locator(".carnet-ConsoleInput .cm-content:visible")
    expect(editor).to_have_text("import os; os.listdir", timeout=KERNEL_MS)
    # Inspection asks the kernel's namespace (nothing above ran): a builtin.
    page.keyboard.type("; len(")
    page.keyboard.press("Shift+Tab")
    expect(page.locator(TOOLTIP)).to_contain_text("Return the number of items", timeout=KERNEL_MS)


def test_folding_hides_a_def_body(lab: Lab) -> None:
    source = "def f():\n    a = 1\n    return a\nprint(f())"
    write_notebook(lab, "fold.ipynb", [code_cell(source)])
    doc = open_notebook(lab, "fold.ipynb")
    edit_first_cell(lab, doc)
    lines = doc.locator(".carnet-Cell-code .cm-line")
    expect(lines.filter(has_text="return a")).to_be_visible()
    doc.locator(".cm-foldGutter [title='Fold line']").first.click()
    expect(lines.filter(has_text="return a")).to_have_count(0)
    expect(doc.locator(".cm-foldPlaceholder")).to_be_visible()
    expect(lines.filter(has_text="print(f())")).to_be_visible()
    # The text is unchanged; unfolding shows the body again.
    assert cell_texts(doc)[0].startswith("def f():")
    doc.locator(".cm-foldPlaceholder").click()
    expect(lines.filter(has_text="return a")).to_be_visible()


def test_folding_in_the_file_editor(lab: Lab) -> None:
    (lab.server.root / "fold.py").write_text("def f():\n    a = 1\n    return a\n\nprint(f())\n")
    lab.page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file("fold.py")
    lines = doc.locator(".cm-line")
    expect(lines.filter(has_text="return a")).to_be_visible()
    doc.locator(".cm-foldGutter [title='Fold line']").first.click()
    expect(lines.filter(has_text="return a")).to_have_count(0)
    expect(lines.filter(has_text="print(f())")).to_be_visible()


def set_setting(lab: Lab, key: str, value: str) -> None:
    row = lab.page.locator(f".carnet-SettingsEditor [data-setting='{key}']").first
    field = row.locator("input")
    field.fill(value)
    field.press("Enter")
    expect(row.get_by_role("button", name="Reset")).to_be_visible()


def test_rulers_and_indentation_settings_apply_live(lab: Lab) -> None:
    write_notebook(lab, "ruler.ipynb", [code_cell("x" * 80)])
    doc = open_notebook(lab, "ruler.ipynb")
    page = lab.page
    edit_first_cell(lab, doc)
    expect(doc.locator(".carnet-Ruler")).to_have_count(0)
    # The notebook stays open while the settings change.
    lab.menu("Settings", "Settings Editor")
    set_setting(lab, "rulers", "[80]")
    set_setting(lab, "tabSize", "2")
    page.locator(".lm-TabBar-tab", has_text="ruler.ipynb").click()
    ruler = doc.locator(".carnet-Ruler")
    expect(ruler).to_have_count(1)
    # The ruler stands where the 80th character ends.
    line = doc.locator(".carnet-Cell-code .cm-line").first
    box = ruler.bounding_box()
    end = line.evaluate(
        """line => { const r = document.createRange(); r.selectNodeContents(line);
                     return r.getBoundingClientRect().right; }"""
    )
    assert box is not None
    assert abs(box["x"] - end) < 2, (box, end)
    # Tab at a line start now indents by two spaces.
    edit_first_cell(lab, doc)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("y")
    expect_source(lab, "x" * 80 + "\n  y")


def test_toggle_line_numbers(lab: Lab) -> None:
    write_notebook(lab, "numbers.ipynb", [code_cell("a = 1\nb = 2")])
    doc = open_notebook(lab, "numbers.ipynb")
    edit_first_cell(lab, doc)
    numbers = doc.locator(
        ".carnet-Cell-code .cm-lineNumbers .cm-gutterElement", has_text=re.compile("^2$")
    )
    expect(numbers).to_have_count(0)
    command_mode(lab, doc)
    lab.page.keyboard.press("l")
    expect(numbers).to_be_visible()
    lab.run_command("Toggle Line Numbers")
    expect(numbers).to_have_count(0)
