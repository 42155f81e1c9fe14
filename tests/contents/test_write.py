"""Writing: save (files, notebooks, directories), new, copy, rename, delete, events."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat import v4

from carnet.contents import ContentsManager
from carnet.errors import BadRequest, Conflict, NotFound

from .conftest import Events

pytestmark = pytest.mark.asyncio


def _notebook_json(cells: int = 2) -> dict[str, Any]:
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for i in range(cells):
        cell = v4.new_code_cell(f"x = {i}\nprint(x)", execution_count=i + 1)
        cell.outputs = [v4.new_output("stream", name="stdout", text=f"{i}\n")]
        nb.cells.append(cell)
    return json.loads(json.dumps(nb))


def _leftovers(directory: Path) -> list[str]:
    return [n for n in os.listdir(directory) if n.startswith(".~")]


# --- save -------------------------------------------------------------------------------


async def test_save_text_file_created_then_updated(
    cm: ContentsManager, root: Path, events: Events
) -> None:
    model, created = await cm.save(
        "a.txt", {"type": "file", "format": "text", "content": "one\r\ntwo\n"}
    )
    assert created is True
    assert model["path"] == "a.txt" and model["content"] is None and model["size"] == 9
    assert (root / "a.txt").read_bytes() == b"one\r\ntwo\n"  # newlines as sent, no translation
    _, created = await cm.save("/a.txt", {"type": "file", "format": "text", "content": "3"})
    assert created is False
    assert (root / "a.txt").read_text() == "3"
    assert events == [("save", {"path": "a.txt"}), ("save", {"path": "a.txt"})]


async def test_save_base64_file(cm: ContentsManager, root: Path) -> None:
    await cm.save("b.bin", {"type": "file", "format": "base64", "content": "AAEC\n/w==\n"})
    assert (root / "b.bin").read_bytes() == b"\x00\x01\x02\xff"


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ({}, "No file type provided"),
        ({"type": "file"}, "No file content provided"),
        ({"type": "file", "content": "x"}, "Must specify format"),
        ({"type": "file", "content": "x", "format": "json"}, "Must specify format"),
        ({"type": "file", "content": 5, "format": "text"}, "content must be a string"),
        ({"type": "file", "content": ["x"], "format": "text"}, "content must be a string"),
        ({"type": "file", "content": "\udcff", "format": "text"}, "Encoding error"),
        ({"type": "file", "content": "ü", "format": "base64"}, "Encoding error"),
        ({"type": "file", "content": "abc", "format": "base64"}, "Encoding error"),
        ({"type": "file", "content": "x", "format": 5}, "'format' must be a string"),
        ({"type": 5, "content": "x"}, "'type' must be a string"),
        ({"type": "symlink", "content": "x"}, "Unhandled contents type: symlink"),
        ({"type": "notebook", "content": "x"}, "must be a JSON object"),
        ({"type": "notebook", "content": {"nbformat": 4}}, "Notebook validation failed"),
    ],
)
async def test_bad_save_models_are_400_and_write_nothing(
    cm: ContentsManager, root: Path, model: dict[str, Any], message: str
) -> None:
    with pytest.raises(BadRequest, match=message):
        await cm.save("x.txt", model)
    assert os.listdir(root) == []


async def test_a_model_must_be_a_dict(cm: ContentsManager) -> None:
    with pytest.raises(BadRequest):
        await cm.save("x.txt", ["not", "a", "dict"])  # type: ignore[arg-type]


async def test_save_notebook_round_trips_byte_for_byte(cm: ContentsManager, root: Path) -> None:
    nb = nbformat.from_dict(_notebook_json())
    text = nbformat.writes(nb) + "\n"
    (root / "n.ipynb").write_text(text)
    model = await cm.get("n.ipynb")
    over_the_wire = json.loads(json.dumps(model["content"]))
    saved, created = await cm.save(
        "n.ipynb", {"type": "notebook", "format": "json", "content": over_the_wire}
    )
    assert created is False and saved["type"] == "notebook"
    assert (root / "n.ipynb").read_text() == text


async def test_a_44_notebook_stays_44(cm: ContentsManager, root: Path) -> None:
    content = _notebook_json()
    content["nbformat_minor"] = 4
    for cell in content["cells"]:
        del cell["id"]
    await cm.save("old.ipynb", {"type": "notebook", "content": content})
    text = (root / "old.ipynb").read_text()
    assert json.loads(text)["nbformat_minor"] == 4
    assert '"id"' not in text
    model = await cm.get("old.ipynb")
    await cm.save("old.ipynb", {"type": "notebook", "content": model["content"]})
    assert (root / "old.ipynb").read_text() == text


async def test_a_v3_notebook_is_saved_as_v4(cm: ContentsManager, root: Path) -> None:
    old = nbformat.v3.new_notebook()
    old.worksheets.append(nbformat.v3.new_worksheet(cells=[nbformat.v3.new_code_cell("1")]))
    await cm.save("v3.ipynb", {"type": "notebook", "content": json.loads(json.dumps(old))})
    assert json.loads((root / "v3.ipynb").read_text())["nbformat"] == 4


async def test_an_invalid_notebook_never_replaces_a_good_one(
    cm: ContentsManager, root: Path
) -> None:
    await cm.save("n.ipynb", {"type": "notebook", "content": _notebook_json()})
    before = (root / "n.ipynb").read_bytes()
    bad = _notebook_json()
    del bad["cells"][0]["outputs"]
    with pytest.raises(BadRequest, match=r"Notebook validation failed: 'outputs'"):
        await cm.save("n.ipynb", {"type": "notebook", "content": bad})
    assert (root / "n.ipynb").read_bytes() == before
    # ...and a new invalid notebook leaves no file at all (not even 0 bytes)
    with pytest.raises(BadRequest):
        await cm.save("new.ipynb", {"type": "notebook", "content": bad})
    assert not (root / "new.ipynb").exists()
    assert _leftovers(root) == []


async def test_first_notebook_save_creates_a_checkpoint(cm: ContentsManager, root: Path) -> None:
    await cm.save("n.ipynb", {"type": "notebook", "content": _notebook_json(1)})
    checkpoint = root / ".ipynb_checkpoints" / "n-checkpoint.ipynb"
    assert checkpoint.read_bytes() == (root / "n.ipynb").read_bytes()
    await cm.save("n.ipynb", {"type": "notebook", "content": _notebook_json(3)})
    assert checkpoint.read_bytes() != (root / "n.ipynb").read_bytes()  # only the first


async def test_save_keeps_mode_and_writes_through_symlinks(cm: ContentsManager, root: Path) -> None:
    (root / "real.txt").write_text("old")
    (root / "real.txt").chmod(0o640)
    (root / "alias.txt").symlink_to(root / "real.txt")
    await cm.save("alias.txt", {"type": "file", "format": "text", "content": "new"})
    assert (root / "alias.txt").is_symlink()
    assert (root / "real.txt").read_text() == "new"
    assert stat.S_IMODE((root / "real.txt").stat().st_mode) == 0o640


async def test_save_directory(cm: ContentsManager, root: Path) -> None:
    model, created = await cm.save("d", {"type": "directory"})
    assert created and model["type"] == "directory" and (root / "d").is_dir()
    _, created = await cm.save("d", {"type": "directory"})
    assert created is False
    (root / "f").write_text("x")
    with pytest.raises(BadRequest, match="Not a directory: f"):
        await cm.save("f", {"type": "directory"})
    with pytest.raises(BadRequest, match="d is a directory"):
        await cm.save("d", {"type": "file", "format": "text", "content": "x"})
    with pytest.raises(BadRequest, match="is a directory"):
        await cm.save("", {"type": "file", "format": "text", "content": "x"})


async def test_save_needs_an_existing_parent(cm: ContentsManager, root: Path) -> None:
    with pytest.raises(NotFound, match="No such directory: a/b"):
        await cm.save("a/b/c.txt", {"type": "file", "format": "text", "content": "x"})
    with pytest.raises(NotFound):
        await cm.save("a/b", {"type": "directory"})


async def test_writes_to_hidden_paths_are_400(cm: ContentsManager, root: Path) -> None:
    model = {"type": "file", "format": "text", "content": "x"}
    for path in (".env", ".git/config", "a/.hidden/b"):
        with pytest.raises(BadRequest, match="Cannot create file or directory"):
            await cm.save(path, model)
    assert os.listdir(root) == []


async def test_hidden_writes_are_allowed_when_configured(
    make_manager: Callable[..., ContentsManager], root: Path
) -> None:
    cm = make_manager(allow_hidden=True)
    await cm.save(".env", {"type": "file", "format": "text", "content": "x"})
    assert (root / ".env").read_text() == "x"


async def test_writes_never_leave_the_root(cm: ContentsManager, root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "out").symlink_to(outside)
    model = {"type": "file", "format": "text", "content": "pwned"}
    for path in ("../evil.txt", "out/evil.txt", "a/../../evil.txt", "C:\\evil.txt", "evil\x00.txt"):
        with pytest.raises(NotFound):
            await cm.save(path, model)
    assert os.listdir(outside) == []
    assert not (tmp_path / "evil.txt").exists()


# --- chunked uploads --------------------------------------------------------------------


async def test_chunked_upload(cm: ContentsManager, root: Path, events: Events) -> None:
    parts = [b"first-", b"second-", b"last"]
    model, created = await cm.save(
        "up.bin", {"type": "file", "format": "base64", "chunk": 1, "content": _b64(parts[0])}
    )
    assert created is True and model["path"] == "up.bin" and model["size"] == 6
    assert not (root / "up.bin").exists()  # nothing visible until the last chunk
    assert os.listdir(root) != [] and (await cm.get(""))["content"] == []
    _, created = await cm.save(
        "up.bin", {"type": "file", "format": "base64", "chunk": 2, "content": _b64(parts[1])}
    )
    assert created is False
    model, created = await cm.save(
        "up.bin", {"type": "file", "format": "base64", "chunk": -1, "content": _b64(parts[2])}
    )
    assert created is False
    assert (root / "up.bin").read_bytes() == b"".join(parts)
    assert model["size"] == len(b"".join(parts))
    assert os.listdir(root) == ["up.bin"]
    assert events == [("save", {"path": "up.bin"})]  # once, when the file is complete


async def test_chunked_upload_replaces_atomically(cm: ContentsManager, root: Path) -> None:
    (root / "up.txt").write_text("old content")
    (root / "up.txt").chmod(0o604)
    await cm.save("up.txt", {"type": "file", "format": "text", "chunk": 1, "content": "new "})
    assert (root / "up.txt").read_text() == "old content"
    _, created = await cm.save(
        "up.txt", {"type": "file", "format": "text", "chunk": -1, "content": "content"}
    )
    assert created is False
    assert (root / "up.txt").read_text() == "new content"
    assert stat.S_IMODE((root / "up.txt").stat().st_mode) == 0o604


async def test_a_single_last_chunk_is_a_whole_upload(cm: ContentsManager, root: Path) -> None:
    _, created = await cm.save(
        "one.txt", {"type": "file", "format": "text", "chunk": -1, "content": "all"}
    )
    assert created is True
    assert (root / "one.txt").read_text() == "all"


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ({"type": "notebook", "chunk": 1, "content": {}}, 'File type "notebook" is not supported'),
        ({"type": "directory", "chunk": 1, "content": ""}, "not supported for large file"),
        ({"type": "file", "format": "text", "chunk": 0, "content": "x"}, "Invalid chunk"),
        ({"type": "file", "format": "text", "chunk": -2, "content": "x"}, "Invalid chunk"),
        ({"type": "file", "format": "text", "chunk": "1", "content": "x"}, "Invalid chunk"),
        ({"type": "file", "format": "text", "chunk": True, "content": "x"}, "Invalid chunk"),
        ({"type": "file", "format": "text", "chunk": 1.5, "content": "x"}, "Invalid chunk"),
        ({"type": "file", "chunk": 1, "content": "x"}, "Must specify format"),
        ({"type": "file", "format": "text", "chunk": 3, "content": "x"}, "chunk 1"),
    ],
)
async def test_bad_chunks_are_400(
    cm: ContentsManager, root: Path, model: dict[str, Any], message: str
) -> None:
    with pytest.raises(BadRequest, match=message):
        await cm.save("up.bin", model)
    assert not (root / "up.bin").exists()


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


# --- new untitled -----------------------------------------------------------------------


async def test_new_untitled_names(cm: ContentsManager, root: Path, events: Events) -> None:
    names = []
    for kwargs in (
        {},
        {},
        {"ext": ".py"},
        {"ext": ".py"},
        {"type": "notebook"},
        {"ext": ".ipynb"},
        {"type": "directory"},
        {"type": "directory"},
        {"type": "file", "ext": ".txt"},
    ):
        names.append((await cm.new_untitled("", **kwargs))["name"])
    assert names == [
        "untitled",
        "untitled1",
        "untitled.py",
        "untitled1.py",
        "Untitled.ipynb",
        "Untitled1.ipynb",
        "Untitled Folder",
        "Untitled Folder 1",
        "untitled.txt",
    ]
    assert (root / "Untitled.ipynb").read_bytes() == (
        nbformat.writes(v4.new_notebook()) + "\n"
    ).encode()
    assert (root / "untitled").read_bytes() == b""
    assert (root / ".ipynb_checkpoints" / "Untitled-checkpoint.ipynb").exists()
    assert events[0] == ("create", {"path": "untitled"})


async def test_new_untitled_configured_names(
    make_manager: Callable[..., ContentsManager], root: Path
) -> None:
    cm = make_manager(
        untitled_notebook="Carnet", untitled_file="note", untitled_directory="New Folder"
    )
    (root / "sub").mkdir()
    assert (await cm.new_untitled("sub", type="notebook"))["path"] == "sub/Carnet.ipynb"
    assert (await cm.new_untitled("sub"))["path"] == "sub/note"
    assert (await cm.new_untitled("sub", type="directory"))["path"] == "sub/New Folder"


async def test_new_untitled_errors(cm: ContentsManager, root: Path) -> None:
    (root / "f.txt").write_text("x")
    with pytest.raises(NotFound, match="No such directory: nope"):
        await cm.new_untitled("nope")
    with pytest.raises(NotFound):
        await cm.new_untitled("f.txt")
    with pytest.raises(BadRequest, match="Unexpected model type"):
        await cm.new_untitled("", type="symlink")
    with pytest.raises(BadRequest, match="extension"):
        await cm.new_untitled("", ext="/../../x")
    with pytest.raises(BadRequest, match="'ext' must be a string"):
        await cm.new_untitled("", ext=5)  # type: ignore[arg-type]
    with pytest.raises(BadRequest, match="Cannot create"):
        await cm.new_untitled(".hidden")
    with pytest.raises(NotFound):
        await cm.new_untitled("..")


# --- copy -------------------------------------------------------------------------------


async def test_copy_names(cm: ContentsManager, root: Path, events: Events) -> None:
    (root / "a.txt").write_text("a")
    (root / "x.tar.gz").write_bytes(b"gz")
    (root / "nb.v2.ipynb").write_text("{}")
    (root / "d").mkdir()
    assert (await cm.copy("a.txt", ""))["name"] == "a-Copy1.txt"
    assert (await cm.copy("a.txt", ""))["name"] == "a-Copy2.txt"
    assert (await cm.copy("a-Copy1.txt", ""))["name"] == "a-Copy3.txt"
    assert (await cm.copy("x.tar.gz", ""))["name"] == "x-Copy1.tar.gz"
    assert (await cm.copy("nb.v2.ipynb", ""))["name"] == "nb.v2-Copy1.ipynb"
    assert (await cm.copy("a.txt", "d"))["path"] == "d/a.txt"  # free in another directory
    assert (await cm.copy("/a.txt", "/d/"))["path"] == "d/a-Copy1.txt"
    assert (root / "d" / "a-Copy1.txt").read_text() == "a"
    assert events[0] == ("copy", {"path": "a-Copy1.txt", "source_path": "a.txt"})


async def test_copy_keeps_the_mode(cm: ContentsManager, root: Path) -> None:
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o750)
    model = await cm.copy("run.sh", "")
    assert stat.S_IMODE((root / model["name"]).stat().st_mode) == 0o750


async def test_copy_directories(cm: ContentsManager, root: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("secret")
    (root / "d" / "sub").mkdir(parents=True)
    (root / "d" / "sub" / "f.txt").write_text("f")
    (root / "d" / "link-out").symlink_to(tmp_path / "outside.txt")
    os.mkfifo(root / "d" / "fifo")
    (root / "e").mkdir()
    assert (await cm.copy("d", ""))["name"] == "d-Copy1"
    assert (root / "d-Copy1" / "sub" / "f.txt").read_text() == "f"
    assert (root / "d-Copy1" / "link-out").is_symlink()  # a link, not the outside data
    assert not (root / "d-Copy1" / "fifo").exists()
    assert (await cm.copy("d", "e"))["path"] == "e/d"
    with pytest.raises(BadRequest, match="into itself"):
        await cm.copy("d", "d/sub")
    assert not [n for n in os.listdir(root) if n.startswith(".~")]


async def test_copy_folder_size_limit(
    make_manager: Callable[..., ContentsManager], root: Path
) -> None:
    cm = make_manager(max_copy_folder_size_mb=1)
    (root / "big").mkdir()
    (root / "big" / "blob").write_bytes(b"x" * (2 << 20))
    with pytest.raises(BadRequest, match="Can't copy folders larger than 1MB"):
        await cm.copy("big", "")
    assert sorted(os.listdir(root)) == ["big"]


async def test_copy_errors(cm: ContentsManager, root: Path) -> None:
    (root / "a.txt").write_text("a")
    (root / ".secret").write_text("s")
    with pytest.raises(NotFound):
        await cm.copy("nope.txt", "")
    with pytest.raises(NotFound, match="No such directory"):
        await cm.copy("a.txt", "nope")
    with pytest.raises(BadRequest, match="Cannot copy"):
        await cm.copy(".secret", "")
    with pytest.raises(NotFound):
        await cm.copy("../a.txt", "")
    with pytest.raises(NotFound):
        await cm.copy("a.txt", "..")
    with pytest.raises(BadRequest):
        await cm.copy("", "")


# --- rename -----------------------------------------------------------------------------


async def test_rename(cm: ContentsManager, root: Path, events: Events) -> None:
    (root / "a.txt").write_text("a")
    (root / "d").mkdir()
    model = await cm.rename("a.txt", "d/b.txt")
    assert model["path"] == "d/b.txt" and (root / "d" / "b.txt").read_text() == "a"
    assert events == [("rename", {"path": "d/b.txt", "source_path": "a.txt"})]
    assert (await cm.rename("d/b.txt", "d/b.txt"))["path"] == "d/b.txt"  # no-op
    assert len(events) == 1


async def test_rename_onto_an_existing_file_is_409(cm: ContentsManager, root: Path) -> None:
    (root / "a.txt").write_text("a")
    (root / "b.txt").write_text("b")
    with pytest.raises(Conflict, match=r"File already exists: b\.txt"):
        await cm.rename("a.txt", "b.txt")
    assert (root / "a.txt").read_text() == "a" and (root / "b.txt").read_text() == "b"


async def test_rename_errors(cm: ContentsManager, root: Path, tmp_path: Path) -> None:
    (root / "a.txt").write_text("a")
    (root / "d").mkdir()
    (root / "out").symlink_to(tmp_path)
    with pytest.raises(NotFound, match="does not exist"):
        await cm.rename("nope", "x")
    with pytest.raises(NotFound, match="No such directory"):
        await cm.rename("a.txt", "nope/a.txt")
    with pytest.raises(BadRequest, match="Cannot rename"):
        await cm.rename("a.txt", ".a.txt")
    with pytest.raises(BadRequest, match="into itself"):
        await cm.rename("d", "d/inner")
    with pytest.raises(BadRequest, match="root"):
        await cm.rename("", "x")
    with pytest.raises(BadRequest, match="root"):
        await cm.rename("a.txt", "")
    for target in ("../a.txt", "out/a.txt", "d/../../a.txt"):
        with pytest.raises(NotFound):
            await cm.rename("a.txt", target)
    assert (root / "a.txt").exists() and os.listdir(tmp_path / "root") != []


async def test_rename_a_symlink_renames_the_link(cm: ContentsManager, root: Path) -> None:
    (root / "target.txt").write_text("t")
    (root / "link.txt").symlink_to(root / "target.txt")
    await cm.rename("link.txt", "link2.txt")
    assert (root / "link2.txt").is_symlink() and (root / "target.txt").exists()


async def test_rename_moves_the_checkpoint(cm: ContentsManager, root: Path) -> None:
    (root / "a.txt").write_text("a")
    (root / "d").mkdir()
    await cm.create_checkpoint("a.txt")
    await cm.rename("a.txt", "d/b.txt")
    assert await cm.list_checkpoints("a.txt") == []
    assert len(await cm.list_checkpoints("d/b.txt")) == 1


# --- delete -----------------------------------------------------------------------------


async def test_delete_goes_to_the_trash(
    cm: ContentsManager, root: Path, trash_dir: Path, events: Events
) -> None:
    (root / "a.txt").write_text("a")
    (root / "d").mkdir()
    (root / "d" / "f.txt").write_text("f")
    await cm.create_checkpoint("a.txt")
    await cm.delete("a.txt")
    await cm.delete("d")  # non-empty directories go to the trash too
    assert sorted(os.listdir(root)) == [".ipynb_checkpoints"]
    assert os.listdir(root / ".ipynb_checkpoints") == []  # its checkpoint went with it
    assert sorted(os.listdir(trash_dir / "files")) == ["a.txt", "d"]
    assert (trash_dir / "files" / "a.txt").read_text() == "a"
    assert events == [("delete", {"path": "a.txt"}), ("delete", {"path": "d"})]


async def test_permanent_delete(
    make_manager: Callable[..., ContentsManager], root: Path, trash_dir: Path
) -> None:
    cm = make_manager(delete_to_trash=False)
    (root / "a.txt").write_text("a")
    (root / "empty").mkdir()
    (root / "only-checkpoints" / ".ipynb_checkpoints").mkdir(parents=True)
    (root / "full").mkdir()
    (root / "full" / "f").write_text("f")
    await cm.delete("a.txt")
    await cm.delete("empty")
    await cm.delete("only-checkpoints")
    with pytest.raises(BadRequest, match="Directory full not empty"):
        await cm.delete("full")
    assert sorted(os.listdir(root)) == ["full"]
    assert not trash_dir.exists()
    forced = make_manager(delete_to_trash=False, always_delete_dir=True)
    await forced.delete("full")
    assert os.listdir(root) == []


async def test_delete_a_symlink_deletes_the_link(
    make_manager: Callable[..., ContentsManager], root: Path
) -> None:
    cm = make_manager(delete_to_trash=False)
    (root / "target").mkdir()
    (root / "target" / "keep.txt").write_text("k")
    (root / "link").symlink_to(root / "target")
    await cm.delete("link")
    assert (root / "target" / "keep.txt").exists() and not (root / "link").exists()


async def test_delete_errors(cm: ContentsManager, root: Path, tmp_path: Path) -> None:
    (root / ".hidden").write_text("h")
    (root / "out").symlink_to(tmp_path)
    with pytest.raises(BadRequest, match="Can't delete root"):
        await cm.delete("")
    with pytest.raises(BadRequest, match="Can't delete root"):
        await cm.delete("/")
    with pytest.raises(NotFound, match="does not exist"):
        await cm.delete("nope")
    with pytest.raises(BadRequest, match="Cannot delete"):
        await cm.delete(".hidden")
    for path in ("..", "../root", "out"):
        with pytest.raises(NotFound):
            await cm.delete(path)
    # A symlink that leads back to the root itself does not make the root deletable.
    with pytest.raises(BadRequest, match="Can't delete root"):
        await cm.delete("out/root")
    with pytest.raises(BadRequest, match="Can't rename root"):
        await cm.rename("out/root", "elsewhere")
    assert (root / ".hidden").exists() and (tmp_path / "root").exists()


async def test_on_change_errors_are_logged_not_raised(
    make_manager: Callable[..., ContentsManager], root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(action: str, fields: dict[str, Any]) -> None:
        raise RuntimeError("audit down")

    cm = make_manager(on_change=broken)
    await cm.save("a.txt", {"type": "file", "format": "text", "content": "x"})
    assert (root / "a.txt").read_text() == "x"
    assert "on_change hook failed" in caplog.text
