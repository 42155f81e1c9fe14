"""The text editor: edit and save, unsaved marker, conflicts, outside changes, big files."""

from __future__ import annotations

import os
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Lab

pytestmark = pytest.mark.browser


def open_text(lab: Lab, name: str, text: str) -> None:
    (lab.server.root / name).write_text(text)
    lab.page.get_by_role("button", name="Refresh File List").click()
    lab.open_file(name)
    lab.page.locator(f".carnet-Document[data-path='{name}'] .cm-content").click()
    lab.page.keyboard.press("Control+Home")


def touch_later(path: os.PathLike[str], text: str) -> None:
    """Writes `text` with a modification time clearly after the one the editor loaded."""
    with open(path, "w") as f:
        f.write(text)
    later = time.time() + 5
    os.utime(path, (later, later))


def test_edit_save_and_unsaved_marker(lab: Lab) -> None:
    page = lab.page
    open_text(lab, "a.py", "x = 1\n")
    # Python is highlighted (keywords get a class from the lazily loaded grammar).
    page.keyboard.press("Control+End")
    # insert_text: no auto-indent, so the saved text is exactly this.
    page.keyboard.insert_text("def f():\n    return x\n")
    page.locator(".carnet-Document[data-path='a.py'] .cm-k").first.wait_for()
    tab = page.locator(".lm-TabBar-tab", has_text="a.py")
    assert "carnet-mod-dirty" in (tab.get_attribute("class") or "")
    assert "Unsaved changes" in page.locator("#carnet-statusbar").inner_text()
    page.keyboard.press("Control+S")
    lab.wait_path(lab.server.root / "a.py", content="x = 1\ndef f():\n    return x\n")
    page.locator("#carnet-statusbar", has_text="Saved").wait_for()
    assert "carnet-mod-dirty" not in (tab.get_attribute("class") or "")
    # Cursor position in the status bar.
    assert "Ln 4, Col 1" in page.locator("#carnet-statusbar").inner_text()


def test_save_conflict_offers_a_non_destructive_choice(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    open_text(lab, "c.txt", "original\n")
    page.keyboard.type("mine ")
    touch_later(root / "c.txt", "theirs\n")
    page.keyboard.press("Control+S")
    box = lab.dialog("conflict")
    expect(box).to_contain_text("changed on disk")
    box.get_by_role("button", name="Save mine as a copy").click()
    lab.wait_path(root / "c-mine.txt", content="mine original\n")
    assert (root / "c.txt").read_text() == "theirs\n"
    # The editor now shows the disk version, and the copy is open beside it.
    page.locator(".carnet-Document[data-path='c-mine.txt']").wait_for()
    page.wait_for_function(
        "() => document.querySelector(\".carnet-Document[data-path='c.txt'] .cm-content\")"
        ".textContent.startsWith('theirs')"
    )


def test_save_conflict_overwrite_and_cancel(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    open_text(lab, "d.txt", "one\n")
    page.keyboard.type("mine ")
    touch_later(root / "d.txt", "disk\n")
    page.keyboard.press("Control+S")
    lab.dialog("conflict").get_by_role("button", name="Cancel").click()
    assert (root / "d.txt").read_text() == "disk\n"
    page.keyboard.press("Control+S")
    lab.dialog("conflict").get_by_role("button", name="Overwrite disk").click()
    lab.wait_path(root / "d.txt", content="mine one\n")
    # Saved: the next save does not ask again.
    page.locator(".carnet-Document[data-path='d.txt'] .cm-content").click()
    page.keyboard.press("Control+Home")
    page.keyboard.type("!")
    page.keyboard.press("Control+S")
    lab.wait_path(root / "d.txt", content="!mine one\n")
    assert page.locator(".carnet-Dialog").count() == 0


def test_outside_change_reloads_a_clean_editor_and_asks_a_dirty_one(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    open_text(lab, "e.txt", "first\n")
    touch_later(root / "e.txt", "second\n")
    page.locator(".carnet-Document[data-path='e.txt'] .cm-content", has_text="second").wait_for()
    page.keyboard.press("Control+End")
    page.keyboard.type("typed")
    touch_later(root / "e.txt", "third\n")
    banner = page.locator(
        ".carnet-Document[data-path='e.txt'] .carnet-Banner[data-kind='conflict']"
    )
    banner.wait_for()
    assert "unsaved changes" in banner.inner_text()
    # Nothing was lost: the editor still has the user's text.
    assert "typed" in page.locator(".carnet-Document[data-path='e.txt'] .cm-content").inner_text()
    banner.get_by_role("button", name="Reload from disk (discard mine)").click()
    page.locator(".carnet-Document[data-path='e.txt'] .cm-content", has_text="third").wait_for()


def test_big_file_opens_read_only_with_a_notice(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    line = "0123456789" * 10 + "\n"
    (root / "big.log").write_text(line * 110_000)  # 11.1 MB
    page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file("big.log")
    expect(doc.locator(".carnet-Banner")).to_contain_text("read-only")
    assert doc.locator(".cm-content").get_attribute("contenteditable") == "false"
    assert "Read-only" in page.locator("#carnet-statusbar").inner_text()


def test_go_to_line_and_search(lab: Lab) -> None:
    page = lab.page
    open_text(lab, "lines.txt", "".join(f"line {i}\n" for i in range(1, 201)))
    page.keyboard.press("Control+L")
    box = lab.dialog("go-to-line")
    box.locator("input").fill("150")
    page.keyboard.press("Enter")
    page.locator("#carnet-statusbar", has_text="Ln 150, Col 1").wait_for()
    page.keyboard.press("Control+F")
    search = page.locator(".cm-search input[name=search]")
    search.wait_for()
    assert search.evaluate("n => n === document.activeElement")
    page.keyboard.press("Escape")
    lab.run_command("Find and Replace…")
    page.locator(".cm-search input[name=replace]").wait_for()


def test_markdown_preview_beside_the_editor_follows_edits(lab: Lab) -> None:
    page = lab.page
    open_text(lab, "doc.md", "# Title\n\nbody\n")
    page.keyboard.press("Control+Shift+M")
    preview = page.locator(".carnet-Document[data-viewer='markdown-preview']")
    preview.locator("h1", has_text="Title").wait_for()
    # Beside, not behind: two tab bars.
    assert page.locator("#carnet-main-dock .lm-TabBar").count() == 2
    page.locator(".carnet-Document[data-path='doc.md'][data-viewer='editor'] .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.insert_text('\n## Added <a href="#" onclick="alert(1)">link</a>\n')
    preview.locator("h2", has_text="Added").wait_for()
    # Sanitised: no event handler attributes survive.
    assert preview.locator("a", has_text="link").count() == 1
    assert preview.locator("[onclick]").count() == 0
    # The table of contents lists the headings.
    page.locator("#carnet-left-tabs [role=tab]", has_text="Contents").click()
    toc = page.locator(".carnet-Toc-list")
    toc.locator("button", has_text="Added").wait_for()
