"""Login and logout through the browser: password, token, errors, throttling."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from carnet.auth.passwords import hash_password
from tests.browser.conftest import Lab
from tests.conftest import CarnetServer

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture
def password_server(carnet_factory: Callable[..., CarnetServer]) -> CarnetServer:
    return carnet_factory(
        f"--PasswordIdentityProvider.hashed_password={hash_password(PASSWORD)}",
        "--CarnetApp.login_max_failures=3",
    )


def submit(lab: Lab, secret: str) -> None:
    lab.page.locator("#password").fill(secret)
    lab.page.locator("#login_submit").click()


# A refused login answers 401 (and a throttled one 429): the browser logs those statuses.
@pytest.mark.allow_errors
def test_password_login_error_then_success(
    password_server: CarnetServer, new_lab: Callable[..., Lab]
) -> None:
    lab = new_lab(password_server)
    page = lab.page
    page.goto(password_server.url("lab/tree/notes.txt"))
    assert "/login" in page.url
    assert page.locator("label[for=password]").inner_text() == "Password"
    submit(lab, "wrong")
    assert page.locator(".error[role=alert]").inner_text() == "Invalid credentials"
    submit(lab, PASSWORD)
    lab.wait_ready()
    # `next` brought us back where we were going.
    assert page.url.endswith("/lab") or "/lab/tree/notes.txt" in page.url
    assert page.locator(".carnet-FileList").is_visible()


@pytest.mark.allow_errors
def test_throttling_message(password_server: CarnetServer, new_lab: Callable[..., Lab]) -> None:
    lab = new_lab(password_server)
    lab.page.goto(password_server.url("login"))
    for _ in range(4):
        submit(lab, "wrong")
    message = lab.page.locator(".error[role=alert]").inner_text()
    assert message.startswith("Too many failed attempts. Try again in")


@pytest.mark.allow_errors
def test_token_login_through_the_form_and_logout(
    server: CarnetServer, new_lab: Callable[..., Lab]
) -> None:
    lab = new_lab(server)
    page = lab.page
    page.goto(server.url("lab"))
    assert "/login" in page.url
    assert "token" in page.locator("main").inner_text().lower()
    submit(lab, server.token)
    lab.wait_ready()
    lab.menu("File", "Log Out")
    page.wait_for_url("**/logout")
    assert "logged out" in page.locator("main").inner_text().lower()
    page.goto(server.url("lab"))
    assert "/login" in page.url


def test_token_in_url_logs_in_and_is_dropped(
    server: CarnetServer, new_lab: Callable[..., Lab]
) -> None:
    lab = new_lab(server).open("lab")
    assert "token=" not in lab.page.url
