"""Fixtures for kernel tests: a bash kernelspec in a temporary JUPYTER_PATH, short paths."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def bash_kernel_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Jupyter data dir holding bash_kernel's kernelspec (installed the documented way)."""
    prefix = tmp_path_factory.mktemp("bashkernel")
    subprocess.run(
        [sys.executable, "-m", "bash_kernel.install", "--prefix", str(prefix)],
        check=True,
        capture_output=True,
    )
    return prefix / "share" / "jupyter"


@pytest.fixture(scope="module")
def jupyter_path(bash_kernel_path: Path) -> Iterator[Path]:
    """``JUPYTER_PATH`` pointing at the bash kernelspec, for one module of tests."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(bash_kernel_path))
        yield bash_kernel_path


@pytest.fixture(scope="module")
def kernel_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(root dir with a notebook folder, runtime dir) — short, so IPC socket paths fit."""
    root = tmp_path_factory.mktemp("root")
    (root / "nb" / "sub dir").mkdir(parents=True)
    runtime = tmp_path_factory.mktemp("rt")
    return root, runtime
