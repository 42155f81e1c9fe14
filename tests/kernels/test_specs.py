"""Kernelspec discovery and models, as ``/api/kernelspecs`` serves them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carnet.errors import NotFound
from carnet.kernels import KernelSpecs, is_poolable

pytestmark = pytest.mark.usefixtures("jupyter_path")


@pytest.fixture
def specs() -> KernelSpecs:
    return KernelSpecs()


@pytest.mark.asyncio
async def test_models_match_jupyter_server(specs: KernelSpecs) -> None:
    models = await specs.models()
    assert models["default"] == "python3"
    assert {"python3", "bash"} <= set(models["kernelspecs"])
    python = models["kernelspecs"]["python3"]
    assert python["name"] == "python3"
    assert set(python["spec"]) == {
        "argv",
        "env",
        "display_name",
        "language",
        "interrupt_mode",
        "metadata",
        "kernel_protocol_version",
    }
    assert python["spec"]["language"] == "python"
    assert python["resources"]["logo-64x64"] == "/kernelspecs/python3/logo-64x64.png"
    bash = models["kernelspecs"]["bash"]
    assert bash["spec"]["display_name"] == "Bash"
    assert bash["resources"] == {"logo-svg": "/kernelspecs/bash/logo-svg.svg"}
    json.dumps(models)  # JSON-safe


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("/", "/kernelspecs/bash/logo-svg.svg"),
        ("/user/alice/", "/user/alice/kernelspecs/bash/logo-svg.svg"),
        ("user/alice", "/user/alice/kernelspecs/bash/logo-svg.svg"),
    ],
)
@pytest.mark.asyncio
async def test_resource_urls_include_the_base_url(
    specs: KernelSpecs, base_url: str, expected: str
) -> None:
    model = await specs.model("bash", base_url=base_url)
    assert model["resources"]["logo-svg"] == expected


@pytest.mark.asyncio
async def test_kernel_js_and_css_are_listed(tmp_path: Path) -> None:
    spec_dir = tmp_path / "kernels" / "fancy"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(
        json.dumps({"argv": ["x"], "display_name": "Fancy", "language": "fancy", "extra": 1})
    )
    (spec_dir / "kernel.js").write_text("//")
    (spec_dir / "kernel.css").write_text("")
    specs = KernelSpecs(kernel_dirs=[tmp_path / "kernels"], default_name="fancy")
    model = await specs.model("fancy")
    assert model["resources"] == {
        "kernel.js": "/kernelspecs/fancy/kernel.js",
        "kernel.css": "/kernelspecs/fancy/kernel.css",
    }
    assert specs.names() == ["fancy"] or "fancy" in specs.names()


@pytest.mark.asyncio
async def test_resources_are_confined_to_the_spec_directory(
    specs: KernelSpecs, jupyter_path: Path, tmp_path: Path
) -> None:
    path = await specs.resource("bash", "logo-svg.svg")
    assert path.name == "logo-svg.svg" and path.is_file()
    spec_dir = jupyter_path / "kernels" / "bash"
    (tmp_path / "secret.txt").write_text("secret")
    link = spec_dir / f"escape-{tmp_path.name}"
    link.symlink_to(tmp_path, target_is_directory=True)
    hostile = [
        "../python3/kernel.json",
        "/etc/passwd",
        "",
        ".",
        "a//b",
        "nope.png",
        "logo-svg.svg\0",
        "..\\kernel.json",
        f"{link.name}/secret.txt",
    ]
    for resource in hostile:
        with pytest.raises(NotFound):
            await specs.resource("bash", resource)
    with pytest.raises(NotFound):
        await specs.resource("no-such-kernel", "logo-svg.svg")


@pytest.mark.asyncio
async def test_unknown_names_raise_not_found_with_the_installed_ones(specs: KernelSpecs) -> None:
    for name in ("nope", "../bash", "", "a b"):
        with pytest.raises(NotFound) as info:
            await specs.model(name)
        assert "bash" in info.value.message and "python3" in info.value.message


@pytest.mark.asyncio
async def test_allowed_kernelspecs_hide_the_others() -> None:
    specs = KernelSpecs(allowed={"python3"})
    assert list((await specs.models())["kernelspecs"]) == ["python3"]
    for name in ("bash", ["python3"], None):
        with pytest.raises(NotFound):
            specs.get(name)  # type: ignore[arg-type]


def test_only_ipykernel_specs_can_be_pooled(specs: KernelSpecs) -> None:
    assert is_poolable(specs.get("python3"))
    assert not is_poolable(specs.get("bash"))
