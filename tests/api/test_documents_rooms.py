"""Document rooms on a real carnet: sessions, sync between clients, autosave, byte-identical
round trips, line endings, epochs (carnet.documents, web/routes/documents.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.conftest import CarnetServer
from tests.documents.samples import file_text, rich_notebook, v44_notebook
from tests.documents.yclient import WAIT_S, YClient, open_session, room_url


def wait_file(
    path: Path, predicate: Callable[[bytes], bool], client: YClient | None = None
) -> bytes:
    """The file's bytes once ``predicate`` holds (pumping ``client`` meanwhile)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        data = path.read_bytes() if path.exists() else b""
        if predicate(data):
            return data
        assert time.monotonic() < deadline, f"{path.name} never matched: {data[:300]!r}"
        if client is not None:
            client.pump(0.1)
        else:
            time.sleep(0.05)


def test_session_requests(server: CarnetServer) -> None:
    (server.root / "bad.ipynb").write_text("{not json")
    (server.root / "d").mkdir()
    (server.root / "t.txt").write_text("x")
    with server.client() as http:
        put = http.put
        assert put("api/collaboration/session/t.txt", json={"format": "x"}).status_code == 400
        assert put("api/collaboration/session/t.txt", content=b"[").status_code == 400
        missing = put("api/collaboration/session/nope.txt", json={"format": "text", "type": "file"})
        assert missing.status_code == 404
        body = {"format": "json", "type": "notebook"}
        bad = put("api/collaboration/session/bad.ipynb", json=body)
        assert bad.status_code == 422 and "Unreadable" in bad.json()["message"]
        assert put("api/collaboration/session/d", json=body).status_code == 400
    first = open_session(server, "t.txt", "file")
    assert first["format"] == "text" and first["type"] == "file"
    again = open_session(server, "t.txt", "file")
    assert again == first  # one room, one id, one epoch
    with server.client(token=False) as anonymous:
        denied = anonymous.put(
            "api/collaboration/session/t.txt", json={"format": "text", "type": "file"}
        )
        assert denied.status_code in (401, 403)


def test_two_clients_edit_and_the_file_gets_it(server: CarnetServer) -> None:
    nb = rich_notebook()
    path = server.root / "a.ipynb"
    path.write_text(file_text(nb))
    with YClient(server, "a.ipynb") as a, YClient(server, "a.ipynb") as b:
        assert a.notebook.get() == b.notebook.get()
        source = a.notebook.ycells[2]["source"]
        with a.doc.transaction():
            source.insert(0, "z = 'ü'")
        b.wait_for(lambda: str(b.notebook.ycells[2]["source"]) == "z = 'ü'")
        b.set_awareness({"user": {"name": "bee"}})
        a.wait_for(
            lambda: any(s.get("user") == {"name": "bee"} for s in a.awareness_states.values())
        )
        nb.cells[2].source = "z = 'ü'"
        wait_file(path, lambda data: data == file_text(nb).encode(), a)
        a.wait_for(lambda: "saved" in a.carnet)
    # b left: a's view of b's awareness is removed
    # (checked on a new client: the room forgot b's state)
    with YClient(server, "a.ipynb") as c:
        c.flush()
        assert not any(s.get("user") == {"name": "bee"} for s in c.awareness_states.values())


def test_unchanged_documents_are_never_rewritten(server: CarnetServer) -> None:
    files = {
        "rich.ipynb": file_text(rich_notebook()).encode(),
        "old.ipynb": file_text(v44_notebook()).encode(),
        "crlf.txt": b"one\r\ntwo\r\n",
    }
    for name, data in files.items():
        (server.root / name).write_bytes(data)
    before = {name: (server.root / name).stat().st_mtime_ns for name in files}
    for name in files:
        kind = "file" if name.endswith(".txt") else "notebook"
        with YClient(server, name, kind) as client:
            # A change and its undo: the document equals the file again.
            text = client.source if kind == "file" else client.notebook.ycells[0]["source"]
            with client.doc.transaction():
                text.insert(0, "tmp")
            with client.doc.transaction():
                del text[0:3]
            client.flush()
            with server.client() as http:
                saved = http.post(f"api/documents/{client.file_id}/save")
            assert saved.status_code == 200, saved.text
            assert saved.json()["checkpoint"]["id"] == "checkpoint"
    for name, data in files.items():
        assert (server.root / name).read_bytes() == data, name
        assert (server.root / name).stat().st_mtime_ns == before[name], name


def test_old_notebooks_become_45_when_changed(server: CarnetServer) -> None:
    path = server.root / "old.ipynb"
    path.write_text(file_text(v44_notebook()))
    with YClient(server, "old.ipynb") as client:
        with client.doc.transaction():
            client.notebook.ycells[1]["source"].insert(4, " changed")
        data = wait_file(path, lambda d: b"text changed" in d, client)
    nb = nbformat.reads(data.decode(), 4)
    nbformat.validate(nb)
    assert nb.nbformat_minor == 5
    assert all(isinstance(cell.get("id"), str) for cell in nb.cells)


def test_text_files_keep_their_line_endings(server: CarnetServer) -> None:
    path = server.root / "w.txt"
    path.write_bytes("héllo\r\nworld\r\n".encode())
    with YClient(server, "w.txt", "file") as client:
        assert str(client.source) == "héllo\nworld\n"
        with client.doc.transaction():
            # pycrdt Text indices count UTF-8 bytes
            client.source.insert(len(str(client.source).encode()), "again\n")
        wait_file(path, lambda d: d == "héllo\r\nworld\r\nagain\r\n".encode(), client)


def test_room_socket_close_codes(server: CarnetServer) -> None:
    (server.root / "t.txt").write_text("x")
    with YClient(server, "t.txt", "file", session_id="stale", sync=False) as stale:
        assert stale.wait_closed() == 4409
    session = open_session(server, "t.txt", "file")
    unknown = {**session, "fileId": "no-such-id"}
    headers = {"Authorization": f"token {server.token}"}
    for target, code in ((unknown, 4404), ({**session, "format": "json"}, 4400)):
        with connect(room_url(server, target, None), additional_headers=headers) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=WAIT_S)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == code
    with YClient(server, "t.txt", "file") as client:
        client.ws.send("text frame")
        assert client.wait_closed() == 4400
    # Auth and Origin checks apply to the room websocket like to every route.
    for bad in ({}, {**headers, "Origin": "http://evil.example"}):
        with pytest.raises(InvalidStatus) as refused:
            connect(room_url(server, session, None), additional_headers=bad).__enter__()
        assert refused.value.response.status_code == 403


def _json(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))
