"""The code console in the browser: a REPL on a real ipykernel, as a user drives it.

Each test fails on console errors and CSP violations (conftest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import TIMEOUT_MS, Lab
from tests.conftest import CarnetServer

pytestmark = pytest.mark.browser

PANEL = ".carnet-ConsolePanel"
KERNEL_TIMEOUT_MS = 60_000


def console(lab: Lab) -> Any:
    return lab.page.locator(f"{PANEL}:visible").first


def wait_idle(lab: Lab) -> None:
    lab.page.locator(f"{PANEL}[data-ready='1'][data-kernel-state='idle']:visible").wait_for(
        timeout=KERNEL_TIMEOUT_MS
    )


def new_console(lab: Lab) -> str:
    """File > New > Console, the default kernel; returns the console's name once it is idle."""
    lab.menu("File", "New", "Console")
    box = lab.dialog("console-kernel")
    box.get_by_role("button", name="Select").click()
    wait_idle(lab)
    name = console(lab).get_attribute("data-console")
    assert name
    return str(name)


def cells(lab: Lab) -> Any:
    return console(lab).locator(".carnet-ConsoleCell")


def type_code(lab: Lab, code: str) -> None:
    editor = console(lab).locator(".carnet-ConsoleInput .cm-content")
    editor.click()
    lab.page.keyboard.insert_text(code)


def run(lab: Lab, code: str, *, wait: bool = True) -> Any:
    """Types `code` at the prompt and runs it with Shift+Enter; returns its cell."""
    before = cells(lab).count()
    type_code(lab, code)
    lab.page.keyboard.press("Shift+Enter")
    cell = cells(lab).nth(before)
    cell.wait_for(timeout=TIMEOUT_MS)
    if wait:
        finished(cell)
    return cell


def finished(cell: Any) -> None:
    cell.locator("xpath=self::*[not(@data-state='running')]").wait_for(timeout=KERNEL_TIMEOUT_MS)


def prompt_text(lab: Lab) -> str:
    return str(console(lab).locator(".carnet-ConsoleInput .cm-content").inner_text())


def wait_workspace(lab: Lab, check: Callable[[dict[str, Any]], bool]) -> None:
    """Waits until the saved workspace passes `check` (the page saves it debounced)."""
    data: dict[str, Any] = {}
    with lab.server.client() as client:
        for _ in range(100):
            data = client.get("lab/api/workspaces/default").json()["data"]
            if check(data):
                return
            lab.page.wait_for_timeout(100)
    raise AssertionError(f"the workspace never got there: {data}")


def sessions(server: CarnetServer) -> list[dict[str, Any]]:
    with server.client() as client:
        return list(client.get("api/sessions").json())


def test_new_console_runs_code_and_shows_the_result(lab: Lab) -> None:
    name = new_console(lab)
    tab = lab.page.locator(".lm-TabBar-tab.lm-mod-current", has_text=f"Console {name}")
    assert tab.count() == 1
    [session] = sessions(lab.server)
    assert session["type"] == "console"
    # The prompt has the focus: typing goes straight into it.
    lab.page.keyboard.insert_text("1 + 41")
    lab.page.keyboard.press("Shift+Enter")
    cell = cells(lab).first
    finished(cell)
    assert cell.get_attribute("data-state") == "done"
    assert cell.locator(".carnet-ConsoleCell-prompt").inner_text() == "In [1]:"
    result = cell.locator(".carnet-Output[data-output-type='execute_result']")
    assert result.inner_text().strip() == "42"
    assert prompt_text(lab).strip() == ""
    # The status bar and the kernel menu follow the console.
    status = lab.page.locator(".carnet-Status-kernel")
    assert "Idle" in status.inner_text()
    assert "Python" in status.inner_text()


def test_up_and_down_walk_the_input_history(lab: Lab) -> None:
    new_console(lab)
    run(lab, "a = 1")
    run(lab, "b = 2")
    type_code(lab, "draft")
    lab.page.keyboard.press("ArrowUp")
    assert prompt_text(lab) == "b = 2"
    lab.page.keyboard.press("ArrowUp")
    assert prompt_text(lab) == "a = 1"
    lab.page.keyboard.press("ArrowDown")
    lab.page.keyboard.press("ArrowDown")
    assert prompt_text(lab) == "draft"


def test_input_is_answered_in_the_console(lab: Lab) -> None:
    new_console(lab)
    cell = run(lab, "name = input('Name? ')\nprint('Hello', name)", wait=False)
    field = cell.locator(".carnet-ConsoleCell-stdinField")
    field.wait_for(timeout=KERNEL_TIMEOUT_MS)
    assert cell.locator(".carnet-ConsoleCell-stdinPrompt").inner_text() == "Name?"
    field.fill("Ada")
    field.press("Enter")
    finished(cell)
    text = cell.locator(".carnet-OutputArea").inner_text()
    assert "Name? Ada" in text
    assert "Hello Ada" in text


