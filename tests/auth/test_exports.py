from __future__ import annotations

import subprocess
import sys
import types

import carnet.auth


def test_public_surface_is_declared_and_importable() -> None:
    assert sorted(carnet.auth.__all__) == sorted(set(carnet.auth.__all__))
    for name in carnet.auth.__all__:
        assert getattr(carnet.auth, name) is not None, name
    # Every public object (submodules aside) is declared, and nothing else is.
    public = {
        name
        for name, value in vars(carnet.auth).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(carnet.auth.__all__)


def test_importing_auth_does_not_load_heavy_packages() -> None:
    code = (
        "import sys, carnet.auth;"
        "print(sorted(m for m in ('argon2', 'cryptography', 'starlette') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_auth_does_not_import_the_web_layer() -> None:
    code = (
        "import sys, carnet.auth;"
        "print(sorted(m for m in sys.modules if m.startswith(('carnet.web', 'carnet.server'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
