"""Open documents and the world around them: external edits, Contents API writes, renames,
deletes, revert, and a server killed with SIGKILL (carnet.documents.service)."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path

import nbformat

from tests.api.test_documents_rooms import wait_file
from tests.conftest import CarnetServer
from tests.documents.samples import file_text, rich_notebook
from tests.documents.yclient import YClient, open_session

# Autosave after an hour: edits stay unsaved for as long as a test needs.
NO_AUTOSAVE = "--YDocExtension.document_save_delay=3600"


def test_external_change_merges_into_a_clean_document(server: CarnetServer) -> None:
    nb = rich_notebook()
    path = server.root / "a.ipynb"
    path.write_text(file_text(nb))
    text = server.root / "t.txt"
    text.write_text("one\n")
    with YClient(server, "a.ipynb") as client, YClient(server, "t.txt", "file") as tclient:
        replaced: list[object] = []  # changes of the cell list itself (not inside cells)
        client.notebook.ycells.observe(lambda event: replaced.append(event))
        nb.cells[1].source = "changed outside"
        path.write_text(file_text(nb))
        client.wait_for(lambda: str(client.notebook.ycells[1]["source"]) == "changed outside")
        assert replaced == []  # merged in place, by cell id
        text.write_text("two\n")
        tclient.wait_for(lambda: str(tclient.source) == "two\n")
    assert path.read_text() == file_text(nb)


def test_external_change_during_unsaved_edits_keeps_both(
    carnet_factory: Callable[..., CarnetServer],
) -> None:
    server = carnet_factory(NO_AUTOSAVE)
    path = server.root / "t.txt"
    path.write_text("base\n")
    with YClient(server, "t.txt", "file") as client, server.client() as http:
        with client.doc.transaction():
            client.source.insert(0, "mine ")
        client.flush()
        path.write_text("theirs\n")
        client.wait_for(lambda: "conflict" in client.carnet)
        conflict = client.carnet["conflict"]
        assert "changed on disk" in conflict["message"]
        assert Path(conflict["history_path"]).read_text() == "theirs\n"
        assert str(client.source) == "mine base\n"  # the document is kept
        # A plain save is refused until the user decides; the disk version stays.
        refused = http.post(f"api/documents/{client.file_id}/save")
        assert refused.status_code == 200 and refused.json()["checkpoint"] is None
        assert refused.json()["conflict"]["message"] == conflict["message"]
        assert path.read_text() == "theirs\n"
        saved = http.post(f"api/documents/{client.file_id}/save", json={"overwrite": True})
        assert saved.status_code == 200, saved.text
        assert path.read_text() == "mine base\n"
        client.wait_for(lambda: "conflict" not in client.carnet)

        # Taking the disk version (the document made equal to it) also settles a conflict.
        with client.doc.transaction():
            client.source.insert(0, "again ")
        client.flush()
        path.write_text("disk wins\n")
        client.wait_for(lambda: "conflict" in client.carnet)
        with client.doc.transaction():
            del client.source[0 : len(str(client.source).encode())]
            client.source.insert(0, "disk wins\n")
        client.wait_for(lambda: "conflict" not in client.carnet)
    assert path.read_text() == "disk wins\n"


def test_contents_api_writes_renames_and_deletes_follow_the_room(server: CarnetServer) -> None:
    (server.root / "d").mkdir()
    (server.root / "d" / "t.txt").write_text("first\n")
    with YClient(server, "d/t.txt", "file") as client, server.client() as http:
        model = {"type": "file", "format": "text", "content": "from the API\n"}
        assert http.put("api/contents/d/t.txt", json=model).status_code == 200
        client.wait_for(lambda: str(client.source) == "from the API\n")

        moved = http.patch("api/contents/d", json={"path": "e"})
        assert moved.status_code == 200, moved.text
        client.wait_for(lambda: client.text.path == "e/t.txt")
        assert open_session(server, "e/t.txt", "file")["fileId"] == client.file_id
        with client.doc.transaction():
            client.source.insert(0, "after the move: ")
        wait_file(server.root / "e" / "t.txt", lambda d: d.startswith(b"after the move"), client)
        assert not (server.root / "d").exists()

        assert http.delete("api/contents/e/t.txt").status_code == 204
        assert client.wait_closed() == 4410
    assert not (server.root / "e" / "t.txt").exists()


def test_revert_restores_the_checkpoint(server: CarnetServer) -> None:
    path = server.root / "t.txt"
    path.write_text("saved\n")
    with YClient(server, "t.txt", "file") as client, server.client() as http:
        assert http.post(f"api/documents/{client.file_id}/save").status_code == 200
        with client.doc.transaction():
            client.source.insert(0, "more ")
        wait_file(path, lambda d: d == b"more saved\n", client)
        reverted = http.post(f"api/documents/{client.file_id}/revert", json={})
        assert reverted.status_code == 200, reverted.text
        client.wait_for(lambda: str(client.source) == "saved\n")
        assert path.read_text() == "saved\n"
        missing = http.post("api/documents/nope/revert", json={"checkpoint_id": "checkpoint"})
        assert missing.status_code == 404


def test_sigkill_keeps_the_file_valid_and_the_lineage(
    carnet_factory: Callable[..., CarnetServer],
) -> None:
    """Edits saved before a SIGKILL are in the file; a client that kept its copy resyncs
    after the restart (same epoch) and brings the rest back, with nothing duplicated."""
    server = carnet_factory()
    nb = rich_notebook()
    path = server.root / "a.ipynb"
    path.write_text(file_text(nb))
    client = YClient(server, "a.ipynb")
    epoch = client.session["sessionId"]
    source = client.notebook.ycells[2]["source"]
    with client.doc.transaction():
        source.insert(0, "saved = 1")
    wait_file(path, lambda d: b"saved = 1" in d, client)
    with client.doc.transaction():
        source.insert(len(str(source).encode()), "\nlate = 2")
    client.flush()
    server.stop(signal.SIGKILL)
    client.close()

    data = json.loads(path.read_text())  # valid JSON: the write was atomic
    nbformat.validate(nbformat.from_dict(data))
    assert "saved = 1" in "".join(data["cells"][2]["source"])
    assert not list(server.root.glob(".~carnet-*"))  # no leftovers that matter either way

    restarted = carnet_factory()
    cells = len(client.notebook.ycells)
    again = YClient(restarted, "a.ipynb", session_id=epoch, doc=client.doc)
    # The file is what the lineage last saved: the room continues it, same epoch.
    assert again.session["sessionId"] == epoch
    again.flush()
    fresh = YClient(restarted, "a.ipynb")
    assert len(fresh.notebook.ycells) == cells
    assert str(fresh.notebook.ycells[2]["source"]) == "saved = 1\nlate = 2"
    fresh.close()
    wait_file(path, lambda d: b"late = 2" in d)
    again.close()
    restarted.stop()

    # Changed while no server ran: the lineage does not match the file, a new epoch starts
    # and a client of the old one is told to start afresh instead of merging.
    nb.cells[2].source = "edited offline"
    path.write_text(file_text(nb))
    third = carnet_factory()
    assert open_session(third, "a.ipynb")["sessionId"] != epoch
    stale = YClient(third, "a.ipynb", session_id=epoch, sync=False)
    assert stale.wait_closed() == 4409
    stale.close()


def test_stopping_the_server_saves_open_documents(
    carnet_factory: Callable[..., CarnetServer],
) -> None:
    server = carnet_factory(NO_AUTOSAVE)
    path = server.root / "t.txt"
    path.write_text("text\n")
    with YClient(server, "t.txt", "file") as client:
        with client.doc.transaction():
            client.source.insert(0, "unsaved ")
        client.flush()
        assert path.read_text() == "text\n"
        assert server.stop() == 0
    assert path.read_text() == "unsaved text\n"
