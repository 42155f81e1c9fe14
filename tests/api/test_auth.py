"""Authentication as a user and a script see it, against a real carnet on 127.0.0.1."""

from __future__ import annotations

import getpass
import json
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from carnet.auth.passwords import hash_password
from tests.conftest import CarnetServer, JupyterEnv

PASSWORD = "correct horse"


def xsrf_and_form(client: httpx.Client, path: str = "login") -> str:
    page = client.get(path)
    assert page.status_code == 200
    match = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def login(client: httpx.Client, password: str, next_url: str | None = None) -> httpx.Response:
    xsrf = xsrf_and_form(client)
    data = {"_xsrf": xsrf, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("login", data=data)


@pytest.fixture
def password_server(
    jupyter_env: JupyterEnv, carnet_factory: Callable[..., CarnetServer]
) -> CarnetServer:
    jupyter_env.config_dir.mkdir(parents=True)
    (jupyter_env.config_dir / "jupyter_server_config.json").write_text(
        json.dumps({"IdentityProvider": {"hashed_password": hash_password(PASSWORD)}})
    )
    return carnet_factory()


# -- tokens -------------------------------------------------------------------------------


def test_token_is_required_and_accepted_in_every_form(server: CarnetServer) -> None:
    with server.client(token=False) as anon:
        assert anon.get("api").status_code == 200  # the version endpoint is public
        denied = anon.get("api/status")
        assert denied.status_code == 403
        assert denied.json()["message"]
        assert anon.get("api/status", headers={"Authorization": "token wrong"}).status_code == 403
        for scheme in ("token", "Token", "bearer", "Bearer"):
            ok = anon.get("api/status", headers={"Authorization": f"{scheme} {server.token}"})
            assert ok.status_code == 200, scheme
        assert anon.get("api/status", params={"token": server.token}).status_code == 200
        status = anon.get("api/status", params={"token": server.token}).json()
        assert set(status) == {"connections", "kernels", "last_activity", "started"}


def test_token_in_page_url_logs_in_and_is_dropped(server: CarnetServer) -> None:
    with server.client(token=False, follow_redirects=False) as browser:
        first = browser.get("lab/tree/a%20b", params={"token": server.token, "x": "1"})
        assert first.status_code == 302
        location = first.headers["location"]
        assert "token" not in location and location.endswith("/lab/tree/a%20b?x=1")
        assert "httponly" in first.headers["set-cookie"].lower()
        page = browser.get(location)
        assert page.status_code == 200
        assert server.token not in page.text


def test_printed_url_carries_the_token_once_and_logs_never(server: CarnetServer) -> None:
    out = server.stdout_path.read_text()
    assert f"?token={server.token}" in out
    assert server.stderr_path.read_text().count(server.token) == 0
    # The generated token is printed in the URL lines only.
    assert out.count(server.token) == 2  # http://localhost... and http://127.0.0.1...


def test_page_without_auth_redirects_to_login_with_next(server: CarnetServer) -> None:
    with server.client(token=False, follow_redirects=False) as browser:
        response = browser.get("lab/tree/nb.ipynb")
        assert response.status_code == 302
        assert response.headers["location"] == "/login?next=%2Flab%2Ftree%2Fnb.ipynb"


def test_token_guessing_is_throttled_but_the_real_token_always_works(
    server: CarnetServer,
) -> None:
    with server.client(token=False) as anon:
        for _ in range(5):
            assert anon.get("api/status", params={"token": "guess"}).status_code == 403
        throttled = anon.get("api/status", params={"token": "guess"})
        assert throttled.status_code == 429
        assert int(throttled.headers["retry-after"]) >= 1
        assert anon.get("api/status", params={"token": server.token}).status_code == 200


# -- password login -----------------------------------------------------------------------


def test_password_login_cookie_and_logout(password_server: CarnetServer) -> None:
    server = password_server
    assert server.token == ""
    assert "token=" not in server.stdout_path.read_text()
    with server.client(token=False, follow_redirects=False) as browser:
        assert browser.get("api/status").status_code == 403
        page = browser.get("login")
        assert 'type="password"' in page.text
        assert "script" not in page.text.lower()
        assert "default-src 'none'" in page.headers["content-security-policy"]
        bad = login(browser, "wrong")
        assert bad.status_code == 401 and "Invalid credentials" in bad.text
        ok = login(browser, PASSWORD, next_url="/lab/tree/x")
        assert ok.status_code == 302 and ok.headers["location"] == "/lab/tree/x"
        assert browser.get("api/status").status_code == 200
        me = browser.get("api/me").json()
        assert me["identity"]["username"] == getpass.getuser()
        out = browser.get("logout")
        assert out.status_code == 200 and "Logged out" in out.text
        assert browser.get("api/status").status_code == 403


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"]
)
def test_next_never_leaves_the_server(password_server: CarnetServer, target: str) -> None:
    with password_server.client(token=False, follow_redirects=False) as browser:
        response = login(browser, PASSWORD, next_url=target)
        assert response.status_code == 302
        assert response.headers["location"] == "/lab"


