"""Notebook kernels: run all, queue, interrupt, restart, clear outputs, stdin, kernel picker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Lab
from tests.browser.test_notebook import (
    cells,
    code_cell,
    code_cells,
    open_notebook,
    write_notebook,
)

pytestmark = pytest.mark.browser


def test_queue_interrupt_restart_and_clear(lab: Lab) -> None:
    write_notebook(lab, "k.ipynb", code_cells("import time\ntime.sleep(60)", "x = 5", "x"))
    doc = open_notebook(lab, "k.ipynb")
    page = lab.page
    prompt = [cells(doc).nth(i).locator(".carnet-Cell-inputPrompt") for i in range(3)]
    lab.menu("Run", "Run All Cells")
    # The first cell runs, the others wait in the server's queue.
    expect(cells(doc).nth(0)).to_have_attribute("data-state", "running")
    expect(cells(doc).nth(1)).to_have_attribute("data-state", "queued")
    expect(prompt[2]).to_have_text("[*]:")
    # I I interrupts: the running cell stops, the queued ones go back to idle.
    prompt[0].click()
    page.keyboard.press("i")
    page.keyboard.press("i")
    expect(cells(doc).nth(0).locator(".carnet-Cell-outputArea")).to_contain_text(
        "KeyboardInterrupt"
    )
    expect(prompt[1]).to_have_text("[ ]:")
    expect(prompt[2]).to_have_text("[ ]:")
    # Run the other two, one after the other.
    prompt[1].click()
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    expect(cells(doc).nth(2).locator(".carnet-Cell-outputArea")).to_contain_text("5")
    expect(prompt[2]).to_have_text("[3]:")
    # 0 0 restarts (after asking): the variables are gone.
    page.keyboard.press("Escape")
    page.keyboard.press("0")
    page.keyboard.press("0")
    lab.dialog().get_by_role("button", name="Restart").click()
    toolbar_kernel = doc.locator(".carnet-NotebookToolbar-kernel")
    expect(toolbar_kernel).to_have_text(re.compile(r"\| Idle$"))
    prompt[2].click()
    page.keyboard.press("Control+Enter")
    expect(cells(doc).nth(2).locator(".carnet-Cell-outputArea")).to_contain_text("NameError")
    # The status bar shows the notebook's kernel.
    expect(page.locator("#carnet-statusbar .carnet-Status-kernel")).to_contain_text("Idle")
    # Clearing outputs writes into the document: nothing is shown any more.
    lab.run_command("Clear Outputs of All Cells")
    expect(doc.locator(".carnet-Cell-outputArea:visible")).to_have_count(0)
    expect(prompt[2]).to_have_text("[ ]:")


def test_password_input_is_masked(lab: Lab) -> None:
    write_notebook(
        lab,
        "secret.ipynb",
        code_cells('from getpass import getpass\nsecret = getpass("Secret: ")\nprint(len(secret))'),
    )
    doc = open_notebook(lab, "secret.ipynb")
    cells(doc).nth(0).locator(".carnet-Cell-inputPrompt").click()
    lab.page.keyboard.press("Control+Enter")
    box = doc.locator(".carnet-Stdin-input")
    expect(box).to_have_attribute("type", "password")
    box.fill("abcd")
    box.press("Enter")
    out = cells(doc).nth(0).locator(".carnet-Cell-outputArea")
    expect(out).to_contain_text("4")
    assert "abcd" not in out.inner_text()


def test_kernel_picker_and_toolbar(lab: Lab) -> None:
    write_notebook(lab, "tb.ipynb", [code_cell("1 + 2"), code_cell("b")])
    doc = open_notebook(lab, "tb.ipynb")
    page = lab.page
    doc.locator(".carnet-NotebookToolbar-kernel").click()
    box = lab.dialog("kernel-picker")
    box.get_by_role("button", name=re.compile("Python 3")).click()
    expect(doc.locator(".carnet-NotebookToolbar-kernel")).to_have_text(re.compile(r"\| Idle$"))
    # Toolbar: run, insert, cell type.
    cells(doc).nth(0).locator(".carnet-Cell-inputPrompt").click()
    doc.get_by_role("button", name="Run the selected cells and advance").click()
    expect(cells(doc).nth(0).locator(".carnet-Cell-outputArea")).to_contain_text("3")
    expect(cells(doc).nth(1)).to_have_class(re.compile("carnet-mod-active"))
    doc.get_by_role("button", name="Insert a cell below").click()
    expect(cells(doc)).to_have_count(3)
    doc.get_by_label("Cell type").select_option("markdown")
    expect(cells(doc).nth(2)).to_have_attribute("data-type", "markdown")
    # The collapser bar hides and shows a cell's input.
    editor = cells(doc).nth(0).locator(".carnet-Cell-editor")
    cells(doc).nth(0).locator(".carnet-Cell-input .carnet-Cell-collapser").click()
    expect(editor).to_be_hidden()
    cells(doc).nth(0).locator(".carnet-Cell-collapsedInput").click()
    expect(editor).to_be_visible()
    # O hides the active cell's outputs; L shows line numbers in the editors.
    output = cells(doc).nth(0).locator(".carnet-Cell-outputArea")
    expect(output).to_be_visible()
    page.keyboard.press("o")
    expect(output).to_be_hidden()
    page.keyboard.press("o")
    expect(output).to_be_visible()
    page.keyboard.press("l")
    expect(cells(doc).nth(0).locator(".carnet-Cell-gutter")).to_have_text("1")
    cells(doc).nth(1).locator(".carnet-Cell-static").click()
    expect(cells(doc).nth(1).locator(".cm-lineNumbers")).to_be_visible()


def test_run_above_below_and_restart_run_all(lab: Lab) -> None:
    write_notebook(lab, "order.ipynb", code_cells("a = 1", "b = a + 1", "b * 10"))
    doc = open_notebook(lab, "order.ipynb")
    prompt = [cells(doc).nth(i).locator(".carnet-Cell-inputPrompt") for i in range(3)]
    prompt[2].click()
    lab.menu("Run", "Run All Above Selected Cell")
    expect(prompt[1]).to_have_text("[2]:")
    expect(prompt[0]).to_have_text("[1]:")
    expect(prompt[2]).to_have_text("[ ]:")
    lab.menu("Run", "Run Selected Cell and All Below")
    expect(cells(doc).nth(2).locator(".carnet-Cell-outputArea")).to_contain_text("20")
    expect(prompt[2]).to_have_text("[3]:")
    prompt[2].click()
    lab.page.keyboard.press("Control+Enter")
    expect(prompt[2]).to_have_text("[4]:")
    # Restart and run all: counts start again from 1.
    doc.get_by_role("button", name="Restart the kernel and run all cells").click()
    lab.dialog().get_by_role("button", name="Restart").click()
    for i, text in enumerate(["[1]:", "[2]:", "[3]:"]):
        expect(prompt[i]).to_have_text(text)
    expect(cells(doc).nth(2).locator(".carnet-Cell-outputArea")).to_contain_text("20")


def test_notebook_shortcuts_are_in_the_shortcut_editor(lab: Lab) -> None:
    lab.menu("Settings", "Keyboard Shortcuts")
    row = lab.page.locator(
        ".carnet-Shortcuts tr[data-command='notebook:run-cell-and-select-next']"
    ).first
    expect(row).to_contain_text("Run Selected Cells and Select Below")
    expect(row.locator("kbd").first).to_contain_text("Enter")
