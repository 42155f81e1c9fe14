"""The wheel carries the built frontend, the API document and the three commands."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_contents(tmp_path: Path) -> None:
    assert (REPO / "src/carnet/static/index.html").exists(), "run `make fe` first"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "uv"),
            "build",
            "--wheel",
            "--out-dir",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("carnet-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    assert "carnet/static/index.html" in names
    assert any(n.startswith("carnet/static/assets/") and n.endswith(".js") for n in names)
    assert any(n.endswith(".js.gz") for n in names)
    assert {"carnet/web/spec.yaml", "carnet/py.typed"} <= names
    for script in (
        "carnet = carnet.cli:main",
        "jupyter-lab = carnet.cli:lab_main",
        "jupyter-notebook = carnet.cli:notebook_main",
    ):
        assert script in scripts
    assert not any("node_modules" in n for n in names)
