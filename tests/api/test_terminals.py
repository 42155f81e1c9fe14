"""Terminals over HTTP and websocket against a real carnet: Jupyter's models and codes,
terminado's protocol, scrollback on reattach, confinement, audit, and clean shutdown."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.api._termws import WAIT_S, TermClient, term_url
from tests.conftest import CarnetServer, JupyterEnv, _new_env, start_carnet

SH = "--ServerApp.terminado_settings={'shell_command': ['/bin/sh']}"


@pytest.fixture(scope="module")
def term_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CarnetServer]:
    """One server running plain ``sh`` terminals, for tests that don't disturb each other."""
    jenv = _new_env(tmp_path_factory.mktemp("terminals"))
    server = start_carnet(jenv, SH, env={"PS1": "$ "})
    yield server
    server.stop()


def create(server: CarnetServer, **body: object) -> str:
    with server.client() as client:
        response = client.post("api/terminals", json=body)
        assert response.status_code == 200, response.text
        model = response.json()
        assert set(model) == {"name", "last_activity"}
        return str(model["name"])


def audit_events(server: CarnetServer, prefix: str = "terminal.") -> list[dict[str, object]]:
    path = server.jenv.runtime_dir / "carnet-audit.log"
    lines = path.read_text().splitlines() if path.exists() else []
    return [e for e in map(json.loads, lines) if str(e["event"]).startswith(prefix)]


def gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not all(gone(pid) for pid in pids):
        assert time.monotonic() < deadline, [p for p in pids if not gone(p)]
        time.sleep(0.05)


# -- REST ------------------------------------------------------------------------------------


