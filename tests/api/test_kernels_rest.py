"""Kernelspecs and kernels over REST on a real carnet with two real kernels installed
(ipykernel ``python3`` and ``bash_kernel``), including every kind of bad input."""

from __future__ import annotations

import json
import stat
import uuid
from collections.abc import Iterator

import httpx
import psutil
import pytest

from tests.api._kernelws import (
    KernelSocket,
    alive,
    kernel_pids,
    start_kernel_server,
    wait_state,
)
from tests.conftest import CarnetServer


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CarnetServer]:
    server = start_kernel_server(
        tmp_path_factory.mktemp("krest"), "--ServerApp.base_url=/jup/", bash=True
    )
    (server.root / "nb" / "deep").mkdir(parents=True)
    yield server
    server.stop()


@pytest.fixture
def client(live: CarnetServer) -> Iterator[httpx.Client]:
    with live.client() as c:
        yield c


def runtime_files(server: CarnetServer) -> set[str]:
    """The kernel ids that have files (connection file, IPC sockets) in the runtime dir.

    By id, not by file name: a pooled kernel started earlier creates its IPC socket files
    in the background, after its connection file."""
    return {
        p.name.split("-ipc-")[0].removesuffix(".json")
        for p in server.jenv.runtime_dir.iterdir()
        if p.name.startswith("kernel-")
    }


# -- kernelspecs ----------------------------------------------------------------------------


def test_kernelspecs_list_both_installed_kernels(client: httpx.Client) -> None:
    response = client.get("api/kernelspecs")
    assert response.status_code == 200
    body = response.json()
    assert body["default"] == "python3"
    specs = body["kernelspecs"]
    assert {"python3", "bash"} <= set(specs)
    python = specs["python3"]
    assert python["name"] == "python3"
    assert python["spec"]["language"] == "python"
    assert python["spec"]["display_name"]
    assert "{connection_file}" in python["spec"]["argv"]
    assert python["resources"]["logo-64x64"] == "/jup/kernelspecs/python3/logo-64x64.png"
    assert specs["bash"]["spec"]["language"] == "bash"
    one = client.get("api/kernelspecs/bash")
    assert one.status_code == 200 and one.json() == specs["bash"]


def test_kernelspec_resources_are_served(client: httpx.Client) -> None:
    specs = client.get("api/kernelspecs").json()["kernelspecs"]
    served = 0
    for spec in specs.values():
        for url in spec["resources"].values():
            assert url.startswith("/jup/kernelspecs/")
            response = client.get(url.removeprefix("/jup/"))
            assert response.status_code == 200, url
            assert response.content
            if url.endswith(".png"):
                assert response.headers["content-type"] == "image/png"
                assert response.content.startswith(b"\x89PNG")
            if url.endswith(".svg"):
                assert response.headers["content-type"].startswith("image/svg+xml")
            served += 1
    assert served >= 3