def test_login_throttling_per_address(password_server: CarnetServer) -> None:
    server = password_server
    audit = server.jenv.runtime_dir / "carnet-audit.log"
    with server.client(token=False, follow_redirects=False) as attacker:
        for _ in range(5):
            assert login(attacker, "nope").status_code == 401
        locked = login(attacker, PASSWORD)  # right password, but not even evaluated
        assert locked.status_code == 429
        wait = int(locked.headers["retry-after"])
        assert wait >= 1
        assert f"Try again in {wait} seconds" in locked.text
        assert attacker.get("api/status").status_code == 403
    # Another address (IPv6 loopback) is unaffected.
    other = httpx.Client(base_url=f"http://[::1]:{server.port}/", follow_redirects=False)
    with other:
        assert login(other, PASSWORD).status_code == 302
    events = [json.loads(line) for line in audit.read_text().splitlines()]
    failures = [e for e in events if e["event"] == "login.failure"]
    assert len(failures) == 5 and {e["address"] for e in failures} == {"127.0.0.1"}
    assert any(e["event"] == "login.throttled" for e in events)
    success = [e for e in events if e["event"] == "login.success"]
    assert success and success[0]["address"] == "::1" and success[0]["user"]
    assert all("time" in e for e in events)
    assert PASSWORD not in audit.read_text() and "nope" not in audit.read_text()


def test_token_is_accepted_in_the_login_form(server: CarnetServer) -> None:
    with server.client(token=False, follow_redirects=False) as browser:
        assert login(browser, server.token).status_code == 302
        assert browser.get("api/status").status_code == 200


def test_login_form_needs_its_xsrf_value(password_server: CarnetServer) -> None:
    with password_server.client(token=False, follow_redirects=False) as browser:
        xsrf_and_form(browser)
        response = browser.post("login", data={"_xsrf": "forged", "password": PASSWORD})
        assert response.status_code == 403
        malformed = browser.post(
            "login", content=b"\xff\xfe=%%%", headers={"content-type": "multipart/form-data"}
        )
        assert malformed.status_code in (400, 403)


# -- cookies, XSRF, Origin, Host -------------------------------------------------------------


def test_cookie_writes_need_xsrf(password_server: CarnetServer) -> None:
    server = password_server
    with server.client(token=False, follow_redirects=False) as browser:
        assert login(browser, PASSWORD).status_code == 302
        body = {"type": "file", "format": "text", "content": "hi"}
        refused = browser.put("api/contents/a.txt", json=body)
        assert refused.status_code == 403 and "_xsrf" in refused.json()["message"]
        assert not (server.root / "a.txt").exists()
        xsrf = browser.cookies["_xsrf"]
        ok = browser.put("api/contents/a.txt", json=body, headers={"X-XSRFToken": xsrf})
        assert ok.status_code == 201
        assert (server.root / "a.txt").read_text() == "hi"


def test_cross_origin_cookie_request_refused(password_server: CarnetServer) -> None:
    with password_server.client(token=False, follow_redirects=False) as browser:
        login(browser, PASSWORD)
        evil = {"Origin": "https://evil.example"}
        assert browser.get("api/contents", headers=evil).status_code == 403
        same = {"Origin": f"http://127.0.0.1:{password_server.port}"}
        assert browser.get("api/contents", headers=same).status_code == 200


def test_cross_origin_token_request_allowed(server: CarnetServer) -> None:
    with server.client() as script:
        assert (
            script.get("api/contents", headers={"Origin": "https://x.example"}).status_code == 200
        )


def test_cross_site_file_fetch_with_cookie_refused(password_server: CarnetServer) -> None:
    (password_server.root / "secret.txt").write_text("data")
    with password_server.client(token=False, follow_redirects=False) as browser:
        login(browser, PASSWORD)
        assert browser.get("files/secret.txt").text == "data"
        cross = browser.get("files/secret.txt", headers={"Sec-Fetch-Site": "cross-site"})
        assert cross.status_code == 403


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "10.0.0.1", "[fe80::1]"])
def test_dns_rebinding_host_check(server: CarnetServer, host: str) -> None:
    with server.client() as client:
        response = client.get("api/status", headers={"Host": host})
        assert response.status_code == 403
        assert "allow_remote_access" in response.json()["message"]


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "LOCALHOST"])
def test_local_hosts_pass(server: CarnetServer, host: str) -> None:
    with server.client() as client:
        assert client.get("api/status", headers={"Host": f"{host}:1"}).status_code == 200


