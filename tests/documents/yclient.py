"""A y-websocket client for tests, on pycrdt + websockets (sync API, no threads).

Usage::

    with YClient(server, "a.ipynb") as c:      # PUT the session, connect, sync
        nb = c.notebook                         # jupyter_ydoc YNotebook over c.doc
        with c.doc.transaction():
            nb.ycells[0]["source"].insert(0, "x = 1")  # local changes go to the room
        c.wait_for(lambda: ...)                 # pump messages until a condition holds

- ``YClient(server, path, kind="notebook"|"file", session_id=None, sync=True)``: ``kind``
  picks ``{"format":"json","type":"notebook"}`` or ``{"format":"text","type":"file"}``;
  ``session_id`` overrides the epoch sent (to test 4409); ``file_id`` / ``session`` (the
  PUT reply) are attributes.
- ``doc`` (pycrdt Doc), ``notebook`` (YNotebook), ``text`` (YUnicode), ``source`` (a text
  file's root Text), ``carnet`` (the
  root ``carnet`` Map as a dict), ``synced`` (SyncStep2 received).
- ``pump(timeout)``: handle one incoming message (False on timeout); ``wait_for(pred)``:
  pump until ``pred()`` is true (AssertionError after ``WAIT_S``); ``flush()``: make sure
  the room has applied everything sent so far (a round trip).
- ``close_code``: the close code once the server closed the socket (``wait_closed()``).
- ``set_awareness(state)`` / ``awareness_states``: the awareness protocol.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from pycrdt import (
    Awareness,
    Doc,
    Map,
    Text,
    TransactionEvent,
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    handle_sync_message,
    read_message,
)
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.conftest import CarnetServer

WAIT_S = 30.0


def open_session(server: CarnetServer, path: str, kind: str = "notebook") -> dict[str, Any]:
    body = {"format": "json", "type": "notebook"} if kind == "notebook" else {
        "format": "text", "type": "file"}  # fmt: skip
    with server.client() as http:
        r = http.put(f"api/collaboration/session/{quote(path)}", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


def room_url(server: CarnetServer, session: dict[str, Any], session_id: str | None) -> str:
    room = f"{session['format']}:{session['type']}:{session['fileId']}"
    url = "ws" + server.url(f"api/collaboration/room/{room}").removeprefix("http")
    epoch = session["sessionId"] if session_id is None else session_id
    return f"{url}?sessionId={epoch}" if epoch else url


class YClient:
    def __init__(
        self,
        server: CarnetServer,
        path: str,
        kind: str = "notebook",
        *,
        session_id: str | None = None,
        sync: bool = True,
        doc: Doc[Any] | None = None,
    ) -> None:
        self.server = server
        self.kind = kind
        self.session = open_session(server, path, kind)
        self.file_id: str = self.session["fileId"]
        self.doc: Doc[Any] = doc if doc is not None else Doc()
        self.awareness = Awareness(self.doc)
        self.synced = False
        self.close_code: int | None = None
        self._applying = False
        self._notebook: Any = None
        self._text: Any = None
        self._sub = self.doc.observe(self._local_update)
        # jupyter_ydoc wrappers can't be made inside a transaction: make one now.
        _ = self.notebook if kind == "notebook" else self.text
        headers = {"Authorization": f"token {server.token}"}
        self.ws: ClientConnection = connect(
            room_url(server, self.session, session_id),
            additional_headers=headers,
            open_timeout=WAIT_S,
        ).__enter__()
        self._send(create_sync_message(self.doc))
        if sync:
            self.wait_for(lambda: self.synced)

    def __enter__(self) -> YClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.doc.unobserve(self._sub)
        self.ws.close()

    # --- documents ---------------------------------------------------------------------------

    @property
    def notebook(self) -> Any:
        """jupyter_ydoc's YNotebook over ``doc`` (made on first use, outside transactions)."""
        if self._notebook is None:
            from jupyter_ydoc import YNotebook

            self._notebook = YNotebook(self.doc)
        return self._notebook

    @property
    def text(self) -> Any:
        """jupyter_ydoc's YUnicode over ``doc`` (made on first use, outside transactions)."""
        if self._text is None:
            from jupyter_ydoc import YUnicode

            self._text = YUnicode(self.doc)
        return self._text

    @property
    def source(self) -> Text:
        """A text file's root Text ``source``."""
        return self.doc.get("source", type=Text)

    @property
    def carnet(self) -> dict[str, Any]:
        return dict(self.doc.get("carnet", type=Map).to_py() or {})

    # --- the protocol ------------------------------------------------------------------------

    def _send(self, message: bytes) -> None:
        if self.close_code is None:
            try:
                self.ws.send(message)
            except ConnectionClosed as e:
                self.close_code = e.rcvd.code if e.rcvd is not None else 1006

    def _local_update(self, event: TransactionEvent) -> None:
        if not self._applying and event.update != b"\x00\x00":
            self._send(create_update_message(event.update))

    def set_awareness(self, state: dict[str, Any]) -> None:
        self.awareness.set_local_state(state)
        update = self.awareness.encode_awareness_update([self.awareness.client_id])
        self._send(create_awareness_message(update))

    @property
    def awareness_states(self) -> dict[int, dict[str, Any]]:
        return {k: v for k, v in self.awareness.states.items() if k != self.awareness.client_id}

    def pump(self, timeout: float = WAIT_S) -> bool:
        """Handle one message from the room; False if none came within ``timeout``."""
        if self.close_code is not None:
            return False
        try:
            message = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return False
        except ConnectionClosed as e:
            self.close_code = e.rcvd.code if e.rcvd is not None else 1006
            return False
        assert isinstance(message, bytes), f"text frame from a room: {message!r}"
        if message[0] == YMessageType.SYNC:
            self._applying = True
            try:
                reply = handle_sync_message(message[1:], self.doc)
            finally:
                self._applying = False
            if reply is not None:
                self._send(reply)
            if message[1] == YSyncMessageType.SYNC_STEP2:
                self.synced = True
        elif message[0] == YMessageType.AWARENESS:
            self.awareness.apply_awareness_update(read_message(message[1:]), "remote")
        return True

    def wait_for(self, predicate: Callable[[], bool], timeout: float = WAIT_S) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            assert remaining > 0, "condition not met in time"
            if not self.pump(min(remaining, 0.5)) and self.close_code is not None:
                assert predicate(), f"room closed with {self.close_code} first"
                return

    def wait_closed(self, timeout: float = WAIT_S) -> int:
        self.wait_for(lambda: self.close_code is not None, timeout)
        assert self.close_code is not None
        return self.close_code

    def flush(self) -> None:
        """Wait until the room has applied every update sent so far (its SyncStep2 of our
        state vector comes after them: one socket, in order)."""
        self.synced = False
        self._send(create_sync_message(self.doc))
        self.wait_for(lambda: self.synced)


def notebook_json(path: Any) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        return dict(json.load(f))