@pytest.mark.parametrize(
    "url",
    [
        "api/kernelspecs/nope",
        "api/kernelspecs/%2e%2e",
        "api/kernelspecs/python3%00",
        "kernelspecs/nope/logo-64x64.png",
        "kernelspecs/python3/nope.png",
        "kernelspecs/python3/%2e%2e/bash/kernel.json",
        "kernelspecs/%2e%2e/%2e%2e/etc/passwd",
        "kernelspecs/python3/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "kernelspecs/python3/..%2f..%2fkernel.json",
        "kernelspecs/python3//etc/passwd",
    ],
)
def test_unknown_kernelspecs_and_hostile_resources_are_404(client: httpx.Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.json()["message"]


def test_kernelspecs_need_authentication(live: CarnetServer) -> None:
    with live.client(token=False) as anonymous:
        assert anonymous.get("api/kernelspecs").status_code == 403
        assert anonymous.get("kernelspecs/python3/logo-64x64.png").status_code in (302, 403)


# -- kernels --------------------------------------------------------------------------------


def test_kernel_lifecycle_over_rest(live: CarnetServer, client: httpx.Client) -> None:
    started = client.post("api/kernels", json={"name": "python3", "path": "nb/deep/x.ipynb"})
    assert started.status_code == 201
    model = started.json()
    kernel_id = model["id"]
    assert started.headers["location"] == f"/jup/api/kernels/{kernel_id}"
    assert set(model) >= {"id", "name", "last_activity", "execution_state", "connections"}
    assert model["name"] == "python3" and model["connections"] == 0
    assert kernel_id in {k["id"] for k in client.get("api/kernels").json()}
    assert client.get(f"api/kernels/{kernel_id}").json()["id"] == kernel_id
    assert wait_state(client, kernel_id, "idle")["execution_state"] == "idle"

    assert client.post(f"api/kernels/{kernel_id}/interrupt").status_code == 204
    restarted = client.post(f"api/kernels/{kernel_id}/restart")
    assert restarted.status_code == 200
    assert restarted.json()["id"] == kernel_id
    assert "location" not in restarted.headers

    connection_file = live.jenv.runtime_dir / f"kernel-{kernel_id}.json"
    assert stat.S_IMODE(connection_file.stat().st_mode) == 0o600
    assert json.loads(connection_file.read_text())["transport"] == "ipc"
    before = kernel_pids(live)
    assert before
    assert client.delete(f"api/kernels/{kernel_id}").status_code == 204
    gone = client.get(f"api/kernels/{kernel_id}")
    assert gone.status_code == 404 and gone.json()["message"]
    assert kernel_id not in {k["id"] for k in client.get("api/kernels").json()}
    assert not any(kernel_id in name for name in runtime_files(live))
    assert client.delete(f"api/kernels/{kernel_id}").status_code == 404


@pytest.mark.asyncio
async def test_kernel_runs_in_the_directory_of_its_path(
    live: CarnetServer, client: httpx.Client
) -> None:
    for name, code in (("python3", "import os; print(os.getcwd())"), ("bash", "pwd")):
        kernel = client.post("api/kernels", json={"name": name, "path": "nb/deep/x.ipynb"}).json()
        if name == "bash":
            assert kernel["execution_state"] == "starting"  # never pooled: started cold
        async with await KernelSocket.open(live, kernel["id"]) as ws:
            run = await ws.execute(code)
            assert run.reply.content["status"] == "ok"
            assert run.stream().strip() == str((live.root / "nb" / "deep").resolve())
        assert client.delete(f"api/kernels/{kernel['id']}").status_code == 204


def test_default_kernel_without_a_body(client: httpx.Client) -> None:
    for body in (None, b"", b"{}", b"null"):
        response = client.post("api/kernels", content=body or b"")
        if body == b"null":
            assert response.status_code == 400
            continue
        assert response.status_code == 201, response.text
        model = response.json()
        assert model["name"] == "python3"
        assert client.delete(f"api/kernels/{model['id']}").status_code == 204


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{bad json", 400),
        (b"\xff\xfe", 400),
        (b"[1, 2]", 400),
        (b'"python3"', 400),
        (json.dumps({"name": 5}).encode(), 400),
        (json.dumps({"name": ["python3"]}).encode(), 400),
        (json.dumps({"path": 7}).encode(), 400),
        (json.dumps({"name": "nope"}).encode(), 404),
        (json.dumps({"name": "../python3"}).encode(), 404),
        (json.dumps({"name": "python3\u0000"}).encode(), 404),
        (json.dumps({"name": ""}).encode(), 404),
        (json.dumps({"name": "x" * 10000}).encode(), 404),
        (json.dumps({"path": "../outside.ipynb"}).encode(), 403),
        (json.dumps({"path": "nb/../../outside.ipynb"}).encode(), 403),
        (json.dumps({"path": "a\u0000b.ipynb"}).encode(), 400),
        (b"[" * 100000, 400),
    ],
)
def test_bad_kernel_starts_leave_nothing_behind(
    live: CarnetServer, client: httpx.Client, body: bytes, status: int
) -> None:
    kernels_before = client.get("api/kernels").json()
    files_before = runtime_files(live)
    pids_before = alive(kernel_pids(live))
    response = client.post("api/kernels", content=body)
    assert response.status_code == status, response.text
    error = response.json()
    assert error["message"] and "Unhandled" not in error["message"]
    assert client.get("api/kernels").json() == kernels_before
    assert runtime_files(live) <= files_before
    assert {p for p in alive(kernel_pids(live)) if not _pooled(p)} <= pids_before


def _pooled(pid: int) -> bool:
    """A kernel the warm pool started meanwhile (refills run in the background)."""
    try:
        return "carnet-pool-cwd" in psutil.Process(pid).cwd()
    except psutil.Error:
        return False


def test_unknown_kernel_ids_are_404(client: httpx.Client) -> None:
    for kernel_id in (str(uuid.uuid4()), "nope", "%2e%2e", "a" * 300):
        for method, url in (
            ("GET", f"api/kernels/{kernel_id}"),
            ("DELETE", f"api/kernels/{kernel_id}"),
            ("POST", f"api/kernels/{kernel_id}/interrupt"),
            ("POST", f"api/kernels/{kernel_id}/restart"),
        ):
            response = client.request(method, url)
            assert response.status_code == 404, (method, url)
            assert response.json()["message"]


def test_kernels_need_authentication(live: CarnetServer, client: httpx.Client) -> None:
    with live.client(token=False) as anonymous:
        assert anonymous.get("api/kernels").status_code == 403
        assert anonymous.post("api/kernels", json={}).status_code == 403
    url = live.base.replace("http", "ws", 1) + f"api/kernels/{uuid.uuid4()}/channels"
    with pytest.raises(Exception, match="403"):
        import websockets.sync.client

        websockets.sync.client.connect(url, open_timeout=30)


def test_status_counts_kernels(client: httpx.Client) -> None:
    before = client.get("api/status").json()["kernels"]
    kernel = client.post("api/kernels", json={}).json()
    assert client.get("api/status").json()["kernels"] == before + 1
    client.delete(f"api/kernels/{kernel['id']}")
    assert client.get("api/status").json()["kernels"] == before


@pytest.mark.asyncio
async def test_websocket_to_an_unknown_kernel_is_refused(live: CarnetServer) -> None:
    from websockets.exceptions import InvalidStatus

    with pytest.raises(InvalidStatus) as info:
        await KernelSocket.open(live, str(uuid.uuid4()))
    assert info.value.response.status_code == 404
    assert json.loads(info.value.response.body or b"{}")["message"]