def test_allow_remote_access(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory("--ServerApp.allow_remote_access=True")
    with server.client() as client:
        assert client.get("api/status", headers={"Host": "notebooks.example"}).status_code == 200


def test_security_headers(server: CarnetServer) -> None:
    with server.client() as client:
        api = client.get("api/status")
        assert api.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in api.headers["content-security-policy"]
        page = client.get("lab")
        csp = page.headers["content-security-policy"]
        assert (
            "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        )


# -- websockets -------------------------------------------------------------------------------


def ws_url(server: CarnetServer, path: str, token: str | None = None) -> str:
    scheme = "wss" if server.scheme == "https" else "ws"
    query = f"?token={token}" if token else ""
    return f"{scheme}://127.0.0.1:{server.port}/{path}{query}"


def test_websocket_origin_checked_even_with_token(server: CarnetServer) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    url = ws_url(server, "api/events/subscribe", server.token)
    with pytest.raises(InvalidStatus) as info:
        connect(url, origin="https://evil.example", open_timeout=10)  # type: ignore[arg-type]
    assert info.value.response.status_code == 403
    with pytest.raises(InvalidStatus) as info:
        connect(ws_url(server, "api/events/subscribe"), open_timeout=10)
    assert info.value.response.status_code == 403
    same = f"http://127.0.0.1:{server.port}"
    with connect(url, origin=same, open_timeout=10) as ws:  # type: ignore[arg-type]
        with server.client() as client:
            client.put("api/contents/e.txt", json={"type": "file", "format": "text", "content": ""})
        event = json.loads(ws.recv(timeout=10))
        assert event["data"] == {"action": "save", "path": "e.txt"}


def test_body_size_limit(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory("--ServerApp.max_body_size=1000")
    with server.client() as client:
        body = {"type": "file", "format": "text", "content": "x" * 2000}
        response = client.put("api/contents/big.txt", json=body)
        assert response.status_code == 413
        assert "max_body_size" in response.json()["message"]
        assert not (server.root / "big.txt").exists()


def test_audit_log_option(carnet_factory: Callable[..., CarnetServer], tmp_path: Path) -> None:
    audit = tmp_path / "audit" / "log.jsonl"
    server = carnet_factory(f"--audit-log={audit}")
    with server.client(token=False) as anon:
        anon.get("api/status", params={"token": "bad"})
    with server.client() as client:
        client.put("api/contents/w.txt", json={"type": "file", "format": "text", "content": "1"})
    events = [json.loads(line) for line in audit.read_text().splitlines()]
    assert {"token.failure", "contents.save"} <= {e["event"] for e in events}
    assert "bad" not in audit.read_text() and server.token not in audit.read_text()


def test_identity_change_persists_in_the_cookie(password_server: CarnetServer) -> None:
    with password_server.client(token=False, follow_redirects=False) as browser:
        login(browser, PASSWORD)
        xsrf = {"X-XSRFToken": browser.cookies["_xsrf"]}
        patched = browser.patch("api/me", json={"display_name": "Ada L."}, headers=xsrf)
        assert patched.status_code == 200
        assert browser.get("api/me").json()["identity"]["display_name"] == "Ada L."


def test_cors_for_allowed_origin(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory("--ServerApp.allow_origin=https://app.example")
    with server.client() as client:
        pre = client.options(
            "api/contents",
            headers={"Origin": "https://app.example", "Access-Control-Request-Method": "PUT"},
        )
        assert pre.status_code == 204
        assert "PUT" in pre.headers["access-control-allow-methods"]
        bad = client.options(
            "api/contents",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"},
        )
        assert bad.status_code == 403
        ok = client.get("api/contents", headers={"Origin": "https://app.example"})
        assert ok.headers["access-control-allow-origin"] == "https://app.example"
        other = client.get("api/contents", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_base_url(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory("--base-url=/user/ada")
    assert server.info["base_url"] == "/user/ada/"
    assert f"http://localhost:{server.port}/user/ada/lab?token=" in server.output()
    with server.client(follow_redirects=False) as client:
        assert client.get("api/status").status_code == 200  # under the prefix
        root = httpx.get(
            f"http://127.0.0.1:{server.port}/api/status",
            headers={"Authorization": f"token {server.token}"},
        )
        assert root.status_code == 404
        made = client.put(
            "api/contents/x.txt", json={"type": "file", "format": "text", "content": ""}
        )
        assert made.headers["location"] == "/user/ada/api/contents/x.txt"
    with server.client(token=False, follow_redirects=False) as anon:
        assert anon.get("lab").headers["location"] == "/user/ada/login?next=%2Fuser%2Fada%2Flab"
        page = anon.get("login")
        assert 'action="/user/ada/login"' in page.text


def test_every_login_is_the_same_owner(password_server: CarnetServer) -> None:
    """Layouts and settings are stored per user: a new login, another browser or the token
    must find the same user, or they would be lost at every login."""
    names = set()
    for _ in range(2):
        with password_server.client(token=False, follow_redirects=False) as browser:
            login(browser, PASSWORD)
            names.add(browser.get("api/me").json()["identity"]["username"])
    assert len(names) == 1


def test_token_user_is_the_owner(server: CarnetServer) -> None:
    with server.client() as client:
        assert client.get("api/me").json()["identity"]["username"] == getpass.getuser()
