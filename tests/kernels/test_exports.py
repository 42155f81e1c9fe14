from __future__ import annotations

import subprocess
import sys
import types

import carnet.kernels


def test_public_surface_is_declared() -> None:
    public = {
        name
        for name, value in vars(carnet.kernels).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(carnet.kernels.__all__)


def test_importing_kernels_is_cheap_and_stays_in_its_layer() -> None:
    code = (
        "import sys, carnet.kernels;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('zmq', 'jupyter_client', 'tornado', 'starlette') "
        "or m.startswith(('carnet.web', 'carnet.server', 'carnet.sessions'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