def test_interrupt_stops_a_long_sleep(lab: Lab) -> None:
    new_console(lab)
    cell = run(lab, "import time\ntime.sleep(60)", wait=False)
    console(lab).locator(f"{PANEL}[data-kernel-state='busy']").or_(
        lab.page.locator(f"{PANEL}[data-kernel-state='busy']")
    ).first.wait_for(timeout=KERNEL_TIMEOUT_MS)
    lab.menu("Kernel", "Interrupt Kernel")
    finished(cell)
    assert cell.get_attribute("data-state") == "error"
    assert "KeyboardInterrupt" in cell.locator(".carnet-Output-error").inner_text()
    # The kernel still answers.
    after = run(lab, "print('still here')")
    assert "still here" in after.inner_text()


def test_restart_clears_the_kernel_state(lab: Lab) -> None:
    new_console(lab)
    run(lab, "x = 5")
    lab.menu("Kernel", "Restart Kernel…")
    lab.dialog("confirm").get_by_role("button", name="Restart").click()
    console(lab).locator(".carnet-ConsoleNote", has_text="Kernel restarted").wait_for()
    wait_idle(lab)
    cell = run(lab, "print('x' in dir())")
    assert "False" in cell.locator(".carnet-OutputArea").inner_text()


def test_console_comes_back_after_a_reload_and_ends_with_its_tab(lab: Lab) -> None:
    name = new_console(lab)
    run(lab, "kept = 'yes'")
    [before] = sessions(lab.server)
    wait_workspace(lab, lambda data: before["id"] in str(data.get("consoles:history")))
    lab.reload()
    wait_idle(lab)
    assert console(lab).get_attribute("data-console") == name
    [after] = sessions(lab.server)
    assert after["id"] == before["id"]
    # Same kernel: the variable is still there, and the input history came back.
    cell = run(lab, "print(kept)")
    assert "yes" in cell.locator(".carnet-OutputArea").inner_text()
    type_code(lab, "")
    lab.page.keyboard.press("ArrowUp")
    lab.page.keyboard.press("ArrowUp")
    assert prompt_text(lab) == "kept = 'yes'"
    # Closing the tab ends the session and its kernel.
    lab.page.locator(".lm-TabBar-tab", has_text=f"Console {name}").locator(
        ".lm-TabBar-tabCloseIcon"
    ).click()
    for _ in range(150):
        if not sessions(lab.server):
            break
        lab.page.wait_for_timeout(100)
    assert sessions(lab.server) == []


