"""Plugins in a real Chromium: the two examples (examples/word-count.js, examples/kernel-monitor),
a plugin that throws (disabled with a notice, the app keeps working), shared singletons through
the import map, and plugin themes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser.conftest import TIMEOUT_MS, Lab
from tests.conftest import CarnetServer, JupyterEnv
from tests.plugins.helpers import EXAMPLES, add_plugin, install_kernel_monitor, plugins_folder

pytestmark = pytest.mark.browser


def _open_text(lab: Lab, name: str, text: str) -> None:
    (lab.server.root / name).write_text(text)
    lab.page.get_by_role("button", name="Refresh File List").click()
    lab.open_file(name)
    lab.page.locator(f".carnet-Document[data-path='{name}'] .cm-content").click()
    lab.page.keyboard.press("Control+End")


def test_word_count_example(
    jupyter_env: JupyterEnv,
    carnet_factory: Callable[..., CarnetServer],
    new_lab: Callable[[CarnetServer], Lab],
) -> None:
    shutil.copy(EXAMPLES / "word-count.js", plugins_folder(jupyter_env) / "word-count.js")
    lab = new_lab(carnet_factory()).open()
    page = lab.page
    item = page.locator("#carnet-statusbar [data-status='word-count']")
    assert page.evaluate("document.documentElement.dataset.carnetPlugins") == "word-count"
    _open_text(lab, "essay.md", "Hello brave new world.\n")
    item.get_by_text("4 words").wait_for()
    # Typing updates it: the plugin's signals are the app's (one @preact/signals, one preact).
    page.keyboard.insert_text("Don't panic")
    item.get_by_text("6 words").wait_for()
    # Nothing to count when the active tab has no text (the file browser has focus, say).
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    item.get_by_text("0 words").wait_for()


def test_kernel_monitor_example(
    carnet_factory: Callable[..., CarnetServer],
    new_lab: Callable[[CarnetServer], Lab],
    tmp_path: Path,
) -> None:
    server = carnet_factory(env=install_kernel_monitor(tmp_path / "site"))
    with server.client() as client:
        listing = {p["name"]: p for p in client.get("api/carnet/plugins").json()["plugins"]}
        assert listing["kernel-monitor"]["server_loaded"] is True
        kernel = client.post("api/kernels", json={"name": "python3"}).json()
    lab = new_lab(server).open()
    page = lab.page
    lab.run_command("Show Kernel Usage")
    row = page.locator(f".km-Panel tr[data-kernel-id='{kernel['id']}']")
    row.wait_for()
    assert row.locator("td").first.inner_text() == "python3"
    memory = row.locator(".km-Memory")
    page.wait_for_function(
        "el => Number(el.dataset.bytes) > 1000000", arg=memory.element_handle(), timeout=TIMEOUT_MS
    )
    assert "MiB" in memory.inner_text()
    assert row.locator(".km-Cpu").inner_text().endswith("%")
    # The panel follows the server: a stopped kernel leaves the table.
    with server.client() as client:
        assert client.delete(f"api/kernels/{kernel['id']}").status_code == 204
    page.locator(".km-Panel .km-Empty", has_text="No kernels are running.").wait_for()


BROKEN = """
export function activate(app) {
  app.commands.addCommand("broken:cmd", { label: "Broken Command", execute: () => {} });
  app.statusItems.add({ id: "broken-status", align: "left", render: () => "BROKEN" });
  throw new Error("kaboom");
}
"""

LATE = """
import { h } from "preact";
let calls = 0;
export function activate(app) {
  app.statusItems.add({
    id: "late", align: "left",
    render() {
      calls += 1;
      if (calls > 0) throw new Error("render failed");
      return h("b", null, "x");
    },
  });
}
"""

GOOD = """
import { h } from "preact";
import { Widget } from "@lumino/widgets";
import { signal } from "@preact/signals-core";
import { DocumentWidget, API_VERSION, Registry } from "carnet";
export const apiVersion = 1;
export function activate(app) {
  const clicks = signal(0);
  app.commands.addCommand("good:click", {
    label: "Good Click",
    execute: () => { clicks.value += 1; },
  });
  app.palette.add({ id: "good:click", command: "good:click", category: "Good" });
  app.statusItems.add({
    id: "good", align: "left",
    render: () => h("span", { class: "good-Status" },
      `good v${app.version} api ${app.apiVersion}/${API_VERSION} clicks ${clicks.value} ` +
      `shared ${app.panels instanceof Registry} ${typeof DocumentWidget}`),
  });
  app.themes.add({
    id: "mint", label: "Mint", base: "light", variables: { "--carnet-bg": "rgb(1, 2, 3)" },
  });
  app.addStyle(".good-Status { font-style: italic; }");
  app.panels.add({
    id: "good-panel",
    create() {
      const w = new Widget();
      w.id = "good-panel";
      w.title.label = "Good Panel";
      return w;
    },
  });
}
export function deactivate(app) {
  document.documentElement.dataset.goodDeactivated = app.plugin.name;
}
"""

BAD_PANEL = """
export function activate(app) {
  app.panels.add({ id: "bad-panel", create() { throw new Error("no panel"); } });
}
"""

FUTURE = "export const apiVersion = 99;\nexport function activate(app) {}\n"
NO_ACTIVATE = "export const hello = 1;\n"


def test_failing_plugins_are_disabled_and_the_app_keeps_working(
    jupyter_env: JupyterEnv,
    carnet_factory: Callable[..., CarnetServer],
    new_lab: Callable[[CarnetServer], Lab],
) -> None:
    add_plugin(jupyter_env, "broken", BROKEN)
    add_plugin(jupyter_env, "late", LATE)
    add_plugin(jupyter_env, "future", FUTURE)
    add_plugin(jupyter_env, "badpanel", BAD_PANEL)
    add_plugin(jupyter_env, "noactivate", NO_ACTIVATE)
    add_plugin(jupyter_env, "syntax", "export function activate( {\n")
    add_plugin(jupyter_env, "good", GOOD, folder=True)
    lab = new_lab(carnet_factory()).open()
    page = lab.page
    notices = page.locator(".carnet-Notice.carnet-mod-error")
    for name, why in (
        ("broken", "kaboom"),
        ("late", "render failed"),
        ("future", "it needs plugin API 99"),
        ("noactivate", "exports no activate"),
        ("syntax", ""),
        ("badpanel", "no panel"),
    ):
        notice = notices.filter(has_text=f"Plugin {name} failed and was disabled: ").first
        notice.wait_for()
        assert why in notice.inner_text()
    page.wait_for_function("() => document.documentElement.dataset.carnetPlugins === 'good'")
    # What the failed plugins registered is gone; the good one works.
    status = page.locator("#carnet-statusbar")
    assert "BROKEN" not in status.inner_text()
    assert page.locator("[data-status='late']").count() == 0
    good = status.locator(".good-Status")
    assert "api 1/1 clicks 0 shared true function" in good.inner_text()
    assert good.evaluate("el => getComputedStyle(el).fontStyle") == "italic"
    stylesheets = page.evaluate("document.adoptedStyleSheets.length")
    tabs = page.locator("#carnet-left-tabs .lm-TabBar-tab")
    tabs.filter(has_text="Good Panel").wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#carnet-left-tabs .lm-TabBar-tab')]"
        ".every(t => t.textContent.trim() !== '')"
    )  # the failed panel's stand-in is gone
    tab_count = tabs.count()
    lab.run_command("Good Click")
    good.get_by_text("clicks 1").wait_for()
    page.keyboard.press("Control+Shift+C")
    search = page.locator(".carnet-Palette .lm-CommandPalette-input")
    search.fill("Broken Command")
    assert page.locator(".carnet-Palette .lm-CommandPalette-item").count() == 0
    page.keyboard.press("Escape")
    # Unloading calls deactivate and removes everything the plugin added.
    lab.run_command("Unload Plugin: good")
    page.wait_for_function("() => document.documentElement.dataset.goodDeactivated === 'good'")
    good.wait_for(state="detached")
    assert page.evaluate("document.documentElement.dataset.carnetPlugins") == ""
    assert page.evaluate("document.adoptedStyleSheets.length") == stylesheets - 1
    assert tabs.count() == tab_count - 1
    assert tabs.filter(has_text="Good Panel").count() == 0
    # The core still works: the file browser lists files.
    (lab.server.root / "still-here.txt").write_text("x")
    page.get_by_role("button", name="Refresh File List").click()
    lab.item("still-here.txt").wait_for()


def test_plugin_theme(
    jupyter_env: JupyterEnv,
    carnet_factory: Callable[..., CarnetServer],
    new_lab: Callable[[CarnetServer], Lab],
) -> None:
    add_plugin(jupyter_env, "good", GOOD)
    lab = new_lab(carnet_factory()).open()
    page = lab.page
    bg = "getComputedStyle(document.documentElement).getPropertyValue('--carnet-bg').trim()"
    assert page.evaluate(bg) != "rgb(1, 2, 3)"
    lab.run_command("Use Theme: Mint")
    page.wait_for_function(f"() => {bg} === 'rgb(1, 2, 3)'")
    # The choice is a setting: it survives a reload.
    lab.reload()
    page.wait_for_function(f"() => {bg} === 'rgb(1, 2, 3)'")
    lab.run_command("Use Built-in Theme")
    page.wait_for_function(f"() => {bg} !== 'rgb(1, 2, 3)'")
