"""Shared fixtures: a real carnet process on 127.0.0.1 with its own Jupyter dirs.

`carnet_factory(*args, env=...)` starts `python -m carnet` with isolated HOME,
JUPYTER_CONFIG_DIR, JUPYTER_RUNTIME_DIR and JUPYTER_DATA_DIR, waits for its runtime file
(`jpserver-<pid>.json`, which carries the chosen port and token) and stops it by PID at the
end. `server` is a default instance (token auth, HTTP) for tests that only need one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

READY_TIMEOUT_S = 30.0


@dataclass
class JupyterEnv:
    """Isolated dirs and the environment a carnet process runs with."""

    home: Path
    config_dir: Path
    runtime_dir: Path
    data_dir: Path
    root: Path
    env: dict[str, str] = field(default_factory=dict)

    def carnet_cmd(self, *args: str, command: str = "carnet") -> list[str]:
        scripts = {"carnet": "main", "lab": "lab_main", "notebook": "notebook_main"}
        code = f"import sys; from carnet.cli import {scripts[command]} as m; sys.exit(m())"
        return [sys.executable, "-c", code, *args]


@dataclass
class CarnetServer:
    proc: subprocess.Popen[str]
    info: dict[str, Any]
    jenv: JupyterEnv
    stdout_path: Path
    stderr_path: Path

    @property
    def port(self) -> int:
        return int(self.info["port"])

    @property
    def token(self) -> str:
        return str(self.info.get("token") or "")

    @property
    def root(self) -> Path:
        return Path(self.info["root_dir"])

    @property
    def scheme(self) -> str:
        return "https" if self.info.get("secure") else "http"

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{self.info.get('base_url', '/')}"

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def client(self, *, token: bool = True, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"token {self.token}"} if token and self.token else {}
        kwargs.setdefault("verify", False)
        kwargs.setdefault("timeout", 30)
        return httpx.Client(base_url=self.base, headers=headers, **kwargs)

    def output(self) -> str:
        return self.stdout_path.read_text() + self.stderr_path.read_text()

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        return self.proc.returncode


def _new_env(tmp: Path) -> JupyterEnv:
    home = tmp / "home"
    jenv = JupyterEnv(
        home=home,
        config_dir=home / ".jupyter",
        runtime_dir=tmp / "runtime",
        data_dir=tmp / "data",
        root=tmp / "root",
    )
    jenv.root.mkdir(parents=True)
    home.mkdir(parents=True, exist_ok=True)
    # Nothing of the machine's Jupyter or XDG setup leaks in (trash, data and config dirs).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "XDG_"))}
    env.update(
        {
            "HOME": str(home),
            "JUPYTER_CONFIG_DIR": str(jenv.config_dir),
            "JUPYTER_RUNTIME_DIR": str(jenv.runtime_dir),
            "JUPYTER_DATA_DIR": str(jenv.data_dir),
            "JUPYTER_PLATFORM_DIRS": "0",
            "PYTHONUNBUFFERED": "1",
            # Terminals run bash, whatever the machine's login shell is (CI runs as root with
            # SHELL unset, which would give dash: no readline, so Ctrl+B and arrows echo).
            "SHELL": shutil.which("bash") or "/bin/sh",
        }
    )
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    jenv.env = env
    return jenv


@pytest.fixture
def jupyter_env(tmp_path: Path) -> JupyterEnv:
    return _new_env(tmp_path)


def start_carnet(
    jenv: JupyterEnv,
    *args: str,
    command: str = "carnet",
    env: dict[str, str] | None = None,
    default_args: bool = True,
    stdin: str | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> CarnetServer:
    before = set(jenv.runtime_dir.glob("jpserver-*.json")) if jenv.runtime_dir.exists() else set()
    full = list(args)
    if default_args:
        full = ["--no-browser", "--port=0", f"--root-dir={jenv.root}", *full]
    out = jenv.root.parent / f"carnet-{len(before)}-{time.monotonic_ns()}.out"
    err = out.with_suffix(".err")
    proc = subprocess.Popen(
        jenv.carnet_cmd(*full, command=command),
        env={**jenv.env, **(env or {})},
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=out.open("w"),
        stderr=err.open("w"),
        text=True,
        preexec_fn=preexec_fn,
    )
    if stdin is not None and proc.stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.close()
    info_path = jenv.runtime_dir / f"jpserver-{proc.pid}.json"
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"carnet exited with {proc.returncode}:\n{out.read_text()}\n{err.read_text()}"
            )
        if info_path.exists():
            try:
                info = json.loads(info_path.read_text())
            except ValueError:
                info = None
            if info and "Press Control-C" in out.read_text():
                return CarnetServer(proc, info, jenv, out, err)
        time.sleep(0.02)
    proc.kill()
    raise RuntimeError(f"carnet did not start:\n{out.read_text()}\n{err.read_text()}")


@pytest.fixture
def carnet_factory(jupyter_env: JupyterEnv) -> Iterator[Callable[..., CarnetServer]]:
    started: list[CarnetServer] = []

    def factory(*args: str, **kwargs: Any) -> CarnetServer:
        server = start_carnet(jupyter_env, *args, **kwargs)
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


@pytest.fixture
def server(carnet_factory: Callable[..., CarnetServer]) -> CarnetServer:
    return carnet_factory()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CarnetServer]:
    """One server for a whole module of tests that don't disturb each other."""
    jenv = _new_env(tmp_path_factory.mktemp("shared"))
    server = start_carnet(jenv)
    yield server
    server.stop()


def run_cli(
    jenv: JupyterEnv,
    *args: str,
    command: str = "carnet",
    stdin: str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        jenv.carnet_cmd(*args, command=command),
        env=jenv.env,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
    )
