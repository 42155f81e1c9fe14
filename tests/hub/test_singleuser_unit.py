"""Single-user mode without a hub: the environment, scope rules, and a hub that cannot be
reached (which must never mean access)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from carnet.hub import HubConfigError, has_access, read_environment, scope_grants
from tests.conftest import CarnetServer, JupyterEnv


def _env(**extra: str) -> dict[str, str]:
    return {
        "JUPYTERHUB_API_TOKEN": "secret-api-token",
        "JUPYTERHUB_API_URL": "http://127.0.0.1:8081/hub/api/",
        "JUPYTERHUB_USER": "alice",
        **extra,
    }


def test_environment_defaults_and_settings() -> None:
    env = read_environment(
        _env(
            JUPYTERHUB_SERVICE_PREFIX="/user/alice",
            JUPYTERHUB_SERVICE_URL="http://127.0.0.1:41234/user/alice/",
            JUPYTERHUB_OAUTH_ACCESS_SCOPES='["access:servers!server=alice/", '
            '"access:servers!user=alice"]',
            JUPYTERHUB_ACTIVITY_URL="http://127.0.0.1:8081/hub/api/users/alice/activity",
            JUPYTERHUB_ROOT_DIR="/data",
        )
    )
    assert env.api_url == "http://127.0.0.1:8081/hub/api"
    assert env.service_prefix == "/user/alice/"
    assert env.client_id == "jupyterhub-user-alice"
    assert env.oauth_callback_url == "/user/alice/oauth_callback"
    assert env.authorize_url == "/hub/api/oauth2/authorize"
    assert env.activity_interval_s == 300
    settings = {a.trait: a.value for a in env.assignments()}
    assert settings["base_url"] == "/user/alice/"
    assert settings["ip"] == "127.0.0.1" and settings["port"] == 41234
    assert settings["port_retries"] == 0 and settings["allow_remote_access"] is True
    assert settings["trust_xheaders"] is True and settings["open_browser"] is False
    assert settings["root_dir"] == "/data"
    # The old name of the scopes variable, and a named server's defaults.
    named = read_environment(
        _env(JUPYTERHUB_SERVER_NAME="gpu", JUPYTERHUB_OAUTH_SCOPES='["access:servers!user=alice"]')
    )
    assert named.service_prefix == "/user/alice/gpu/"
    assert named.access_scopes == {"access:servers!user=alice"}
    assert named.server_label == "alice/gpu"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "JUPYTERHUB_API_TOKEN, JUPYTERHUB_API_URL, JUPYTERHUB_USER not set"),
        (_env(JUPYTERHUB_API_URL="ftp://hub"), "not an http(s) URL"),
        (_env(JUPYTERHUB_OAUTH_ACCESS_SCOPES="access:servers"), "not a JSON list"),
        (_env(JUPYTERHUB_ACTIVITY_INTERVAL="soon"), "not a number of seconds"),
    ],
)
def test_environment_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(HubConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_environment(env)


def test_scope_rules() -> None:
    required = {"access:servers!server=alice/"}
    assert has_access({"access:servers"}, required)
    assert has_access({"access:servers!user=alice"}, required)
    assert has_access({"access:servers!server=alice/"}, required)
    assert not has_access({"access:servers!user=bob"}, required)
    assert not has_access({"access:servers!server=alice/gpu"}, required)
    assert not has_access({"access:servers!group=alice"}, required)
    assert not has_access({"read:users", "servers"}, required)
    assert scope_grants("access:servers!user=alice", "access:servers!server=alice/gpu")
    assert not scope_grants("access:services", "access:servers!server=alice/")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_hub_never_grants_access(
    carnet_factory: Callable[..., CarnetServer],
) -> None:
    port = _closed_port()
    env = _env(
        JUPYTERHUB_API_URL=f"http://127.0.0.1:{port}/hub/api",
        JUPYTERHUB_SERVICE_PREFIX="/user/alice/",
        JUPYTERHUB_ACTIVITY_URL=f"http://127.0.0.1:{port}/hub/api/users/alice/activity",
    )
    server = carnet_factory("singleuser", env=env)
    assert server.info["base_url"] == "/user/alice/"
    assert server.token == ""
    base = f"http://127.0.0.1:{server.port}/user/alice/"
    reply = httpx.get(base + "api/contents", headers={"Authorization": "token anything"})
    assert reply.status_code == 503
    assert "JupyterHub could not be asked" in reply.json()["message"]
    # No credentials: an API call is refused, a page goes to the hub's login.
    assert httpx.get(base + "api/contents").status_code == 403
    page = httpx.get(base + "lab")
    assert page.status_code == 302
    assert page.headers["location"].startswith("/hub/api/oauth2/authorize?client_id=")
    # carnet's own token login is off: the runtime file has no token, /login goes to the hub.
    login = httpx.post(base + "login", data={"password": ""})
    assert login.status_code in (401, 403)
    assert httpx.get(base + "login").headers["location"].startswith("/hub/api/oauth2/")
    # Public endpoints still answer (the hub polls the server until it responds).
    assert httpx.get(base + "api").status_code == 200


def test_singleuser_without_hub_environment_fails_clearly(jupyter_env: JupyterEnv) -> None:
    result = subprocess.run(
        jupyter_env.carnet_cmd("singleuser"),
        env=jupyter_env.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "JUPYTERHUB_API_TOKEN" in result.stderr and "not set" in result.stderr


def test_console_script_is_the_singleuser_command(jupyter_env: JupyterEnv) -> None:
    code = "import sys; from carnet.cli import singleuser_main as m; sys.exit(m())"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=jupyter_env.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "`carnet singleuser` is started by JupyterHub" in result.stderr
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert '\ncarnet-singleuser = "carnet.cli:singleuser_main"\n' in pyproject


def test_api_hub_is_empty_without_a_hub(server: CarnetServer) -> None:
    with server.client() as client:
        reply = client.get("api/hub")
        assert reply.status_code == 200 and reply.json() == {}
