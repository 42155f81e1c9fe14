"""Terminals in the browser: a real shell behind xterm.js, as a user types into it.

Each test fails on console errors and CSP violations (conftest): xterm.js injects styles,
which carnet's build redirects into constructed stylesheets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.browser.conftest import TIMEOUT_MS, Lab
from tests.conftest import CarnetServer

pytestmark = pytest.mark.browser

PANEL = ".carnet-TerminalPanel"
# What xterm paints with the theme's background.
BACKGROUND = ".xterm-scrollable-element"


def panel(lab: Lab, name: str | None = None) -> Any:
    selector = PANEL + (f"[data-terminal='{name}']" if name else "")
    return lab.page.locator(f"{selector}:visible").first


def new_terminal(lab: Lab) -> str:
    """File > New > Terminal; returns the terminal's name once it is attached."""
    lab.menu("File", "New", "Terminal")
    attached = lab.page.locator(f"{PANEL}[data-state='open'][data-cols]:visible")
    attached.wait_for(timeout=TIMEOUT_MS)
    name = attached.get_attribute("data-terminal")
    assert name
    return name


def screen(lab: Lab, name: str | None = None) -> list[str]:
    """The visible lines of the terminal, as the user reads them."""
    text = panel(lab, name).locator(".xterm-rows").inner_text()
    return [line.replace("\xa0", " ").rstrip() for line in text.split("\n")]


def wait_line(lab: Lab, pattern: str, name: str | None = None) -> str:
    """Waits until a line of the terminal matches `pattern` (a full-line regex)."""
    regex = re.compile(pattern)
    for _ in range(150):
        for line in screen(lab, name):
            if regex.fullmatch(line):
                return line
        lab.page.wait_for_timeout(100)
    raise AssertionError(f"no line matches {pattern!r}: {screen(lab, name)}")


def type_command(lab: Lab, command: str, name: str | None = None) -> None:
    panel(lab, name).locator(".xterm-screen").click()
    lab.page.keyboard.type(command)
    lab.page.keyboard.press("Enter")


def terminals(server: CarnetServer) -> list[str]:
    with server.client() as client:
        return [t["name"] for t in client.get("api/terminals").json()]


def test_new_terminal_runs_a_command(lab: Lab) -> None:
    name = new_terminal(lab)
    assert terminals(lab.server) == [name]
    type_command(lab, "echo hi")
    wait_line(lab, "hi")
    # The tab is labelled, focused, and the emulator came from the lazy chunk.
    tab = lab.page.locator(".lm-TabBar-tab.lm-mod-current", has_text=f"Terminal {name}")
    assert tab.count() == 1
    assert lab.page.evaluate("document.activeElement.classList.contains('xterm-helper-textarea')")


def test_resizing_the_panel_changes_tput_cols(lab: Lab) -> None:
    new_terminal(lab)
    term = panel(lab)
    cols = int(term.get_attribute("data-cols") or 0)
    type_command(lab, "tput cols")
    wait_line(lab, str(cols))
    # Narrower window and no side panel: the terminal refits and tells the server.
    lab.page.set_viewport_size({"width": 900, "height": 700})
    lab.page.wait_for_function(
        "([sel, cols]) => document.querySelector(sel)?.dataset.cols !== String(cols)",
        arg=[f"{PANEL}[data-state='open']", cols],
    )
    narrower = int(term.get_attribute("data-cols") or 0)
    assert 0 < narrower < cols
    type_command(lab, "tput cols")
    wait_line(lab, str(narrower))
    type_command(lab, "tput lines")
    wait_line(lab, term.get_attribute("data-rows") or "?")


def test_reload_reattaches_with_the_scrollback(lab: Lab) -> None:
    name = new_terminal(lab)
    type_command(lab, "echo marker-$((6 * 7))")
    wait_line(lab, "marker-42")
    _wait_workspace_has(lab, f"terminal:{name}")
    lab.reload()
    # The layout brings the tab back, attached to the same shell, with its history.
    panel(lab, name).locator("xpath=.").wait_for()
    lab.page.locator(f"{PANEL}[data-terminal='{name}'][data-state='open']").wait_for()
    wait_line(lab, "marker-42", name)
    type_command(lab, "echo again-$((1 + 1))", name)
    wait_line(lab, "again-2", name)
    assert terminals(lab.server) == [name]


