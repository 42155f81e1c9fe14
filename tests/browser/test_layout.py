"""Layout and settings live on the server: splits, open tabs, theme, sidebar survive a reload."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import cast

import httpx
import pytest

from tests.browser.conftest import Lab
from tests.conftest import CarnetServer

pytestmark = pytest.mark.browser


def tab_areas(lab: Lab) -> list[list[str]]:
    found = lab.page.locator("#carnet-main-dock > .lm-TabBar").evaluate_all(
        "bars => bars.map(b => "
        "[...b.querySelectorAll('.lm-TabBar-tabLabel')].map(l => l.textContent))"
    )
    return cast("list[list[str]]", found)


def drag_tab_to_right_edge(lab: Lab, label: str) -> None:
    page = lab.page
    tab = page.locator("#carnet-main-dock .lm-TabBar-tab", has_text=label).bounding_box()
    dock = page.locator("#carnet-main-dock").bounding_box()
    assert tab is not None and dock is not None
    page.mouse.move(tab["x"] + tab["width"] / 2, tab["y"] + tab["height"] / 2)
    page.mouse.down()
    x, y = dock["x"] + dock["width"] - 15, dock["y"] + dock["height"] / 2
    page.mouse.move(x - 200, y, steps=8)
    page.mouse.move(x, y, steps=8)
    page.wait_for_timeout(200)  # Lumino shows the drop overlay on a timer
    page.mouse.up()


def test_split_layout_and_tabs_are_restored_after_reload(lab: Lab) -> None:
    root = lab.server.root
    (root / "left.txt").write_text("L")
    (root / "right.txt").write_text("R")
    (root / "sub").mkdir()
    lab.page.get_by_role("button", name="Refresh File List").click()
    lab.open_file("left.txt")
    lab.open_file("right.txt")
    assert tab_areas(lab) == [["left.txt", "right.txt"]]
    drag_tab_to_right_edge(lab, "right.txt")
    lab.page.wait_for_function(
        "document.querySelectorAll('#carnet-main-dock > .lm-TabBar').length === 2"
    )
    assert sorted(tab_areas(lab)) == [["left.txt"], ["right.txt"]]
    lab.item("sub").dblclick()
    lab.page.locator(".carnet-Breadcrumb-link[data-path='sub']").wait_for()
    # The workspace is saved in the background; wait for it to reach the server.
    with httpx.Client(base_url=lab.server.base, headers={"Cookie": _cookies(lab)}) as client:
        for _ in range(100):
            data = client.get("lab/api/workspaces/default").json()["data"]
            dock = data.get("layout-restorer:data", {}).get("main", {}).get("dock") or {}
            if dock.get("type") == "split-area" and data.get("filebrowser:cwd") == {"path": "sub"}:
                break
            lab.page.wait_for_timeout(100)
        else:
            raise AssertionError(f"workspace not saved: {data}")
    lab.reload()
    lab.page.wait_for_function(
        "document.querySelectorAll('#carnet-main-dock > .lm-TabBar').length === 2"
    )
    assert sorted(tab_areas(lab)) == [["left.txt"], ["right.txt"]]
    lab.page.locator(".carnet-Document[data-path='right.txt'] .cm-content", has_text="R").wait_for()
    lab.page.locator(".carnet-Breadcrumb-link[data-path='sub'][aria-current]").wait_for()
    # Closing a tab is saved too.
    lab.page.locator(".lm-TabBar-tab", has_text="left.txt").locator(
        ".lm-TabBar-tabCloseIcon"
    ).click()
    lab.page.wait_for_timeout(1200)
    lab.reload()
    assert tab_areas(lab) == [["right.txt"]]
    # A file deleted meanwhile is not restored (and costs no failed request).
    (root / "right.txt").unlink()
    lab.reload()
    assert tab_areas(lab) == []


def test_settings_and_shortcut_editors_are_restored_after_reload(lab: Lab) -> None:
    lab.menu("Settings", "Settings Editor")
    lab.page.locator(".carnet-SettingsEditor").wait_for()
    lab.menu("Settings", "Keyboard Shortcuts")
    lab.page.locator(".carnet-ShortcutsEditor").wait_for()
    with httpx.Client(base_url=lab.server.base, headers={"Cookie": _cookies(lab)}) as client:
        for _ in range(100):
            data = client.get("lab/api/workspaces/default").json()["data"]
            current = data.get("layout-restorer:data", {}).get("main", {}).get("current")
            if "settings:editor" in data and current == "shortcuts:editor":
                break
            lab.page.wait_for_timeout(100)
        else:
            raise AssertionError(f"workspace not saved: {data}")
    assert data["settings:editor"] == {"kind": "settings", "data": {"name": "editor"}}
    lab.reload()
    assert tab_areas(lab) == [["Settings", "Keyboard Shortcuts"]]
    assert lab.page.locator(".carnet-ShortcutsEditor").is_visible()
    lab.page.locator(".lm-TabBar-tab", has_text="Settings").click()
    assert lab.page.locator(".carnet-SettingsEditor").get_by_label("Line numbers").is_visible()


def _cookies(lab: Lab) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in lab.page.context.cookies())


def test_theme_switch_is_stored_and_restored(lab: Lab) -> None:
    page = lab.page
    lab.menu("Settings", "Theme", "Dark Theme")
    page.wait_for_function("document.documentElement.dataset.theme === 'dark'")
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg == "rgb(27, 29, 33)"
    page.wait_for_timeout(300)
    lab.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    lab.menu("Settings", "Theme", "Light Theme")
    page.wait_for_function("document.documentElement.dataset.theme === 'light'")


def test_settings_editor_changes_editor_options(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    (root / "x.txt").write_text("a\nb\n")
    page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file("x.txt")
    assert doc.locator(".cm-lineNumbers").count() == 1
    lab.menu("Settings", "Settings Editor")
    form = page.locator(".carnet-SettingsEditor")
    form.get_by_label("Line numbers").uncheck()
    page.locator(".lm-TabBar-tab", has_text="x.txt").click()
    doc.locator(".cm-lineNumbers").wait_for(state="detached")
    form_size = page.locator(".carnet-SettingsEditor").get_by_label("Code font size (px)")
    page.locator(".lm-TabBar-tab", has_text="Settings").click()
    form_size.fill("17")
    form_size.press("Enter")
    page.wait_for_function(
        "getComputedStyle(document.documentElement)"
        ".getPropertyValue('--carnet-code-font-size') === '17px'"
    )
    page.wait_for_timeout(300)
    lab.reload()
    assert (
        page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--carnet-code-font-size')"
        )
        == "17px"
    )
    stored = httpx.get(
        lab.server.url("lab/api/settings/@carnet/fileeditor-extension:plugin"),
        headers={"Cookie": _cookies(lab)},
    ).json()
    assert json.loads(stored["raw"]) == {"lineNumbers": False}


def test_contrast_is_readable_in_both_themes(lab: Lab) -> None:
    """Body text, muted text and selected rows meet WCAG AA (4.5:1) in light and dark."""
    root = lab.server.root
    (root / "f.txt").write_text("f")
    lab.page.get_by_role("button", name="Refresh File List").click()
    lab.item("f.txt").click()
    for theme in ("Light Theme", "Dark Theme"):
        lab.menu("Settings", "Theme", theme)
        lab.page.wait_for_timeout(100)
        ratios = lab.page.evaluate(_CONTRAST)
        for name, ratio in ratios.items():
            assert ratio >= 4.5, (theme, name, ratio)


_CONTRAST = """() => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = c.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const bgOf = (el) => {
    for (let n = el; n; n = n.parentElement) {
      const c = getComputedStyle(n).backgroundColor;
      if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") return rgb(c);
    }
    return [255, 255, 255];
  };
  const check = (sel) => {
    const el = document.querySelector(sel);
    return ratio(rgb(getComputedStyle(el).color), bgOf(el));
  };
  return {
    menubar: check(".lm-MenuBar-item"),
    fileName: check(".carnet-FileItem-name"),
    selected: check(".carnet-FileItem.carnet-mod-selected .carnet-FileItem-name"),
    muted: check(".carnet-FileList-sort:not(.carnet-mod-active)"),
    statusBar: check("#carnet-statusbar"),
    sideTab: check("#carnet-left-tabs .lm-TabBar-tab:not(.lm-mod-current)"),
  };
}"""


def test_layouts_are_per_user(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory()
    with server.client() as client:
        body = {"data": {"x": 1}, "metadata": {"id": "default"}}
        assert client.put("lab/api/workspaces/default", json=body).status_code == 204
        assert client.get("lab/api/workspaces/default").json()["data"] == {"x": 1}
