"""The running panel: open documents, kernels and terminals with their state; shut down one
or all, as a user does from the side panel."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Lab
from tests.conftest import CarnetServer

pytestmark = pytest.mark.browser


def show_running(lab: Lab) -> Any:
    lab.page.locator("#carnet-left-tabs [role=tab]", has_text="Running").click()
    panel = lab.page.locator(".carnet-Running")
    panel.wait_for()
    return panel


def section(lab: Lab, kind: str) -> Any:
    return lab.page.locator(f".carnet-Running-section[data-running='{kind}']")


def names(server: CarnetServer, what: str, key: str) -> list[str]:
    with server.client() as client:
        return sorted(item[key] for item in client.get(f"api/{what}").json())


def wait_until(lab: Lab, check: Any, message: str) -> None:
    for _ in range(150):
        if check():
            return
        lab.page.wait_for_timeout(100)
    raise AssertionError(message)


def test_terminals_are_listed_and_shut_down_one_by_one(lab: Lab) -> None:
    with lab.server.client() as client:
        first = client.post("api/terminals").json()["name"]
        second = client.post("api/terminals").json()["name"]
    show_running(lab)
    terminals = section(lab, "terminals")
    terminals.get_by_role("button", name=f"Terminal {first}", exact=True).wait_for()
    terminals.get_by_role("button", name=f"Terminal {second}", exact=True).wait_for()
    # Open the first one, then shut it down from the panel: the tab goes with it.
    terminals.get_by_role("button", name=f"Terminal {first}", exact=True).click()
    lab.page.locator(
        f".carnet-TerminalPanel[data-terminal='{first}'][data-state='open']"
    ).wait_for()
    terminals.get_by_role("button", name=f"Shut down Terminal {first}").click()
    terminals.get_by_role("button", name=f"Terminal {first}", exact=True).wait_for(state="detached")
    lab.page.locator(".carnet-TerminalPanel").wait_for(state="detached")
    assert names(lab.server, "terminals", "name") == [second]
    assert terminals.get_by_role("button", name=f"Terminal {second}", exact=True).is_visible()


def test_shut_down_all_terminals_asks_first(lab: Lab) -> None:
    with lab.server.client() as client:
        for _ in range(2):
            client.post("api/terminals").raise_for_status()
    show_running(lab)
    terminals = section(lab, "terminals")
    terminals.locator(".carnet-Running-item").nth(1).wait_for()
    terminals.get_by_role("button", name="Shut Down All").click()
    box = lab.dialog("confirm")
    expect(box).to_contain_text("Shut Down All Terminals")
    box.get_by_role("button", name="Cancel").click()
    assert len(names(lab.server, "terminals", "name")) == 2
    terminals.get_by_role("button", name="Shut Down All").click()
    lab.dialog("confirm").get_by_role("button", name="Shut Down All").click()
    terminals.get_by_text("No terminals are running.").wait_for()
    assert names(lab.server, "terminals", "name") == []


def test_terminals_started_elsewhere_appear(lab: Lab) -> None:
    show_running(lab)
    terminals = section(lab, "terminals")
    terminals.get_by_text("No terminals are running.").wait_for()
    with lab.server.client() as client:
        name = client.post("api/terminals").json()["name"]
    # The panel polls while it is visible.
    terminals.get_by_role("button", name=f"Terminal {name}", exact=True).wait_for()


def test_kernels_are_listed_with_their_state_and_shut_down(lab: Lab) -> None:
    with lab.server.client() as client:
        started = client.post("api/kernels", json={"name": "python3"})
        started.raise_for_status()
        kernel = started.json()["id"]
    show_running(lab)
    kernels = section(lab, "kernels")
    row = kernels.locator(f".carnet-Running-item[data-id='{kernel}']")
    row.wait_for()
    assert "Python 3" in row.inner_text()
    wait_until(
        lab,
        lambda: row.locator(".carnet-Running-detail").inner_text() in ("idle", "busy", "starting"),
        f"no kernel state shown: {row.inner_text()}",
    )
    kernels.get_by_role("button", name="Shut down Python 3").click()
    kernels.get_by_text("No kernels are running.").wait_for()
    assert names(lab.server, "kernels", "id") == []


def test_open_documents_are_listed_and_closed(lab: Lab) -> None:
    (lab.server.root / "notes.txt").write_text("hello")
    lab.page.get_by_role("button", name="Refresh File List").click()
    lab.open_file("notes.txt")
    panel = show_running(lab)
    docs = panel.get_by_role("list", name="Open documents")
    docs.get_by_role("button", name="notes.txt", exact=True).wait_for()
    docs.get_by_role("button", name="Close notes.txt").click()
    docs.get_by_text("No open documents.").wait_for()
    assert lab.page.locator(".carnet-Document").count() == 0
