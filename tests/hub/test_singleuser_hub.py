"""carnet as JupyterHub's single-user server, through a real hub and its proxy.

Two users log in to the hub, each reaches their own carnet through the proxy (OAuth with the
hub on the way), runs ``1+1`` over the kernel websocket, and cannot reach the other's server.
The hub's REST API (what its control panel calls) stops and starts a server.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import httpx
import pytest

from tests.hub.conftest import Hub, execute_over_ws, json_of, oauth_get, poll

pytestmark = pytest.mark.hub


def _open_lab(hub: Hub, name: str) -> httpx.Client:
    """Log ``name`` in to the hub, start the server, open /lab through OAuth; the client."""
    browser = hub.login(name)
    if "" not in hub.user_model(name)["servers"]:
        hub.start_server(name)
    page = oauth_get(browser, f"user/{name}/lab")
    assert page.status_code == 200, (page.url, page.text[:500])
    assert str(page.url).endswith(f"/user/{name}/lab")
    assert "<html" in page.text.lower()
    assert page.headers.get("x-jupyterhub-version"), dict(page.headers)
    return browser


def test_two_users_each_reach_their_own_server(hub: Hub) -> None:
    alice = _open_lab(hub, "alice")
    bob = _open_lab(hub, "bob")
    for name, browser in (("alice", alice), ("bob", bob)):
        status = browser.get(f"user/{name}/api/status")
        assert status.status_code == 200, status.text
        assert set(json_of(status)) >= {"started", "last_activity", "kernels"}
        me = json_of(browser.get(f"user/{name}/api/me"))
        assert me["identity"]["username"] == name
        # Browser writes (cookie login) need the XSRF token the IDE page set, as locally.
        body = {"type": "file", "format": "text", "content": f"hello {name}"}
        refused = browser.put(f"user/{name}/api/contents/hello.txt", json=body)
        assert refused.status_code == 403 and refused.json()["reason"] == "xsrf"
        xsrf = browser.cookies.get("_xsrf", path=f"/user/{name}/")
        assert xsrf
        written = browser.put(
            f"user/{name}/api/contents/hello.txt", json=body, headers={"X-XSRFToken": xsrf}
        )
        assert written.status_code in (200, 201), written.text
        hub_info = json_of(browser.get(f"user/{name}/api/hub"))
        assert hub_info["hubUser"] == name and hub_info["hubServerUser"] == name
        assert hub_info["controlPanelUrl"] == "/hub/home"

    # Alice's browser is sent to the hub for Bob's server, and the hub refuses her.
    refused = oauth_get(alice, "user/bob/lab")
    assert refused.status_code == 403, (refused.url, refused.text[:300])
    assert "/user/bob/lab" not in str(refused.url)
    # Her API token works on her server and not on Bob's.
    token = hub.token_for("alice")
    headers = {"Authorization": f"token {token}"}
    own = httpx.get(hub.url + "user/alice/api/contents", headers=headers, timeout=30)
    assert own.status_code == 200, own.text
    other = httpx.get(hub.url + "user/bob/api/contents", headers=headers, timeout=30)
    assert other.status_code == 403, other.text
    assert "alice" in json_of(other)["message"]
    alice.close()
    bob.close()


def test_cell_runs_over_the_kernel_websocket_through_the_proxy(hub: Hub) -> None:
    browser = _open_lab(hub, "alice")
    token = hub.token_for("alice")
    headers = {"Authorization": f"token {token}"}
    created = httpx.post(
        hub.url + "user/alice/api/kernels", json={"name": "python3"}, headers=headers, timeout=60
    )
    assert created.status_code == 201, created.text
    kernel_id = created.json()["id"]
    ws_base = hub.url.replace("http://", "ws://") + f"user/alice/api/kernels/{kernel_id}/channels"
    # A websocket may carry the token in its URL (browsers cannot set headers there).
    assert asyncio.run(execute_over_ws(ws_base, "1+1", headers)) == "2"
    assert asyncio.run(execute_over_ws(f"{ws_base}?token={token}", "2+3")) == "5"
    # The browser's OAuth cookie works for the websocket too (same origin).
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies.jar)
    origin = hub.url.rstrip("/")
    assert asyncio.run(execute_over_ws(ws_base, "3*3", {"Cookie": cookie, "Origin": origin})) == "9"
    # Bob's token cannot open Alice's kernel.
    bob_token = hub.token_for("bob")
    with pytest.raises(Exception, match="403"):
        asyncio.run(execute_over_ws(ws_base, "1", {"Authorization": f"token {bob_token}"}))
    httpx.delete(hub.url + f"user/alice/api/kernels/{kernel_id}", headers=headers, timeout=30)
    browser.close()


def test_bad_token_and_no_login(hub: Hub) -> None:
    _open_lab(hub, "alice").close()
    bad = httpx.get(
        hub.url + "user/alice/api/status",
        headers={"Authorization": "token not-a-hub-token"},
        timeout=30,
    )
    assert bad.status_code == 401, bad.text
    assert "token" in json_of(bad)["message"]
    anonymous = httpx.get(hub.url + "user/alice/api/status", timeout=30)
    assert anonymous.status_code == 403
    # A page without login is sent to the hub's OAuth authorize URL, with PKCE.
    page = httpx.get(hub.url + "user/alice/lab", timeout=30)
    assert page.status_code == 302
    location = page.headers["location"]
    assert location.startswith("/hub/api/oauth2/authorize?")
    assert "client_id=jupyterhub-user-alice" in location
    assert "code_challenge_method=S256" in location
    # carnet's own login is off: /login leads to the hub too.
    login = httpx.get(hub.url + "user/alice/login", timeout=30)
    assert login.status_code == 302
    assert login.headers["location"].startswith("/hub/api/oauth2/authorize?")
    # A callback with a state this browser never started is refused.
    forged = httpx.get(hub.url + "user/alice/oauth_callback?code=x&state=y", timeout=30)
    assert forged.status_code == 400


def test_activity_reaches_the_hub(hub: Hub) -> None:
    browser = _open_lab(hub, "alice")

    def stamp() -> datetime:
        text = hub.user_model("alice")["servers"][""]["last_activity"]
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    before = datetime.now(timezone.utc)
    poll(
        lambda: browser.get("user/alice/api/contents").status_code == 200 and stamp() >= before,
        "the server's activity report to reach the hub",
        timeout=60,
    )
    browser.close()


def test_stop_and_start_from_the_hub(hub: Hub) -> None:
    browser = _open_lab(hub, "bob")
    assert browser.get("user/bob/api/status").status_code == 200
    hub.stop_server("bob")
    # The proxy route is gone: the hub answers instead of carnet.
    stopped = browser.get("user/bob/api/status")
    assert stopped.status_code == 302, stopped.text
    assert stopped.headers["location"] == "/hub/user/bob/api/status"
    hub.start_server("bob")
    assert oauth_get(browser, "user/bob/lab").status_code == 200
    again = browser.get("user/bob/api/status")
    assert again.status_code == 200, again.text
    assert "started" in json_of(again)
    browser.close()