def test_create_list_get_delete(term_server: CarnetServer) -> None:
    with term_server.client() as client:
        empty_body = client.post("api/terminals")
        assert empty_body.status_code == 200
        name = empty_body.json()["name"]
        assert name.isdigit()
        named = client.post("api/terminals", json={"name": "my-term"})
        assert named.status_code == 200 and named.json()["name"] == "my-term"
        listed = {m["name"] for m in client.get("api/terminals").json()}
        assert {name, "my-term"} <= listed
        one = client.get(f"api/terminals/{name}")
        assert one.status_code == 200 and one.json()["name"] == name
        assert one.json()["last_activity"].endswith("Z")
        for victim in (name, "my-term"):
            deleted = client.delete(f"api/terminals/{victim}")
            assert deleted.status_code == 204 and deleted.content == b""
            missing = client.get(f"api/terminals/{victim}")
            assert missing.status_code == 404
            assert missing.json() == {
                "message": f"Terminal not found: {victim}",
                "reason": "no such terminal",
            }
            assert client.delete(f"api/terminals/{victim}").status_code == 404
        assert {name, "my-term"}.isdisjoint(m["name"] for m in client.get("api/terminals").json())


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{bad json", 400),
        (b"[1, 2]", 400),
        (b'"text"', 400),
        (b'{"name": 5}', 400),
        (b'{"name": ["a"]}', 400),
        (b'{"cwd": 7}', 400),
        (b'{"cwd": {"a": 1}}', 400),
        (b'{"name": "a/b"}', 400),
        (b'{"name": "../x"}', 400),
        (b'{"name": ""}', 400),
        (b'{"name": "' + b"x" * 65 + b'"}', 400),
        (b"\xff\xfe", 400),
        (b'{"cwd": "../"}', 403),
        (b'{"cwd": "a/../../x"}', 403),
        (b'{"cwd": "a\\u0000b"}', 400),
    ],
)
def test_bad_create_input_is_4xx_and_leaves_nothing(
    term_server: CarnetServer, body: bytes, status: int
) -> None:
    with term_server.client() as client:
        before = client.get("api/terminals").json()
        response = client.post(
            "api/terminals", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == status, response.text
        assert response.json()["message"]
        assert client.get("api/terminals").json() == before


def test_name_taken_is_409(term_server: CarnetServer) -> None:
    create(term_server, name="taken")
    with term_server.client() as client:
        again = client.post("api/terminals", json={"name": "taken"})
        assert again.status_code == 409 and again.json()["reason"] == "name taken"
        client.delete("api/terminals/taken")


def test_cwd_symlink_out_of_root_is_refused(term_server: CarnetServer, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (term_server.root / "escape").symlink_to(outside)
    with term_server.client() as client:
        response = client.post("api/terminals", json={"cwd": "escape"})
        assert response.status_code == 403
        assert response.json()["reason"] == "outside root"


def test_cwd_inside_root(term_server: CarnetServer) -> None:
    (term_server.root / "work" / "dir").mkdir(parents=True)
    name = create(term_server, cwd="work/dir")
    with TermClient(term_server, name) as term:
        assert f"{(term_server.root / 'work' / 'dir').resolve()}\r\n" in term.run("pwd", "PWDOK")


def test_unknown_methods_and_paths(term_server: CarnetServer) -> None:
    with term_server.client() as client:
        assert client.put("api/terminals").status_code == 405
        assert client.patch("api/terminals/1").status_code == 405
        assert client.get("api/terminals/a/b").status_code == 404
        # The websocket path is not an HTTP resource.
        assert client.get("terminals/websocket/1").status_code == 404


def test_requires_authentication(term_server: CarnetServer) -> None:
    with term_server.client(token=False) as anon:
        assert anon.get("api/terminals").status_code == 403
        assert anon.post("api/terminals", json={}).status_code == 403
    with pytest.raises(InvalidStatus) as info:
        connect(term_url(term_server, "1"), open_timeout=WAIT_S)
    assert info.value.response.status_code == 403


# -- websocket -------------------------------------------------------------------------------


def test_echo_hi(term_server: CarnetServer) -> None:
    name = create(term_server)
    with TermClient(term_server, name) as term:
        term.stdin("echo h''i\r")
        term.read_until("hi\r\n")


def test_set_size_changes_tput_cols(term_server: CarnetServer) -> None:
    name = create(term_server)
    with TermClient(term_server, name) as term:
        term.send("set_size", 33, 111, 660, 999)
        assert "111\r\n" in term.run("tput cols", "COLS1")
        assert "33\r\n" in term.run("tput lines", "LINES1")
        term.send("set_size", 20, 64, 0, 0)
        assert "64\r\n" in term.run("tput cols", "COLS2")


def test_reattach_gets_the_scrollback(term_server: CarnetServer) -> None:
    name = create(term_server)
    with TermClient(term_server, name) as term:
        term.run("echo before-''reload", "MARK")
    # The terminal survived its client; a new one sees the old output, then live output.
    with term_server.client() as client:
        assert client.get(f"api/terminals/{name}").status_code == 200
    with TermClient(term_server, name) as again:
        assert "before-reload\r\n" in again.read_until("MARK\r\n")
        again.run("echo after-''reload", "MARK2")


def test_two_clients_see_the_same_output(term_server: CarnetServer) -> None:
    name = create(term_server)
    with TermClient(term_server, name) as one, TermClient(term_server, name) as two:
        one.stdin("echo sha''red\r")
        one.read_until("shared\r\n")
        two.read_until("shared\r\n")


def test_exit_sends_disconnect(term_server: CarnetServer) -> None:
    name = create(term_server)
    with TermClient(term_server, name) as term:
        term.stdin("exit\r")
        term.read_to_disconnect()
        with pytest.raises(ConnectionClosed):
            term.ws.recv(timeout=WAIT_S)
    with term_server.client() as client:
        assert client.get(f"api/terminals/{name}").status_code == 404


def test_delete_disconnects_clients(term_server: CarnetServer) -> None:
    name = create(term_server)
    with TermClient(term_server, name) as term:
        term.run("echo up", "UP")
        with term_server.client() as client:
            assert client.delete(f"api/terminals/{name}").status_code == 204
        term.read_to_disconnect()


def test_websocket_to_unknown_terminal_is_404(term_server: CarnetServer) -> None:
    headers = {"Authorization": f"token {term_server.token}"}
    with pytest.raises(InvalidStatus) as info:
        connect(term_url(term_server, "no-such"), additional_headers=headers, open_timeout=WAIT_S)
    assert info.value.response.status_code == 404
    assert json.loads(info.value.response.body or b"{}")["message"] == "Terminal not found: no-such"


def test_websocket_checks_origin(term_server: CarnetServer) -> None:
    name = create(term_server)
    headers = {"Authorization": f"token {term_server.token}"}
    with pytest.raises(InvalidStatus) as info:
        connect(
            term_url(term_server, name),
            additional_headers=headers,
            origin=Origin("https://evil.example"),
            open_timeout=WAIT_S,
        )
    assert info.value.response.status_code == 403


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", 1007),
        ("{}", 1007),
        ("[]", 1007),
        ('["stdin", 5]', 1007),
        ('["set_size", "a", 80]', 1007),
        ('["set_size", 0, 80]', 1007),
        ('["set_size", 24, 100000]', 1007),
        (b"\x00binary", 1003),
    ],
)
def test_malformed_frames_close_the_socket_not_the_terminal(
    term_server: CarnetServer, frame: str | bytes, code: int
) -> None:
    name = create(term_server)
    with TermClient(term_server, name) as term:
        term.ws.send(frame)
        with pytest.raises(ConnectionClosed) as info:
            while True:
                term.ws.recv(timeout=WAIT_S)
        assert info.value.rcvd is not None and info.value.rcvd.code == code
    with TermClient(term_server, name) as again:
        again.stdin("echo sti''ll-here\r")
        again.read_until("still-here\r\n")


def test_unknown_message_types_are_ignored(term_server: CarnetServer) -> None:
    name = create(term_server)
    with TermClient(term_server, name) as term:
        term.send("future", {"x": 1})
        term.send("disconnect", 1)
        term.stdin("echo o''k\r")
        term.read_until("ok\r\n")


