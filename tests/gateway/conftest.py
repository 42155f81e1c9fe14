"""A real Jupyter Kernel Gateway (PyPI ``jupyter_kernel_gateway``) on 127.0.0.1, installed
with uv in its own virtual environment under the test's tmp dir (uv's cache makes the second
run fast), with its own ipykernel: kernels it starts run from that environment, which shows
that they are the gateway's and not carnet's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.hub.conftest import free_port

TOKEN = "carnet-gateway-test-token"


@dataclass
class Gateway:
    url: str
    prefix: Path  # the gateway's sys.prefix (where its kernels run from)
    proc: subprocess.Popen[bytes]
    log_path: Path

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"token {TOKEN}"}, timeout=30
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    base = tmp_path_factory.mktemp("gateway")
    venv = base / "venv"
    uv = [sys.executable, "-m", "uv"]
    subprocess.run([*uv, "venv", "-q", "-p", sys.executable, str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run(
        [*uv, "pip", "install", "-q", "-p", str(python), "jupyter_kernel_gateway", "ipykernel"],
        check=True,
        timeout=600,
    )
    port = free_port()
    home = base / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "XDG_", "KG_"))}
    env.update({"HOME": str(home), "JUPYTER_PLATFORM_DIRS": "0", "PYTHONUNBUFFERED": "1"})
    env.pop("PYTHONPATH", None)
    log_path = base / "gateway.log"
    proc = subprocess.Popen(
        [
            str(venv / "bin" / "jupyter-kernelgateway"),
            "--KernelGatewayApp.ip=127.0.0.1",
            f"--KernelGatewayApp.port={port}",
            f"--KernelGatewayApp.auth_token={TOKEN}",
            "--KernelGatewayApp.port_retries=0",
        ],
        cwd=home,
        env=env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    gw = Gateway(f"http://127.0.0.1:{port}", venv.resolve(), proc, log_path)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"the kernel gateway exited:\n{gw.log()}")
        try:
            with gw.client() as client:
                if client.get("/api").status_code == 200:
                    break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"the kernel gateway did not start:\n{gw.log()}")
        time.sleep(0.2)
    try:
        yield gw
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
