"""The IDE through JupyterHub, in Chromium: log in on the hub's page, open carnet under
``/user/<name>/`` through the proxy (OAuth on the way), and use it, with no page error and
no CSP violation; stop and start it from the hub's control panel."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.browser.conftest import _WATCH_CSP
from tests.hub.conftest import PASSWORD, Hub, poll
from tests.hub.conftest import hub as hub  # the real-hub fixture, for this module

pytestmark = pytest.mark.browser


def open_lab(page: Page, hub: Hub, name: str) -> None:
    """Log ``name`` in on the hub's login page, then open carnet's IDE through the proxy."""
    page.goto(hub.url + "hub/login")
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(PASSWORD)
    page.locator("#login_submit").click()
    page.wait_for_url(lambda url: "/hub/login" not in url)
    page.goto(hub.url + f"user/{name}/lab")
    page.wait_for_selector("body[data-carnet-ready='1']")


def test_lab_through_the_hub(hub: Hub, browser: Browser) -> None:
    hub.start_server("alice")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "/user/alice/" in message.location.get("url", ""):
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(_WATCH_CSP)
    try:
        open_lab(page, hub, "alice")
        assert page.url.endswith("/user/alice/lab")
        # The file browser lists the server's home through the proxy.
        page.locator(".carnet-FileList").wait_for()
        status = page.evaluate(
            "async () => (await fetch('/user/alice/api/status', {credentials: 'same-origin'}))"
            ".status"
        )
        assert status == 200
        # File > Hub Control Panel, as in JupyterLab.
        page.locator(".lm-MenuBar-item", has_text="File").first.click()
        page.locator(".lm-Menu:visible .lm-Menu-itemLabel", has_text="Hub Control Panel").wait_for()
        page.keyboard.press("Escape")
        assert page.evaluate("window.__carnetCsp || []") == []
        assert errors == []
    finally:
        context.close()


def test_stop_and_start_from_the_hub_control_panel(hub: Hub, browser: Browser) -> None:
    """File > Hub Control Panel opens the hub's home page; its Stop My Server stops carnet,
    Start My Server spawns it again and lands in carnet's IDE."""
    if "" not in hub.user_model("dave")["servers"]:
        hub.start_server("dave")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        open_lab(page, hub, "dave")
        page.locator(".lm-MenuBar-item", has_text="File").first.click()
        with context.expect_page() as opened:
            menu = page.locator(".lm-Menu:visible .lm-Menu-itemLabel")
            menu.filter(has_text="Hub Control Panel").click()
        panel = opened.value
        panel.wait_for_load_state()
        assert panel.url.endswith("/hub/home"), panel.url
        panel.locator("#stop").click()
        expect(panel.locator("#start")).to_have_text("Start My Server")
        poll(lambda: "" not in hub.user_model("dave")["servers"], "dave's server to stop")
        # carnet is gone: its API answers no more through the proxy.
        gone = page.evaluate(
            "async () => (await fetch('/user/dave/api/status', {redirect: 'manual'})).status"
        )
        assert gone != 200
        panel.locator("#start").click()
        panel.wait_for_url(lambda url: "/user/dave/" in url, timeout=120_000)
        panel.wait_for_selector("body[data-carnet-ready='1']", timeout=120_000)
        assert hub.user_model("dave")["servers"][""]["ready"]
    finally:
        context.close()
