"""JupyterLab's client library (``@jupyterlab/services``' TerminalManager) against carnet.

Runs ``node --test`` in this folder against a real carnet; installs the locked packages
with ``npm ci --ignore-scripts`` first when ``node_modules`` is missing. Node and npm are
required (``make test`` fails loudly without them rather than skipping).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import CarnetServer

HERE = Path(__file__).resolve().parent


def _ensure_packages() -> None:
    if (HERE / "node_modules" / ".package-lock.json").exists():
        return
    npm = shutil.which("npm")
    assert npm, "npm is required for the Node client tests"
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=HERE,
        check=True,
        timeout=600,
    )


def test_jupyterlab_terminal_manager(server: CarnetServer) -> None:
    node = shutil.which("node")
    assert node, "node is required for the Node client tests"
    _ensure_packages()
    env = {**os.environ, "CARNET_BASE_URL": server.base, "CARNET_TOKEN": server.token}
    result = subprocess.run(
        [node, "--test", "terminals.test.mjs"],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# pass 2" in result.stdout and "# fail 0" in result.stdout, result.stdout
