"""Checkpoints: one per file, in Jupyter's place, confined like everything else."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from carnet.contents import ContentsManager
from carnet.errors import BadRequest, NotFound

from .conftest import Events
from .test_read import ISO

pytestmark = pytest.mark.asyncio


async def test_create_list_restore_delete(cm: ContentsManager, root: Path, events: Events) -> None:
    (root / "sub").mkdir()
    target = root / "sub" / "data.csv"
    target.write_text("v1")
    assert await cm.list_checkpoints("sub/data.csv") == []
    checkpoint = await cm.create_checkpoint("sub/data.csv")
    assert checkpoint["id"] == "checkpoint" and ISO.match(checkpoint["last_modified"])
    stored = root / "sub" / ".ipynb_checkpoints" / "data-checkpoint.csv"  # Jupyter's layout
    assert stored.read_text() == "v1"
    assert await cm.list_checkpoints("sub/data.csv") == [checkpoint]
    target.write_text("v2")
    target.chmod(0o600)
    await cm.restore_checkpoint("sub/data.csv", "checkpoint")
    assert target.read_text() == "v1"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # the file keeps its own mode
    assert events == [("save", {"path": "sub/data.csv", "checkpoint": "checkpoint"})]
    await cm.delete_checkpoint("sub/data.csv", "checkpoint")
    assert await cm.list_checkpoints("sub/data.csv") == []
    assert not stored.exists()


async def test_creating_again_overwrites(cm: ContentsManager, root: Path) -> None:
    (root / "a.txt").write_text("1")
    await cm.create_checkpoint("a.txt")
    (root / "a.txt").write_text("2")
    await cm.create_checkpoint("a.txt")
    assert (root / ".ipynb_checkpoints" / "a-checkpoint.txt").read_text() == "2"


async def test_the_checkpoint_reports_the_time_of_the_version_it_holds(
    cm: ContentsManager, root: Path
) -> None:
    (root / "a.txt").write_text("1")
    os.utime(root / "a.txt", ns=(0, 1_700_000_000_000_000_000))
    checkpoint = await cm.create_checkpoint("a.txt")
    assert checkpoint["last_modified"] == "2023-11-14T22:13:20.000000Z"


async def test_missing_checkpoints_are_404(cm: ContentsManager, root: Path) -> None:
    (root / "a.txt").write_text("1")
    with pytest.raises(NotFound, match=r"Checkpoint does not exist: a\.txt@checkpoint"):
        await cm.restore_checkpoint("a.txt", "checkpoint")
    with pytest.raises(NotFound, match="Checkpoint does not exist"):
        await cm.delete_checkpoint("a.txt", "checkpoint")
    await cm.create_checkpoint("a.txt")
    with pytest.raises(NotFound, match=r"a\.txt@other"):
        await cm.restore_checkpoint("a.txt", "other")
    with pytest.raises(NotFound):
        await cm.create_checkpoint("missing.txt")


async def test_checkpoint_errors(cm: ContentsManager, root: Path) -> None:
    (root / "d").mkdir()
    (root / ".secret").write_text("s")
    with pytest.raises(BadRequest, match="not a file"):
        await cm.create_checkpoint("d")
    with pytest.raises(BadRequest, match="Cannot checkpoint"):
        await cm.create_checkpoint(".secret")
    with pytest.raises(NotFound):
        await cm.list_checkpoints(".secret")
    with pytest.raises(NotFound):
        await cm.create_checkpoint("../x")


async def test_a_planted_checkpoint_symlink_is_never_written_through(
    cm: ContentsManager, root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / ".ipynb_checkpoints").symlink_to(outside)
    (root / "a.txt").write_text("a")
    with pytest.raises(NotFound, match="outside root"):
        await cm.create_checkpoint("a.txt")
    assert await cm.list_checkpoints("a.txt") == []
    # A first notebook save still succeeds: only its checkpoint cannot be made.
    _, created = await cm.save(
        "n.ipynb",
        {
            "type": "notebook",
            "content": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
        },
    )
    assert created and (root / "n.ipynb").exists()
    assert os.listdir(outside) == []


async def test_restore_is_atomic_and_keeps_notebooks_loadable(
    cm: ContentsManager, root: Path
) -> None:
    model = await cm.new_untitled("", type="notebook")
    await cm.save(
        model["path"],
        {
            "type": "notebook",
            "content": {
                "cells": [],
                "metadata": {"changed": True},
                "nbformat": 4,
                "nbformat_minor": 5,
            },
        },
    )
    await cm.restore_checkpoint(model["path"], "checkpoint")
    restored = await cm.get(model["path"])
    assert restored["content"]["metadata"] == {}
    assert not [n for n in os.listdir(root) if n.startswith(".~")]
