"""The plugin package without a server: discovery rules, the state file, loading server
extensions (a failing one leaves nothing behind), and the page's import map."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from carnet.contents import ContentsManager
from carnet.plugins import (
    Catalog,
    ExtensionAPI,
    PluginInfo,
    PluginState,
    load_extensions,
    valid_name,
)
from carnet.web.routes.plugins import with_importmap


def test_names() -> None:
    for good in ("word-count", "a", "my_plugin.v2", "A1"):
        assert valid_name(good), good
    for bad in ("", ".hidden", "a/b", "a b", "..", "a..b", "-x", "x" * 101, "é"):
        assert not valid_name(bad), bad


def test_folder_scan(tmp_path: Path) -> None:
    (tmp_path / "one.js").write_text("")
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "index.js").write_text("")
    (tmp_path / "three").mkdir()  # no index.js: not a plugin
    (tmp_path / ".four.js").write_text("")
    (tmp_path / "five.mjs").write_text("")
    catalog = Catalog(tmp_path, entry_points=False)
    found = {p.name: p for p in catalog.all()}
    assert set(found) == {"one", "two"}
    assert found["one"].single_file and found["one"].may_serve("one.js")
    assert not found["one"].may_serve("two/index.js")
    assert found["two"].may_serve("anything/inside.css")
    # Rescanned on every call.
    (tmp_path / "six.js").write_text("")
    assert catalog.get("six") is not None
    assert Catalog(tmp_path / "missing", entry_points=False).all() == []


def test_state_file(tmp_path: Path) -> None:
    state = PluginState(tmp_path / "sub" / "plugins.json")
    assert state.disabled() == frozenset() and state.is_enabled("x")
    assert state.set_enabled("x", False) is True
    assert state.set_enabled("x", False) is False
    assert not state.is_enabled("x")
    assert json.loads(state.path.read_text()) == {"disabled": ["x"]}
    assert state.set_enabled("x", True) is True and state.is_enabled("x")
    for junk in ("{bad", "[]", '{"disabled": "x"}', '{"disabled": [1, null]}'):
        state.path.write_text(junk)
        assert state.disabled() == frozenset(), junk
    assert list(state.path.parent.glob(".plugins-*")) == []  # no temp files left


def _load(tmp_path: Path, *setups: tuple[str, Any], disabled: frozenset[str] = frozenset()) -> Any:
    contents = ContentsManager(tmp_path)
    infos = [PluginInfo(name, "server-extension", server=setup) for name, setup in setups]
    return load_extensions(
        infos,
        disabled=disabled,
        root_dir=tmp_path,
        base_url="/",
        data_dir=tmp_path / "data",
        contents=contents,
        kernels=None,
        contents_options={"root_dir": tmp_path},
    )


def test_failing_extension_leaves_nothing_behind(tmp_path: Path) -> None:
    async def task() -> None:
        pass

    async def endpoint(request: Any) -> None:
        pass

    def good(api: ExtensionAPI) -> None:
        api.add_route("/api/good", endpoint)
        api.start_task(task)

    def bad(api: ExtensionAPI) -> None:
        api.add_route("/api/bad", endpoint)
        api.start_task(task)
        api.set_contents_manager(ContentsManager(**api.contents_options))
        raise ValueError("nope")

    loaded = _load(tmp_path, ("good", good), ("bad", bad))
    assert loaded.loaded == ["good"]
    assert loaded.errors == {"bad": "ValueError: nope"}
    assert [r.path for r in loaded.routes] == ["/api/good"]
    assert len(loaded.tasks) == 1
    assert type(loaded.contents) is ContentsManager


def test_extension_api_checks(tmp_path: Path) -> None:
    async def endpoint(request: Any) -> None:
        pass

    seen: list[str] = []

    def checks(api: ExtensionAPI) -> None:
        for bad_path in ("api/x", "//x", ""):
            with pytest.raises(ValueError):
                api.add_route(bad_path, endpoint)
        with pytest.raises(TypeError):
            api.set_contents_manager(object())  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            api.set_kernel_service(object())  # type: ignore[arg-type]
        seen.append(api.name)
        assert api.data_dir == tmp_path / "data" / "checks"

    async def not_sync(api: ExtensionAPI) -> None:
        pass

    loaded = _load(
        tmp_path,
        ("checks", checks),
        ("async", not_sync),
        ("off", checks),
        disabled=frozenset({"off"}),
    )
    assert seen == ["checks"]
    assert loaded.loaded == ["checks"]
    assert "must not be async" in loaded.errors["async"]


@pytest.mark.asyncio
async def test_failing_task_is_only_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom() -> None:
        raise RuntimeError("task failed")

    loaded = _load(tmp_path, ("t", lambda api: api.start_task(boom, name="boom")))
    await loaded.tasks[0]()  # does not raise
    assert "Background task 'boom' of 't' failed" in caplog.text


def test_importmap_insertion(tmp_path: Path) -> None:
    page = (
        "<html><head><meta charset=utf-8><title>t</title>"
        '<script type="module" src="/static/assets/index.js"></script></head></html>'
    )
    assert with_importmap(page, tmp_path, "/") == (page, None)  # no build output: unchanged
    (tmp_path / "importmap.json").write_text(
        json.dumps(
            {
                "imports": {
                    "carnet": "assets/c.js",
                    "x</script>": "assets/x.js",
                    "abs": "/etc/passwd",
                    "rel": "../up.js",
                }
            }
        )
    )
    out, source = with_importmap(page, tmp_path, "/u/a/")
    assert out.index('type="importmap"') < out.index('type="module"')
    body = out.split('<script type="importmap">')[1].split("</script>")[0]
    assert "</script>" not in body and "<" not in body
    assert json.loads(body) == {
        "imports": {"carnet": "/u/a/static/assets/c.js", "x</script>": "/u/a/static/assets/x.js"}
    }
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    assert source == f"'sha256-{digest}'"
    (tmp_path / "importmap.json").write_text("{broken")
    assert with_importmap(page, tmp_path, "/") == (page, None)


def test_declarations_ship_with_the_package() -> None:
    import carnet.plugins

    dts = Path(carnet.plugins.__file__).parent / "carnet.d.ts"
    text = dts.read_text()
    assert 'declare module "carnet"' in text
    assert f"export const API_VERSION: {carnet.plugins.API_VERSION};" in text


def test_kernel_monitor_reads_proc_without_psutil(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import sys

    from tests.plugins.helpers import EXAMPLES

    if not Path("/proc/self/stat").exists():
        pytest.skip("no /proc on this system")
    monkeypatch.syspath_prepend(str(EXAMPLES / "kernel-monitor"))
    monkeypatch.setitem(sys.modules, "psutil", None)  # makes `import psutil` fail
    monkeypatch.delitem(sys.modules, "carnet_kernel_monitor", raising=False)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    import importlib

    monitor = importlib.import_module("carnet_kernel_monitor")
    sampler = monitor._Sampler()
    assert sampler.source == "/proc"
    figures = sampler.read(os.getpid())
    assert figures is not None
    cpu, rss = figures
    assert cpu > 0 and rss > 1_000_000
    assert sampler.read(2**22 + 12345) is None  # no such process
