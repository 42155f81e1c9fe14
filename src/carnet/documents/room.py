"""A document room: one pycrdt ``Doc`` per open file, synced to every client (y-websocket).

The room speaks the y-protocols wire format over whatever carries bytes (the web layer
adapts a websocket): message type 0 = sync (step 1, step 2, update), 1 = awareness. On
connect the room sends its SyncStep1 and the awareness states of the other clients; it
answers a client's SyncStep1 with SyncStep2, applies the client's updates, and forwards every
document change to the other clients, in order, through one bounded queue per client. A
client that falls too far behind is disconnected (it reconnects and resyncs) rather than
holding memory.

`NotebookRoom` (jupyter_ydoc ``YNotebook``) and `TextRoom` (``YUnicode``) add what saving
needs: the file bytes of the current document and how to take new bytes from disk. The
service (`service.py`) decides when to load, save, reload and free rooms.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from pycrdt import (
    Awareness,
    Decoder,
    Doc,
    Map,
    TransactionEvent,
    YMessageType,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    handle_sync_message,
    read_message,
)

from carnet.contents.trust import cells_trusted
from carnet.documents import loaders
from carnet.documents.codes import CLOSE_GOING_AWAY, CLOSE_TOO_SLOW
from carnet.documents.lineage import DiskState

if TYPE_CHECKING:
    from jupyter_ydoc import YNotebook, YUnicode

log = logging.getLogger("carnet.documents")


# Messages waiting for one client before it counts as stuck and is disconnected.
_QUEUE_LIMIT = 20_000

# The transaction origin of the server's own writes (reloads, save stamps).
SERVER_ORIGIN = "carnet-server"


class Client:
    """One connection's outgoing queue. ``None`` in the queue means: close with ``close_code``."""

    def __init__(self) -> None:
        send, receive = anyio.create_memory_object_stream[bytes | None](_QUEUE_LIMIT)
        self._send: MemoryObjectSendStream[bytes | None] = send
        self.outgoing: MemoryObjectReceiveStream[bytes | None] = receive
        self.awareness_ids: set[int] = set()
        self.close_code = 1000
        self.close_reason = ""
        self.closed = False

    def enqueue(self, message: bytes) -> None:
        if self.closed:
            return
        try:
            self._send.send_nowait(message)
        except anyio.WouldBlock:
            self.close(CLOSE_TOO_SLOW, "too far behind")
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            self.closed = True

    def close(self, code: int, reason: str = "") -> None:
        """Ask the connection to close once the messages before this are sent."""
        if self.closed:
            return
        self.close_code, self.close_reason = code, reason
        self.closed = True
        with contextlib.suppress(anyio.WouldBlock, anyio.ClosedResourceError):
            self._send.send_nowait(None)
        self._send.close()


