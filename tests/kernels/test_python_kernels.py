"""KernelService with real ipykernel kernels: one service and a few kernels for the module.

The module's kernel comes from the warm pool; a second one is started cold on the same
service (an extra environment variable forces that) to compare the two.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import pytest_asyncio

from carnet.errors import BadRequest, Forbidden, NotFound
from carnet.kernels import (
    CloseReason,
    ConnectionClosed,
    KernelModel,
    KernelService,
    KernelSpecs,
)
from carnet.protocol import FrameError, Message
from tests.kernels._client import Client

pytestmark = pytest.mark.asyncio(loop_scope="module")

NOTEBOOK = "nb/sub dir/analysis.ipynb"

SNAPSHOT = """
import json as _json, os as _os, sys as _sys
_ip = get_ipython()
print(_json.dumps({
    "cwd": _os.getcwd(),
    "sys_path": _sys.path,
    "env": dict(_os.environ),
    "session": _ip.user_ns.get("__session__"),
    "starting_dir": _ip.starting_dir,
    "dh": [str(p) for p in _ip.user_ns.get("_dh", [])],
    "names": sorted(k for k in _ip.user_ns if not k.startswith("_")),
    "execution_count": _ip.execution_count,
    "history": len(_ip.user_ns["In"]),
}))
"""


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def service(kernel_dirs: tuple[Path, Path]) -> AsyncIterator[KernelService]:
    root, runtime = kernel_dirs
    async with KernelService(specs=KernelSpecs(), root_dir=root, runtime_dir=runtime) as svc:
        await svc.wait_pool_ready()
        yield svc


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def pooled(service: KernelService, kernel_dirs: tuple[Path, Path]) -> KernelModel:
    root = kernel_dirs[0]
    return await service.start(path=NOTEBOOK, env={"JPY_SESSION_NAME": str(root / NOTEBOOK)})


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def cold(service: KernelService, kernel_dirs: tuple[Path, Path]) -> KernelModel:
    root = kernel_dirs[0]
    env = {"JPY_SESSION_NAME": str(root / NOTEBOOK), "CARNET_TEST_COLD": "1"}
    return await service.start(path=NOTEBOOK, env=env)


async def client(service: KernelService, kernel_id: str, framing: str = "v1", **kw: Any) -> Client:
    c = Client(await service.connect(kernel_id, **kw), framing)
    first = await c.recv()
    assert first.msg_type == "status"  # every connection starts with the kernel's state
    return c


async def snapshot(c: Client) -> dict[str, Any]:
    run = await c.execute(SNAPSHOT, store_history=False, silent=False)
    assert run.reply.content["status"] == "ok", run.reply.content
    data: dict[str, Any] = json.loads(run.stream_text())
    return data


def kernel_processes() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


async def wait_state(service: KernelService, kernel_id: str, state: str) -> KernelModel:
    for _ in range(600):
        model = service.get(kernel_id)
        if model["execution_state"] == state:
            return model
        await asyncio.sleep(0.1)
    raise AssertionError(f"kernel never became {state}: {service.get(kernel_id)}")


# -- starting -----------------------------------------------------------------------------


async def test_pooled_kernel_is_ready_at_once(service: KernelService, pooled: KernelModel) -> None:
    assert pooled["name"] == "python3"
    assert pooled["execution_state"] == "idle"
    assert pooled["connections"] == 0
    assert "reason" not in pooled
    assert service.list() == [service.get(pooled["id"])] or len(service.list()) >= 1


async def test_pooled_kernel_is_indistinguishable_from_a_cold_one(
    service: KernelService, pooled: KernelModel, cold: KernelModel, kernel_dirs: tuple[Path, Path]
) -> None:
    root = kernel_dirs[0]
    a, b = await client(service, pooled["id"]), await client(service, cold["id"])
    warm, fresh = await snapshot(a), await snapshot(b)
    a.conn.close()
    b.conn.close()
    fresh["env"].pop("CARNET_TEST_COLD")
    for state in (warm, fresh):  # pytest's own per-test marker differs, by design
        state["env"].pop("PYTEST_CURRENT_TEST", None)
    assert warm["cwd"] == str((root / NOTEBOOK).parent.resolve())
    assert warm["session"] == str(root / NOTEBOOK)
    assert warm["execution_count"] == 1 and warm["history"] == 1
    assert warm == fresh


async def test_connection_files_are_private_and_use_ipc(
    service: KernelService, pooled: KernelModel, kernel_dirs: tuple[Path, Path]
) -> None:
    runtime = kernel_dirs[1]
    path = runtime / f"kernel-{pooled['id']}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    info = json.loads(path.read_text())
    assert info["transport"] == "ipc"
    assert info["jupyter_session"].endswith("analysis.ipynb")
    assert Path(info["ip"]).parent == runtime


# -- messaging ----------------------------------------------------------------------------


@pytest.mark.parametrize("framing", ["v1", "legacy"])
async def test_execute_in_each_framing(
    service: KernelService, pooled: KernelModel, framing: str
) -> None:
    c = await client(service, pooled["id"], framing)
    run = await c.execute("1+1")
    assert run.reply.content["status"] == "ok"
    assert run.result() == "2"
    assert [m.msg_type for m in run.iopub] == [
        "status",
        "execute_input",
        "execute_result",
        "status",
    ]
    kinds = {type(f) for f in c.frames_out}
    assert kinds == ({bytes} if framing == "v1" else {str})
    c.conn.close()


ECHO_TARGET = """
def _carnet_echo(comm, open_msg):
    @comm.on_msg
    def _(msg):
        bufs = [bytes(b)[::-1] for b in msg["buffers"]]
        comm.send({"n": len(bufs)}, buffers=bufs)
