"""Making plugins for tests: data-dir plugins, and Python packages "installed" by a throwaway
``*.dist-info`` on PYTHONPATH (importlib.metadata reads its ``entry_points.txt``), so nothing
is installed into the shared environment."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import JupyterEnv

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def plugins_folder(jenv: JupyterEnv) -> Path:
    folder = jenv.data_dir / "carnet" / "plugins"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def add_plugin(jenv: JupyterEnv, name: str, source: str, *, folder: bool = False) -> Path:
    """Writes ``NAME.js`` (or ``NAME/index.js``) into the data dir's plugins folder."""
    base = plugins_folder(jenv)
    if folder:
        (base / name).mkdir()
        path = base / name / "index.js"
    else:
        path = base / f"{name}.js"
    path.write_text(source, encoding="utf-8")
    return path


def fake_dist(
    site: Path,
    dist: str,
    entry_points: dict[str, dict[str, str]],
    modules: dict[str, str] | None = None,
    version: str = "1.2.3",
) -> Path:
    """A package "installed" in ``site``: its dist-info and modules (``{"mod.py": source}``)."""
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    lines = []
    for group, eps in entry_points.items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {value}" for name, value in eps.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for rel, source in (modules or {}).items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return site


def pythonpath(*dirs: Path) -> dict[str, str]:
    """The ``env`` for `start_carnet`/subprocesses that puts ``dirs`` on sys.path."""
    return {"PYTHONPATH": os.pathsep.join(str(d) for d in dirs)}


def install_kernel_monitor(site: Path) -> dict[str, str]:
    """The kernel-monitor example, as if pip-installed: its dist-info in ``site``."""
    fake_dist(
        site,
        "carnet-kernel-monitor",
        {"carnet.plugins": {"kernel-monitor": "carnet_kernel_monitor:plugin"}},
        version="0.1.0",
    )
    shutil.copytree(
        EXAMPLES / "kernel-monitor" / "carnet_kernel_monitor", site / "carnet_kernel_monitor"
    )
    return pythonpath(site)
