"""The shell: ready marker, menus, side panels, palette, status bar, accessibility roles."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Lab

pytestmark = pytest.mark.browser


def test_ready_with_menus_sidebar_dock_and_status_bar(lab: Lab) -> None:
    page = lab.page
    labels = page.locator(".lm-MenuBar-item").all_inner_texts()
    assert labels == ["File", "Edit", "View", "Run", "Kernel", "Tabs", "Settings", "Help"]
    assert page.locator("[role=menubar]").count() == 1
    tabs = page.locator("#carnet-left-tabs [role=tab]").all_inner_texts()
    assert tabs == ["Files", "Running", "Contents"]
    assert page.locator("#carnet-left-tabs [role=tablist]").count() == 1
    assert page.locator(".carnet-FileList[role=listbox]").is_visible()
    assert page.locator("#carnet-main-dock").is_visible()
    assert page.locator("#carnet-statusbar").inner_text().startswith("No Kernel")


def test_menu_opens_with_keyboard_and_runs_a_command(lab: Lab) -> None:
    page = lab.page
    page.locator(".lm-MenuBar-item", has_text="Help").click()
    menu = page.locator(".lm-Menu")
    assert menu.is_visible()
    assert menu.locator("[role=menu] [role=menuitem]").count() >= 2
    page.keyboard.press("Escape")
    lab.menu("Help", "About carnet")
    box = lab.dialog("about")
    assert "carnet" in box.inner_text()
    page.keyboard.press("Escape")
    assert page.locator(".carnet-Dialog").count() == 0


def test_palette_opens_with_accel_shift_c_filters_and_runs(lab: Lab) -> None:
    page = lab.page
    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".carnet-Palette")
    palette.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('lm-CommandPalette-input')")
    page.keyboard.type("new folder")
    items = page.locator(".carnet-Palette .lm-CommandPalette-item:visible")
    assert "New Folder" in items.first.inner_text()
    page.keyboard.press("Escape")
    assert not palette.is_visible()
    lab.run_command("New Folder")
    box = lab.dialog("rename")
    box.locator("input").fill("made-by-palette")
    page.keyboard.press("Enter")
    lab.wait_path(lab.server.root / "made-by-palette")
    assert (lab.server.root / "made-by-palette").is_dir()


def test_side_panels_toggle_and_collapse(lab: Lab) -> None:
    page = lab.page
    stack = page.locator("#carnet-left-stack")
    assert stack.is_visible()
    page.keyboard.press("Control+B")
    assert not stack.is_visible()
    page.keyboard.press("Control+B")
    assert stack.is_visible()
    page.locator("#carnet-left-tabs [role=tab]", has_text="Running").click()
    assert page.locator(".carnet-Running").is_visible()
    page.locator("#carnet-left-tabs [role=tab]", has_text="Running").click()
    assert not stack.is_visible()