def test_a_saved_terminal_that_ended_is_not_restored(
    server: CarnetServer, new_lab: Callable[[CarnetServer], Lab]
) -> None:
    with server.client() as client:
        live = client.post("api/terminals").json()["name"]
        gone = client.post("api/terminals").json()["name"]
        assert client.delete(f"api/terminals/{gone}").status_code == 204
        dock = {"type": "tab-area", "widgets": [f"terminal:{gone}", f"terminal:{live}"]}
        data = {
            "layout-restorer:data": {
                "main": {"dock": {**dock, "currentIndex": 0}, "current": f"terminal:{gone}"}
            },
            f"terminal:{gone}": {"kind": "terminal", "data": {"name": gone}},
            f"terminal:{live}": {"kind": "terminal", "data": {"name": live}},
        }
        body = {"data": data, "metadata": {"id": "default"}}
        assert client.put("lab/api/workspaces/default", json=body).status_code == 204
    lab = new_lab(server).open()
    # Only the live one comes back, without a failed request for the other (conftest checks).
    lab.page.locator(f"{PANEL}[data-terminal='{live}'][data-state='open']").wait_for()
    assert lab.page.locator(PANEL).count() == 1


def test_closing_the_tab_keeps_the_terminal_and_it_can_be_reopened(lab: Lab) -> None:
    name = new_terminal(lab)
    type_command(lab, "cd / && echo kept-$((2 * 21))")
    wait_line(lab, "kept-42")
    lab.page.locator(".lm-TabBar-tab", has_text=f"Terminal {name}").locator(
        ".lm-TabBar-tabCloseIcon"
    ).click()
    assert lab.page.locator(PANEL).count() == 0
    assert terminals(lab.server) == [name]
    lab.page.locator("#carnet-left-tabs [role=tab]", has_text="Running").click()
    section = lab.page.locator(".carnet-Running-section[data-running='terminals']")
    section.get_by_role("button", name=f"Terminal {name}", exact=True).click()
    lab.page.locator(f"{PANEL}[data-terminal='{name}'][data-state='open']").wait_for()
    wait_line(lab, "kept-42", name)
    type_command(lab, "pwd", name)
    wait_line(lab, "/", name)


def test_exit_closes_the_tab(lab: Lab) -> None:
    name = new_terminal(lab)
    type_command(lab, "exit")
    lab.page.locator(PANEL).wait_for(state="detached")
    for _ in range(100):
        if name not in terminals(lab.server):
            break
        lab.page.wait_for_timeout(100)
    assert name not in terminals(lab.server)


def test_copy_paste_and_search(lab: Lab) -> None:
    lab.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    new_terminal(lab)
    type_command(lab, "echo copy-$((40 + 2))")
    wait_line(lab, "copy-42")
    # Search selects the match; Ctrl+C with a selection copies instead of interrupting.
    term = panel(lab)
    term.locator(".xterm-screen").click()
    lab.page.keyboard.press("Control+F")
    search = term.get_by_role("searchbox", name="Find in terminal")
    search.wait_for()
    search.fill("copy-42")
    lab.page.keyboard.press("Enter")
    lab.page.keyboard.press("Escape")
    lab.page.wait_for_function(
        "() => document.activeElement.classList.contains('xterm-helper-textarea')"
    )
    lab.page.evaluate("navigator.clipboard.writeText('')")
    term.locator(".xterm-screen").click(button="right")
    lab.page.locator(".lm-Menu .lm-Menu-item", has_text="Find in Terminal").wait_for()
    lab.page.keyboard.press("Escape")
    # Select the word by double click (xterm's own selection), then copy with Ctrl+C.
    box = _line_box(lab, "copy-42")
    lab.page.mouse.dblclick(box["x"] + 4, box["y"] + box["height"] / 2)
    lab.page.keyboard.press("Control+C")
    copied = lab.page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("copy"), copied
    # Paste with Ctrl+V sends the clipboard's text to the shell.
    lab.page.evaluate("navigator.clipboard.writeText('echo pasted-$((3 * 3))')")
    term.locator(".xterm-screen").click()
    lab.page.keyboard.press("Control+V")
    lab.page.keyboard.press("Enter")
    wait_line(lab, "pasted-9")


def test_plain_ctrl_keys_go_to_the_shell(lab: Lab) -> None:
    new_terminal(lab)
    stack = lab.page.locator("#carnet-left-stack")
    assert stack.is_visible()
    # Ctrl+B is readline's "back one character", not the app's sidebar toggle, in a terminal.
    term = panel(lab)
    term.locator(".xterm-screen").click()
    lab.page.keyboard.type("echo ab")
    lab.page.keyboard.press("Control+B")
    lab.page.keyboard.type("X")
    lab.page.keyboard.press("Enter")
    wait_line(lab, "aXb")
    assert stack.is_visible()
    # Shortcuts with Shift still reach the app (the palette).
    lab.page.keyboard.press("Control+Shift+C")
    lab.page.locator(".carnet-Palette").wait_for()
    lab.page.keyboard.press("Escape")