class DocumentRoom:
    """The shared state of one open file; see the module docstring."""

    kind: str = ""

    def __init__(
        self,
        file_id: str,
        path: str,
        epoch: str,
        update: bytes,
        disk: DiskState,
        on_change: Callable[[DocumentRoom], None],
    ) -> None:
        self.file_id = file_id
        self.path = path
        self.epoch = epoch
        self.disk = disk
        self.doc: Doc[Any] = Doc()
        self.doc.apply_update(update)
        self.carnet = self.doc.get("carnet", type=Map)
        self.awareness = Awareness(self.doc)
        self.clients: set[Client] = set()
        self.lock = anyio.Lock()
        self.holds = 0
        self.deleted = False
        # Changes since the last save check (set by any change; a save compares bytes).
        self.dirty = False
        self.first_change = 0.0
        self.last_change = 0.0
        self.idle_since = time.monotonic()
        self._on_change = on_change
        self._applying: Client | None = None
        self._quiet = False
        self._subscription = self.doc.observe(self._on_update)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.file_id}"

    # --- what the service uses -------------------------------------------------------------

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Keeps the room loaded (and autosaving) while an execution uses it."""
        self.holds += 1
        try:
            yield
        finally:
            self.holds -= 1
            self.idle_since = time.monotonic()

    @property
    def in_use(self) -> bool:
        return bool(self.clients) or self.holds > 0

    @contextlib.contextmanager
    def server_write(self, *, quiet: bool = False) -> Iterator[None]:
        """A transaction by the server; ``quiet`` ones (save stamps) do not count as edits."""
        previous = self._quiet
        self._quiet = quiet
        try:
            with self.doc.transaction(origin=SERVER_ORIGIN):
                yield
        finally:
            self._quiet = previous

    def set_status(self, **fields: Any) -> None:
        """Set (or with None, delete) keys of the root ``carnet`` map, quietly."""
        with self.server_write(quiet=True):
            for key, value in fields.items():
                if value is None:
                    if key in self.carnet:
                        del self.carnet[key]
                elif self.carnet.get(key) != value:
                    self.carnet[key] = value

    def set_path(self, path: str) -> None:
        self.path = path
        with self.server_write(quiet=True):
            self.doc.get("state", type=Map)["path"] = path

    def state_update(self) -> bytes:
        return self.doc.get_update()

    async def file_bytes(self) -> bytes | None:
        """The file bytes of the current document, or None if it must not be saved."""
        raise NotImplementedError

    def reload(self, data: bytes) -> None:
        """Replace the document's content with ``data`` (bytes of the file), granularly."""
        raise NotImplementedError

    def saved(self) -> None:
        """The document's bytes are now on disk."""

    def close_all(self, code: int, reason: str = "") -> None:
        for client in list(self.clients):
            client.close(code, reason)

    def dispose(self) -> None:
        self.close_all(CLOSE_GOING_AWAY, "document closed")
        with contextlib.suppress(Exception):
            self.doc.unobserve(self._subscription)

    # --- clients ---------------------------------------------------------------------------

    def connect(self) -> Client:
        client = Client()
        self.clients.add(client)
        client.enqueue(create_sync_message(self.doc))
        others = [cid for cid in self.awareness.states if cid != self.awareness.client_id]
        if others:
            update = self.awareness.encode_awareness_update(others)
            client.enqueue(create_awareness_message(update))
        return client

    def disconnect(self, client: Client) -> None:
        self.clients.discard(client)
        client.close(1000)
        if not self.clients:
            self.idle_since = time.monotonic()
        gone = [cid for cid in client.awareness_ids if cid in self.awareness.states]
        if gone:
            self.awareness.remove_awareness_states(gone, origin=client)
            message = create_awareness_message(self.awareness.encode_awareness_update(gone))
            for other in self.clients:
                other.enqueue(message)

    def receive(self, client: Client, message: bytes) -> None:
        """Handle one message from ``client``; raises ValueError for malformed input."""
        if not message:
            raise ValueError("empty message")
        kind = message[0]
        if kind == YMessageType.SYNC:
            self._applying = client
            try:
                reply = handle_sync_message(message[1:], self.doc)
            except ValueError:
                raise
            except Exception as e:  # pycrdt reports bad updates with various exceptions
                raise ValueError(f"bad sync message: {e}") from None
            finally:
                self._applying = None
            if reply is not None:
                client.enqueue(reply)
        elif kind == YMessageType.AWARENESS:
            try:
                payload = read_message(message[1:])
                self._track_awareness(client, payload)
                self.awareness.apply_awareness_update(payload, client)
            except Exception as e:
                raise ValueError(f"bad awareness message: {e}") from None
            for other in self.clients:
                if other is not client:
                    other.enqueue(message)
        # Other message types (auth, query awareness) are ignored, as y-websocket does.

    @staticmethod
    def _decode_awareness(payload: bytes) -> list[tuple[int, bool]]:
        decoder = Decoder(payload)
        entries = []
        for _ in range(decoder.read_var_uint()):
            client_id = decoder.read_var_uint()
            decoder.read_var_uint()  # clock
            state = decoder.read_var_string()
            entries.append((client_id, state not in ("", "null")))
        return entries

    def _track_awareness(self, client: Client, payload: bytes) -> None:
        for client_id, present in self._decode_awareness(payload):
            if present:
                client.awareness_ids.add(client_id)
            else:
                client.awareness_ids.discard(client_id)

    def _on_update(self, event: TransactionEvent) -> None:
        update = event.update
        if update == b"\x00\x00":
            return
        message = create_update_message(update)
        for client in self.clients:
            if client is not self._applying:
                client.enqueue(message)
        if not self._quiet:
            now = time.monotonic()
            if not self.dirty:
                self.dirty = True
                self.first_change = now
            self.last_change = now
            self._on_change(self)


