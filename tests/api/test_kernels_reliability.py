"""Reliability under load on a real carnet: many clients at once, a kernel killed under
them, and memory that comes back when the kernels are gone."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import sys
from collections import Counter
from collections.abc import Iterator

import httpx
import psutil
import pytest

from tests.api._kernelws import V1, KernelSocket, Msg, start_kernel_server, wait_state
from tests.conftest import CarnetServer

pytestmark = pytest.mark.asyncio

KERNELS = 5
CLIENTS = 20
EXECUTES = 50
MiB = 1 << 20


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CarnetServer]:
    server = start_kernel_server(tmp_path_factory.mktemp("reliab"))
    yield server
    server.stop()


def rss(server: CarnetServer) -> int:
    return int(psutil.Process(server.proc.pid).memory_info().rss)


def start_kernels(client: httpx.Client, n: int) -> list[str]:
    ids = [client.post("api/kernels", json={}).json()["id"] for _ in range(n)]
    for kernel_id in ids:
        wait_state(client, kernel_id, "idle")
    return ids


async def test_twenty_clients_fifty_executes_five_kernels(live: CarnetServer) -> None:
    with live.client() as client:
        # Baseline: the server once it has run (and stopped) a kernel and read a notebook, so
        # that the lazily imported kernel machinery and nbformat (which the server also
        # preloads a second after start) are part of it.
        notebook = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        body = {"type": "notebook", "content": notebook}
        saved = client.put("api/contents/warm.ipynb", json=body)
        assert saved.status_code in (200, 201), saved.text
        warm = start_kernels(client, 1)
        async with await KernelSocket.open(live, warm[0]) as ws:
            await ws.execute("1")
        client.delete(f"api/kernels/{warm[0]}")
        baseline = rss(live)

        kernels = start_kernels(client, KERNELS)
        sockets = [
            await KernelSocket.open(live, kernels[i % KERNELS], protocols=(V1,) if i % 2 else ())
            for i in range(CLIENTS)
        ]
        for ws in sockets:
            assert (await ws.recv()).msg_type == "status"
        requested: dict[str, set[str]] = {k: set() for k in kernels}  # msg ids per kernel
        done = asyncio.Event()
        finished = 0

        async def run(index: int, ws: KernelSocket) -> tuple[list[Msg], Counter[str]]:
            nonlocal finished
            kernel = kernels[index % KERNELS]
            replies: list[Msg] = []
            idles: Counter[str] = Counter()
            for i in range(EXECUTES):
                request = await ws.execute_request(f"print('c{index}-{i}'); {index} * 1000 + {i}")
                msg_id = request["header"]["msg_id"]
                requested[kernel].add(msg_id)
                got_reply = got_idle = False
                stream, result = "", None
                while not (got_reply and got_idle):
                    msg = await ws.recv()
                    if msg.channel == "iopub":
                        if msg.is_idle() and msg.parent_id:
                            idles[msg.parent_id] += 1
                        if msg.parent_id != msg_id:
                            continue
                        got_idle = got_idle or msg.is_idle()
                        if msg.msg_type == "stream":
                            stream += msg.content["text"]
                        if msg.msg_type == "execute_result":
                            result = msg.content["data"]["text/plain"]
                    else:
                        assert msg.parent_id == msg_id, "a reply reached the wrong client"
                        replies.append(msg)
                        got_reply = True
                assert stream == f"c{index}-{i}\n"
                assert result == str(index * 1000 + i)
            finished += 1
            if finished == CLIENTS:
                done.set()
            # Keep reading until this kernel's IOPub for every client's request has come.
            await done.wait()
            while set(idles) < requested[kernel]:
                msg = await ws.recv()
                if msg.is_idle() and msg.parent_id:
                    idles[msg.parent_id] += 1
            return replies, idles

        tasks = [asyncio.ensure_future(run(i, ws)) for i, ws in enumerate(sockets)]
        try:
            results = await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
        for index, (replies, idles) in enumerate(results):
            assert len(replies) == EXECUTES
            assert len({r.parent_id for r in replies}) == EXECUTES  # none duplicated
            assert [r.content["status"] for r in replies] == ["ok"] * EXECUTES
            kernel = kernels[index % KERNELS]
            assert set(idles) == requested[kernel]  # every client saw every execution
            assert set(idles.values()) == {1}  # exactly once
        for ws in sockets:
            await ws.close()

        for kernel_id in kernels:
            assert client.delete(f"api/kernels/{kernel_id}").status_code == 204
        assert client.get("api/kernels").json() == []
        await asyncio.sleep(1)  # let the server finish closing sockets
        after = rss(live)
    # Near the baseline: what the kernels and 20 clients used was given back.
    assert after <= baseline + 16 * MiB, (baseline / MiB, after / MiB)


async def test_kill_9_under_several_clients(live: CarnetServer) -> None:
    with live.client() as client:
        (kernel,) = start_kernels(client, 1)
        sockets = [await KernelSocket.open(live, kernel) for _ in range(3)]
        for ws in sockets:
            await ws.recv()
        pid = int((await sockets[0].execute("import os; os.getpid()")).result())
        await sockets[1].execute_request("import time; time.sleep(600)")
        await sockets[1].wait_for(lambda m: m.msg_type == "execute_input")
        os.kill(pid, signal.SIGKILL)
        for ws in sockets:
            notice, _ = await ws.wait_for(
                lambda m: m.msg_type == "status" and m.content["execution_state"] == "restarting"
            )
            assert "SIGKILL" in notice.content["reason"]
        wait_state(client, kernel, "idle")
        for i, ws in enumerate(sockets):
            run = await ws.execute(f"import os; (os.getpid(), {i})")
            new_pid, echoed = eval(run.result())
            assert new_pid != pid and echoed == i
            await ws.close()
        assert client.delete(f"api/kernels/{kernel}").status_code == 204
    gc.collect()


WEDGY = """\
import pathlib, sys, time

counter = pathlib.Path(__file__).with_name("launches")
launch = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(launch))
if launch == 2:
    time.sleep(3600)  # the restart comes up alive but silent, as a wedged ipykernel does
from ipykernel.kernelapp import launch_new_instance

launch_new_instance()
"""


async def test_a_kernel_silent_after_its_restart_is_restarted_again(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    tmp = tmp_path_factory.mktemp("wedgy")
    spec = tmp / "path" / "kernels" / "wedgy"
    spec.mkdir(parents=True)
    (spec / "kernel.py").write_text(WEDGY)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, str(spec / "kernel.py"), "-f", "{connection_file}"],
                "display_name": "Wedged once",
                "language": "python",
            }
        )
    )
    server = start_kernel_server(tmp / "server", env={"JUPYTER_PATH": str(tmp / "path")})
    try:
        with server.client() as client:
            reply = client.post("api/kernels", json={"name": "wedgy"})
            assert reply.status_code == 201, reply.text
            kernel = reply.json()["id"]
            wait_state(client, kernel, "idle")
            ws = await KernelSocket.open(server, kernel)
            await ws.recv()
            pid = int((await ws.execute("import os; os.getpid()")).result())
            os.kill(pid, signal.SIGKILL)
            await ws.wait_for(
                lambda m: m.msg_type == "status" and m.content["execution_state"] == "restarting"
            )
            # The restart is silent; carnet restarts it again and it answers.
            model = wait_state(client, kernel, "idle")
            assert (spec / "launches").read_text() == "3", model
            assert (await ws.execute("1 + 1")).result() == "2"
            await ws.close()
    finally:
        server.stop()
