from __future__ import annotations

import subprocess
import sys
import types

import carnet.sessions


def test_public_surface_is_declared() -> None:
    public = {
        name
        for name, value in vars(carnet.sessions).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(carnet.sessions.__all__)


def test_importing_sessions_is_cheap_and_stays_in_its_layer() -> None:
    code = (
        "import sys, carnet.sessions;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('zmq', 'jupyter_client', 'starlette') or m.startswith(('carnet.web', 'carnet.server'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
