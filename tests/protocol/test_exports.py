from __future__ import annotations

import subprocess
import sys
import types

import carnet.protocol


def test_public_surface_is_declared() -> None:
    public = {
        name
        for name, value in vars(carnet.protocol).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(carnet.protocol.__all__)


def test_protocol_does_no_io_and_imports_nothing_heavy() -> None:
    code = (
        "import sys, carnet.protocol;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('zmq', 'jupyter_client', 'asyncio', 'socket', 'starlette', 'carnet') "
        "and not m.startswith(('carnet.protocol', 'carnet.errors')) and m != 'carnet'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
