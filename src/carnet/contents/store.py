"""The file store: every Contents API operation, synchronous, on the confined root.

`ContentsManager` runs these methods in worker threads (or inline when they only stat);
keeping them synchronous keeps each one a plain sequence of file system calls that is easy
to read and to test. Behaviour, status codes and messages follow jupyter_server 2.x
(facts §1.2-1.3, §3.7) minus its bugs (§8): JSON 404s, ``hash`` on directories, no
half-written files, no server paths in messages.
"""

# OS paths stay strings here on purpose: confinement works on os.path.realpath strings,
# and hot loops can't afford a pathlib object per call.
# ruff: noqa: PTH102, PTH104, PTH108, PTH110, PTH112, PTH114, PTH116, PTH118, PTH120, PTH208

from __future__ import annotations

import base64
import binascii
import codecs
import errno
import hashlib
import logging
import os
import shutil
import stat
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from carnet.contents import uploads
from carnet.contents.atomic import atomic_copy, atomic_write, default_file_mode
from carnet.contents.checkpoints import CHECKPOINT_DIR, FileCheckpoints
from carnet.contents.copying import check_folder_size, copy_tree
from carnet.contents.listing import compile_hide_globs, list_directory
from carnet.contents.models import IsoTimes, MimeTypes, entry_model, kind_of
from carnet.contents.naming import copy_source_name, increment_filename
from carnet.contents.notebooks import new_notebook_text, notebook_text, parse_notebook
from carnet.contents.oserrors import os_errors, translate
from carnet.contents.paths import ContentsRoot, Located, parent_of
from carnet.errors import BadRequest, CarnetError, Conflict, Forbidden, NotFound

log = logging.getLogger("carnet.contents")

TYPES = (None, "file", "directory", "notebook")
FORMATS = (None, "text", "base64")
_SNIFF = 8192


def _missing(api: str) -> NotFound:
    return NotFound(f"file or directory {api!r} does not exist")


def _string_or_none(model: dict[str, Any], key: str) -> str | None:
    value = model.get(key)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"'{key}' must be a string", "bad model")
    return value