get_ipython().kernel.comm_manager.register_target("carnet-echo", _carnet_echo)
"""


@pytest.mark.parametrize("framing", ["v1", "legacy"])
async def test_binary_buffers_travel_both_ways(
    service: KernelService, pooled: KernelModel, framing: str
) -> None:
    c = await client(service, pooled["id"], framing)
    assert (await c.execute(ECHO_TARGET)).reply.content["status"] == "ok"
    comm_id = f"comm-{framing}"
    await c.send(
        c.message(
            "shell", "comm_open", {"comm_id": comm_id, "target_name": "carnet-echo", "data": {}}
        )
    )
    payload = (b"\x00\x01\x02abc", b"", b"\xff" * 3000)
    await c.send(c.message("shell", "comm_msg", {"comm_id": comm_id, "data": {}}, payload))
    got, _ = await c.wait_for(
        lambda m: m.msg_type == "comm_msg" and m.content["comm_id"] == comm_id
    )
    assert got.content["data"] == {"n": 3}
    assert got.buffers == [p[::-1] for p in payload]
    if framing == "legacy":
        assert any(isinstance(f, bytes) for f in c.frames_out)  # the binary legacy framing
    c.conn.close()


async def test_stdin_input_round_trip(service: KernelService, pooled: KernelModel) -> None:
    c = await client(service, pooled["id"])
    prompts = []

    def answer(request: Any) -> str:
        prompts.append(request.content["prompt"])
        return "ab✓"

    request = await c.start_execute("x = input('name? ')\nprint(x * 2)", allow_stdin=True)
    run = await c.finish(request, on_input=answer)
    assert prompts == ["name? "]
    assert run.stream_text() == "ab✓ab✓\n"
    c.conn.close()


async def test_two_clients_share_iopub_but_not_replies(
    service: KernelService, pooled: KernelModel
) -> None:
    before = service.get(pooled["id"])["connections"]
    a = await client(service, pooled["id"], "v1")
    b = await client(service, pooled["id"], "legacy")
    assert service.get(pooled["id"])["connections"] == before + 2
    run_a = await a.execute("'from a'")
    run_b = await b.execute("'from b'")
    assert run_a.result() == "'from a'" and run_b.result() == "'from b'"
    seen_by_b = run_b.others + b.pending()
    seen_by_a = run_a.others + a.pending()
    # IOPub of the other client's execution arrives; its shell reply never does.
    assert any(
        m.msg_type == "execute_input" and m.parent_id == run_a.reply.parent_id for m in seen_by_b
    )
    assert not [m for m in seen_by_b if m.channel == "shell"]
    assert any(
        m.msg_type == "execute_input" and m.parent_id == run_b.reply.parent_id
        for m in seen_by_a + a.pending()
    )
    assert not [m for m in seen_by_a if m.channel == "shell"]
    a.conn.close()
    b.conn.close()
    assert service.get(pooled["id"])["connections"] == before


async def test_replay_after_reconnect_with_the_same_session(
    service: KernelService, pooled: KernelModel
) -> None:
    first = await client(service, pooled["id"], session_id="replay-session")
    request = await first.start_execute("print('while you were away')")
    first.conn.close()
    with pytest.raises(ConnectionClosed):
        await first.conn.receive()
    # Another session runs something meanwhile; its reply must not reach the first one.
    other = await client(service, pooled["id"], session_id="other-session")
    other_run = await other.execute("'other'")
    # Reconnect: buffered reply and output come back, then the connect-time status.
    again = Client(await service.connect(pooled["id"], "replay-session"))
    run = await again.finish(request)
    assert run.reply.content["status"] == "ok"
    assert run.stream_text() == "while you were away\n"
    rest = run.others + again.pending()
    assert not [
        m for m in rest if m.channel == "shell" and m.parent_id == other_run.reply.parent_id
    ]
    assert any(m.msg_type == "status" and not m.parent_header for m in rest)
    again.conn.close()
    other.conn.close()


async def test_a_new_connection_replaces_one_with_the_same_session(
    service: KernelService, pooled: KernelModel
) -> None:
    old = await client(service, pooled["id"], session_id="dup")
    new = await client(service, pooled["id"], session_id="dup")
    with pytest.raises(ConnectionClosed) as info:
        await old.conn.receive()
    assert info.value.reason is CloseReason.REPLACED
    assert (await new.execute("3*3")).result() == "9"
    new.conn.close()


async def test_a_slow_client_gets_coalesced_exact_output(
    service: KernelService, pooled: KernelModel
) -> None:
    slow = await client(service, pooled["id"], "legacy")
    fast = await client(service, pooled["id"])
    code = "for i in range(3000):\n    print(i, flush=True)"
    run = await fast.execute(code)
    expected = "".join(f"{i}\n" for i in range(3000))
    assert run.stream_text() == expected
    # The slow client read nothing meanwhile: the same text, in a few merged messages.
    got = slow.pending()
    streams = [m for m in got if m.msg_type == "stream"]
    assert "".join(m.content["text"] for m in streams) == expected
    assert len(streams) < 10
    slow.conn.close()
    fast.conn.close()


async def test_client_messages_are_validated(service: KernelService, pooled: KernelModel) -> None:
    c = await client(service, pooled["id"])
    with pytest.raises(FrameError):
        await c.conn.send(c.message("iopub", "status", {}))
    with pytest.raises(FrameError):
        await c.conn.send(Message("shell", [b"{}", b"{}", b"{}", b"{}"]))
    assert (await c.execute("1")).result() == "1"
    c.conn.close()
    with pytest.raises(ConnectionClosed):
        await c.conn.send(c.message("shell", "kernel_info_request", {}))


# -- control ------------------------------------------------------------------------------


async def test_interrupt(service: KernelService, pooled: KernelModel) -> None:
    c = await client(service, pooled["id"])
    request = await c.start_execute("import time\nprint('sleeping', flush=True)\ntime.sleep(120)")
    # Once the cell prints, it runs (ipykernel ignores SIGINT outside of executions).
    await c.wait_for(lambda m: m.msg_type == "stream" and m.parent_id == request.msg_id)
    await service.interrupt(pooled["id"])
    run = await c.finish(request)
    assert run.reply.content["status"] == "error"
    assert run.reply.content["ename"] == "KeyboardInterrupt"
    c.conn.close()


async def test_restart_keeps_id_directory_and_environment(
    service: KernelService, pooled: KernelModel, kernel_dirs: tuple[Path, Path]
) -> None:
    c = await client(service, pooled["id"])
    await c.execute("before_restart = 1")
    pid = service.process_id(pooled["id"])
    model = await service.restart(pooled["id"])
    assert model["id"] == pooled["id"]
    assert model["execution_state"] == "idle"
    assert service.process_id(pooled["id"]) != pid
    state = await snapshot(c)  # the same connection works after the restart
    assert state["cwd"] == str((kernel_dirs[0] / NOTEBOOK).parent.resolve())
    assert state["env"]["JPY_SESSION_NAME"].endswith("analysis.ipynb")
    assert "before_restart" not in state["names"]
    c.conn.close()


async def test_kill_9_is_reported_with_its_cause_then_restarted(
    service: KernelService, pooled: KernelModel
) -> None:
    c = await client(service, pooled["id"], "legacy")
    pid = service.process_id(pooled["id"])
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    notice, _ = await c.wait_for(
        lambda m: (
            m.msg_type == "status"
            and m.channel == "iopub"
            and m.content["execution_state"] == "restarting"
        )
    )
    assert "SIGKILL" in notice.content["reason"]
    model = service.get(pooled["id"])
    assert "SIGKILL" in model.get("reason", "") and "memory" in model.get("reason", "")
    model = await wait_state(service, pooled["id"], "idle")
    assert service.process_id(pooled["id"]) not in (None, pid)
    assert (await c.execute("40+2")).result() == "42"
    c.conn.close()


# -- bad input leaves nothing behind ------------------------------------------------------


async def test_unknown_kernel_name_leaves_no_phantom(
    service: KernelService, pooled: KernelModel, kernel_dirs: tuple[Path, Path]
) -> None:
    runtime = kernel_dirs[1]
    before = (service.list(), sorted(os.listdir(runtime)), kernel_processes())
    for name in ("no-such-kernel", "../python3", "", "python3\0"):
        with pytest.raises(NotFound) as info:
            await service.start(name=name)
        assert info.value.status == 404
        assert "python3" in info.value.message  # says what is installed
    with pytest.raises(BadRequest):
        await service.start(name=3)  # type: ignore[arg-type]
    assert (service.list(), sorted(os.listdir(runtime)), kernel_processes()) == before


async def test_paths_outside_the_root_are_refused(
    service: KernelService, pooled: KernelModel, kernel_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    root, runtime = kernel_dirs
    (root / "escape").symlink_to(tmp_path, target_is_directory=True)
    before = (service.list(), sorted(os.listdir(runtime)), kernel_processes())
    for path in ("../x.ipynb", "nb/../../x.ipynb", "escape/x.ipynb"):
        with pytest.raises(Forbidden):
            await service.start(path=path)
    with pytest.raises(BadRequest):
        await service.start(path="nb/\0.ipynb")
    with pytest.raises(BadRequest):
        await service.start(env={"A": 1})  # type: ignore[dict-item]
    with pytest.raises(BadRequest):
        await service.start(env={"A=B": "x"})
    assert (service.list(), sorted(os.listdir(runtime)), kernel_processes()) == before


async def test_unknown_kernel_ids_and_bad_session_ids(
    service: KernelService, pooled: KernelModel
) -> None:
    for call in (
        lambda: service.get("nope"),
        lambda: service.process_id("nope"),
    ):
        with pytest.raises(NotFound):
            call()
    for coro in (
        service.connect("nope"),
        service.interrupt("nope"),
        service.restart("nope"),
        service.shutdown("nope"),
    ):
        with pytest.raises(NotFound):
            await coro
    for bad in ("x" * 300, "tab\there"):
        with pytest.raises(BadRequest):
            await service.connect(pooled["id"], bad)


# -- stopping -----------------------------------------------------------------------------


async def test_shutdown_ends_connections_and_the_process(
    service: KernelService, cold: KernelModel, kernel_dirs: tuple[Path, Path]
) -> None:
    c = await client(service, cold["id"])
    pid = service.process_id(cold["id"])
    await service.shutdown(cold["id"])
    with pytest.raises(ConnectionClosed) as info:
        while True:
            await c.recv()
    assert info.value.reason is CloseReason.KERNEL_SHUTDOWN
    assert pid is not None and not psutil.pid_exists(pid)
    assert cold["id"] not in service
    assert not list(kernel_dirs[1].glob(f"kernel-{cold['id']}*"))
    with pytest.raises(NotFound):
        service.get(cold["id"])
