"""The terminal service on real ptys: names, output, input, sizes, scrollback, ends."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import anyio
import pytest

from carnet.errors import BadRequest, Conflict, Forbidden, NotFound, ServiceUnavailable
from carnet.terminals import TerminalService
from carnet.terminals.attachment import HIGH_WATER, MAX_FRAME
from tests.terminals.conftest import (
    ENV,
    SHELL,
    WAIT_S,
    Recorder,
    gone,
    read_to_end,
    read_until,
    run,
)

pytestmark = [
    pytest.mark.asyncio,
    # Python >= 3.12 warns about fork() in a process with threads; ptyprocess forks the
    # shell (as in jupyter_server) and execs at once, which is safe.
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
]


async def test_names_list_get(service: TerminalService) -> None:
    first = await service.create()
    second = await service.create()
    named = await service.create(name="build-1.x")
    assert [first["name"], second["name"], named["name"]] == ["1", "2", "build-1.x"]
    assert [m["name"] for m in service.list()] == ["1", "2", "build-1.x"]
    assert service.get("2")["name"] == "2"
    assert service.get("1")["last_activity"].endswith("Z")
    assert len(service) == 3
    with pytest.raises(Conflict):
        await service.create(name="build-1.x")
    with pytest.raises(NotFound):
        service.get("nope")
    await service.terminate("1")
    # Like terminado, the lowest free number is used again.
    assert (await service.create())["name"] == "1"


@pytest.mark.parametrize("name", ["", "a/b", "..", ".", "x" * 65, "é", "a b", "a\n", "%2F"])
async def test_bad_names_are_refused(service: TerminalService, name: str) -> None:
    with pytest.raises(BadRequest):
        await service.create(name=name)
    assert service.list() == []


async def test_echo_hi(service: TerminalService) -> None:
    name = (await service.create())["name"]
    attachment = service.attach(name)
    await attachment.send_input("echo h''i\r")
    await read_until(attachment, "hi\r\n")


async def test_set_size_changes_tput_cols_and_smallest_client_wins(
    service: TerminalService,
) -> None:
    name = (await service.create())["name"]
    wide = service.attach(name)
    wide.resize(40, 132)
    assert "132\r\n" in await run(wide, "tput cols", "DONE1")
    narrow = service.attach(name)
    narrow.resize(30, 77)
    assert "77\r\n" in await run(wide, "tput cols", "DONE2")
    narrow.close()
    assert "132\r\n" in await run(wide, "tput cols", "DONE3")


async def test_reattach_gets_the_scrollback_then_live_output(service: TerminalService) -> None:
    name = (await service.create())["name"]
    first = service.attach(name)
    await run(first, "echo scroll''back-1", "MARK1")
    first.close()
    assert await first.receive() is None
    second = service.attach(name)
    replay = await read_until(second, "MARK1\r\n")
    assert "scrollback-1\r\n" in replay
    assert "live-2" in await run(second, "echo live''-2", "MARK2")


async def test_output_while_nobody_is_attached_is_kept(service: TerminalService) -> None:
    name = (await service.create())["name"]
    probe = service.attach(name)
    await probe.send_input("echo unatt''ended\r")
    await read_until(probe, "unattended\r\n")
    probe.close()
    later = service.attach(name)
    assert "unattended\r\n" in await read_until(later, "unattended\r\n")


async def test_scrollback_is_bounded(root: Path) -> None:
    service = TerminalService(
        root_dir=root, shell_command=SHELL, extra_env=ENV, scrollback_chars=2000
    )
    try:
        name = (await service.create())["name"]
        attachment = service.attach(name)
        await run(attachment, "seq 1 20000", "SEQDONE")
        attachment.close()
        replay = await read_until(service.attach(name), "SEQDONE\r\n")
        assert len(replay) <= 2000
        assert "20000\r\n" in replay and "\r\n1\r\n" not in replay
    finally:
        await service.aclose()


async def test_exit_ends_the_terminal_and_tells_clients(
    service: TerminalService, recorder: Recorder
) -> None:
    name = (await service.create(user="ada", address="10.1.2.3"))["name"]
    attachment = service.attach(name)
    await attachment.send_input("echo by''e; exit\r")
    assert "bye" in await read_to_end(attachment)
    assert attachment.ended
    assert service.list() == []
    with pytest.raises(NotFound):
        service.attach(name)
    (start,) = recorder.named("start")
    assert (start["name"], start["user"], start["address"]) == (name, "ada", "10.1.2.3")
    assert start["command"] == SHELL and start["cwd"] == ""
    (end,) = recorder.named("end")
    assert (end["name"], end["reason"], end["user"], end["address"]) == (
        name,
        "exited",
        "ada",
        "10.1.2.3",
    )


async def test_terminate_kills_the_shell_and_its_jobs(
    service: TerminalService, recorder: Recorder
) -> None:
    name = (await service.create(user="ada"))["name"]
    attachment = service.attach(name)
    text = await run(attachment, "sleep 1000 & echo job=$!", "STARTED")
    job = int(text.split("job=")[-1].split("\r\n")[0])
    pid = service.pid(name)
    await service.terminate(name, user="bob", address="127.0.0.9")
    await read_to_end(attachment)
    assert attachment.ended
    assert gone(pid)
    with pytest.raises(NotFound):
        await service.terminate(name)
    (end,) = recorder.named("end")
    assert (end["reason"], end["user"], end["address"]) == ("deleted", "bob", "127.0.0.9")
    # The background job got the hangup too (it may stay a zombie until reaped by init).
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while not gone(job):
        assert asyncio.get_running_loop().time() < deadline, "background job survived"
        await asyncio.sleep(0.05)


async def test_cwd_inside_root(service: TerminalService, root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    for cwd in ("sub/deeper", "/sub/deeper", str(root / "sub" / "deeper"), "sub/./deeper/"):
        name = (await service.create(cwd=cwd))["name"]
        attachment = service.attach(name)
        text = await run(attachment, "pwd", f"PWD{name}")
        assert f"{(root / 'sub' / 'deeper').resolve()}\r\n" in text, cwd
    # A missing directory starts in the root, as in Jupyter.
    name = (await service.create(cwd="not/there"))["name"]
    text = await run(service.attach(name), "pwd", "PWDMISSING")
    assert f"{root.resolve()}\r\n" in text


@pytest.mark.parametrize("cwd", ["..", "../", "sub/../..", "/../..", "link-out", "link-out/x"])
async def test_cwd_outside_root_is_refused(
    service: TerminalService, root: Path, tmp_path: Path, cwd: str
) -> None:
    (root / "sub").mkdir()
    outside = tmp_path / "outside"
    (outside / "x").mkdir(parents=True)
    (root / "link-out").symlink_to(outside)
    with pytest.raises(Forbidden):
        await service.create(cwd=cwd)
    assert service.list() == []


async def test_cwd_with_nul_is_refused(service: TerminalService) -> None:
    with pytest.raises(BadRequest):
        await service.create(cwd="a\0b")


async def test_missing_shell_leaves_nothing(root: Path, recorder: Recorder) -> None:
    service = TerminalService(
        root_dir=root, shell_command=[str(root / "no-such-shell")], on_event=recorder
    )
    try:
        with pytest.raises(ServiceUnavailable):
            await service.create()
        assert service.list() == [] and recorder.events == []
    finally:
        await service.aclose()


async def test_stuck_input_blocks_only_its_own_terminal(service: TerminalService) -> None:
    stuck = (await service.create())["name"]
    stuck_client = service.attach(stuck)
    await run(stuck_client, "echo ready", "READY")
    await stuck_client.send_input("sleep 1000\r")
    # A paste far larger than the pty's input buffer, to a program that reads nothing.
    paste = asyncio.ensure_future(stuck_client.send_input("x" * 2_000_000))
    other = service.attach((await service.create())["name"])
    await other.send_input("echo h''i\r")
    await read_until(other, "hi\r\n")
    await service.terminate(stuck)
    await asyncio.wait_for(paste, WAIT_S)


async def test_slow_client_pauses_the_pty_instead_of_buffering(service: TerminalService) -> None:
    name = (await service.create())["name"]
    slow = service.attach(name)
    await slow.send_input("seq 1 400000; echo SEQ''END\r")
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while slow.pending <= HIGH_WATER:
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    # Paused: at most one more read (64 KiB) arrived after the high-water mark.
    assert slow.pending <= HIGH_WATER + 65536
    text = await read_until(slow, "SEQEND\r\n")
    assert "\r\n400000\r\n" in text


async def test_frames_are_bounded(service: TerminalService) -> None:
    name = (await service.create())["name"]
    attachment = service.attach(name)
    await run(attachment, "seq 1 200000", "BIGDONE")
    attachment.close()
    again = service.attach(name)
    first = await again.receive()
    assert first is not None and len(first) <= MAX_FRAME


async def test_aclose_stops_everything_and_refuses_new_terminals(
    root: Path, recorder: Recorder
) -> None:
    service = TerminalService(root_dir=root, shell_command=SHELL, extra_env=ENV, on_event=recorder)
    names = [(await service.create())["name"] for _ in range(3)]
    pids = [service.pid(name) for name in names]
    await service.aclose()
    assert all(gone(pid) for pid in pids)
    assert service.list() == []
    assert [e["reason"] for e in recorder.named("end")] == ["shutdown"] * 3
    with pytest.raises(ServiceUnavailable):
        await service.create()
    await service.aclose()


async def test_run_stops_every_terminal_when_cancelled(root: Path) -> None:
    service = TerminalService(root_dir=root, shell_command=SHELL, extra_env=ENV)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(service.run)
        name = (await service.create())["name"]
        pid = service.pid(name)
        tasks.cancel_scope.cancel()
    assert gone(pid) and service.list() == []


async def test_cull_inactive(root: Path, recorder: Recorder) -> None:
    service = TerminalService(
        root_dir=root,
        shell_command=SHELL,
        extra_env=ENV,
        cull_inactive_timeout=0.2,
        cull_interval=0.05,
        on_event=recorder,
    )
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(service.run)
        name = (await service.create(user="ada"))["name"]
        pid = service.pid(name)
        deadline = asyncio.get_running_loop().time() + WAIT_S
        while service.list():
            assert asyncio.get_running_loop().time() < deadline, "never culled"
            await asyncio.sleep(0.05)
        tasks.cancel_scope.cancel()
    assert gone(pid)
    (end,) = recorder.named("end")
    assert (end["reason"], end["user"]) == ("culled", "ada")


async def test_no_culling_by_default(service: TerminalService) -> None:
    await service.create()
    assert await service.cull_inactive() == []
    assert len(service) == 1


async def test_input_after_end_is_dropped(service: TerminalService) -> None:
    name = (await service.create())["name"]
    attachment = service.attach(name)
    await service.terminate(name)
    await attachment.send_input("echo nothing\r")
    attachment.resize(10, 10)
    assert await read_to_end(attachment) is not None


async def test_constructor_refuses_bad_arguments(root: Path) -> None:
    with pytest.raises(ValueError):
        TerminalService(root_dir=root, shell_command=[])
    with pytest.raises(ValueError):
        TerminalService(root_dir=root, shell_command=[""])
    with pytest.raises(ValueError):
        TerminalService(root_dir=root, shell_command=SHELL, scrollback_chars=0)


async def test_environment(service: TerminalService, root: Path) -> None:
    service.extra_env["CARNET_TEST_VAR"] = "v-42"
    name = (await service.create())["name"]
    text = await run(service.attach(name), "echo $TERM $CARNET_TEST_VAR", "ENVDONE")
    assert "xterm-256color v-42\r\n" in text
    assert os.environ.get("CARNET_TEST_VAR") is None


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts /proc/self/fd")
async def test_no_descriptor_or_thread_is_left_behind(root: Path) -> None:
    import threading

    service = TerminalService(root_dir=root, shell_command=SHELL, extra_env=ENV)
    warm = (await service.create())["name"]  # terminado's own thread and fds, once
    await service.terminate(warm)

    def counts() -> tuple[int, int]:
        return len(os.listdir("/proc/self/fd")), threading.active_count()

    before = counts()
    for _ in range(5):
        name = (await service.create())["name"]
        attachment = service.attach(name)
        await run(attachment, "echo x", "XDONE")
        await service.terminate(name)
        attachment.close()
    deadline = asyncio.get_running_loop().time() + WAIT_S
    while any(now > then for now, then in zip(counts(), before, strict=True)):
        assert asyncio.get_running_loop().time() < deadline, (counts(), before)
        await asyncio.sleep(0.02)
    await service.aclose()