def test_links_are_clickable(lab: Lab) -> None:
    new_terminal(lab)
    type_command(lab, "echo https://example.invalid/some/page")
    wait_line(lab, "https://example.invalid/some/page")
    box = _line_box(lab, "https://example.invalid/some/page")
    lab.page.mouse.move(box["x"] + 30, box["y"] + box["height"] / 2)
    # The web-links addon underlines a link under the pointer and opens it in a new tab.
    lab.page.wait_for_function(
        "sel => document.querySelector(sel + ' .xterm-screen')?.classList"
        ".contains('xterm-cursor-pointer')",
        arg=PANEL,
    )
    lab.page.context.route(
        "https://example.invalid/**",
        lambda route: route.fulfill(body="<title>linked</title>", content_type="text/html"),
    )
    with lab.page.context.expect_page() as popup:
        lab.page.mouse.click(box["x"] + 30, box["y"] + box["height"] / 2)
    opened = popup.value
    opened.wait_for_load_state()
    assert opened.url == "https://example.invalid/some/page"
    assert opened.evaluate("window.opener") is None
    opened.close()


def test_theme_follows_the_app(lab: Lab) -> None:
    new_terminal(lab)
    term = panel(lab)

    def background() -> str:
        return str(term.locator(BACKGROUND).evaluate("el => getComputedStyle(el).backgroundColor"))

    lab.run_command("Dark Theme")
    lab.page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'")
    lab.page.wait_for_function(
        "sel => getComputedStyle(document.querySelector(sel))"
        ".backgroundColor === 'rgb(27, 29, 33)'",
        arg=f"{PANEL} {BACKGROUND}",
    )
    lab.run_command("Light Theme")
    lab.page.wait_for_function(
        "sel => getComputedStyle(document.querySelector(sel))"
        ".backgroundColor === 'rgb(255, 255, 255)'",
        arg=f"{PANEL} {BACKGROUND}",
    )
    assert background() == "rgb(255, 255, 255)"


def test_true_colour_output_needs_no_inline_style(lab: Lab) -> None:
    """24-bit colours are written through the CSSOM: no CSP violation (checked at teardown)."""
    new_terminal(lab)
    type_command(lab, r"printf '\033[38;2;200;30;30mred-%s\033[0m\n' $((1 + 1))")
    wait_line(lab, "red-2")
    colored = panel(lab).locator(".xterm-rows span", has_text="red-2")
    assert "color" in (colored.first.get_attribute("style") or "")


def test_terminals_disabled_have_no_menu_entry(
    carnet_factory: Callable[..., CarnetServer], new_lab: Callable[[CarnetServer], Lab]
) -> None:
    server = carnet_factory("--ServerApp.terminals_enabled=False")
    lab = new_lab(server).open()
    lab.page.locator(".lm-MenuBar-item", has_text="File").click()
    lab.page.locator(".lm-Menu-item", has_text="New").first.hover()
    submenu = lab.page.locator(".lm-Menu:visible").last
    submenu.locator(".lm-Menu-item", has_text="Text File").wait_for()
    assert submenu.locator(".lm-Menu-item:visible", has_text="Terminal").count() == 0
    lab.page.keyboard.press("Escape")
    lab.page.keyboard.press("Escape")
    lab.page.keyboard.press("Control+Shift+C")
    lab.page.locator(".carnet-Palette .lm-CommandPalette-input").fill("terminal")
    items = lab.page.locator(".carnet-Palette .lm-CommandPalette-item:visible").all_inner_texts()
    assert not any("New Terminal" in item for item in items), items
    lab.page.keyboard.press("Escape")
    lab.page.locator("#carnet-left-tabs [role=tab]", has_text="Running").click()
    lab.page.locator(".carnet-Running-section[data-running='kernels']").wait_for()
    assert lab.page.locator(".carnet-Running-section[data-running='terminals']").count() == 0
    # The one failed request is the probe that found terminals turned off.
    failed = [e for e in lab.errors if "404" in e and "api/terminals" in e]
    assert len(failed) == len(lab.errors), lab.errors
    lab.errors.clear()


def _line_box(lab: Lab, text: str) -> dict[str, float]:
    """The screen box of the first terminal row whose text starts with `text`."""
    box = lab.page.evaluate(
        """([sel, text]) => {
            const rows = document.querySelectorAll(sel + ' .xterm-rows > div');
            for (const row of rows) {
              if (row.textContent.replace(/\\u00a0/g, ' ').trim().startsWith(text)) {
                const r = row.getBoundingClientRect();
                return {x: r.x, y: r.y, width: r.width, height: r.height};
              }
            }
            return null;
        }""",
        [PANEL, text],
    )
    assert box is not None, f"no row starts with {text!r}: {screen(lab)}"
    return dict(box)


def _wait_workspace_has(lab: Lab, key: str) -> None:
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in lab.page.context.cookies())
    with httpx.Client(base_url=lab.server.base, headers={"Cookie": cookies}) as client:
        for _ in range(100):
            data = client.get("lab/api/workspaces/default").json()["data"]
            if key in data:
                return
            lab.page.wait_for_timeout(100)
    raise AssertionError(f"{key} never reached the workspace: {data}")
