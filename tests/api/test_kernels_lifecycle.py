"""Kernel lifecycle on a real carnet: the warm pool, deaths with their cause, automatic
restarts, culling, and no kernel process left behind when carnet stops."""

from __future__ import annotations

import json
import os
import signal
import uuid
from collections.abc import Callable
from typing import Any

import psutil
import pytest

from tests.api._kernelws import KernelSocket, alive, kernel_pids, wait_state
from tests.conftest import CarnetServer

NOTEBOOK = "projects/deep dir/analysis.ipynb"

SNAPSHOT = """
import json as _json, os as _os, sys as _sys
_ip = get_ipython()
print(_json.dumps({
    "cwd": _os.getcwd(),
    "sys_path": _sys.path,
    "env": {k: v for k, v in _os.environ.items() if k != "PYTEST_CURRENT_TEST"},
    "session": _ip.user_ns.get("__session__"),
    "starting_dir": _ip.starting_dir,
    "dh": [str(p) for p in _ip.user_ns.get("_dh", [])],
    "names": sorted(k for k in _ip.user_ns if not k.startswith("_")),
    "execution_count": _ip.execution_count,
    "history": len(_ip.user_ns["In"]),
    "modules": "numpy" in _sys.modules,
}))
"""


async def snapshot(server: CarnetServer) -> tuple[dict[str, Any], dict[str, Any]]:
    """(session model, what the kernel sees) for a new notebook session."""
    with server.client() as client:
        response = client.post(
            "api/sessions",
            json={"path": NOTEBOOK, "type": "notebook", "name": "analysis.ipynb"},
        )
        assert response.status_code == 201
        session: dict[str, Any] = response.json()
    async with await KernelSocket.open(server, session["kernel"]["id"]) as ws:
        run = await ws.execute(SNAPSHOT, store_history=False)
    state: dict[str, Any] = json.loads(run.stream())
    return session, state


@pytest.mark.asyncio
async def test_a_pooled_kernel_is_indistinguishable_from_a_cold_one(
    carnet_factory: Callable[..., CarnetServer],
) -> None:
    pooled_server = carnet_factory()
    cold_server = carnet_factory("--CarnetApp.kernel_pool_size=0")
    (pooled_server.root / "projects" / "deep dir").mkdir(parents=True)
    pooled_session, warm = await snapshot(pooled_server)
    cold_session, fresh = await snapshot(cold_server)
    # The pooled kernel answered at once; the cold one was still starting.
    assert pooled_session["kernel"]["execution_state"] == "idle"
    assert cold_session["kernel"]["execution_state"] == "starting"
    notebook = (pooled_server.root / NOTEBOOK).resolve()
    assert warm["cwd"] == str(notebook.parent)
    assert warm["session"] == warm["env"]["JPY_SESSION_NAME"] == str(notebook)
    assert warm["dh"] == [str(notebook.parent)]
    assert warm["execution_count"] == 1 and warm["history"] == 1
    # Each kernel knows its own server (two servers here); nothing else may differ.
    assert warm["env"].pop("JPY_PARENT_PID") == str(pooled_server.proc.pid)
    assert fresh["env"].pop("JPY_PARENT_PID") == str(cold_server.proc.pid)
    assert warm == fresh
    # The pool refills in the background: a second notebook gets a pooled kernel too.
    with pooled_server.client() as client:
        second = client.post(
            "api/sessions", json={"path": "b.ipynb", "type": "notebook", "name": "b.ipynb"}
        ).json()
    assert second["kernel"]["execution_state"] == "idle"


@pytest.mark.asyncio
async def test_kill_9_mid_execution_is_reported_then_the_kernel_works_again(
    carnet_factory: Callable[..., CarnetServer],
) -> None:
    server = carnet_factory()
    with server.client() as client:
        kernel_id = client.post("api/kernels", json={}).json()["id"]
        wait_state(client, kernel_id, "idle")
        async with await KernelSocket.open(server, kernel_id) as ws:
            pid = int((await ws.execute("import os; os.getpid()")).result())
            await ws.execute_request("import time\nprint('working', flush=True)\ntime.sleep(300)")
            await ws.wait_for(lambda m: m.msg_type == "stream")
            os.kill(pid, signal.SIGKILL)
            notice, _ = await ws.wait_for(
                lambda m: m.msg_type == "status" and m.content["execution_state"] != "busy"
            )
            assert notice.content["execution_state"] == "restarting"
            assert "SIGKILL" in notice.content["reason"]
            assert "out of memory" in notice.content["reason"]
            model = wait_state(client, kernel_id, "idle")
            assert "SIGKILL" in model["reason"]
        async with await KernelSocket.open(server, kernel_id) as ws:
            run = await ws.execute("import os; os.getpid()")
            assert int(run.result()) != pid
            assert run.reply.content["execution_count"] == 1  # a fresh process
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"


