"""The file browser, driven like a user: mouse, keyboard, context menu, drag and drop."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Lab
from tests.conftest import CarnetServer

pytestmark = pytest.mark.browser


def names(lab: Lab) -> list[str]:
    found = lab.page.locator(".carnet-FileItem").evaluate_all(
        "items => items.map(i => i.dataset.name)"
    )
    return cast("list[str]", found)


def wait_names(lab: Lab, expected: list[str]) -> None:
    lab.page.wait_for_function(
        "exp => JSON.stringify([...document.querySelectorAll('.carnet-FileItem')]"
        ".map(i => i.dataset.name)) === JSON.stringify(exp)",
        arg=expected,
    )


def test_listing_sort_and_breadcrumbs(server: CarnetServer, new_lab: Callable[..., Lab]) -> None:
    root = server.root
    (root / "b.txt").write_text("bb")
    (root / "a.txt").write_text("a" * 1000)
    (root / "c.md").write_text("")
    (root / "zdir" / "inner").mkdir(parents=True)
    lab = new_lab(server).open()
    wait_names(lab, ["zdir", "a.txt", "b.txt", "c.md"])
    lab.page.locator("[data-sort=size]").click()
    wait_names(lab, ["zdir", "c.md", "b.txt", "a.txt"])
    lab.page.locator("[data-sort=size]").click()
    wait_names(lab, ["zdir", "a.txt", "b.txt", "c.md"])
    lab.page.locator("[data-sort=name]").click()
    wait_names(lab, ["zdir", "a.txt", "b.txt", "c.md"])
    lab.item("zdir").dblclick()
    wait_names(lab, ["inner"])
    lab.item("inner").dblclick()
    wait_names(lab, [])
    crumbs = lab.page.locator(".carnet-Breadcrumb-link").all_inner_texts()
    assert crumbs[1:] == ["zdir", "inner"]
    lab.page.locator(".carnet-Breadcrumb-link[data-path='zdir']").click()
    wait_names(lab, ["inner"])
    lab.page.locator(".carnet-Breadcrumb-link[data-path='']").click()
    wait_names(lab, ["zdir", "a.txt", "b.txt", "c.md"])


def test_new_file_folder_and_rename_with_f2(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    page.get_by_role("button", name="New File").click()
    lab.page.locator(".carnet-Document[data-path='untitled.txt']").wait_for()
    assert (root / "untitled.txt").is_file()
    page.get_by_role("button", name="New Folder").click()
    box = lab.dialog("rename")
    box.locator("input").fill("data")
    page.keyboard.press("Enter")
    lab.wait_path(root / "data")
    lab.item("untitled.txt").click()
    page.keyboard.press("F2")
    box = lab.dialog("rename")
    # The name's stem is selected, so typing replaces it and keeps ".txt".
    page.keyboard.type("notes")
    page.keyboard.press("Enter")
    lab.wait_path(root / "notes.txt")
    assert not (root / "untitled.txt").exists()
    # The open tab follows the rename.
    page.locator(".carnet-Document[data-path='notes.txt']").wait_for()
    lab.item("notes.txt").click()
    page.keyboard.press("F2")
    lab.dialog("rename").locator("input").fill("bad/name")
    page.keyboard.press("Enter")
    expect(lab.dialog("rename")).to_contain_text("cannot contain")
    page.keyboard.press("Escape")
    assert (root / "notes.txt").exists()


def test_delete_asks_and_removes(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    for name in ("one.txt", "two.txt", "three.txt"):
        (root / name).write_text(name)
    page.get_by_role("button", name="Refresh File List").click()
    lab.item("one.txt").click()
    lab.item("three.txt").click(modifiers=["Control"])
    page.keyboard.press("Delete")
    box = lab.dialog("confirm")
    expect(box).to_contain_text("2 items")
    box.get_by_role("button", name="Cancel").click()
    assert (root / "one.txt").exists()
    page.keyboard.press("Delete")
    lab.dialog("confirm").get_by_role("button", name="Delete").click()
    lab.wait_path(root / "one.txt", exists=False)
    lab.wait_path(root / "three.txt", exists=False)
    wait_names(lab, ["two.txt"])


def test_cut_copy_paste_duplicate_via_keyboard(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    (root / "dest").mkdir()
    (root / "f.txt").write_text("F")
    (root / "g.txt").write_text("G")
    page.get_by_role("button", name="Refresh File List").click()
    lab.item("f.txt").click()
    page.keyboard.press("Control+C")
    lab.item("dest").dblclick()
    wait_names(lab, [])
    page.locator(".carnet-FileList").focus()
    page.keyboard.press("Control+V")
    lab.wait_path(root / "dest" / "f.txt", content="F")
    assert (root / "f.txt").exists()
    page.keyboard.press("Backspace")
    wait_names(lab, ["dest", "f.txt", "g.txt"])
    lab.item("g.txt").click()
    page.keyboard.press("Control+X")
    lab.item("dest").dblclick()
    wait_names(lab, ["f.txt"])
    page.locator(".carnet-FileList").focus()
    page.keyboard.press("Control+V")
    lab.wait_path(root / "dest" / "g.txt", content="G")
    lab.wait_path(root / "g.txt", exists=False)
    lab.item("g.txt").click()
    page.keyboard.press("Control+D")
    lab.wait_path(root / "dest" / "g-Copy1.txt", content="G")


def test_keyboard_navigation_and_open(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    for name in ("a.txt", "b.txt", "c.txt"):
        (root / name).write_text(name)
    page.get_by_role("button", name="Refresh File List").click()
    wait_names(lab, ["a.txt", "b.txt", "c.txt"])
    page.locator(".carnet-FileList").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert (
        page.locator(".carnet-FileItem.carnet-mod-selected").get_attribute("data-name") == "b.txt"
    )
    listbox = page.locator(".carnet-FileList")
    focused_id = listbox.get_attribute("aria-activedescendant")
    assert page.locator(f"#{focused_id}").get_attribute("data-name") == "b.txt"
    page.keyboard.press("Shift+ArrowDown")
    assert page.locator(".carnet-FileItem[aria-selected=true]").count() == 2
    page.keyboard.press("Home")
    page.keyboard.press("c")
    assert (
        page.locator(".carnet-FileItem.carnet-mod-selected").get_attribute("data-name") == "c.txt"
    )
    page.keyboard.press("Enter")
    page.locator(".carnet-Document[data-path='c.txt'][data-carnet-rendered='1']").wait_for()


def test_context_menu_rename_and_open_with(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    (root / "table.csv").write_text("a,b\n1,2\n")
    page.get_by_role("button", name="Refresh File List").click()
    lab.item("table.csv").click(button="right")
    menu = page.locator(".lm-Menu:visible").first
    labels = menu.locator(".lm-Menu-itemLabel").all_inner_texts()
    for expected in (
        "Open",
        "Open With",
        "Rename…",
        "Delete…",
        "Cut",
        "Copy",
        "Duplicate",
        "Download",
    ):
        assert expected in labels
    menu.locator(".lm-Menu-item", has_text="Open With").hover()
    sub = page.locator(".lm-Menu:visible").nth(1)
    sub.wait_for()
    assert sub.locator(".lm-Menu-itemLabel").all_inner_texts() == ["Table (CSV/TSV)", "Editor"]
    sub.locator(".lm-Menu-item", has_text="Editor").click()
    # Renamed once its editor has joined the file's room (not while it is still joining).
    page.locator(
        ".carnet-Document[data-viewer='editor'][data-path='table.csv'][data-carnet-rendered='1']"
    ).wait_for()
    lab.item("table.csv").click(button="right")
    page.locator(".lm-Menu:visible .lm-Menu-item", has_text="Rename").click()
    lab.dialog("rename").locator("input").fill("renamed.csv")
    page.keyboard.press("Enter")
    lab.wait_path(root / "renamed.csv")


def test_download(lab: Lab) -> None:
    (lab.server.root / "get me.txt").write_text("payload")
    lab.page.get_by_role("button", name="Refresh File List").click()
    lab.item("get me.txt").click(button="right")
    with lab.page.expect_download() as info:
        lab.page.locator(".lm-Menu:visible .lm-Menu-item", has_text="Download").click()
    download = info.value
    assert download.suggested_filename == "get me.txt"
    assert Path(download.path()).read_text() == "payload"


def test_listing_follows_changes_on_disk(lab: Lab) -> None:
    root = lab.server.root
    (root / "appeared.txt").write_text("x")
    lab.item("appeared.txt").wait_for(timeout=15_000)
    (root / "appeared.txt").unlink()
    lab.item("appeared.txt").wait_for(state="detached", timeout=15_000)


def test_drag_entries_into_a_folder(lab: Lab) -> None:
    root = lab.server.root
    (root / "box").mkdir()
    (root / "move-me.txt").write_text("m")
    lab.page.get_by_role("button", name="Refresh File List").click()
    lab.item("move-me.txt").drag_to(lab.item("box"))
    lab.wait_path(root / "box" / "move-me.txt", content="m")
    assert not (root / "move-me.txt").exists()


def test_hidden_files_toggle(
    carnet_factory: Callable[..., CarnetServer], new_lab: Callable[..., Lab]
) -> None:
    server = carnet_factory("--ContentsManager.allow_hidden=True")
    (server.root / ".secret").write_text("s")
    (server.root / "plain.txt").write_text("p")
    lab = new_lab(server).open()
    wait_names(lab, ["plain.txt"])
    lab.page.get_by_role("button", name="Show Hidden Files").click()
    wait_names(lab, [".secret", "plain.txt"])
    # The choice is a setting, stored on the server (in the background: wait for it).
    with server.client() as client:
        url = "lab/api/settings/@carnet/filebrowser-extension:browser"
        for _ in range(100):
            if '"showHiddenFiles": true' in client.get(url).json().get("raw", ""):
                break
            lab.page.wait_for_timeout(100)
    lab.reload()
    wait_names(lab, [".secret", "plain.txt"])
    lab.page.get_by_role("button", name="Hide Hidden Files").click()
    wait_names(lab, ["plain.txt"])


def test_new_notebook_names_its_kernel(lab: Lab) -> None:
    lab.page.get_by_role("button", name="New Notebook").click()
    kernel = lab.page.locator(".carnet-Dialog[data-dialog='kernel']")
    lab.page.locator(".carnet-Document[data-path='Untitled.ipynb']").or_(kernel).first.wait_for()
    if kernel.count() > 0:  # several kernels installed: take the default (first) one
        kernel.locator(".carnet-mod-accept").click()
    lab.page.locator(".carnet-Document[data-path='Untitled.ipynb']").wait_for()
    path = lab.server.root / "Untitled.ipynb"
    for _ in range(50):
        nb = json.loads(path.read_text())
        if "kernelspec" in nb["metadata"]:
            break
        lab.page.wait_for_timeout(100)
    assert nb["nbformat"] == 4
    assert nb["metadata"]["kernelspec"]["name"]