# -- options, audit, shutdown ----------------------------------------------------------------


def test_terminals_disabled_is_404(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory("--ServerApp.terminals_enabled=False")
    with server.client() as client:
        for response in (
            client.get("api/terminals"),
            client.post("api/terminals", json={}),
            client.get("api/terminals/1"),
            client.delete("api/terminals/1"),
        ):
            assert response.status_code == 404
            assert response.json()["message"]
    headers = {"Authorization": f"token {server.token}"}
    with pytest.raises(InvalidStatus):
        connect(term_url(server, "1"), additional_headers=headers, open_timeout=WAIT_S)


def test_under_a_base_url(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory(SH, "--base-url=/deep/carnet/", env={"PS1": "$ "})
    assert term_url(server, "1").startswith(f"ws://127.0.0.1:{server.port}/deep/carnet/")
    name = create(server)
    with TermClient(server, name) as term:
        term.stdin("echo ba''se\r")
        term.read_until("base\r\n")
    with server.client() as client:
        assert client.delete(f"api/terminals/{name}").status_code == 204


def test_shell_is_shell_env_or_configured(
    jupyter_env: JupyterEnv, carnet_factory: Callable[..., CarnetServer]
) -> None:
    default = carnet_factory(env={"SHELL": "/bin/sh", "PS1": "$ "})
    with TermClient(default, create(default)) as term:
        assert "\r\n/bin/sh\r\n" in term.run("echo $0", "SHELL0")
    configured = carnet_factory(
        "--ServerApp.terminado_settings={'shell_command': ['/bin/bash', '--norc', '-i']}",
        env={"SHELL": "/bin/sh"},
    )
    with TermClient(configured, create(configured)) as term:
        assert "\r/bin/bash\r\n" in term.run("echo $0", "SHELL1")
    # Both servers share one runtime dir, so one audit log.
    first, second = audit_events(configured, "terminal.start")
    assert first["command"] == ["/bin/sh", "-l"]
    assert second["command"] == ["/bin/bash", "--norc", "-i"]


def test_bad_terminado_settings_refuse_to_start(jupyter_env: JupyterEnv) -> None:
    from tests.conftest import run_cli

    result = run_cli(
        jupyter_env, "--no-browser", "--ServerApp.terminado_settings={'shell_command': 5}"
    )
    assert result.returncode != 0
    assert "terminado_settings" in result.stderr + result.stdout


def test_missing_shell_is_503(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory("--ServerApp.terminado_settings={'shell_command': ['/no/such/sh']}")
    with server.client() as client:
        response = client.post("api/terminals", json={})
        assert response.status_code == 503
        assert "/no/such/sh" in response.json()["message"]
        assert client.get("api/terminals").json() == []


def test_audit_records_start_and_end(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory(SH)
    name = create(server, cwd="")
    with server.client() as client:
        assert client.delete(f"api/terminals/{name}").status_code == 204
    start, end = audit_events(server)
    assert start["event"] == "terminal.start" and end["event"] == "terminal.end"
    for event in (start, end):
        assert event["name"] == name
        assert event["user"] and event["address"] == "127.0.0.1"
    assert end["reason"] == "deleted"
    assert isinstance(start["pid"], int)


def test_culling(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory(
        SH, "--TerminalManager.cull_inactive_timeout=1", "--TerminalManager.cull_interval=1"
    )
    name = create(server)
    deadline = time.monotonic() + WAIT_S
    with server.client() as client:
        while client.get(f"api/terminals/{name}").status_code == 200:
            assert time.monotonic() < deadline, "never culled"
            time.sleep(0.1)
    assert audit_events(server)[-1]["reason"] == "culled"


@pytest.mark.parametrize("connected", [True, False])
def test_sigterm_leaves_no_terminal_process(
    carnet_factory: Callable[..., CarnetServer], connected: bool
) -> None:
    server = carnet_factory(SH, env={"PS1": "$ "})
    pids: list[int] = []
    clients: list[TermClient] = []
    for _ in range(2):
        term = TermClient(server, create(server))
        text = term.run("sleep 1000 & echo jo''b=$!; echo sh''ell=$$", "PIDS")
        pids.append(int(text.split("shell=")[1].split("\r\n")[0]))
        pids.append(int(text.split("job=")[1].split("\r\n")[0]))
        term.stdin("sleep 1001\r")  # a foreground job as well
        clients.append(term)
    if not connected:
        for term in clients:
            term.ws.close()
    assert not any(gone(pid) for pid in pids)
    assert server.stop(signal.SIGTERM) == 0
    wait_gone(pids)
    for term in clients:
        term.ws.close()
    ends = [e for e in audit_events(server) if e["event"] == "terminal.end"]
    assert [e["reason"] for e in ends] == ["shutdown", "shutdown"]
