"""A real JupyterHub on 127.0.0.1 whose spawner runs ``carnet singleuser``.

The hub uses the dummy authenticator (one shared password), ``SimpleLocalProcessSpawner``
(every user's server runs as this OS user, with a home under the test's tmp dir) and the npm
``configurable-http-proxy`` from ``tests/hub/node`` (``npm ci`` there first when
``node_modules`` is missing). A service token with admin scopes drives the hub's REST API, as
the control panel does. Run these tests alone with ``pytest -m hub``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from websockets.asyncio.client import connect

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / "node"
PASSWORD = "carnet-hub-password"
ADMIN_TOKEN = "carnet-test-admin-token-0123456789abcdef"
START_TIMEOUT_S = 90.0


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "hub: runs a real JupyterHub with carnet single-user servers"
    )


def proxy_command() -> str:
    """The locked configurable-http-proxy (installed with ``npm ci`` when missing)."""
    binary = NODE_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    if not binary.exists():
        npm = shutil.which("npm")
        assert npm, "npm is required for the JupyterHub tests (configurable-http-proxy)"
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, timeout=600
        )
    assert binary.exists(), "npm ci did not install configurable-http-proxy"
    assert shutil.which("node"), "node is required for configurable-http-proxy"
    return str(binary)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def poll(predicate: Any, what: str, timeout: float = START_TIMEOUT_S) -> Any:
    """Call ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


CONFIG = """
import sys
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = "sqlite:///{dir}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{dir}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "{dir}/jupyterhub.pid"
c.JupyterHub.cleanup_servers = True
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = "{dir}/proxy.pid"
c.JupyterHub.authenticator_class = "jupyterhub.auth.DummyAuthenticator"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allowed_users = {{"alice", "bob", "carol", "dave"}}
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = "{dir}/home/{{username}}"
c.Spawner.cmd = [sys.executable, "-m", "carnet", "singleuser"]
c.Spawner.args = ["--KernelManager.autorestart=True"]
c.Spawner.ip = "127.0.0.1"
c.Spawner.poll_interval = 1


def culling_for_carol(spawner):
    # carol's server culls idle kernels and stops itself when idle (Spawner.args per user).
    if spawner.user.name == "carol":
        spawner.args = [
            "--MappingKernelManager.cull_idle_timeout=2",
            "--MappingKernelManager.cull_interval=1",
            "--ServerApp.shutdown_no_activity_timeout=3",
        ]


c.Spawner.pre_spawn_hook = culling_for_carol
c.Spawner.start_timeout = 90
c.Spawner.http_timeout = 90
c.Spawner.environment = {{
    "JUPYTERHUB_ACTIVITY_INTERVAL": "1",
    "JUPYTER_PLATFORM_DIRS": "0",
    "PYTHONUNBUFFERED": "1",
}}
c.JupyterHub.services = [{{"name": "test-admin", "api_token": {admin_token!r}}}]
c.JupyterHub.load_roles = [
    {{
        "name": "test-admin",
        "scopes": ["admin:users", "admin:servers", "tokens", "read:users"],
        "services": ["test-admin"],
    }}
]
"""


