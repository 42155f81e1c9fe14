"""File checkpoints, stored where Jupyter stores them (facts §1.3, "Checkpoints").

One checkpoint per file, id ``"checkpoint"``, at
``<dir>/.ipynb_checkpoints/<stem>-checkpoint<ext>``, so checkpoints made by Jupyter are
found by carnet and the other way round. The checkpoint path goes through the same root
confinement as any API path: a ``.ipynb_checkpoints`` symlink planted to lead outside the
root is refused, never written through.
"""

# OS paths stay strings here on purpose: confinement works on os.path.realpath strings,
# and hot loops can't afford a pathlib object per call.
# ruff: noqa: PTH103, PTH105, PTH108, PTH112, PTH113, PTH116, PTH120, PTH122

from __future__ import annotations

import os
import stat
from typing import Any

from carnet.contents.atomic import atomic_copy
from carnet.contents.models import IsoTimes
from carnet.contents.oserrors import os_errors
from carnet.contents.paths import ContentsRoot, Located, parent_of
from carnet.errors import BadRequest, NotFound

CHECKPOINT_ID = "checkpoint"
CHECKPOINT_DIR = ".ipynb_checkpoints"


class FileCheckpoints:
    """Create, list, restore, delete and move the checkpoint of a file."""

    def __init__(self, root: ContentsRoot) -> None:
        self._root = root

    def locate(self, target: Located) -> Located:
        """Where the checkpoint of ``target`` lives (whether or not it exists)."""
        stem, ext = os.path.splitext(target.name)
        parent = parent_of(target.api)
        name = f"{CHECKPOINT_DIR}/{stem}-{CHECKPOINT_ID}{ext}"
        return self._root.locate(f"{parent}/{name}" if parent else name)

    @staticmethod
    def _model(checkpoint: Located) -> dict[str, Any]:
        st = os.stat(checkpoint.real)
        return {"id": CHECKPOINT_ID, "last_modified": IsoTimes()(st.st_mtime_ns)}

    def create(self, target: Located) -> dict[str, Any]:
        """Copy the file's current bytes (and modification time) into its checkpoint."""
        try:
            st = os.stat(target.real)
        except FileNotFoundError:
            raise NotFound(f"file or directory {target.api!r} does not exist") from None
        if not stat.S_ISREG(st.st_mode):
            raise BadRequest(f"Cannot create a checkpoint of {target.api}: not a file")
        checkpoint = self.locate(target)
        with os_errors(target.api, "creating a checkpoint of"):
            os.makedirs(os.path.dirname(checkpoint.real), exist_ok=True)
            atomic_copy(
                target.real, checkpoint.real, keep_times=True, mode=stat.S_IMODE(st.st_mode)
            )
            return self._model(checkpoint)

    def list(self, target: Located) -> list[dict[str, Any]]:
        try:
            checkpoint = self.locate(target)
            return [self._model(checkpoint)] if os.path.isfile(checkpoint.real) else []
        except (OSError, NotFound):
            return []

    def _existing(self, target: Located, checkpoint_id: str) -> Located:
        checkpoint = self.locate(target)
        if checkpoint_id != CHECKPOINT_ID or not os.path.isfile(checkpoint.real):
            raise NotFound(f"Checkpoint does not exist: {target.api}@{checkpoint_id}")
        return checkpoint

    def restore(self, target: Located, checkpoint_id: str) -> None:
        """Put the checkpoint's bytes back into the file, atomically; the file keeps its mode."""
        checkpoint = self._existing(target, checkpoint_id)
        if os.path.isdir(target.real):
            raise BadRequest(f"Cannot restore a checkpoint over directory {target.api}")
        with os_errors(target.api, "restoring"):
            atomic_copy(checkpoint.real, target.real)

    def delete(self, target: Located, checkpoint_id: str) -> None:
        checkpoint = self._existing(target, checkpoint_id)
        with os_errors(target.api, "deleting the checkpoint of"):
            os.unlink(checkpoint.real)

    def delete_all(self, target: Located) -> None:
        """Forget the checkpoint of a deleted file (a no-op when there is none)."""
        try:
            checkpoint = self.locate(target)
            os.unlink(checkpoint.real)
        except (OSError, NotFound):
            pass

    def move(self, old: Located, new: Located) -> None:
        """Follow a rename: the checkpoint of ``old`` becomes the checkpoint of ``new``."""
        try:
            source = self.locate(old)
            if not os.path.isfile(source.real):
                return
            dest = self.locate(new)
        except NotFound:
            return
        with os_errors(new.api, "moving the checkpoint of"):
            os.makedirs(os.path.dirname(dest.real), exist_ok=True)
            os.replace(source.real, dest.real)