class FileStore:
    """Contents of one root directory; see `ContentsManager` for the async API."""

    def __init__(
        self,
        root_dir: Path,
        *,
        allow_hidden: bool,
        delete_to_trash: bool,
        always_delete_dir: bool,
        hide_globs: Sequence[str],
        untitled_notebook: str,
        untitled_file: str,
        untitled_directory: str,
        hash_algorithm: str,
        max_copy_folder_size_mb: int,
    ) -> None:
        if (
            hash_algorithm.startswith("shake_")
            or hash_algorithm not in hashlib.algorithms_available
        ):
            raise ValueError(f"hash_algorithm {hash_algorithm!r} is not a fixed-size hash")
        self.root = ContentsRoot(root_dir)
        self.allow_hidden = allow_hidden
        self.delete_to_trash = delete_to_trash
        self.always_delete_dir = always_delete_dir
        self.untitled_notebook = untitled_notebook
        self.untitled_file = untitled_file
        self.untitled_directory = untitled_directory
        self.hash_algorithm = hash_algorithm
        self.max_copy_folder_bytes = max_copy_folder_size_mb * 1024 * 1024
        self._hidden_by_glob = compile_hide_globs(list(hide_globs))
        self._mimes = MimeTypes()
        self._new_file_mode = default_file_mode()
        self.checkpoints = FileCheckpoints(self.root)
        # Picking a free name and creating it must not interleave between two requests.
        self._naming = threading.Lock()

    # --- locating ---------------------------------------------------------------------

    def locate_read(self, path: str) -> Located:
        """Locate for reading: hidden paths are 404 unless allowed (like jupyter_server)."""
        loc = self.root.locate(path)
        if loc.hidden and not self.allow_hidden:
            raise _missing(loc.api)
        return loc

    def locate_write(self, path: str, doing: str = "create") -> Located:
        """Locate for writing: hidden paths are 400 unless allowed (like jupyter_server)."""
        loc = self.root.locate(path)
        if loc.hidden and not self.allow_hidden:
            raise BadRequest(f"Cannot {doing} file or directory {loc.api!r}")
        return loc

    @staticmethod
    def _stat(loc: Located) -> os.stat_result:
        try:
            return os.stat(loc.real)
        except (FileNotFoundError, NotADirectoryError):
            raise _missing(loc.api) from None
        except OSError as e:
            raise translate(e, loc.api, "reading") from e

    def model(self, loc: Located, st: os.stat_result | None = None) -> dict[str, Any]:
        """The model of ``loc`` without content."""
        st = st or self._stat(loc)
        kind = kind_of(loc.name, stat.S_ISDIR(st.st_mode))
        mimetype = self._mimes.guess(loc.name) if kind == "file" else None
        writable = os.access(loc.real, os.W_OK)
        return entry_model(loc.name, loc.api, kind, st, writable, mimetype, IsoTimes())

    # --- reading ----------------------------------------------------------------------

    def regular_file_size(self, path: str) -> int | None:
        """Size of the regular file at ``path``, or None (for the manager's thread policy)."""
        try:
            st = os.stat(self.root.locate(path).real)
        except (OSError, CarnetError):
            return None
        return st.st_size if stat.S_ISREG(st.st_mode) else None

    def get(
        self,
        path: str,
        *,
        type: str | None = None,
        format: str | None = None,
        content: bool = True,
        hash: bool = False,
    ) -> dict[str, Any]:
        if type not in TYPES:
            raise BadRequest(f"Type {type!r} is invalid", "bad type")
        if format not in FORMATS:
            raise BadRequest(f"Format {format!r} is invalid", "bad format")
        loc = self.locate_read(path)
        st = self._stat(loc)
        if stat.S_ISDIR(st.st_mode):
            if type not in (None, "directory"):
                raise BadRequest(f"{loc.api} is a directory, not a {type}", "bad type")
            model = self.model(loc, st)
            if content:
                with os_errors(loc.api, "listing"):
                    model["content"] = list_directory(
                        self.root,
                        loc,
                        allow_hidden=self.allow_hidden,
                        hidden_by_glob=self._hidden_by_glob,
                        mimes=self._mimes,
                    )
                model["format"] = "json"
            return model
        if type == "directory":
            raise BadRequest(f"{loc.api} is not a directory", "bad type")
        if not stat.S_ISREG(st.st_mode):
            raise BadRequest(f"Cannot read non-file {loc.api}")
        as_notebook = type == "notebook" or (type is None and loc.name.endswith(".ipynb"))
        if not content:
            model = self.model(loc, st)
            model["type"] = "notebook" if as_notebook else "file"
            if as_notebook:
                model["mimetype"] = None
            if hash:
                model.update(self._hash_file(loc))
            return model
        st, data = self._read(loc)
        model = self.model(loc, st)
        if as_notebook:
            model["type"], model["mimetype"] = "notebook", None
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as e:
                raise BadRequest(f"Unreadable Notebook: {loc.api} {e!r}") from None
            model["content"], message = parse_notebook(text, loc.api)
            model["format"] = "json"
            if message:
                model["message"] = message
        else:
            model["type"] = "file"
            model["content"], model["format"] = self._decode(loc, data, format)
            if model["mimetype"] is None:
                text = model["format"] == "text"
                model["mimetype"] = "text/plain" if text else "application/octet-stream"
        if hash:
            model["hash"] = hashlib.new(self.hash_algorithm, data).hexdigest()
            model["hash_algorithm"] = self.hash_algorithm
        return model

    @staticmethod
    def _read(loc: Located) -> tuple[os.stat_result, bytes]:
        """Stat and bytes of one open file, so the model describes exactly what was read."""
        with os_errors(loc.api, "reading"):
            # O_NONBLOCK: a FIFO swapped in after the stat must not hang the read.
            flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
            fd = os.open(loc.real, flags)
            with open(fd, "rb") as f:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    raise BadRequest(f"Cannot read non-file {loc.api}")
                return st, f.read()

    def _hash_file(self, loc: Located) -> dict[str, Any]:
        digest = hashlib.new(self.hash_algorithm)
        with os_errors(loc.api, "reading"), open(loc.real, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        return {"hash": digest.hexdigest(), "hash_algorithm": self.hash_algorithm}

    @staticmethod
    def _decode(loc: Located, data: bytes, format: str | None) -> tuple[str, str]:
        if format != "base64":
            try:
                return data.decode("utf-8"), "text"
            except UnicodeDecodeError:
                if format == "text":
                    raise BadRequest(f"{loc.api} is not UTF-8 encoded", "bad format") from None
        return base64.encodebytes(data).decode("ascii"), "base64"

    def file_response_info(self, path: str) -> tuple[str, str]:
        """OS path and Content-Type for ``/files/``, with the API's confinement and hidden rules."""
        loc = self.locate_read(path)
        st = self._stat(loc)
        if stat.S_ISDIR(st.st_mode):
            raise BadRequest(f"{loc.api} is a directory, not a file", "bad type")
        if not stat.S_ISREG(st.st_mode):
            raise BadRequest(f"Cannot read non-file {loc.api}")
        mimetype = self._mimes.for_download(loc.name)
        if mimetype is None:
            # Jupyter decides text or binary by decoding the file; the start tells as much.
            with os_errors(loc.api, "reading"), open(loc.real, "rb") as f:
                head = f.read(_SNIFF)
            try:
                codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < _SNIFF)
                mimetype = "text/plain"
            except UnicodeDecodeError:
                mimetype = "application/octet-stream"
        return loc.real, mimetype

    def local_path(self, path: str) -> Path:
        """Where an API path is on disk (confined; hidden rules are the caller's business)."""
        return Path(self.root.locate(path).real)

    # --- writing ----------------------------------------------------------------------

    def _require_parent_dir(self, loc: Located) -> None:
        if not os.path.isdir(os.path.dirname(loc.real)):
            raise NotFound(f"No such directory: {parent_of(loc.api) or '/'}")

    def save(self, path: str, model: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Write a file, notebook or directory; returns its model and whether it is new."""
        if not isinstance(model, dict):
            raise BadRequest("The model must be a JSON object", "bad model")
        loc = self.locate_write(path)
        if "type" not in model:
            raise BadRequest("No file type provided")
        kind = model["type"]
        if not isinstance(kind, str):
            raise BadRequest("'type' must be a string", "bad model")
        if "content" not in model and kind != "directory":
            raise BadRequest("No file content provided")
        _string_or_none(model, "format")
        if model.get("chunk") is not None:
            return self._save_chunk(loc, kind, model)
        if kind not in ("file", "notebook", "directory"):
            raise BadRequest(f"Unhandled contents type: {kind}")
        existed = os.path.exists(loc.real)
        if kind == "directory":
            if not existed:
                self._require_parent_dir(loc)
                with os_errors(loc.api, "creating"):
                    os.mkdir(loc.real)
            elif not os.path.isdir(loc.real):
                raise BadRequest(f"Not a directory: {loc.api}")
            return self.model(loc), not existed
        if existed and os.path.isdir(loc.real):
            raise BadRequest(f"{loc.api or '/'} is a directory")
        self._require_parent_dir(loc)
        if kind == "notebook":
            data = notebook_text(model["content"]).encode("utf-8")
        else:
            data = self._file_bytes(loc, model)
        with os_errors(loc.api, "saving"):
            atomic_write(loc.real, data, mode=self._new_file_mode)
        if kind == "notebook" and not self.checkpoints.list(loc):
            self._first_checkpoint(loc)
        return self.model(loc), not existed

    def _first_checkpoint(self, loc: Located) -> None:
        """Jupyter keeps one checkpoint per notebook from its first save; failing to make it
        must not fail the save that already happened."""
        try:
            self.checkpoints.create(loc)
        except CarnetError as e:
            log.warning("No checkpoint for %s: %s", loc.api, e.message)

    @staticmethod
    def _file_bytes(loc: Located, model: dict[str, Any]) -> bytes:
        fmt, content = model.get("format"), model["content"]
        if fmt not in ("text", "base64"):
            raise BadRequest("Must specify format of file contents as 'text' or 'base64'")
        if not isinstance(content, str):
            raise BadRequest(f"Encoding error saving {loc.api}: content must be a string")
        try:
            if fmt == "text":
                return content.encode("utf-8")
            return binascii.a2b_base64(content.encode("ascii"))
        except (UnicodeError, binascii.Error, ValueError) as e:
            raise BadRequest(f"Encoding error saving {loc.api}: {e}") from None

    def _save_chunk(
        self, loc: Located, kind: str, model: dict[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        chunk = uploads.check_chunk(model["chunk"])
        if kind != "file":
            raise BadRequest(f'File type "{kind}" is not supported for large file transfer')
        data = self._file_bytes(loc, model)
        if os.path.isdir(loc.real):
            raise BadRequest(f"{loc.api or '/'} is a directory")
        self._require_parent_dir(loc)
        created = chunk in (1, -1) and not os.path.exists(loc.real)
        if chunk == -1 and os.path.exists(uploads.partial_path(loc)):
            created = False  # chunk 1 already reported the creation
        with os_errors(loc.api, "saving"):
            written = uploads.write_chunk(loc, chunk, data, new_file_mode=self._new_file_mode)
            st = os.stat(written)
        if chunk == -1:
            return self.model(loc, st), created
        mimetype = self._mimes.guess(loc.name)
        return entry_model(loc.name, loc.api, "file", st, True, mimetype, IsoTimes()), created

    def new_untitled(self, dir: str, *, type: str | None, ext: str | None) -> dict[str, Any]:
        """Create ``untitled<ext>``, ``Untitled.ipynb`` or ``Untitled Folder`` (numbered)."""
        if type is not None and not isinstance(type, str):
            raise BadRequest("'type' must be a string", "bad model")
        if ext is not None and not isinstance(ext, str):
            raise BadRequest("'ext' must be a string", "bad model")
        ext = ext or ""
        if any(c in ext for c in "/\\\x00"):
            raise BadRequest(f"Invalid file extension {ext!r}")
        parent = self.locate_write(dir)
        if not os.path.isdir(parent.real):
            raise NotFound(f"No such directory: {parent.api or '/'}")
        kind = type or ("notebook" if ext == ".ipynb" else "file")
        insert = ""
        if kind == "directory":
            base, insert = self.untitled_directory, " "
        elif kind == "notebook":
            base, ext = self.untitled_notebook, ".ipynb"
        elif kind == "file":
            base = self.untitled_file
        else:
            raise BadRequest(f"Unexpected model type: {kind!r}")
        with self._naming:
            name = increment_filename(base + ext, self._taken_in(parent), insert)
            target = self.root.child(parent, name)
            with os_errors(target.api, "creating"):
                if kind == "directory":
                    os.mkdir(target.real)
                elif kind == "notebook":
                    data = new_notebook_text().encode("utf-8")
                    atomic_write(target.real, data, mode=self._new_file_mode)
                else:
                    atomic_write(target.real, b"", mode=self._new_file_mode)
        if kind == "notebook":
            self._first_checkpoint(target)
        return self.model(target)

    @staticmethod
    def _taken_in(parent: Located) -> Callable[[str], bool]:
        return lambda name: os.path.lexists(os.path.join(parent.real, name))

    def copy(self, from_path: str, to_dir: str) -> dict[str, Any]:
        """Copy a file or directory into ``to_dir``: same name if free, else ``name-CopyN``."""
        source = self.locate_write(from_path, "copy")
        destination = self.locate_write(to_dir, "copy")
        if not os.path.lexists(source.lexical):
            raise _missing(source.api)
        st = self._stat(source)
        if not os.path.isdir(destination.real):
            raise NotFound(f"No such directory: {destination.api or '/'}")
        if source.is_root:
            raise BadRequest("Can't copy root")
        same_dir = parent_of(source.api) == destination.api
        if stat.S_ISDIR(st.st_mode):
            inside = destination.real + os.sep
            if inside.startswith(source.real + os.sep):
                raise BadRequest(f"Can't copy '{source.api}' into itself")
            check_folder_size(source, self.max_copy_folder_bytes)
            name = copy_source_name(source.name) if same_dir else source.name
        elif stat.S_ISREG(st.st_mode):
            name = copy_source_name(source.name)
        else:
            raise BadRequest(f"Cannot copy non-file {source.api}")
        with self._naming:
            to_name = increment_filename(name, self._taken_in(destination), insert="-Copy")
            target = self.root.child(destination, to_name)
            if stat.S_ISDIR(st.st_mode):
                copy_tree(source, destination, target)
            else:
                with os_errors(target.api, "copying to"):
                    atomic_copy(source.real, target.real, mode=stat.S_IMODE(st.st_mode))
        return self.model(target)

    def rename(self, old_path: str, new_path: str) -> dict[str, Any]:
        """Move a file or directory (and its checkpoint); 409 if the target exists."""
        old = self.locate_write(old_path, "rename")
        new = self.locate_write(new_path, "rename")
        if old.is_root:
            raise BadRequest("Can't rename root")
        if new.is_root:
            raise BadRequest("Can't rename to root")
        if not os.path.lexists(old.lexical):
            raise NotFound(f"File or directory does not exist: {old.api}")
        if old.api == new.api:
            return self.model(old)
        if not os.path.isdir(os.path.dirname(new.lexical)):
            raise NotFound(f"No such directory: {parent_of(new.api) or '/'}")
        if os.path.lexists(new.lexical) and not _same_file(old.lexical, new.lexical):
            raise Conflict(f"File already exists: {new.api}")
        moves_dir = os.path.isdir(old.lexical) and not os.path.islink(old.lexical)
        if moves_dir and (new.real + os.sep).startswith(old.real + os.sep):
            raise BadRequest(f"Cannot move '{old.api}' into itself")
        with os_errors(old.api, "renaming"):
            try:
                os.rename(old.lexical, new.lexical)
            except OSError as e:
                if e.errno != errno.EXDEV:  # a mount point inside the root
                    raise
                shutil.move(old.lexical, new.lexical)
        self.checkpoints.move(old, new)
        return self.model(self.root.locate(new.api))

    def delete(self, path: str) -> None:
        """Send to the trash (default) or delete; non-empty directories as jupyter_server."""
        loc = self.locate_write(path, "delete")
        if loc.is_root:
            raise BadRequest("Can't delete root")
        if not os.path.lexists(loc.lexical):
            raise _missing(loc.api)
        is_dir = os.path.isdir(loc.lexical) and not os.path.islink(loc.lexical)
        if self.delete_to_trash:
            if is_dir and sys.platform == "win32" and not self.always_delete_dir:
                if self._non_empty(loc):
                    # send2trash may really delete on Windows (jupyter/notebook#3631)
                    raise BadRequest(f"Directory {loc.api} not empty")
            self._trash(loc)
        elif is_dir:
            if not self.always_delete_dir and self._non_empty(loc):
                raise BadRequest(f"Directory {loc.api} not empty")
            with os_errors(loc.api, "deleting"):
                shutil.rmtree(loc.lexical)
        else:
            with os_errors(loc.api, "deleting"):
                os.unlink(loc.lexical)
        self.checkpoints.delete_all(loc)

    @staticmethod
    def _non_empty(loc: Located) -> bool:
        """Whether a directory holds anything but leftover checkpoints."""
        with os_errors(loc.api, "deleting"):
            return bool(set(os.listdir(loc.lexical)) - {CHECKPOINT_DIR})

    @staticmethod
    def _trash(loc: Located) -> None:
        from send2trash import send2trash

        try:
            send2trash(loc.lexical)
        except OSError as e:
            if isinstance(e, PermissionError) or e.errno in (errno.EPERM, errno.EACCES):
                raise Forbidden(f"Permission denied: {loc.api}") from e
            reason = e.strerror or type(e).__name__
            raise BadRequest(f"send2trash failed: {reason}") from e

    # --- checkpoints ------------------------------------------------------------------

    def create_checkpoint(self, path: str) -> dict[str, Any]:
        return self.checkpoints.create(self.locate_write(path, "checkpoint"))

    def list_checkpoints(self, path: str) -> list[dict[str, Any]]:
        return self.checkpoints.list(self.locate_read(path))

    def restore_checkpoint(self, path: str, checkpoint_id: str) -> None:
        self.checkpoints.restore(self.locate_write(path, "restore"), checkpoint_id)

    def delete_checkpoint(self, path: str, checkpoint_id: str) -> None:
        self.checkpoints.delete(self.locate_write(path, "delete the checkpoint of"), checkpoint_id)


def _same_file(a: str, b: str) -> bool:
    """True for a case-only rename on a case-insensitive file system (links not followed)."""
    try:
        sa, sb = os.lstat(a), os.lstat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)
