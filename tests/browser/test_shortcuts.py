"""The keyboard-shortcut editor: change a shortcut, use it, and find it again after a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Lab

pytestmark = pytest.mark.browser


def test_change_a_shortcut_and_use_it(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    lab.menu("Settings", "Keyboard Shortcuts")
    row = page.locator(
        ".carnet-Shortcuts tr[data-command='filebrowser:create-new-directory']"
    ).first
    row.get_by_role("button", name="Change").click()
    recorder = row.locator(".carnet-Shortcut-recorder")
    recorder.wait_for()
    assert recorder.evaluate("n => n === document.activeElement")
    page.keyboard.press("Control+Alt+K")
    assert "K" in recorder.input_value()
    page.keyboard.press("Enter")
    row.locator("kbd", has_text="K").wait_for()
    # The new shortcut works at once…
    page.locator(".carnet-FileList").focus()
    page.keyboard.press("Control+Alt+K")
    lab.dialog("rename").locator("input").fill("via-shortcut")
    page.keyboard.press("Enter")
    lab.wait_path(root / "via-shortcut")
    # …and after a reload (it is a setting, stored on the server).
    page.wait_for_timeout(300)
    lab.reload()
    page.locator(".carnet-FileList").focus()
    page.keyboard.press("Control+Alt+K")
    lab.dialog("rename").locator("input").fill("again")
    page.keyboard.press("Enter")
    lab.wait_path(root / "again")
    # Reset brings the default back (none for this command).
    lab.menu("Settings", "Keyboard Shortcuts")
    row = page.locator(
        ".carnet-Shortcuts tr[data-command='filebrowser:create-new-directory']"
    ).first
    row.get_by_role("button", name="Reset").click()
    row.locator("kbd", has_text="—").wait_for()


def test_conflicting_shortcut_is_flagged(lab: Lab) -> None:
    page = lab.page
    lab.menu("Settings", "Keyboard Shortcuts")
    row = page.locator(
        ".carnet-Shortcuts tr[data-command='filebrowser:create-new-directory']"
    ).first
    row.get_by_role("button", name="Change").click()
    page.keyboard.press("Control+B")
    expect(row).to_contain_text("Already used by “Show Left Sidebar”")
    page.keyboard.press("Escape")
    expect(row.locator(".carnet-Shortcut-recorder")).to_have_count(0)
