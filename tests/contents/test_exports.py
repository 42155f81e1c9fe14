from __future__ import annotations

import subprocess
import sys
import types

import carnet.contents


def test_public_surface_is_declared_and_importable() -> None:
    assert sorted(carnet.contents.__all__) == sorted(set(carnet.contents.__all__))
    public = {
        name
        for name, value in vars(carnet.contents).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(carnet.contents.__all__)


def test_importing_contents_stays_light_and_below_the_web_layer() -> None:
    code = (
        "import sys, carnet.contents;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('nbformat', 'send2trash', 'starlette', 'jsonschema', 'fastjsonschema')"
        " or m.startswith(('carnet.web', 'carnet.server', 'carnet.sessions'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