class NotebookRoom(DocumentRoom):
    """A notebook: ``ynotebook`` is jupyter_ydoc's YNotebook over ``doc``."""

    kind = loaders.NOTEBOOK

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ynotebook: YNotebook = loaders.new_ynotebook(self.doc)
        self.disk_cells = len(self.ynotebook.ycells)
        # Whether the bytes last encoded came from cells that all pass nbformat's
        # ``check_cells`` (then a save signs the file, as jupyter_server does).
        self.encoded_trusted = False

    async def file_bytes(self) -> bytes | None:
        # The document is read here; validating and encoding (the costly part on big
        # notebooks) happen in a worker thread on that plain copy.
        nb = loaders.notebook_content(self.ynotebook)
        data = await anyio.to_thread.run_sync(self._encode, nb)
        changed = data is not None and loaders.content_hash(data) != self.disk.hash
        if changed and loaders.needs_upgrade(nb):
            # A changed 4.0-4.4 notebook is saved as 4.5, with the cell ids it has here.
            with self.server_write(quiet=True):
                loaders.upgrade_to_45(self.ynotebook)
            nb = loaders.notebook_content(self.ynotebook)
            data = await anyio.to_thread.run_sync(self._encode, nb)
        return data

    def _encode(self, nb: dict[str, Any]) -> bytes | None:
        cells = nb.get("cells")
        if not isinstance(cells, list) or not isinstance(nb.get("nbformat"), int):
            return None
        if not cells and self.disk_cells > 0:
            return None  # an emptied document never replaces a notebook that had cells
        self.encoded_trusted = cells_trusted(nb)
        return loaders.notebook_bytes(loaders.strip_for_disk(nb))

    def mark_trusted(self, trusted: bool) -> None:
        """nbformat's ``mark_cells``: every code cell's ``metadata.trusted`` (quietly: the
        flag is never written to the file)."""
        with self.server_write(quiet=True):
            for ycell in self.ynotebook.ycells:
                if ycell.get("cell_type") != "code":
                    continue
                metadata = ycell.get("metadata")
                if metadata is None:
                    ycell["metadata"] = Map({"trusted": trusted})
                elif metadata.get("trusted") is not trusted:
                    metadata["trusted"] = trusted

    def code_cells_trusted(self) -> bool:
        """Whether every code cell is marked trusted."""
        for ycell in self.ynotebook.ycells:
            if ycell.get("cell_type") == "code":
                metadata = ycell.get("metadata")
                if metadata is None or metadata.get("trusted") is not True:
                    return False
        return True

    def reload(self, data: bytes) -> None:
        nb = loaders.read_notebook(data, self.path)
        with self.server_write():
            loaders.set_notebook(self.ynotebook, nb)
        self.disk_cells = len(nb.get("cells") or [])

    def saved(self) -> None:
        self.disk_cells = len(self.ynotebook.ycells)


class TextRoom(DocumentRoom):
    """A text file: ``ytext`` is jupyter_ydoc's YUnicode (root Text ``source``)."""

    kind = loaders.FILE

    def __init__(self, *args: Any, crlf: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ytext: YUnicode = loaders.new_yunicode(self.doc)
        self.crlf = crlf

    async def file_bytes(self) -> bytes | None:
        return loaders.text_bytes(self.ytext.get(), self.crlf)

    def reload(self, data: bytes) -> None:
        text, crlf = loaders.read_text(data, self.path)
        self.crlf = crlf
        with self.server_write():
            self.ytext.set(text)
