"""The kernel websocket of a real carnet, in both framings, with real ipykernel kernels."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api._kernelws import V1, KernelSocket, Msg, start_kernel_server, wait_state
from tests.conftest import CarnetServer

pytestmark = pytest.mark.asyncio

BOTH = pytest.mark.parametrize("protocols", [(V1,), ()], ids=["v1", "legacy"])

ECHO_TARGET = """
from comm import get_comm_manager
def _echo_target(comm, open_msg):
    comm.send({"opened": open_msg["content"]["data"]}, buffers=open_msg.get("buffers") or [])
    @comm.on_msg
    def _echo(msg):
        comm.send({"echo": msg["content"]["data"]}, buffers=msg.get("buffers") or [])
get_comm_manager().register_target("echo", _echo_target)
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CarnetServer]:
    server = start_kernel_server(tmp_path_factory.mktemp("kws"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def kernel(live: CarnetServer) -> str:
    with live.client() as client:
        kernel_id: str = client.post("api/kernels", json={}).json()["id"]
        wait_state(client, kernel_id, "idle")
    return kernel_id


@pytest.fixture
def client(live: CarnetServer) -> Iterator[httpx.Client]:
    with live.client() as c:
        yield c


async def opened(live: CarnetServer, kernel: str, **kw: Any) -> KernelSocket:
    """A socket whose first message (the status on connect) has been read and checked."""
    ws = await KernelSocket.open(live, kernel, **kw)
    first = await ws.recv()
    assert first.channel == "iopub" and first.msg_type == "status"
    return ws


# -- framings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [((V1,), V1), (("other", V1), V1), ((), None), (("other",), None)],
)
async def test_v1_is_chosen_whenever_offered(
    live: CarnetServer, kernel: str, offered: tuple[str, ...], chosen: str | None
) -> None:
    async with await KernelSocket.open(live, kernel, protocols=offered) as ws:
        assert ws.ws.subprotocol == chosen
        first = await ws.recv()
        assert first.frame_kind == ("binary" if chosen else "text")
        assert first.msg_type == "status"
        assert first.content["execution_state"] == "idle"


@BOTH
async def test_execute_in_each_framing(
    live: CarnetServer, kernel: str, protocols: tuple[str, ...]
) -> None:
    async with await opened(live, kernel, protocols=protocols) as ws:
        request = await ws.execute_request("print('out'); 1+1")
        run = await ws.finish(request)
    assert run.reply.channel == "shell" and run.reply.msg_type == "execute_reply"
    assert run.reply.content["status"] == "ok"
    assert run.reply.parent_header["msg_id"] == request["header"]["msg_id"]
    types = [m.msg_type for m in run.iopub]
    assert types[0] == "status" and types[-1] == "status"
    assert "execute_input" in types
    assert run.stream() == "out\n"
    assert run.result() == "2"
    expected = "binary" if protocols else "text"
    assert {m.frame_kind for m in [run.reply, *run.iopub]} == {expected}


@BOTH
async def test_errors_display_data_and_kernel_info(
    live: CarnetServer, kernel: str, protocols: tuple[str, ...]
) -> None:
    async with await opened(live, kernel, protocols=protocols) as ws:
        error = await ws.execute("1/0")
        assert error.reply.content["status"] == "error"
        assert error.of_type("error")[0].content["ename"] == "ZeroDivisionError"
        shown = await ws.execute(
            "from IPython.display import HTML, display; display(HTML('<b>x</b>'))"
        )
        assert shown.of_type("display_data")[0].content["data"]["text/html"] == "<b>x</b>"
        info = await ws.request("shell", "kernel_info_request", {})
        reply = await ws.reply_to(info)
        assert reply.msg_type == "kernel_info_reply"
        assert reply.content["language_info"]["name"] == "python"
        control = await ws.request("control", "kernel_info_request", {})
        reply = await ws.reply_to(control)
        assert reply.channel == "control"


@BOTH
async def test_comms_with_binary_buffers_both_ways(
    live: CarnetServer, kernel: str, protocols: tuple[str, ...]
) -> None:
    async with await opened(live, kernel, protocols=protocols) as ws:
        assert (await ws.execute(ECHO_TARGET)).reply.content["status"] == "ok"
        comm_id = uuid.uuid4().hex
        blob = bytes(range(256)) * 3
        await ws.request(
            "shell",
            "comm_open",
            {"comm_id": comm_id, "target_name": "echo", "data": {"hello": 1}},
            [blob],
        )
        opened_echo, _ = await ws.wait_for(lambda m: m.msg_type == "comm_msg")
        assert opened_echo.content["data"] == {"opened": {"hello": 1}}
        assert opened_echo.buffers == [blob]
        await ws.request(
            "shell", "comm_msg", {"comm_id": comm_id, "data": {"n": 2}}, [b"\x00\xff", b"two"]
        )
        echoed, _ = await ws.wait_for(lambda m: m.msg_type == "comm_msg")
        assert echoed.content == {"comm_id": comm_id, "data": {"echo": {"n": 2}}}
        assert echoed.buffers == [b"\x00\xff", b"two"]
        if not protocols:
            assert echoed.frame_kind == "binary"  # legacy framing switches to binary for buffers
        info = await ws.request("shell", "comm_info_request", {"target_name": "echo"})
        reply = await ws.reply_to(info)
        assert comm_id in reply.content["comms"]
        # A comm the kernel opens reaches the client on IOPub.
        run = await ws.execute(
            "from comm import create_comm\n"
            "_c = create_comm(target_name='from-kernel', data={'k': 1})"
        )
        opened_by_kernel = run.of_type("comm_open")
        assert opened_by_kernel and opened_by_kernel[0].content["target_name"] == "from-kernel"
        await ws.request("shell", "comm_close", {"comm_id": comm_id, "data": {}})


@BOTH
async def test_stdin_input(live: CarnetServer, kernel: str, protocols: tuple[str, ...]) -> None:
    bystander = await opened(live, kernel)
    async with await opened(live, kernel, protocols=protocols) as ws:
        prompts: list[str] = []

        def answer(msg: Msg) -> str:
            prompts.append(msg.content["prompt"])
            return "carnet"

        request = await ws.execute_request("x = input('name? '); print('hi', x)", allow_stdin=True)
        run = await ws.finish(request, on_input=answer)
    assert prompts == ["name? "]
    assert run.stream() == "hi carnet\n"
    # Another client of the kernel sees the output but is never asked for the input.
    msg_id = request["header"]["msg_id"]
    _, seen = await bystander.wait_for(lambda m: m.is_idle() and m.parent_id == msg_id)
    await bystander.close()
    assert not [m for m in seen if m.channel != "iopub"]
    assert "hi carnet\n" in [m.content.get("text") for m in seen]


async def test_several_clients_share_iopub_but_only_get_their_own_replies(
    live: CarnetServer, kernel: str, client: httpx.Client
) -> None:
    a = await opened(live, kernel, protocols=(V1,))
    b = await opened(live, kernel, protocols=())
    try:
        assert client.get(f"api/kernels/{kernel}").json()["connections"] == 2
        assert client.get("api/status").json()["connections"] >= 2
        request = await a.execute_request("print('shared')")
        run = await a.finish(request)
        assert run.stream() == "shared\n"
        mine = request["header"]["msg_id"]
        # B sees the same IOPub traffic but not A's reply.
        seen_by_b: list[Msg] = []
        while not (seen_by_b and seen_by_b[-1].is_idle() and seen_by_b[-1].parent_id == mine):
            seen_by_b.append(await b.recv())
        assert not [m for m in seen_by_b if m.channel == "shell"]
        assert "shared\n" in [m.content.get("text") for m in seen_by_b]
        # And B's own request is answered to B only.
        info = await b.request("shell", "kernel_info_request", {})
        reply, _ = await b.wait_for(lambda m: m.channel == "shell")
        assert reply.parent_id == info["header"]["msg_id"]
        check = await a.execute("pass")
        assert not [m for m in check.others if m.channel == "shell"]
    finally:
        await a.close()
        await b.close()


# -- replay and reconnects ----------------------------------------------------------------


async def test_replay_on_reconnect_with_the_same_session(
    live: CarnetServer, kernel: str, client: httpx.Client
) -> None:
    flag = live.root / f"go-{uuid.uuid4().hex}"
    session = uuid.uuid4().hex
    ws = await opened(live, kernel, session_id=session)
    code = (
        f"import os, time\nprint('before', flush=True)\n"
        f"while not os.path.exists({str(flag)!r}): time.sleep(0.02)\nprint('after'); 6*7"
    )
    request = await ws.execute_request(code)
    await ws.wait_for(lambda m: m.msg_type == "stream")
    await ws.close()
    flag.touch()
    wait_state(client, kernel, "idle")  # everything after 'before' is now in the buffer
    # Another client session does not get those messages...
    other = await KernelSocket.open(live, kernel)
    first = await other.recv()
    assert first.msg_type == "status"
    await other.close()
    # ...the returning one gets all of them, then the current status.
    back = await KernelSocket.open(live, kernel, session_id=session)
    replayed: list[Msg] = []
    while not (replayed and replayed[-1].msg_type == "status" and replayed[-1].parent_id is None):
        replayed.append(await back.recv())
    await back.close()
    mine = [m for m in replayed if m.parent_id == request["header"]["msg_id"]]
    assert "".join(m.content["text"] for m in mine if m.msg_type == "stream") == "after\n"
    assert [m.content["data"]["text/plain"] for m in mine if m.msg_type == "execute_result"] == [
        "42"
    ]
    assert [m.content["status"] for m in mine if m.msg_type == "execute_reply"] == ["ok"]
    # IOPub ends with the idle status; the shell reply travels on another socket, so it may
    # be replayed before or after it.
    assert [m for m in mine if m.channel == "iopub"][-1].is_idle()


async def test_a_new_connection_with_the_same_session_replaces_the_old(
    live: CarnetServer, kernel: str
) -> None:
    session = uuid.uuid4().hex
    old = await opened(live, kernel, session_id=session)
    new = await opened(live, kernel, session_id=session)
    await old.ws.wait_closed()
    assert old.ws.close_code == 1000
    assert (await new.execute("1")).result() == "1"
    await new.close()


# -- bad input ------------------------------------------------------------------------------


@BOTH
async def test_malformed_frames_are_dropped_and_the_connection_survives(
    live: CarnetServer, kernel: str, protocols: tuple[str, ...]
) -> None:
    async with await opened(live, kernel, protocols=protocols) as ws:
        bad: list[str | bytes] = [
            "not json",
            "[]",
            json.dumps({"channel": "shell", "header": {}}),
            json.dumps({"channel": "nope", "header": {"msg_id": "x", "msg_type": "y"}}),
            b"\x00",
            b"\x01\x00\x00\x00" * 4,
            b"\xff" * 64,
            (2**64 - 1).to_bytes(8, "little") + b"\x00" * 8,
        ]
        for frame in bad:
            await ws.ws.send(frame)
        iopub = ws.message("iopub", "status", {"execution_state": "idle"})
        await ws.send(iopub)
        assert (await ws.execute("21*2")).result() == "42"


# -- never dropping output -------------------------------------------------------------------


@BOTH
async def test_ten_megabytes_of_output_arrive_complete(
    live: CarnetServer, kernel: str, protocols: tuple[str, ...]
) -> None:
    """jupyter_server delivers none of this ("IOPub data rate exceeded", facts §2.4)."""
    async with await opened(live, kernel, protocols=protocols) as ws:
        run = await ws.execute("_s = 'x' * 1023\nfor _i in range(10000): print(_s)")
    assert run.stream() == ("x" * 1023 + "\n") * 10000
    assert "rate exceeded" not in run.stream("stderr")


async def test_ten_thousand_displays_arrive_in_order(live: CarnetServer, kernel: str) -> None:
    """jupyter_server drops about a fifth of these (IOPub message rate limit)."""
    async with await opened(live, kernel) as ws:
        run = await ws.execute(
            "from IPython.display import display\nfor i in range(10000): display(i)"
        )
    shown = [m.content["data"]["text/plain"] for m in run.of_type("display_data")]
    assert shown == [str(i) for i in range(10000)]
    assert not run.stream("stderr")


async def test_a_client_that_falls_behind_gets_the_exact_output(
    live: CarnetServer, kernel: str, client: httpx.Client
) -> None:
    """The client reads nothing while the kernel prints: output coalesces, nothing is lost."""
    ws = await opened(live, kernel, max_queue=1)
    request = await ws.execute_request("for i in range(60000): print(f'line {i:06d}', 'y' * 60)")
    wait_state(client, kernel, "busy")
    wait_state(client, kernel, "idle")  # all output is now in carnet or in socket buffers
    run = await ws.finish(request)
    await ws.close()
    expected = "".join(f"line {i:06d} {'y' * 60}\n" for i in range(60000))
    assert run.stream() == expected
    assert len(run.of_type("stream")) < 60000


# -- interrupt, TCP_NODELAY -----------------------------------------------------------------


async def test_interrupt_a_running_cell(
    live: CarnetServer, kernel: str, client: httpx.Client
) -> None:
    async with await opened(live, kernel) as ws:
        request = await ws.execute_request(
            "import time\nprint('sleeping', flush=True)\ntime.sleep(300)"
        )
        await ws.wait_for(lambda m: m.msg_type == "stream")
        assert client.post(f"api/kernels/{kernel}/interrupt").status_code == 204
        run = await ws.finish(request)
    assert run.reply.content["status"] == "error"
    assert run.reply.content["ename"] == "KeyboardInterrupt"


async def test_sockets_have_tcp_nodelay(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process: every socket the server accepted (HTTP and the kernel websocket)."""
    import gc
    import socket
    import threading

    from carnet.config.settings import Settings
    from carnet.server import ServerInfo, prepare, serve

    tmp = tmp_path_factory.mktemp("nodelay")
    (tmp / "root").mkdir()
    settings = Settings(
        ip="127.0.0.1",
        port=0,
        root_dir=str(tmp / "root"),
        token="t0k",
        open_browser=False,
        kernel_pool_size=0,
    )
    plan = prepare(settings, environ={"JUPYTER_RUNTIME_DIR": str(tmp / "rt")})
    ready: list[ServerInfo] = []
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp / "data"))
    thread = threading.Thread(target=lambda: asyncio.run(serve(plan, ready.append)), daemon=True)
    thread.start()
    for _ in range(600):
        if ready:
            break
        await asyncio.sleep(0.05)
    port = ready[0].port
    base = f"http://127.0.0.1:{port}/"
    headers = {"Authorization": "token t0k"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        kernel_id = (await http.post("api/kernels", json={})).json()["id"]
        from websockets.asyncio.client import connect

        async with connect(
            f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?session_id=s",
            additional_headers=headers,
            subprotocols=[V1],  # type: ignore[list-item]
        ) as ws:
            await ws.recv()
            client_end = ws.transport.get_extra_info("sockname")
            accepted = [
                o
                for o in gc.get_objects()
                if type(o) is socket.socket  # (not isinstance: gc also holds dead proxies)
                and o.fileno() >= 0
                and o.type == socket.SOCK_STREAM
                and o.family == socket.AF_INET
                and o.getsockname()[1] == port
                and _peer(o) is not None
            ]
            ours = [s for s in accepted if _peer(s) == client_end]
            assert ours, "the server's end of the kernel websocket was not found"
            for sock in accepted:
                assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), sock
        await http.post("api/shutdown")
    thread.join(30)
    assert not thread.is_alive()


def _peer(sock: Any) -> Any:
    try:
        return sock.getpeername()
    except OSError:
        return None
