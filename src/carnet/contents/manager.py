"""The Contents service: Jupyter's Contents API over one root directory, async.

Every method takes and returns API paths and Jupyter models (facts §1.2-1.3) and raises
`carnet.errors` exceptions for anything a client did wrong. File system work runs in a
worker thread unless it is a single stat or a small read, which are faster inline than
a thread hop (~0.15 ms here). Successful writes are reported to ``on_change`` (the audit
log), on the event loop, with the action and the paths involved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread

from carnet.contents.notebooks import notebook_text
from carnet.contents.paths import normalize_api_path
from carnet.contents.store import FileStore
from carnet.contents.trust import Notary, cells_trusted

log = logging.getLogger("carnet.contents")

DEFAULT_HIDE_GLOBS = ("__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~")

# Files up to this size are read inline: parsing them costs less than a thread hop.
_INLINE_READ_MAX = 128 * 1024

T = TypeVar("T")


class ContentsManager:
    """Files, notebooks and directories under ``root_dir``, as the Jupyter Contents API sees them.

    ``hide_globs`` hides names from listings (not from direct access, as in Jupyter).
    ``on_change(action, fields)`` is called after each successful write with action
    ``save``, ``create``, ``copy``, ``rename`` or ``delete`` and fields such as ``path``
    and ``source_path``; an exception it raises is logged, never turned into a failed
    request (the write has happened).
    """

    def __init__(
        self,
        root_dir: Path,
        *,
        allow_hidden: bool = False,
        delete_to_trash: bool = True,
        always_delete_dir: bool = False,
        hide_globs: Sequence[str] = DEFAULT_HIDE_GLOBS,
        untitled_notebook: str = "Untitled",
        untitled_file: str = "untitled",
        untitled_directory: str = "Untitled Folder",
        hash_algorithm: str = "sha256",
        max_copy_folder_size_mb: int = 500,
        on_change: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self._store = FileStore(
            Path(root_dir),
            allow_hidden=allow_hidden,
            delete_to_trash=delete_to_trash,
            always_delete_dir=always_delete_dir,
            hide_globs=hide_globs,
            untitled_notebook=untitled_notebook,
            untitled_file=untitled_file,
            untitled_directory=untitled_directory,
            hash_algorithm=hash_algorithm,
            max_copy_folder_size_mb=max_copy_folder_size_mb,
        )
        self._on_change = on_change
        # Jupyter's signatures: a notebook saved with every cell trusted is signed, as
        # jupyter_server does (set by the server; None: nothing is signed).
        self.notary: Notary | None = None
        # The first notebook read imports nbformat and compiles its schema (~0.2 s):
        # never inline, so the event loop is not held up by it.
        self._notebooks_ready = False

    @property
    def root_dir(self) -> Path:
        """The root, with symlinks resolved."""
        return Path(self._store.root.real)

    @property
    def allow_hidden(self) -> bool:
        return self._store.allow_hidden

    @property
    def hash_algorithm(self) -> str:
        return self._store.hash_algorithm

    def local_path(self, path: str) -> Path:
        """The OS path of an API path, confined to the root (e.g. a kernel's working dir).

        Raises `NotFound` for paths that escape the root; does not check existence.
        """
        return self._store.local_path(path)

    async def _thread(self, func: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(func)

    def _changed(self, action: str, **fields: Any) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change(action, fields)
        except Exception:
            log.exception("contents on_change hook failed for %s %s", action, fields)

    # --- reading ----------------------------------------------------------------------

    async def get(
        self,
        path: str,
        *,
        type: str | None = None,
        format: str | None = None,
        content: bool = True,
        hash: bool = False,
    ) -> dict[str, Any]:
        """The model of a file, notebook or directory (with its content unless ``content=False``).

        ``type`` forces how the path is read (400 ``bad type`` if it is not that);
        ``format`` ("text"/"base64") applies to files; ``hash`` adds ``hash`` and
        ``hash_algorithm`` for files and notebooks (null for directories).
        """
        call = partial(self._store.get, path, type=type, format=format, content=content, hash=hash)
        if not content and not hash:
            return call()
        size = self._store.regular_file_size(path)
        as_notebook = type == "notebook" or (type is None and path.endswith(".ipynb"))
        small = size is not None and size <= _INLINE_READ_MAX
        if small and (self._notebooks_ready or not as_notebook or not content):
            return call()
        model = await self._thread(call)
        if as_notebook and content:
            self._notebooks_ready = True
        return model

    async def file_response_info(self, path: str) -> tuple[str, str]:
        """``(os_path, content_type)`` for ``GET /files/<path>``; refuses what ``get`` refuses."""
        return self._store.file_response_info(path)

    # --- writing ----------------------------------------------------------------------

    async def save(self, path: str, model: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Save a model (``type``, ``format``, ``content``, optional ``chunk``) to ``path``.

        Returns the model without content and whether ``path`` was created. Notebooks are
        validated first: an invalid one is a 400 and nothing is written. Chunk uploads
        (``chunk`` 1, 2, ..., -1) publish the file atomically on the last chunk.
        """
        saved, created = await self._thread(partial(self._store.save, path, model))
        chunk = model.get("chunk") if isinstance(model, dict) else None
        if self.notary is not None and chunk is None and saved.get("type") == "notebook":
            await self._thread(partial(self._sign_if_trusted, self.notary, saved["path"], model))
        if chunk is None or chunk == -1:
            self._changed("save", path=saved["path"])
        return saved, created

    @staticmethod
    def _sign_if_trusted(notary: Notary, path: str, model: dict[str, Any]) -> None:
        """jupyter_server's ``check_and_sign``: sign what was written when every code cell
        is trusted (a client marks the cells its user ran); a failure never fails the save."""
        content = model.get("content")
        try:
            if isinstance(content, dict) and cells_trusted(content):
                notary.sign(Notary.parse(notebook_text(content)))
        except Exception:
            log.warning("could not sign notebook %s", path, exc_info=True)

    async def new_untitled(
        self, dir: str, *, type: str | None = None, ext: str | None = None
    ) -> dict[str, Any]:
        """Create ``untitled<ext>``, ``Untitled.ipynb`` or ``Untitled Folder`` (numbered)."""
        model = await self._thread(partial(self._store.new_untitled, dir, type=type, ext=ext))
        self._changed("create", path=model["path"])
        return model

    async def copy(self, from_path: str, to_dir: str) -> dict[str, Any]:
        """Copy a file or directory into the directory ``to_dir`` (``a-Copy1.txt`` if taken)."""
        model = await self._thread(partial(self._store.copy, from_path, to_dir))
        self._changed("copy", path=model["path"], source_path=normalize_api_path(from_path))
        return model

    async def rename(self, old_path: str, new_path: str) -> dict[str, Any]:
        """Rename or move; 409 if ``new_path`` exists. The checkpoint moves along."""
        model = await self._thread(partial(self._store.rename, old_path, new_path))
        source = normalize_api_path(old_path)
        if model["path"] != source:
            self._changed("rename", path=model["path"], source_path=source)
        return model

    async def delete(self, path: str) -> None:
        """Delete (to the trash when ``delete_to_trash``) a file or directory and its checkpoint."""
        await self._thread(partial(self._store.delete, path))
        self._changed("delete", path=normalize_api_path(path))

    # --- checkpoints ------------------------------------------------------------------

    async def create_checkpoint(self, path: str) -> dict[str, Any]:
        """Snapshot a file into its (single) checkpoint: ``{"id", "last_modified"}``."""
        return await self._thread(partial(self._store.create_checkpoint, path))

    async def list_checkpoints(self, path: str) -> list[dict[str, Any]]:
        return self._store.list_checkpoints(path)

    async def restore_checkpoint(self, path: str, checkpoint_id: str) -> None:
        await self._thread(partial(self._store.restore_checkpoint, path, checkpoint_id))
        self._changed("save", path=normalize_api_path(path), checkpoint=checkpoint_id)

    async def delete_checkpoint(self, path: str, checkpoint_id: str) -> None:
        await self._thread(partial(self._store.delete_checkpoint, path, checkpoint_id))
