"""JupyterLab's own client library drives carnet: the Node job in ``tests/node``.

``@jupyterlab/services`` (with ``ws``) lists kernelspecs, starts a session for a notebook,
executes and reads every kind of output, completes, inspects, interrupts a sleep, restarts
and shuts down, exactly as JupyterLab does. Its dependencies are installed with ``npm ci``
(no install scripts) when ``node_modules`` is missing or older than the lock file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.api._kernelws import start_kernel_server

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is required for the @jupyterlab/services test (Node 20+)")
    return path


def _install(npm: str) -> None:
    marker = NODE_DIR / "node_modules" / ".package-lock.json"
    lock = NODE_DIR / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=NODE_DIR,
        check=True,
        capture_output=True,
        timeout=600,
    )


def test_jupyterlab_services_drive_carnet(tmp_path_factory: pytest.TempPathFactory) -> None:
    node, npm = _tool("node"), _tool("npm")
    _install(npm)
    server = start_kernel_server(tmp_path_factory.mktemp("node"), bash=True)
    try:
        (server.root / "notebooks").mkdir()
        env = {**os.environ, "CARNET_URL": server.base, "CARNET_TOKEN": server.token}
        result = subprocess.run(
            [node, "--test", "--test-reporter=spec", "services.test.mjs"],
            cwd=NODE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout or "fail 0" in result.stdout, result.stdout
