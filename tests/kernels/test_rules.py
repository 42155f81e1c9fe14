"""Pure rules: working directories, exit causes, culling, activity tracking."""

from __future__ import annotations

import signal
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from carnet.errors import BadRequest, Forbidden
from carnet.kernels import KernelActivity, cwd_for_path, describe_exit, should_cull
from carnet.protocol import new_message

# -- working directory --------------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "root" / "a" / "b").mkdir(parents=True)
    (tmp_path / "root" / "a" / "nb.ipynb").write_text("{}")
    (tmp_path / "outside").mkdir()
    return tmp_path / "root"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (None, ""),
        ("", ""),
        ("/", ""),
        ("a/nb.ipynb", "a"),
        ("/a/nb.ipynb", "a"),
        ("a/b", "a/b"),
        ("a/./b/new.ipynb", "a/b"),
        ("a/missing/deeper/x.ipynb", "a"),
        ("missing.ipynb", ""),
        ("a/" + "x" * 300 + "/nb.ipynb", "a"),
    ],
)
def test_cwd_is_the_notebook_directory(root: Path, path: str | None, expected: str) -> None:
    assert cwd_for_path(root, path) == (root / expected).resolve()


@pytest.mark.parametrize("path", ["..", "../outside/x.ipynb", "a/../../outside", "a/b/../../.."])
def test_cwd_never_leaves_the_root(root: Path, path: str) -> None:
    with pytest.raises(Forbidden):
        cwd_for_path(root, path)


def test_cwd_refuses_symlinks_out_of_the_root(root: Path) -> None:
    (root / "link").symlink_to(root.parent / "outside", target_is_directory=True)
    (root / "loop").symlink_to(root / "loop")
    with pytest.raises(Forbidden):
        cwd_for_path(root, "link/nb.ipynb")
    assert cwd_for_path(root, "loop/nb.ipynb") == root.resolve()


def test_cwd_rejects_nul(root: Path) -> None:
    with pytest.raises(BadRequest):
        cwd_for_path(root, "a\0b")


# -- exit causes --------------------------------------------------------------------------


def test_exit_causes() -> None:
    assert "SIGKILL" in describe_exit(-signal.SIGKILL)
    assert "memory" in describe_exit(-signal.SIGKILL)
    assert "SIGSEGV" in describe_exit(-signal.SIGSEGV)
    assert "memory" not in describe_exit(-signal.SIGSEGV)
    assert "code 3" in describe_exit(3)
    assert "code 0" in describe_exit(0)
    assert "signal 200" in describe_exit(-200)
    assert describe_exit(None)


# -- culling ------------------------------------------------------------------------------

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def cull(state: str = "idle", idle: float = 100, connections: int = 0, **kw: object) -> bool:
    options: dict[str, object] = {"idle_timeout": 60, "cull_connected": False, "cull_busy": False}
    options.update(kw)
    return should_cull(
        execution_state=state,
        last_activity=NOW - timedelta(seconds=idle),
        connections=connections,
        now=NOW,
        **options,  # type: ignore[arg-type]
    )


def test_culling_rules() -> None:
    assert cull()
    assert not cull(idle=30)
    assert not cull(idle_timeout=0)
    assert not cull(connections=1)
    assert cull(connections=1, cull_connected=True)
    assert not cull(state="busy")
    assert cull(state="busy", cull_busy=True)
    assert cull(state="dead", idle=0)
    assert not cull(state="dead", idle_timeout=0)
    assert not cull(state="starting", idle=1000)
    assert not cull(state="restarting", idle=1000)


# -- activity -----------------------------------------------------------------------------


def status(state: str, parent_type: str | None) -> object:
    parent = new_message("shell", parent_type, {}, session="c") if parent_type else None
    return new_message(
        "iopub",
        "status",
        {"execution_state": state},
        session="k",
        parent=parent.parts[0] if parent else b"{}",
    )


def test_activity_follows_user_requests_only() -> None:
    activity = KernelActivity()
    assert activity.execution_state == "starting"
    activity.observe(status("busy", "kernel_info_request"))  # type: ignore[arg-type]
    assert activity.execution_state == "idle"  # first status after start-up
    activity.observe(status("busy", "kernel_info_request"))  # type: ignore[arg-type]
    assert activity.execution_state == "idle"  # not a user request
    before = activity.last_activity
    activity.observe(status("busy", "execute_request"))  # type: ignore[arg-type]
    assert activity.execution_state == "busy"
    assert activity.last_activity >= before
    activity.observe(status("idle", "execute_request"))  # type: ignore[arg-type]
    assert activity.execution_state == "idle"


def test_activity_ignores_status_while_restarting_or_dead() -> None:
    for state in ("restarting", "dead"):
        activity = KernelActivity(execution_state=state)
        activity.observe(status("idle", "execute_request"))  # type: ignore[arg-type]
        assert activity.execution_state == state


def test_untracked_output_does_not_count_as_activity() -> None:
    activity = KernelActivity(execution_state="idle")
    old = activity.last_activity - timedelta(hours=1)
    activity.last_activity = old
    stream = new_message(
        "iopub",
        "stream",
        {"name": "stdout", "text": "x"},
        session="k",
        parent=new_message("shell", "comm_info_request", {}, session="c").parts[0],
    )
    activity.observe(stream)
    assert activity.last_activity == old
    activity.observe(new_message("iopub", "comm_msg", {}, session="k"))
    assert activity.last_activity > old
