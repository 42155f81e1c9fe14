"""The pure parts: terminado's message format, the scrollback, the default shell, exports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import carnet.terminals
from carnet.terminals import (
    ProtocolError,
    Scrollback,
    SetSize,
    Stdin,
    default_shell_command,
    disconnect_frame,
    parse_client_message,
    setup_frame,
    stdout_frame,
)
from carnet.terminals.processes import hang_up_session, session_members

# -- messages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ('["stdin", "ls\\r"]', Stdin("ls\r")),
        ('["stdin", ""]', Stdin("")),
        ('["stdin", "é\\u0003", "extra"]', Stdin("é\x03")),
        ('["set_size", 24, 80, 480, 640]', SetSize(24, 80)),
        ('["set_size", 1, 10000]', SetSize(1, 10000)),
        ('["disconnect", 1]', None),
        ('["future_message", {"a": 1}]', None),
    ],
)
def test_parse_client_messages(frame: str, expected: object) -> None:
    assert parse_client_message(frame) == expected


@pytest.mark.parametrize(
    "frame",
    [
        "",
        "not json",
        "{}",
        '"stdin"',
        "[]",
        "[1, 2]",
        '["stdin"]',
        '["stdin", 5]',
        '["stdin", null]',
        '["set_size", 24]',
        '["set_size", "24", 80]',
        '["set_size", 24.5, 80]',
        '["set_size", true, 80]',
        '["set_size", 0, 80]',
        '["set_size", 24, -1]',
        '["set_size", 24, 10001]',
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_malformed_client_messages(frame: str) -> None:
    with pytest.raises(ProtocolError):
        parse_client_message(frame)


def test_server_frames() -> None:
    assert json.loads(setup_frame()) == ["setup", {}]
    assert json.loads(stdout_frame('a"\x1b[0m\r\né')) == ["stdout", 'a"\x1b[0m\r\né']
    assert json.loads(disconnect_frame()) == ["disconnect", 1]


# -- scrollback ----------------------------------------------------------------------------


def test_scrollback_keeps_everything_under_the_limit() -> None:
    buffer = Scrollback(100)
    for part in ("ab", "", "cd\r\n", "e"):
        buffer.append(part)
    assert buffer.text() == "abcd\r\ne" and len(buffer) == 7
    assert buffer.text() == "abcd\r\ne"


def test_scrollback_drops_the_oldest_and_cuts_at_a_line_break() -> None:
    buffer = Scrollback(10)
    buffer.append("line-1\r\nline-2\r\n")
    text = buffer.text()
    assert text == "line-2\r\n"
    buffer.append("x" * 25)
    assert buffer.text() == "x" * 10


def test_scrollback_bound_holds_for_many_small_writes() -> None:
    buffer = Scrollback(5000)
    for i in range(100_000):
        buffer.append(f"{i}\n")
    text = buffer.text()
    assert len(text) <= 5000 and len(buffer) == len(text)
    assert text.endswith("99999\n") and text.split("\n")[0].isdigit()


def test_scrollback_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Scrollback(0)


# -- default shell -------------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX shells")
def test_default_shell_command() -> None:
    assert default_shell_command({"SHELL": "/bin/zsh"}, login=False) == ["/bin/zsh"]
    assert default_shell_command({"SHELL": "/bin/zsh"}, login=True) == ["/bin/zsh", "-l"]
    fallback = default_shell_command({}, login=False)
    assert len(fallback) == 1 and fallback[0].endswith("sh")
    assert default_shell_command({"SHELL": ""}, login=False) == fallback


# -- processes -----------------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_hang_up_session_reaches_every_process_of_the_session() -> None:
    # A new session whose leader starts a background job ignoring nothing.
    leader = subprocess.Popen(
        ["/bin/sh", "-c", "sleep 1000 & echo $!; wait"],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert leader.stdout is not None
        job = int(leader.stdout.readline())
        assert set(session_members(leader.pid)) >= {leader.pid, job}
        hang_up_session(leader.pid)
        assert leader.wait(timeout=30) != 0
        deadline = time.monotonic() + 30
        while not _zombie(job):
            assert time.monotonic() < deadline, "the background job survived the hangup"
            time.sleep(0.02)
    finally:
        if leader.poll() is None:
            leader.kill()
            leader.wait()


def _zombie(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_hang_up_nothing_for_init() -> None:
    hang_up_session(1)
    hang_up_session(0)


# -- public surface ------------------------------------------------------------------------


def test_exports() -> None:
    assert sorted(carnet.terminals.__all__) == [
        "Attachment",
        "EventSink",
        "ProtocolError",
        "Scrollback",
        "SetSize",
        "Stdin",
        "TerminalModel",
        "TerminalService",
        "default_shell_command",
        "disconnect_frame",
        "parse_client_message",
        "resolve_cwd",
        "setup_frame",
        "stdout_frame",
    ]
    for name in carnet.terminals.__all__:
        assert getattr(carnet.terminals, name) is not None


def test_importing_the_package_does_not_import_terminado() -> None:
    code = (
        "import sys, carnet.terminals, carnet.web.routes.terminals;"
        "print('terminado' in sys.modules, 'tornado' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# -- options -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"shell_command": ["bash", "-l"]}, ("bash", "-l")),
        ({"shell_command": "zsh -i"}, ("zsh", "-i")),
        ("{'shell_command': ['/bin/sh']}", ("/bin/sh",)),
        ('{"shell_command": "fish"}', ("fish",)),
        ({}, None),
        ({"other": 1}, None),
        (None, None),
        ("", None),
    ],
)
def test_terminado_settings_option(raw: object, expected: object) -> None:
    from carnet.config.options import BY_FIELD

    assert BY_FIELD["terminal_shell_command"].parse(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        5,
        ["bash"],
        "['bash']",
        "{bad",
        {"shell_command": []},
        {"shell_command": [""]},
        {"shell_command": ["bash", 1]},
        {"shell_command": 7},
        {"shell_command": "'unclosed"},
    ],
)
def test_terminado_settings_option_refuses(raw: object) -> None:
    from carnet.config.options import BY_FIELD

    with pytest.raises(ValueError):
        BY_FIELD["terminal_shell_command"].parse(raw)


def test_terminal_options_from_a_config_file(tmp_path: Path) -> None:
    from carnet.config.loader import read_config_file, resolve

    config = tmp_path / "jupyter_server_config.py"
    config.write_text(
        "c.ServerApp.terminals_enabled = False\n"
        "c.ServerApp.terminado_settings = {'shell_command': ['/bin/zsh']}\n"
        "c.TerminalManager.cull_inactive_timeout = 600\n"
        "c.TerminalManager.cull_interval = 60\n"
    )
    settings = resolve([read_config_file(config)])
    assert settings.terminals_enabled is False
    assert settings.terminal_shell_command == ("/bin/zsh",)
    assert (settings.terminal_cull_inactive_timeout, settings.terminal_cull_interval) == (600, 60)
