"""The notebook history in the browser: saved versions listed, compared with the notebook
cell by cell, previewed, restored, and the restore undone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.api.test_documents_changes import NO_AUTOSAVE
from tests.browser.conftest import Lab
from tests.browser.test_notebook import cells, code_cells, wait_texts, write_notebook
from tests.conftest import CarnetServer

pytestmark = pytest.mark.browser


def wait_disk(lab: Lab, path: Path, text: str) -> None:
    for _ in range(100):
        if text in path.read_text():
            return
        lab.page.wait_for_timeout(100)
    raise AssertionError(f"{text!r} never saved: {path.read_text()}")


def test_history_compares_restores_and_the_restore_undoes(
    carnet_factory: Callable[..., CarnetServer], new_lab: Callable[[CarnetServer], Lab]
) -> None:
    # Only explicit saves (and the file as opened) make versions: the test knows how many.
    lab = new_lab(carnet_factory(NO_AUTOSAVE)).open()
    page = lab.page
    write_notebook(lab, "hist.ipynb", code_cells("a = 1", "b = 2"))
    path = lab.server.root / "hist.ipynb"
    page.get_by_role("button", name="Refresh File List").click()
    doc: Any = lab.open_file("hist.ipynb")
    expect(cells(doc)).to_have_count(2)

    cells(doc).nth(1).locator(".carnet-Cell-static").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("  # first")
    page.keyboard.press("Control+S")
    wait_disk(lab, path, "# first")
    page.keyboard.type("  # second")
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type("c = 3")
    page.keyboard.press("Control+S")
    wait_disk(lab, path, "c = 3")
    now = ["a = 1", "b = 2  # first  # second", "c = 3"]
    wait_texts(doc, now)

    lab.menu("File", "Show Notebook History")
    history = page.locator(".carnet-HistoryView")
    versions = history.locator(".carnet-History-version")
    expect(versions).to_have_count(3)  # opened, first save, second save: newest first

    # The first save, compared with the notebook now: one cell changed, one added.
    versions.nth(1).click()
    expect(versions.nth(1)).to_have_attribute("aria-selected", "true")
    expect(history.locator(".carnet-History-summary")).to_contain_text(
        "1 changed, 1 added, 0 removed"
    )
    changed = history.locator(".carnet-History-cell[data-change='changed']")
    expect(changed).to_have_count(1)
    expect(changed.locator(".carnet-History-line.carnet-mod-removed")).to_have_text(
        "- b = 2  # first\n"
    )
    expect(changed.locator(".carnet-History-line.carnet-mod-added")).to_have_text(
        "+ b = 2  # first  # second\n"
    )
    added = history.locator(".carnet-History-cell[data-change='added']")
    expect(added.locator(".carnet-History-source")).to_have_text("c = 3")
    expect(history.locator(".carnet-History-cell[data-change='same']")).to_have_count(1)

    # Its preview: the cells as they were.
    history.get_by_role("tab", name="Preview").click()
    expect(history.locator(".carnet-History-source")).to_have_text(["a = 1", "b = 2  # first"])

    # Restore: the notebook shows that version (and has the focus).
    history.get_by_role("button", name="Restore this version").click()
    wait_texts(doc, ["a = 1", "b = 2  # first"])
    expect(doc.locator(".carnet-Notebook-cells.carnet-mod-command")).to_be_focused()
    # Saving it adds a version, and the list follows.
    page.keyboard.press("Control+S")
    wait_disk(lab, path, '# first"')
    expect(versions).to_have_count(4)
    # The comparison with the restored version has nothing left.
    history.get_by_role("tab", name="Changes").click()
    expect(history.locator(".carnet-History-summary")).to_contain_text("Same cells")

    # The restore is one notebook operation: undo (Z in command mode) brings the cells back.
    cells(doc).nth(0).locator(".carnet-Cell-inputPrompt").click()
    expect(doc.locator(".carnet-Notebook-cells.carnet-mod-command")).to_be_focused()
    page.keyboard.press("z")
    wait_texts(doc, now)
    page.keyboard.press("Shift+Z")
    wait_texts(doc, ["a = 1", "b = 2  # first"])


def test_history_on_the_single_notebook_page_leads_back(
    server: CarnetServer, new_lab: Callable[[CarnetServer], Lab]
) -> None:
    """/notebooks/<path> shows one tab at a time: the history says how to get back."""
    lab = new_lab(server)
    write_notebook(lab, "single.ipynb", code_cells("a = 1"))
    lab.open("notebooks/single.ipynb")
    doc = lab.page.locator(".carnet-Document[data-carnet-rendered='1']").first
    expect(cells(doc)).to_have_count(1)
    cells(doc).nth(0).locator(".carnet-Cell-inputPrompt").click()
    lab.run_command("Show Notebook History")
    history = lab.page.locator(".carnet-HistoryView")
    expect(history.locator(".carnet-History-version")).to_have_count(1)  # as opened
    expect(doc).to_be_hidden()
    history.get_by_role("button", name="Back to the notebook").click()
    expect(cells(doc).nth(0)).to_be_visible()
    expect(history).to_be_hidden()
