"""The workspace and settings stores on real files: formats, per-user isolation, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carnet.errors import BadRequest, NotFound, PayloadTooLarge
from carnet.workspaces import SettingsStore, WorkspaceStore
from carnet.workspaces.jsonc import loads_jsonc, strip_jsonc


def doc(workspace_id: str, **data: object) -> bytes:
    return json.dumps({"data": data, "metadata": {"id": workspace_id}}).encode()


@pytest.mark.asyncio
async def test_unsaved_workspace_reads_empty(tmp_path: Path) -> None:
    store = WorkspaceStore(tmp_path)
    assert await store.get("ada", "default") == {"data": {}, "metadata": {"id": "default"}}
    assert await store.list("ada") == {"workspaces": {"ids": [], "values": []}}
    assert not tmp_path.joinpath("anything").exists()


@pytest.mark.asyncio
async def test_workspace_round_trip_and_times(tmp_path: Path) -> None:
    store = WorkspaceStore(tmp_path)
    await store.save("ada", "default", doc("default", layout={"main": [1, 2]}))
    got = await store.get("ada", "default")
    assert got["data"] == {"layout": {"main": [1, 2]}}
    assert got["metadata"]["id"] == "default"
    assert got["metadata"]["last_modified"].endswith("Z")
    assert got["metadata"]["created"].endswith("Z")
    listed = await store.list("ada")
    assert listed["workspaces"]["ids"] == ["default"]
    assert listed["workspaces"]["values"][0]["data"] == got["data"]


@pytest.mark.asyncio
async def test_leading_slash_and_encoded_ids_match(tmp_path: Path) -> None:
    store = WorkspaceStore(tmp_path)
    await store.save("ada", "lab-1", doc("/lab-1"))
    await store.save("ada", "lab_2", doc("lab%5F2"))
    assert (await store.list("ada"))["workspaces"]["ids"] == ["/lab-1", "lab%5F2"]


@pytest.mark.asyncio
async def test_users_are_isolated(tmp_path: Path) -> None:
    store = WorkspaceStore(tmp_path)
    await store.save("ada", "default", doc("default", who="ada"))
    await store.save("../grace", "default", doc("default", who="grace"))
    assert (await store.get("ada", "default"))["data"] == {"who": "ada"}
    assert (await store.get("../grace", "default"))["data"] == {"who": "grace"}
    # Every user folder is inside the store, whatever the username.
    for path in tmp_path.rglob("*"):
        assert path.resolve().is_relative_to(tmp_path.resolve())
    assert len(list(tmp_path.iterdir())) == 2


@pytest.mark.asyncio
async def test_overwrite_leaves_no_temp_files(tmp_path: Path) -> None:
    store = WorkspaceStore(tmp_path)
    for i in range(3):
        await store.save("ada", "default", doc("default", n=i))
    assert (await store.get("ada", "default"))["data"] == {"n": 2}
    (folder,) = tmp_path.iterdir()
    assert [p.name for p in folder.iterdir()] == ["default.jupyterlab-workspace"]


@pytest.mark.asyncio
async def test_delete(tmp_path: Path) -> None:
    store = WorkspaceStore(tmp_path)
    await store.save("ada", "default", doc("default", a=1))
    await store.delete("ada", "default")
    assert (await store.get("ada", "default"))["data"] == {}
    with pytest.raises(NotFound):
        await store.delete("ada", "default")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "workspace_id", ["", ".hidden", "../x", "a/b", "a b", "é", "x" * 200, "a\x00b"]
)
async def test_bad_workspace_ids(tmp_path: Path, workspace_id: str) -> None:
    store = WorkspaceStore(tmp_path)
    with pytest.raises(BadRequest):
        await store.get("ada", workspace_id)
    with pytest.raises(BadRequest):
        await store.save("ada", workspace_id, doc(workspace_id))
    with pytest.raises(BadRequest):
        await store.delete("ada", workspace_id)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'{"data": {}}',
        b'{"data": [], "metadata": {"id": "default"}}',
        b'{"data": {}, "metadata": {"id": 3}}',
        b'{"data": {}, "metadata": {"id": "other"}}',
        b"[" * 100000 + b"]" * 100000,
    ],
)
async def test_bad_workspace_bodies(tmp_path: Path, body: bytes) -> None:
    store = WorkspaceStore(tmp_path)
    with pytest.raises(BadRequest):
        await store.save("ada", "default", body)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.asyncio
async def test_workspace_size_limit(tmp_path: Path) -> None:
    store = WorkspaceStore(tmp_path, max_bytes=100)
    with pytest.raises(PayloadTooLarge):
        await store.save("ada", "default", doc("default", pad="x" * 200))


@pytest.mark.asyncio
async def test_broken_workspace_file_reads_empty(tmp_path: Path) -> None:
    store = WorkspaceStore(tmp_path)
    await store.save("ada", "default", doc("default", a=1))
    (folder,) = tmp_path.iterdir()
    (folder / "default.jupyterlab-workspace").write_text("{broken")
    assert (await store.get("ada", "default"))["data"] == {}


@pytest.mark.asyncio
async def test_settings_round_trip_keeps_raw_text(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path, version="9.9")
    empty = await store.get("ada", "@carnet/core:theme")
    assert empty["raw"] == "{}" and empty["settings"] == {} and empty["last_modified"] is None
    raw = '{\n  // the theme\n  "theme": "dark",\n}'
    await store.save("ada", "@carnet/core:theme", json.dumps({"raw": raw}).encode())
    got = await store.get("ada", "@carnet/core:theme")
    assert got["raw"] == raw
    assert got["settings"] == got["composite"] == {"theme": "dark"}
    assert got["id"] == "@carnet/core:theme" and got["version"] == "9.9"
    assert got["schema"] == {} and got["last_modified"].endswith("Z")
    listed = await store.list("ada")
    assert [m["id"] for m in listed["settings"]] == ["@carnet/core:theme"]
    assert (await store.list("grace"))["settings"] == []


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "plugin_id",
    ["", "nocolon", ":x", "a:", "../a:b", "a/b/c:d", "a:b/c", "a b:c", "x" * 300 + ":a"],
)
async def test_bad_plugin_ids(tmp_path: Path, plugin_id: str) -> None:
    store = SettingsStore(tmp_path, version="1")
    with pytest.raises(BadRequest):
        await store.get("ada", plugin_id)
    with pytest.raises(BadRequest):
        await store.save("ada", plugin_id, b'{"raw": "{}"}')


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "body",
    [
        b"nope",
        b"\xff",
        b"[]",
        b"{}",
        b'{"raw": 1}',
        b'{"raw": "[1]"}',
        b'{"raw": "{broken"}',
        b'{"raw": "\\"text\\""}',
    ],
)
async def test_bad_settings_bodies(tmp_path: Path, body: bytes) -> None:
    store = SettingsStore(tmp_path, version="1")
    with pytest.raises(BadRequest):
        await store.save("ada", "a:b", body)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.asyncio
async def test_settings_size_limit(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path, version="1", max_bytes=50)
    with pytest.raises(PayloadTooLarge):
        await store.save("ada", "a:b", json.dumps({"raw": "{}" + " " * 100}).encode())


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"a": 1,}', {"a": 1}),
        ("[1, 2, ]", [1, 2]),
        ('{"url": "http://x//y", /* c, } */ "b": [],}', {"url": "http://x//y", "b": []}),
        ('{"q": "a\\"//b"} // end', {"q": 'a"//b'}),
        ('{"a": ",}"}', {"a": ",}"}),
    ],
)
def test_jsonc(text: str, value: object) -> None:
    assert loads_jsonc(text) == value


def test_jsonc_keeps_line_numbers() -> None:
    assert strip_jsonc("/*a\nb*/1").count("\n") == 1
    with pytest.raises(ValueError, match="line 3"):
        loads_jsonc('{\n/* x\n*/ "a" 1}')