@pytest.mark.asyncio
async def test_without_autorestart_a_dead_kernel_stays_dead_with_its_cause(
    carnet_factory: Callable[..., CarnetServer],
) -> None:
    server = carnet_factory("--KernelManager.autorestart=False")
    with server.client() as client:
        kernel_id = client.post("api/kernels", json={}).json()["id"]
        wait_state(client, kernel_id, "idle")
        async with await KernelSocket.open(server, kernel_id) as ws:
            await ws.execute_request("import os; os._exit(3)")
            notice, _ = await ws.wait_for(
                lambda m: m.msg_type == "status" and m.content["execution_state"] == "dead"
            )
            assert notice.content["reason"] == "The kernel exited with code 3."
        model = client.get(f"api/kernels/{kernel_id}").json()
        assert model["execution_state"] == "dead"
        assert model["reason"] == "The kernel exited with code 3."
        # A new client learns it at once; a restart revives the kernel.
        async with await KernelSocket.open(server, kernel_id) as ws:
            first = await ws.recv()
            assert first.content == {"execution_state": "dead", "reason": model["reason"]}
        restarted = client.post(f"api/kernels/{kernel_id}/restart")
        assert restarted.status_code == 200
        assert restarted.json()["execution_state"] == "idle"
        assert "reason" not in restarted.json()


@pytest.mark.asyncio
async def test_idle_kernels_are_culled_but_not_connected_ones(
    carnet_factory: Callable[..., CarnetServer],
) -> None:
    server = carnet_factory(
        "--MappingKernelManager.cull_idle_timeout=1",
        "--MappingKernelManager.cull_interval=1",
        "--CarnetApp.kernel_pool_size=0",
    )
    with server.client() as client:
        idle = client.post(
            "api/sessions", json={"path": "idle.ipynb", "type": "notebook", "name": "idle.ipynb"}
        ).json()
        kept = client.post("api/kernels", json={}).json()["id"]
        wait_state(client, kept, "idle")
        async with await KernelSocket.open(server, kept) as ws:
            import asyncio

            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while client.get(f"api/kernels/{idle['kernel']['id']}").status_code == 200:
                assert loop.time() < deadline, "the idle kernel was never culled"
                await asyncio.sleep(0.1)
            assert idle["id"] not in {s["id"] for s in client.get("api/sessions").json()}
            # The connected one was just as idle, and the culler has run since: it stays.
            assert client.get(f"api/kernels/{kept}").status_code == 200
            assert (await ws.execute("1+1")).result() == "2"


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "api/shutdown"])
def test_stopping_carnet_leaves_no_kernel_process(
    carnet_factory: Callable[..., CarnetServer], how: str
) -> None:
    server = carnet_factory()
    with server.client() as client:
        # A refused start first: jupyter_server could not shut down cleanly after one.
        assert client.post("api/kernels", json={"name": "nope"}).status_code == 404
        busy = client.post("api/kernels", json={}).json()["id"]
        idle = client.post("api/kernels", json={}).json()["id"]
        for kernel_id in (busy, idle):
            wait_state(client, kernel_id, "idle")
        import asyncio

        async def keep_busy() -> None:
            async with await KernelSocket.open(server, busy, session_id=uuid.uuid4().hex) as ws:
                await ws.execute_request("import time; time.sleep(600)")
                await ws.wait_for(lambda m: m.msg_type == "execute_input")

        asyncio.run(keep_busy())
        pids = alive(kernel_pids(server))
        assert len(pids) >= 2
        if how == "api/shutdown":
            assert client.post("api/shutdown").status_code == 200
            code = server.proc.wait(timeout=30)
        else:
            code = server.stop(getattr(signal, how))
    assert code == 0
    assert alive(pids) == set()
    assert not list(server.jenv.runtime_dir.glob("kernel-*"))
