"""Reading: models, listings and their rules, types and formats, hashes, hidden files."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from carnet.contents import ContentsManager
from carnet.errors import BadRequest, NotFound

pytestmark = pytest.mark.asyncio

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
MODEL_KEYS = {
    "name",
    "path",
    "type",
    "writable",
    "created",
    "last_modified",
    "size",
    "mimetype",
    "content",
    "format",
    "hash",
    "hash_algorithm",
}


def _write_notebook(path: Path) -> str:
    nb = v4.new_notebook()
    nb.cells.append(v4.new_code_cell("print(1)"))
    text = nbformat.writes(nb) + "\n"
    path.write_text(text)
    return text


async def test_file_model(cm: ContentsManager, root: Path) -> None:
    (root / "sub").mkdir()
    (root / "sub" / "a.txt").write_text("héllo\n")
    model = await cm.get("/sub/a.txt")
    assert set(model) == MODEL_KEYS
    assert model["name"] == "a.txt" and model["path"] == "sub/a.txt"
    assert model["type"] == "file" and model["format"] == "text"
    assert model["content"] == "héllo\n"
    assert model["mimetype"] == "text/plain"
    assert model["size"] == len("héllo\n".encode())
    assert model["writable"] is True
    assert ISO.match(model["last_modified"]) and ISO.match(model["created"])
    assert model["hash"] is None and model["hash_algorithm"] is None


async def test_binary_files_fall_back_to_base64(cm: ContentsManager, root: Path) -> None:
    data = bytes(range(256)) * 10
    (root / "blob").write_bytes(data)
    model = await cm.get("blob")
    assert model["format"] == "base64"
    assert model["mimetype"] == "application/octet-stream"
    assert "\n" in model["content"]  # MIME-style lines, as Jupyter sends them
    assert base64.b64decode(model["content"]) == data
    with pytest.raises(BadRequest, match="not UTF-8 encoded") as err:
        await cm.get("blob", format="text")
    assert err.value.reason == "bad format"
    text = await cm.get("blob", format="base64")
    assert text["content"] == model["content"]


async def test_text_can_be_asked_for_as_base64(cm: ContentsManager, root: Path) -> None:
    (root / "a.txt").write_text("abc")
    model = await cm.get("a.txt", format="base64")
    assert model["format"] == "base64" and base64.b64decode(model["content"]) == b"abc"


async def test_content_false_leaves_content_and_format_null(
    cm: ContentsManager, root: Path
) -> None:
    (root / "a.txt").write_text("abc")
    _write_notebook(root / "n.ipynb")
    for path in ("a.txt", "n.ipynb", ""):
        model = await cm.get(path, content=False)
        assert model["content"] is None and model["format"] is None


async def test_notebook_model(cm: ContentsManager, root: Path) -> None:
    _write_notebook(root / "n.ipynb")
    model = await cm.get("n.ipynb")
    assert model["type"] == "notebook" and model["format"] == "json"
    assert model["mimetype"] is None
    assert isinstance(model["content"], dict)
    assert model["content"]["cells"][0]["source"] == "print(1)"
    assert "message" not in model


async def test_type_forces_how_a_path_is_read(cm: ContentsManager, root: Path) -> None:
    text = _write_notebook(root / "n.ipynb")
    as_file = await cm.get("n.ipynb", type="file")
    assert as_file["type"] == "file" and as_file["content"] == text
    (root / "nb.json").write_text(text)
    as_nb = await cm.get("nb.json", type="notebook")
    assert as_nb["type"] == "notebook" and as_nb["content"]["nbformat"] == 4
    (root / "plain.txt").write_text("not a notebook")
    with pytest.raises(BadRequest, match=r"Unreadable Notebook: plain\.txt"):
        await cm.get("plain.txt", type="notebook")


async def test_type_mismatches_are_400_bad_type(cm: ContentsManager, root: Path) -> None:
    (root / "d").mkdir()
    (root / "a.txt").write_text("x")
    with pytest.raises(BadRequest, match="d is a directory, not a file") as err:
        await cm.get("d", type="file")
    assert err.value.reason == "bad type"
    with pytest.raises(BadRequest, match=r"a\.txt is not a directory") as err:
        await cm.get("a.txt", type="directory")
    assert err.value.reason == "bad type"


async def test_bad_type_and_format_arguments(cm: ContentsManager) -> None:
    with pytest.raises(BadRequest):
        await cm.get("", type="folder")
    with pytest.raises(BadRequest, match="Format 'json' is invalid"):
        await cm.get("", format="json")


async def test_missing_paths_are_404(cm: ContentsManager) -> None:
    with pytest.raises(NotFound, match=r"file or directory 'nope\.txt' does not exist"):
        await cm.get("nope.txt")
    with pytest.raises(NotFound):
        await cm.get("nope/deeper.txt", content=False)


async def test_hash_for_files_notebooks_and_directories(cm: ContentsManager, root: Path) -> None:
    (root / "a.txt").write_bytes(b"abc")
    text = _write_notebook(root / "n.ipynb")
    (root / "d").mkdir()
    for path, data in (("a.txt", b"abc"), ("n.ipynb", text.encode())):
        expected = hashlib.sha256(data).hexdigest()
        for content in (True, False):
            model = await cm.get(path, content=content, hash=True)
            assert model["hash"] == expected
            assert model["hash_algorithm"] == "sha256"
    model = await cm.get("d", hash=True)  # jupyter_server answers 500 here
    assert model["hash"] is None and model["type"] == "directory"


async def test_other_hash_algorithms(
    make_manager: Callable[..., ContentsManager], root: Path
) -> None:
    (root / "a.txt").write_bytes(b"abc")
    cm = make_manager(hash_algorithm="md5")
    model = await cm.get("a.txt", content=False, hash=True)
    assert model["hash"] == hashlib.md5(b"abc").hexdigest()
    with pytest.raises(ValueError, match="hash"):
        make_manager(hash_algorithm="nope")
    with pytest.raises(ValueError, match="hash"):
        make_manager(hash_algorithm="shake_128")


async def test_big_files_are_read_too(cm: ContentsManager, root: Path) -> None:
    data = os.urandom(1 << 20)
    (root / "big.bin").write_bytes(data)
    model = await cm.get("big.bin", hash=True)
    assert base64.b64decode(model["content"]) == data
    assert model["hash"] == hashlib.sha256(data).hexdigest()


async def test_directory_listing(cm: ContentsManager, root: Path) -> None:
    (root / "d").mkdir()
    (root / "a.txt").write_text("x")
    _write_notebook(root / "n.ipynb")
    (root / "img.png").write_bytes(b"\x89PNG")
    model = await cm.get("")
    assert model["name"] == "" and model["path"] == "" and model["type"] == "directory"
    assert model["format"] == "json" and model["size"] is None and model["mimetype"] is None
    entries = {e["name"]: e for e in model["content"]}
    assert set(entries) == {"d", "a.txt", "n.ipynb", "img.png"}
    for entry in entries.values():
        assert set(entry) == MODEL_KEYS
        assert entry["content"] is None and entry["format"] is None
    assert entries["d"]["type"] == "directory" and entries["d"]["size"] is None
    assert entries["n.ipynb"]["type"] == "notebook" and entries["n.ipynb"]["mimetype"] is None
    assert entries["a.txt"]["mimetype"] == "text/plain" and entries["a.txt"]["size"] == 1
    assert entries["img.png"]["mimetype"] == "image/png"
    sub = await cm.get("d")
    assert sub["path"] == "d" and sub["content"] == []


async def test_listing_rules(cm: ContentsManager, root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (root / "ok.txt").write_text("x")
    (root / "inner").mkdir()
    (root / "to-inner").symlink_to(root / "inner")
    (root / "to-ok").symlink_to(root / "ok.txt")
    (root / "to-outside").symlink_to(outside)
    (root / "to-secret").symlink_to(outside / "secret.txt")
    (root / "broken").symlink_to(root / "missing")
    os.mkfifo(root / "fifo")
    for name in (
        "__pycache__",
        "a.pyc",
        "a.pyo",
        ".DS_Store",
        "backup~",
        ".hidden",
        ".~carnet-abc.tmp",
        "back\\slash",
    ):
        (root / name).write_text("x")
    (root / os.fsdecode(b"bad-\xff-name")).write_text("x")
    names = {e["name"] for e in (await cm.get(""))["content"]}
    assert names == {"ok.txt", "inner", "to-inner", "to-ok"}
    entries = {e["name"]: e for e in (await cm.get(""))["content"]}
    assert entries["to-inner"]["type"] == "directory"
    assert entries["to-ok"]["type"] == "file" and entries["to-ok"]["size"] == 1


async def test_listing_with_hidden_files_allowed(
    make_manager: Callable[..., ContentsManager], root: Path
) -> None:
    cm = make_manager(allow_hidden=True, hide_globs=["*.log"])
    for name in (".hidden", "a.log", "a.pyc", ".~carnet-x.tmp"):
        (root / name).write_text("x")
    names = {e["name"] for e in (await cm.get(""))["content"]}
    assert names == {".hidden", "a.pyc"}  # carnet's temp files never show
    assert (await cm.get(".hidden"))["content"] == "x"


async def test_hide_globs_do_not_hide_direct_access(cm: ContentsManager, root: Path) -> None:
    (root / "a.pyc").write_bytes(b"x")
    assert (await cm.get("a.pyc"))["content"] == "x"


async def test_hidden_paths_are_404_for_reads(cm: ContentsManager, root: Path) -> None:
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("x")
    (root / ".env").write_text("SECRET=1")
    for path in (".git", ".git/config", ".env", "/.env"):
        with pytest.raises(NotFound):
            await cm.get(path)
        with pytest.raises(NotFound):
            await cm.get(path, content=False)
        with pytest.raises(NotFound):
            await cm.file_response_info(path)


async def test_hostile_paths_never_read_outside(
    cm: ContentsManager, root: Path, tmp_path: Path
) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link").symlink_to(tmp_path)
    (root / "secret-link").symlink_to(tmp_path / "secret.txt")
    for path in (
        "../secret.txt",
        "..%2fsecret.txt",
        "%2e%2e/secret.txt",
        "..\\secret.txt",
        "/../secret.txt",
        str(tmp_path / "secret.txt"),
        "C:\\secret.txt",
        "secret.txt\x00.png",
        "link/secret.txt",
        "secret-link",
        "link",
    ):
        for content in (True, False):
            with pytest.raises(NotFound):
                await cm.get(path, content=content)
        with pytest.raises(NotFound):
            await cm.file_response_info(path)


async def test_non_regular_files_are_refused(cm: ContentsManager, root: Path) -> None:
    os.mkfifo(root / "fifo")
    with pytest.raises(BadRequest, match="non-file"):
        await cm.get("fifo")
    with pytest.raises(BadRequest, match="non-file"):
        await cm.file_response_info("fifo")


async def test_file_response_info(cm: ContentsManager, root: Path) -> None:
    (root / "a.txt").write_text("x")
    _write_notebook(root / "n.ipynb")
    (root / "data.unknownext").write_text("text inside")
    (root / "blob.unknownext").write_bytes(b"\xff\xfe\x00")
    (root / "x.tar.gz").write_bytes(b"\x1f\x8b")
    (root / "d").mkdir()
    assert await cm.file_response_info("a.txt") == (str(root / "a.txt"), "text/plain")
    assert (await cm.file_response_info("n.ipynb"))[1] == "application/x-ipynb+json"
    assert (await cm.file_response_info("data.unknownext"))[1] == "text/plain"
    assert (await cm.file_response_info("blob.unknownext"))[1] == "application/octet-stream"
    assert (await cm.file_response_info("x.tar.gz"))[1] == "application/gzip"
    with pytest.raises(BadRequest, match="is a directory"):
        await cm.file_response_info("d")
    with pytest.raises(NotFound):
        await cm.file_response_info("missing.txt")


async def test_an_invalid_notebook_is_read_with_a_message(cm: ContentsManager, root: Path) -> None:
    (root / "bad.ipynb").write_text(
        '{"cells": [{"cell_type": "code", "metadata": {}, '
        '"source": "x"}], "metadata": {}, '
        '"nbformat": 4, "nbformat_minor": 4}'
    )
    model = await cm.get("bad.ipynb")
    assert model["message"].startswith("Notebook validation failed")
    (root / "worse.ipynb").write_text("{not json")
    with pytest.raises(BadRequest, match=r"Unreadable Notebook: worse\.ipynb"):
        await cm.get("worse.ipynb")
    (root / "latin.ipynb").write_bytes(b"\xff{}")
    with pytest.raises(BadRequest, match="Unreadable Notebook"):
        await cm.get("latin.ipynb")


async def test_local_path_is_confined(cm: ContentsManager, root: Path) -> None:
    assert cm.local_path("a/b.ipynb") == root / "a" / "b.ipynb"
    assert cm.local_path("") == root
    with pytest.raises(NotFound):
        cm.local_path("../x")
    assert cm.root_dir == root and cm.allow_hidden is False and cm.hash_algorithm == "sha256"
