"""``--gateway-url``: carnet's kernels run on a real Jupyter Kernel Gateway.

Kernelspecs, kernels and the channels websocket go through carnet to the gateway (started
by the fixture in its own virtual environment); sessions work the same, and the kernel's
``sys.prefix`` is the gateway's environment, not carnet's.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CarnetServer
from tests.gateway.conftest import TOKEN, Gateway
from tests.hub.conftest import execute_over_ws, poll


@pytest.fixture
def gw_server(gateway: Gateway, carnet_factory: Callable[..., CarnetServer]) -> CarnetServer:
    return carnet_factory(f"--gateway-url={gateway.url}", env={"JUPYTER_GATEWAY_AUTH_TOKEN": TOKEN})


def _ws(server: CarnetServer, kernel_id: str) -> str:
    return server.url(f"api/kernels/{kernel_id}/channels").replace("http://", "ws://")


def test_kernelspecs_come_from_the_gateway(gw_server: CarnetServer) -> None:
    with gw_server.client() as client:
        specs = client.get("api/kernelspecs").json()
        assert specs["default"] == "python3"
        python = specs["kernelspecs"]["python3"]
        assert python["spec"]["language"] == "python"
        logo = python["resources"]["logo-64x64"]
        assert logo == "/kernelspecs/python3/logo-64x64.png"
        image = client.get(logo.lstrip("/"))
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
        assert client.get("api/kernelspecs/python3").json()["name"] == "python3"
        assert client.get("api/kernelspecs/nope").status_code == 404


def test_kernels_run_on_the_gateway(gw_server: CarnetServer, gateway: Gateway) -> None:
    headers = {"Authorization": f"token {gw_server.token}"}
    with gw_server.client() as client, gateway.client() as direct:
        created = client.post("api/kernels", json={"name": "python3"})
        assert created.status_code == 201, created.text
        kernel_id = created.json()["id"]
        assert direct.get(f"/api/kernels/{kernel_id}").json()["id"] == kernel_id
        assert [k["id"] for k in client.get("api/kernels").json()] == [kernel_id]
        ws = _ws(gw_server, kernel_id)
        assert asyncio.run(execute_over_ws(ws, "1+1", headers)) == "2"
        prefix = asyncio.run(execute_over_ws(ws, "import sys; sys.prefix", headers))
        assert Path(prefix.strip("'")).resolve() == gateway.prefix
        assert Path(prefix.strip("'")).resolve() != Path(sys.prefix).resolve()
        assert client.post(f"api/kernels/{kernel_id}/interrupt").status_code == 204
        restarted = client.post(f"api/kernels/{kernel_id}/restart")
        assert restarted.status_code == 200 and restarted.json()["id"] == kernel_id
        assert asyncio.run(execute_over_ws(ws, "2+3", headers)) == "5"
        assert client.delete(f"api/kernels/{kernel_id}").status_code == 204
        assert direct.get(f"/api/kernels/{kernel_id}").status_code == 404
        assert client.get(f"api/kernels/{kernel_id}").status_code == 404
        assert client.post("api/kernels", json={"name": "nope"}).status_code == 404


def test_sessions_start_gateway_kernels(gw_server: CarnetServer, gateway: Gateway) -> None:
    (gw_server.root / "a.ipynb").write_text("")
    headers = {"Authorization": f"token {gw_server.token}"}
    with gw_server.client() as client, gateway.client() as direct:
        body = {"path": "a.ipynb", "type": "notebook", "kernel": {"name": "python3"}}
        session = client.post("api/sessions", json=body)
        assert session.status_code == 201, session.text
        kernel_id = session.json()["kernel"]["id"]
        assert direct.get(f"/api/kernels/{kernel_id}").status_code == 200
        assert asyncio.run(execute_over_ws(_ws(gw_server, kernel_id), "6*7", headers)) == "42"
        assert client.delete(f"api/sessions/{session.json()['id']}").status_code == 204
        poll(
            lambda: direct.get(f"/api/kernels/{kernel_id}").status_code == 404,
            "the gateway kernel to stop",
        )


def test_a_kernel_the_gateway_loses_is_gone_here(gw_server: CarnetServer, gateway: Gateway) -> None:
    with gw_server.client() as client, gateway.client() as direct:
        kernel_id = client.post("api/kernels", json={}).json()["id"]
        assert direct.delete(f"/api/kernels/{kernel_id}").status_code == 204
        # A websocket to it now fails cleanly, and the kernel leaves the list.
        with pytest.raises(Exception, match="404"):
            asyncio.run(
                execute_over_ws(
                    _ws(gw_server, kernel_id), "1", {"Authorization": f"token {gw_server.token}"}
                )
            )
        assert client.get("api/kernels").json() == []


def test_bad_gateway_settings_and_unreachable_gateway(
    carnet_factory: Callable[..., CarnetServer], jupyter_env: object
) -> None:
    from tests.conftest import JupyterEnv

    assert isinstance(jupyter_env, JupyterEnv)
    import subprocess

    bad = subprocess.run(
        jupyter_env.carnet_cmd("--no-browser", "--port=0", "--gateway-url=ftp://x"),
        env=jupyter_env.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "gateway_url must be an http(s) URL" in bad.stderr
    from tests.hub.conftest import free_port

    server = carnet_factory(f"--gateway-url=http://127.0.0.1:{free_port()}")
    with server.client() as client:
        reply = client.post("api/kernels", json={"name": "python3"})
        assert reply.status_code == 503
        assert "Cannot reach the kernel gateway" in reply.json()["message"]
        assert client.get("api/kernelspecs").status_code == 503


def _fnv1a32(text: str) -> str:
    h = 2166136261
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 16777619) % 2**32
    return format(h, "08x")


def test_cells_run_into_documents_on_gateway_kernels(
    gw_server: CarnetServer, gateway: Gateway
) -> None:
    source = "import sys; print(sys.prefix)"
    cell = {
        "id": "c1",
        "cell_type": "code",
        "source": source,
        "metadata": {},
        "outputs": [],
        "execution_count": None,
    }
    content = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    with gw_server.client() as client:
        assert client.put(
            "api/contents/run.ipynb", json={"type": "notebook", "content": content}
        ).status_code in (200, 201)
        room = client.put(
            "api/collaboration/session/run.ipynb", json={"format": "json", "type": "notebook"}
        )
        assert room.status_code == 200, room.text
        file_id = room.json()["fileId"]
        body = {"path": "run.ipynb", "type": "notebook", "kernel": {"name": "python3"}}
        assert client.post("api/sessions", json=body).status_code == 201
        queued = client.post(
            f"api/documents/{file_id}/execute",
            json={"cells": [{"id": "c1", "source_hash": _fnv1a32(source)}]},
        )
        assert queued.status_code == 202, queued.text

        def printed() -> str:
            client.post(f"api/documents/{file_id}/save")
            cells = client.get("api/contents/run.ipynb").json()["content"]["cells"]
            return "".join(o.get("text", "") for o in cells[0]["outputs"])

        text = poll(printed, "the cell's output in the saved notebook", timeout=90)
        assert Path(text.strip()).resolve() == gateway.prefix


def test_stopping_carnet_stops_its_gateway_kernels(
    gw_server: CarnetServer, gateway: Gateway
) -> None:
    with gw_server.client() as client:
        kernel_id = client.post("api/kernels", json={}).json()["id"]
    with gateway.client() as direct:
        assert direct.get(f"/api/kernels/{kernel_id}").status_code == 200
        assert gw_server.stop() == 0
        assert direct.get(f"/api/kernels/{kernel_id}").status_code == 404


def test_gateway_settings() -> None:
    from carnet.gateway import GatewaySettings

    settings = GatewaySettings.parse("https://gw.example:8888/", headers='{"X-A": "b"}')
    assert settings.url == "https://gw.example:8888"
    assert settings.ws_url == "wss://gw.example:8888"
    assert settings.request_headers() == {"X-A": "b"}
    token = GatewaySettings.parse("http://gw", auth_token="t", ws_url="ws://other/")
    assert token.ws_url == "ws://other"
    assert token.request_headers() == {"Authorization": "token t"}
    for bad in (
        {"url": "gw:8888"},
        {"url": "http://gw", "headers": "[1]"},
        {"url": "http://gw", "ws_url": "http://gw"},
        {"url": "http://gw", "request_timeout_s": 0},
    ):
        with pytest.raises(ValueError, match="gateway_"):
            GatewaySettings.parse(**bad)  # type: ignore[arg-type]
