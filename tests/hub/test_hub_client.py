"""HubAuth, HubClient and ActivityReporter against a small stand-in hub API (stdlib HTTP
server on 127.0.0.1) that records what it is asked: caching, failures and request bodies."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import anyio
import pytest

from carnet.hub import (
    ActivityReporter,
    HubAuth,
    HubClient,
    HubUnavailable,
    OAuthError,
    read_environment,
)


class FakeHub:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.users = {"alice-token": {"kind": "user", "name": "alice", "scopes": []}}
        self.fail = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-JupyterHub-Version", "9.9.9")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append((self.command, self.path, dict(self.headers), body))
                return body

            def do_GET(self) -> None:
                self._record()
                if outer.fail:
                    self._reply(502, {"message": "bad gateway"})
                elif self.path == "/hub/api/user":
                    token = (self.headers.get("Authorization") or "").split(" ", 1)[-1]
                    user = outer.users.get(token)
                    self._reply(200 if user else 403, user or {"message": "no"})
                else:
                    self._reply(200, {"version": "9.9.9"})

            def do_POST(self) -> None:
                body = self._record()
                if self.path == "/hub/api/oauth2/token":
                    form = parse_qs(body.decode())
                    if form.get("code") == ["good"] and form.get("client_secret") == ["api"]:
                        self._reply(200, {"access_token": "alice-token", "token_type": "Bearer"})
                    else:
                        self._reply(400, {"error": "invalid_grant"})
                else:
                    self._reply(200, {})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub/api"


@pytest.fixture
def fake_hub() -> Iterator[FakeHub]:
    hub = FakeHub()
    thread = threading.Thread(target=hub.server.serve_forever, daemon=True)
    thread.start()
    yield hub
    hub.server.shutdown()
    hub.server.server_close()
    thread.join(timeout=10)


def _auth(hub: FakeHub, clock: list[float]) -> HubAuth:
    env = read_environment(
        {"JUPYTERHUB_API_TOKEN": "api", "JUPYTERHUB_API_URL": hub.url, "JUPYTERHUB_USER": "alice"}
    )
    return HubAuth(env, HubClient(env.api_url, env.api_token), clock=lambda: clock[0])


def test_token_checks_are_cached_briefly(fake_hub: FakeHub) -> None:
    clock = [0.0]
    auth = _auth(fake_hub, clock)

    async def run() -> None:
        user = await auth.user_for_token("alice-token")
        assert user is not None and user.name == "alice"
        assert await auth.user_for_token("alice-token") == user
        assert await auth.user_for_token("nope") is None
        assert await auth.user_for_token("nope") is None
        assert len(fake_hub.requests) == 2  # one per token
        clock[0] = 61.0
        assert await auth.user_for_token("alice-token") == user
        assert len(fake_hub.requests) == 3
        # The token travels in the Authorization header, never in the URL.
        method, path, headers, _ = fake_hub.requests[-1]
        assert (method, path, headers["Authorization"]) == (
            "GET",
            "/hub/api/user",
            "token alice-token",
        )

    anyio.run(run)


def test_hub_failures_are_unavailable_not_access(fake_hub: FakeHub) -> None:
    auth = _auth(fake_hub, [0.0])
    fake_hub.fail = True

    async def run() -> None:
        with pytest.raises(HubUnavailable, match="502"):
            await auth.user_for_token("alice-token")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        closed = HubClient(f"http://127.0.0.1:{port}/hub/api", "api", timeout_s=5)
        with pytest.raises(HubUnavailable, match="cannot reach the hub"):
            await closed.request("GET", "user")

    anyio.run(run)


def test_oauth_code_exchange_and_version(fake_hub: FakeHub) -> None:
    auth = _auth(fake_hub, [0.0])
    start = auth.begin_login()
    assert "code_challenge_method=S256" in start.url and f"state={start.state}" in start.url

    async def run() -> None:
        assert await auth.check_hub() == "9.9.9"
        assert auth.hub_version == "9.9.9"
        assert await auth.token_for_code("good", start.code_verifier) == "alice-token"
        form = parse_qs(fake_hub.requests[-1][3].decode())
        assert form["code_verifier"] == [start.code_verifier]
        assert form["redirect_uri"] == ["/user/alice/oauth_callback"]
        assert form["grant_type"] == ["authorization_code"]
        with pytest.raises(OAuthError, match="400"):
            await auth.token_for_code("bad", start.code_verifier)

    anyio.run(run)


def test_activity_report_body(fake_hub: FakeHub) -> None:
    client = HubClient(fake_hub.url, "api")
    reporter = ActivityReporter(
        client, fake_hub.url + "/users/alice/activity", "", 300, last_activity=lambda: 0.5
    )
    assert anyio.run(reporter.report) is True
    method, path, headers, body = fake_hub.requests[-1]
    assert (method, path) == ("POST", "/hub/api/users/alice/activity")
    assert headers["Authorization"] == "token api"
    stamp = "1970-01-01T00:00:00.500000Z"
    assert json.loads(body) == {"servers": {"": {"last_activity": stamp}}, "last_activity": stamp}
    assert reporter.reported == 0.5
