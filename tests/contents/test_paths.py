"""Root confinement: hostile API paths never reach outside the root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from carnet.contents.paths import ContentsRoot, is_hidden, normalize_api_path, split_api_path
from carnet.errors import BadRequest, NotFound


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("", ()),
        ("/", ()),
        ("a.txt", ("a.txt",)),
        ("/a/b.txt", ("a", "b.txt")),
        ("a/b/", ("a", "b")),
        ("%2e%2e", ("%2e%2e",)),  # decoded once by the route; a literal name from here on
        ("..a/b..", ("..a", "b..")),
        ("Ünïcødé/名前.ipynb", ("Ünïcødé", "名前.ipynb")),
        ("a b/c:d", ("a b", "c:d")),
    ],
)
def test_plain_paths_split(path: str, parts: tuple[str, ...]) -> None:
    assert split_api_path(path) == parts
    assert normalize_api_path(path) == "/".join(parts)


@pytest.mark.parametrize(
    "path",
    [
        "..",
        "../etc/passwd",
        "a/../../etc",
        "a/..",
        "/..",
        "./a",
        "a/./b",
        "a//b",
        "a\x00b",
        "\x00",
        "..\\..\\etc",
        "a\\b",
        "C:\\Windows",
        "C:/Windows",
        "c:",
        "\\\\server\\share",
        "a/\udcff",  # not valid Unicode (a lone surrogate)
    ],
)
def test_hostile_paths_are_refused_with_404(path: str) -> None:
    with pytest.raises(NotFound):
        split_api_path(path)


def test_a_path_must_be_a_string() -> None:
    with pytest.raises(BadRequest):
        split_api_path(5)  # type: ignore[arg-type]


def test_hidden_means_any_dot_component() -> None:
    assert is_hidden((".git",))
    assert is_hidden(("a", ".ipynb_checkpoints", "x"))
    assert not is_hidden(("a", "b.c"))
    assert not is_hidden(())


def test_root_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a directory"):
        ContentsRoot(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not a directory"):
        ContentsRoot(tmp_path / "file")


def test_absolute_looking_paths_stay_under_the_root(tmp_path: Path) -> None:
    root = ContentsRoot(tmp_path)
    located = root.locate("/etc/passwd")
    assert located.api == "etc/passwd"
    assert located.real == os.path.join(tmp_path.resolve(), "etc", "passwd")


def test_symlinks_out_of_the_root_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    base = tmp_path / "root"
    base.mkdir()
    (base / "link-dir").symlink_to(outside)
    (base / "link-file").symlink_to(outside / "secret.txt")
    (base / "dangling-out").symlink_to(outside / "nothing")
    root = ContentsRoot(base)
    for path in (
        "link-dir",
        "link-dir/secret.txt",
        "link-dir/new.txt",
        "link-file",
        "dangling-out",
    ):
        with pytest.raises(NotFound, match="outside root"):
            root.locate(path)


def test_symlinks_inside_the_root_resolve(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.txt").write_text("a")
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    located = ContentsRoot(tmp_path).locate("alias/a.txt")
    assert located.lexical == os.path.join(tmp_path.resolve(), "alias", "a.txt")
    assert located.real == os.path.join(tmp_path.resolve(), "real", "a.txt")


def test_a_symlinked_root_is_served_through_its_target(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "target")
    root = ContentsRoot(tmp_path / "link")
    assert root.real == str((tmp_path / "target").resolve())
    assert root.locate("x").real == str((tmp_path / "target" / "x").resolve())


def test_a_symlink_loop_does_not_escape(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    located = ContentsRoot(tmp_path).locate("loop/x")
    assert located.real.startswith(str(tmp_path.resolve()))
