"""Browser fixtures: Debian's Chromium driven by Playwright's sync API against a real carnet.

`browser` is one Chromium per test module; `lab` opens the IDE of the test's `server` (token
login through the URL, as a user clicking carnet's start-up link would) and checks, when the
test ends, that the page logged no errors and no CSP violations. A failing test leaves a
screenshot in ``test-results/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.conftest import CarnetServer

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000

# Collects CSP violations in the page: Playwright's init scripts run outside the page's CSP.
_WATCH_CSP = """
window.__carnetCsp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__carnetCsp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _executable() -> str:
    for candidate in ("/usr/lib/chromium/chromium", CHROMIUM):
        if Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if found is None:
        pytest.fail("chromium is missing: run `make chromium` (apt-get install chromium)")
    return found


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "allow_errors: the page may log errors (e.g. failed logins answer 401)"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: Playwright's sync API keeps an event loop running while it is open, which
    # would break pytest-asyncio tests that run later in the same session.
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=_executable(), headless=True, args=ARGS)
        yield chromium
        chromium.close()


@dataclass
class Lab:
    """A page on a carnet server, with helpers that act like a user."""

    page: Page
    server: CarnetServer
    errors: list[str] = field(default_factory=list)

    def open(self, path: str = "lab", *, token: bool = True) -> Lab:
        sep = "&" if "?" in path else "?"
        url = self.server.url(path) + (f"{sep}token={self.server.token}" if token else "")
        self.page.goto(url)
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        self.page.wait_for_selector("body[data-carnet-ready='1']", timeout=TIMEOUT_MS)

    def reload(self) -> None:
        self.page.reload()
        self.wait_ready()

    def item(self, name: str) -> Any:
        return self.page.locator(f".carnet-FileItem[data-name={_quote(name)}]")

    def open_file(self, name: str) -> Any:
        self.item(name).dblclick()
        doc = self.page.locator(
            f".carnet-Document[data-path$={_quote(name)}][data-carnet-rendered='1']"
        )
        doc.first.wait_for(timeout=TIMEOUT_MS)
        return doc.first

    def run_command(self, label: str) -> None:
        """Runs a command through the palette, as a keyboard user would."""
        self.page.keyboard.press("Control+Shift+C")
        search = self.page.locator(".carnet-Palette .lm-CommandPalette-input")
        search.wait_for(timeout=TIMEOUT_MS)
        search.fill(label)
        self.page.locator(".carnet-Palette .lm-CommandPalette-item:not(.lm-mod-disabled)").filter(
            has_text=re.compile(f"^{re.escape(label)}")
        ).first.click()

    def menu(self, *labels: str) -> None:
        """Clicks through the menu bar: menu("File", "New", "Text File")."""
        first, *rest = labels
        self.page.locator(".lm-MenuBar-item", has_text=first).first.click()
        for label in rest:
            item = self.page.locator(".lm-Menu:visible .lm-Menu-item").filter(
                has=self.page.locator(
                    ".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(label)}$")
                )
            )
            item.last.click()

    def dialog(self, kind: str | None = None) -> Any:
        """The open dialog, once it has taken the keyboard focus (so typing goes into it)."""
        selector = ".carnet-Dialog" + (f"[data-dialog={_quote(kind)}]" if kind else "")
        box = self.page.locator(selector)
        box.wait_for(timeout=TIMEOUT_MS)
        self.page.wait_for_function(
            "sel => document.querySelector(sel)?.contains(document.activeElement)", arg=selector
        )
        return box

    def wait_path(self, path: Path, *, exists: bool = True, content: str | None = None) -> None:
        """Waits (polling the disk from the page's clock) until `path` is as expected."""
        for _ in range(150):
            ok = path.exists() == exists and (
                content is None or (path.exists() and path.read_text() == content)
            )
            if ok:
                return
            self.page.wait_for_timeout(100)
        raise AssertionError(f"{path} exists={path.exists()} content={_read(path)!r}")

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("window.__carnetCsp || []"))


def _read(path: Path) -> str | None:
    return path.read_text() if path.is_file() else None


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _watch(page: Page, errors: list[str]) -> None:
    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.add_init_script(_WATCH_CSP)


@pytest.fixture
def new_lab(
    browser: Browser, request: pytest.FixtureRequest
) -> Iterator[Callable[[CarnetServer], Lab]]:
    """Makes a Lab (a fresh browser context: its own cookies) on a given server."""
    labs: list[Lab] = []
    contexts = []

    def make(server: CarnetServer) -> Lab:
        context = browser.new_context(
            viewport={"width": 1280, "height": 800}, accept_downloads=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        lab = Lab(page, server)
        _watch(page, lab.errors)
        labs.append(lab)
        return lab

    yield make
    failed = getattr(request.node, "rep_call", None)
    for i, lab in enumerate(labs):
        if failed is not None and failed.failed:
            out = request.config.rootpath / "test-results"
            out.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
            try:
                lab.page.screenshot(path=str(out / f"{name}-{i}.png"))
            except Exception:
                pass  # a screenshot must never hide the real failure
    try:
        if (
            failed is not None
            and failed.passed
            and not request.node.get_closest_marker("allow_errors")
        ):
            for lab in labs:
                if not lab.page.is_closed():
                    violations = lab.csp_violations()
                    assert violations == [], f"CSP violations: {violations}"
                assert lab.errors == [], f"errors in the page: {lab.errors}"
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def lab(server: CarnetServer, new_lab: Callable[[CarnetServer], Lab]) -> Lab:
    """The IDE of the default test server, logged in with its token."""
    return new_lab(server).open()