@dataclass
class Hub:
    """A running hub: ``url`` is the proxy's public address (what browsers use)."""

    proc: subprocess.Popen[bytes]
    url: str
    dir: Path
    log_path: Path

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url + "hub/api/",
            headers={"Authorization": f"token {ADMIN_TOKEN}"},
            timeout=30,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def user_model(self, name: str) -> dict[str, Any]:
        with self.api() as api:
            reply = api.get(f"users/{name}")
            assert reply.status_code == 200, reply.text
            model: dict[str, Any] = reply.json()
            return model

    def start_server(self, name: str) -> dict[str, Any]:
        """Start ``name``'s server through the REST API and wait until the hub says ready."""
        with self.api() as api:
            reply = api.post(f"users/{name}/server")
            assert reply.status_code in (201, 202), reply.text

        def ready() -> dict[str, Any] | None:
            server: dict[str, Any] | None = self.user_model(name)["servers"].get("")
            return server if server and server.get("ready") else None

        server: dict[str, Any] = poll(ready, f"{name}'s server to be ready\n{self.log()}")
        return server

    def stop_server(self, name: str) -> None:
        with self.api() as api:
            reply = api.delete(f"users/{name}/server")
            assert reply.status_code in (202, 204), reply.text
        poll(lambda: "" not in self.user_model(name)["servers"], f"{name}'s server to stop")

    def login(self, name: str) -> httpx.Client:
        """A browser-like client logged in to the hub as ``name`` (dummy authenticator)."""
        client = httpx.Client(base_url=self.url, timeout=30, follow_redirects=False)
        page = client.get("hub/login")
        assert page.status_code == 200, page.text
        match = re.search(r'name="_xsrf"\s+value="([^"]+)"', page.text)
        form = {"username": name, "password": PASSWORD}
        if match:
            form["_xsrf"] = match.group(1)
        reply = client.post("hub/login", data=form)
        assert reply.status_code == 302, reply.text
        assert any(c.name.startswith("jupyterhub-session") for c in client.cookies.jar) or any(
            c.name.startswith("jupyterhub-hub-login") for c in client.cookies.jar
        ), list(client.cookies.jar)
        return client

    def token_for(self, name: str, scopes: list[str] | None = None) -> str:
        """A hub API token of ``name`` (with the user's own scopes unless given)."""
        body: dict[str, Any] = {"note": "carnet test"}
        if scopes is not None:
            body["scopes"] = scopes
        with self.api() as api:
            reply = api.post(f"users/{name}/tokens", json=body)
            assert reply.status_code == 201, reply.text
            return str(reply.json()["token"])


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    base = tmp_path_factory.mktemp("hub")
    (base / "home").mkdir()
    port = free_port()
    config = CONFIG.format(
        port=port,
        hub_port=free_port(),
        proxy_api_port=free_port(),
        dir=base,
        proxy=proxy_command(),
        password=PASSWORD,
        admin_token=ADMIN_TOKEN,
    )
    (base / "jupyterhub_config.py").write_text(config)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "XDG_"))}
    env["PYTHONUNBUFFERED"] = "1"
    # carnet's tests run from the checkout: the spawned servers import it the same way.
    root = str(HERE.parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(Path(root) / "src"), env.get("PYTHONPATH", "")) if p
    )
    log_path = base / "jupyterhub.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterhub", "-f", str(base / "jupyterhub_config.py")],
        cwd=base,
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    hub = Hub(proc, f"http://127.0.0.1:{port}/", base, log_path)

    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"jupyterhub exited with {proc.returncode}:\n{hub.log()}")
        try:
            return httpx.get(hub.url + "hub/api/", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        poll(up, "JupyterHub to answer")
        yield hub
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        # The proxy is the hub's child in its own process group; make sure it is gone.
        pid_file = base / "proxy.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass


def oauth_get(client: httpx.Client, url: str, max_hops: int = 10) -> httpx.Response:
    """GET ``url`` following redirects hop by hop (hub and carnet set cookies on the way)."""
    reply = client.get(url)
    for _ in range(max_hops):
        if reply.status_code not in (301, 302, 303, 307):
            return reply
        reply = client.get(str(reply.url.join(reply.headers["location"])))
    raise AssertionError(f"too many redirects from {url}")


def json_of(reply: httpx.Response) -> Any:
    try:
        return reply.json()
    except json.JSONDecodeError as exc:
        raise AssertionError(f"not JSON ({reply.status_code}): {reply.text[:500]}") from exc


async def execute_over_ws(ws_url: str, code: str, headers: dict[str, str] | None = None) -> Any:
    """Run ``code`` over the kernel websocket (legacy JSON framing); the execute_result."""
    session = uuid.uuid4().hex
    msg_id = uuid.uuid4().hex
    request = {
        "header": {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "session": session,
            "username": "test",
            "date": datetime.now().astimezone().isoformat(),
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": {"code": code, "silent": False, "store_history": True},
        "channel": "shell",
        "buffers": [],
    }
    sep = "&" if "?" in ws_url else "?"
    async with connect(
        f"{ws_url}{sep}session_id={session}", additional_headers=headers or {}, open_timeout=30
    ) as ws:
        await ws.send(json.dumps(request))
        result = None
        with anyio.fail_after(60):  # asyncio.timeout is 3.11+
            while True:
                msg = json.loads(await ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "execute_result":
                    result = msg["content"]["data"]["text/plain"]
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    return result