def test_a_console_can_share_a_notebooks_kernel(lab: Lab) -> None:
    (lab.server.jenv.root / "nb.ipynb").write_text(
        '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    with lab.server.client() as client:
        reply = client.post(
            "api/sessions",
            json={"path": "nb.ipynb", "type": "notebook", "kernel": {"name": "python3"}},
        )
        assert reply.status_code == 201
        kernel = reply.json()["kernel"]["id"]
    lab.menu("File", "New", "Console")
    box = lab.dialog("console-kernel")
    box.get_by_label("Kernel").select_option(label="nb.ipynb")
    box.get_by_role("button", name="Select").click()
    wait_idle(lab)
    consoles = [s for s in sessions(lab.server) if s["type"] == "console"]
    assert [s["kernel"]["id"] for s in consoles] == [kernel]
    cell = run(lab, "import os; print(os.getpid() > 0)")
    assert "True" in cell.locator(".carnet-OutputArea").inner_text()


def test_shift_enter_in_an_editor_runs_its_lines_in_its_console(lab: Lab) -> None:
    (lab.server.jenv.root / "script.py").write_text("x = 6 * 7\nprint(x)\n")
    lab.reload()
    lab.open_file("script.py")
    lab.run_command("Create Console for Editor")
    lab.dialog("console-kernel").get_by_role("button", name="Select").click()
    wait_idle(lab)
    editor = lab.page.locator(".carnet-EditorPanel[data-console-linked] .cm-content")
    editor.locator(".cm-line").first.click()
    lab.page.keyboard.press("Home")
    lab.page.keyboard.press("Shift+Enter")
    lab.page.keyboard.press("Shift+Enter")
    cells(lab).nth(1).wait_for()
    finished(cells(lab).nth(1))
    assert cells(lab).nth(0).locator(".carnet-ConsoleCell-code").inner_text() == "x = 6 * 7"
    assert "42" in cells(lab).nth(1).locator(".carnet-OutputArea").inner_text()
    # The file itself did not change.
    assert editor.inner_text().splitlines()[:2] == ["x = 6 * 7", "print(x)"]


def editor_of(lab: Lab, name: str) -> Any:
    return lab.page.locator(f".carnet-EditorPanel[data-path={name!r}] .cm-content")


def test_run_line_and_selection_of_a_python_file(lab: Lab) -> None:
    """JupyterLab's "Create Console for Editor" and Shift+Enter: a line, then a selection."""
    (lab.server.jenv.root / "a.py").write_text("x = 40\nprint(x + 2)\ny = x * 10\nprint(y)\n")
    lab.reload()
    lab.open_file("a.py")
    lab.run_command("Create Console for Editor")
    box = lab.dialog("console-kernel")
    # The kernel of the file's language is preselected.
    expect(box.get_by_label("Kernel")).to_have_value("spec:python3")
    box.get_by_role("button", name="Select").click()
    wait_idle(lab)
    editor = editor_of(lab, "a.py")
    editor.locator(".cm-line").first.click()
    lab.page.keyboard.press("Home")
    lab.page.keyboard.press("Shift+Enter")
    # The cursor moved to the next line: a second Shift+Enter runs line 2.
    expect(lab.page.locator("#carnet-statusbar")).to_contain_text("Ln 2, Col 1")
    lab.page.keyboard.press("Shift+Enter")
    finished(cells(lab).nth(1))
    expect(cells(lab).nth(0).locator(".carnet-ConsoleCell-code")).to_have_text("x = 40")
    expect(cells(lab).nth(1).locator(".carnet-OutputArea")).to_have_text("42")
    # A selection of two lines runs as one input, and the cursor stays.
    editor.locator(".cm-line").nth(2).click()
    lab.page.keyboard.press("Home")
    lab.page.keyboard.press("Shift+ArrowDown")
    lab.page.keyboard.press("Shift+End")
    lab.page.keyboard.press("Shift+Enter")
    finished(cells(lab).nth(2))
    code = cells(lab).nth(2).locator(".carnet-ConsoleCell-code")
    expect(code).to_have_text("y = x * 10\nprint(y)")
    expect(cells(lab).nth(2).locator(".carnet-OutputArea")).to_have_text("400")
    expect(cells(lab)).to_have_count(3)
    assert editor.inner_text().splitlines()[:4] == [
        "x = 40",
        "print(x + 2)",
        "y = x * 10",
        "print(y)",
    ]


def test_shift_enter_without_a_console_offers_one_or_a_notebooks_kernel(lab: Lab) -> None:
    """The first Shift+Enter in a .py file asks for a kernel: here the open notebook's."""
    root = lab.server.jenv.root
    (root / "b.py").write_text("print(21 * 2)\n")
    with lab.server.client() as client:
        reply = client.post(
            "api/sessions",
            json={"path": "nb.ipynb", "type": "notebook", "kernel": {"name": "python3"}},
        )
        assert reply.status_code == 201
        kernel = reply.json()["kernel"]["id"]
    lab.reload()
    lab.open_file("b.py")
    editor = editor_of(lab, "b.py")
    editor.locator(".cm-line").first.click()
    lab.page.keyboard.press("Shift+Enter")
    box = lab.dialog("console-kernel")
    expect(box).to_contain_text("Run b.py in which kernel?")
    box.get_by_label("Kernel").select_option(label="nb.ipynb")
    box.get_by_role("button", name="Select").click()
    wait_idle(lab)
    finished(cells(lab).nth(0))
    expect(cells(lab).nth(0).locator(".carnet-OutputArea")).to_have_text("42")
    consoles = [s for s in sessions(lab.server) if s["type"] == "console"]
    assert [s["kernel"]["id"] for s in consoles] == [kernel]
    # The editor is linked now: no second question.
    expect(lab.page.locator(".carnet-EditorPanel[data-console-linked]")).to_have_count(1)


def test_an_r_file_asks_for_a_kernel_of_its_language(lab: Lab) -> None:
    spec = lab.server.jenv.data_dir / "kernels" / "fake-r"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        '{"argv": ["false", "{connection_file}"], "display_name": "R (fake)", "language": "R"}'
    )
    (lab.server.jenv.root / "c.R").write_text("x <- 1\n")
    lab.reload()
    lab.open_file("c.R")
    editor_of(lab, "c.R").locator(".cm-line").first.click()
    lab.page.keyboard.press("Shift+Enter")
    box = lab.dialog("console-kernel")
    expect(box.get_by_label("Kernel")).to_have_value("spec:fake-r")
    box.get_by_role("button", name="Cancel").click()
    expect(box).to_have_count(0)
    # Cancelled: no console, the file unchanged (Shift+Enter did not insert a line).
    assert [s for s in sessions(lab.server) if s["type"] == "console"] == []
    expect(editor_of(lab, "c.R").locator(".cm-line")).to_have_count(2)
    expect(lab.page.locator(".carnet-EditorPanel[data-console-linked]")).to_have_count(0)
