"""Keyboard-only use and ARIA roles: menus, tabs, the file list, dialogs."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Lab

pytestmark = pytest.mark.browser


def focused(lab: Lab) -> str:
    return str(
        lab.page.evaluate(
            "(document.activeElement.getAttribute('aria-label') || "
            "document.activeElement.textContent || '').trim().slice(0, 30)"
        )
    )


def test_tab_order_reaches_menus_panels_toolbar_and_list(lab: Lab) -> None:
    page = lab.page
    (lab.server.root / "a.txt").write_text("a")
    page.get_by_role("button", name="Refresh File List").click()
    page.evaluate("document.activeElement.blur()")
    seen = []
    for _ in range(24):
        page.keyboard.press("Tab")
        seen.append(focused(lab))
    assert "File" in seen  # the menu bar
    assert "Files" in seen  # the side panel tabs
    assert "New File" in seen  # the toolbar
    assert "Files" in seen[seen.index("New File") :]  # the file list (aria-label "Files")


def test_menus_work_from_the_keyboard(lab: Lab) -> None:
    page = lab.page
    page.locator(".lm-MenuBar-item", has_text="File").focus()
    page.keyboard.press("ArrowDown")
    menu = page.locator(".lm-Menu").first
    menu.wait_for()
    assert menu.locator("[role=menuitem]").count() > 3
    page.keyboard.press("Escape")
    page.locator(".lm-MenuBar-item", has_text="Help").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # the first item: Keyboard Shortcuts
    page.locator(".carnet-ShortcutsEditor").wait_for()


def test_dialogs_trap_focus_and_restore_it(lab: Lab) -> None:
    page = lab.page
    page.locator(".carnet-FileList").focus()
    lab.run_command("New Folder")
    box = lab.dialog("rename")
    assert box.get_attribute("role") == "dialog"
    assert box.get_attribute("aria-modal") == "true"
    for _ in range(5):
        page.keyboard.press("Tab")
        assert page.evaluate(
            "document.querySelector('.carnet-Dialog').contains(document.activeElement)"
        )
    page.keyboard.press("Escape")
    assert page.locator(".carnet-Dialog").count() == 0


def test_aria_roles(lab: Lab) -> None:
    page = lab.page
    root = lab.server.root
    (root / "x.md").write_text("# One\n\n## Two\n")
    page.get_by_role("button", name="Refresh File List").click()
    lab.open_file("x.md")
    assert page.get_by_role("menubar").count() == 1
    assert page.get_by_role("tablist").count() >= 2  # side panels and the dock
    assert page.get_by_role("tab", name="x.md").count() == 1
    assert page.get_by_role("tabpanel").count() >= 1
    assert page.get_by_role("listbox", name="Files").count() == 1
    assert page.get_by_role("option", name="x.md").get_attribute("aria-selected") in (
        "true",
        "false",
    )
    assert page.get_by_role("toolbar", name="File browser actions").count() == 1
    assert page.get_by_role("navigation", name="Current folder").count() == 1
    assert page.get_by_role("contentinfo").count() == 1  # the status bar
    assert page.get_by_role("textbox", name="Editor: x.md").count() == 1
    page.get_by_role("tab", name="Contents").click()
    tree = page.get_by_role("tree", name="Headings")
    assert tree.get_by_role("treeitem").count() == 2
    assert tree.get_by_role("treeitem").nth(1).get_attribute("aria-level") == "2"
