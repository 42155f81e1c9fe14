"""The notebook history (carnet.documents.history): every save is a version, kept in SQLite
under the data dir, bounded, following renames and deletes; ``GET api/history/<path>``."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from typing import Any

import httpx
from nbformat import v4

from tests.api.test_documents_changes import NO_AUTOSAVE
from tests.api.test_documents_rooms import wait_file
from tests.conftest import CarnetServer
from tests.documents.samples import file_text, rich_notebook
from tests.documents.yclient import YClient

FAST_AUTOSAVE = "--YDocExtension.document_save_delay=0.1"


def versions(http: httpx.Client, path: str) -> list[dict[str, Any]]:
    r = http.get(f"api/history/{path}")
    assert r.status_code == 200, r.text
    assert r.json()["path"] == path
    return list(r.json()["versions"])


def version(http: httpx.Client, path: str, version_id: int) -> dict[str, Any]:
    r = http.get(f"api/history/{path}", params={"version": version_id})
    assert r.status_code == 200, r.text
    return dict(r.json())


def sources(model: dict[str, Any]) -> list[str]:
    return [c["source"] for c in model["content"]["cells"]]


def put_notebook(http: httpx.Client, path: str, cells: list[str]) -> None:
    nb = v4.new_notebook()
    nb.cells = [v4.new_code_cell(s) for s in cells]
    for index, cell in enumerate(nb.cells):
        cell.id = f"c{index}"
    r = http.put(f"api/contents/{path}", json={"type": "notebook", "content": nb})
    assert r.status_code in (200, 201), r.text


def test_autosave_and_contents_saves_are_versions(
    carnet_factory: Callable[..., CarnetServer],
) -> None:
    server = carnet_factory(FAST_AUTOSAVE)
    nb = rich_notebook()
    path = server.root / "a.ipynb"
    path.write_text(file_text(nb))
    with YClient(server, "a.ipynb") as client, server.client() as http:
        # The file the document was opened from is the first version.
        [opened] = versions(http, "a.ipynb")
        assert opened["size"] == path.stat().st_size
        assert opened["time"].endswith("Z")
        assert sources(version(http, "a.ipynb", opened["id"]))[1].startswith("import sys")

        source = client.notebook.ycells[1]["source"]
        with client.doc.transaction():
            source.insert(0, "edited = 1\n")
        wait_file(path, lambda d: b"edited = 1" in d, client)
        listed = versions(http, "a.ipynb")
        assert [v["id"] for v in listed][1:] == [opened["id"]]  # newest first
        newest = version(http, "a.ipynb", listed[0]["id"])
        assert newest["size"] == path.stat().st_size
        assert sources(newest)[1].startswith("edited = 1\nimport sys")
        assert newest["content"]["cells"][1]["outputs"][0]["text"] == "out\nline two\n"

        # An explicit save of unchanged content, and the same bytes saved again: no version.
        saved = http.post(f"api/documents/{client.file_id}/save")
        assert saved.status_code == 200, saved.text
        assert len(versions(http, "a.ipynb")) == 2

        # A Contents API save is a version (and the open document follows it).
        put_notebook(http, "a.ipynb", ["from the API"])
        client.wait_for(lambda: str(client.notebook.ycells[0]["source"]) == "from the API")
        listed = versions(http, "a.ipynb")
        assert len(listed) == 3
        assert sources(version(http, "a.ipynb", listed[0]["id"])) == ["from the API"]
        put_notebook(http, "a.ipynb", ["from the API"])
        assert len(versions(http, "a.ipynb")) == 3


def test_explicit_save_is_a_version(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory(NO_AUTOSAVE)
    path = server.root / "s.ipynb"
    path.write_text(file_text(rich_notebook()))
    with YClient(server, "s.ipynb") as client, server.client() as http:
        assert len(versions(http, "s.ipynb")) == 1
        with client.doc.transaction():
            client.notebook.ycells[2]["source"].insert(0, "by save")
        client.flush()
        assert len(versions(http, "s.ipynb")) == 1  # not saved yet: no version
        saved = http.post(f"api/documents/{client.file_id}/save")
        assert saved.status_code == 200, saved.text
        listed = versions(http, "s.ipynb")
        assert len(listed) == 2
        assert sources(version(http, "s.ipynb", listed[0]["id"]))[2] == "by save"


def test_history_survives_a_restart_and_follows_renames_and_deletes(
    carnet_factory: Callable[..., CarnetServer],
) -> None:
    server = carnet_factory()
    (server.root / "d").mkdir()
    with server.client() as http:
        put_notebook(http, "d/n.ipynb", ["one"])
        put_notebook(http, "d/n.ipynb", ["two"])
        before = versions(http, "d/n.ipynb")
        assert len(before) == 2
    server.stop()
    assert (server.jenv.data_dir / "carnet" / "history.sqlite3").is_file()

    again = carnet_factory()
    with again.client() as http:
        assert versions(http, "d/n.ipynb") == before
        assert sources(version(http, "d/n.ipynb", before[1]["id"])) == ["one"]
        # A folder rename carries the history of what is inside.
        assert http.patch("api/contents/d", json={"path": "e"}).status_code == 200
        moved = versions(http, "e/n.ipynb")
        assert [v["id"] for v in moved] == [v["id"] for v in before]
        assert {v["path"] for v in moved} == {"e/n.ipynb"}
        assert sources(version(http, "e/n.ipynb", before[0]["id"])) == ["two"]
        assert http.patch("api/contents/e/n.ipynb", json={"path": "e/m.ipynb"}).status_code == 200
        assert len(versions(http, "e/m.ipynb")) == 2
        # A delete forgets it: a new file of the same name starts afresh.
        assert http.delete("api/contents/e/m.ipynb").status_code == 204
        assert http.get("api/history/e/m.ipynb").status_code == 404
        put_notebook(http, "e/m.ipynb", ["new file"])
        [fresh] = versions(http, "e/m.ipynb")
        assert fresh["id"] > before[0]["id"]  # ids are never reused
        gone = http.get("api/history/e/m.ipynb", params={"version": before[0]["id"]})
        assert gone.status_code == 404


def test_the_bound_evicts_the_oldest_versions(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory("--HistoryManager.max_size=50000", "--HistoryManager.max_versions=3")
    with server.client() as http:
        for n in range(5):
            put_notebook(http, "few.ipynb", [f"version {n}"])
        listed = versions(http, "few.ipynb")
        assert [sources(version(http, "few.ipynb", v["id"])) for v in listed] == [
            ["version 4"], ["version 3"], ["version 2"]
        ]  # fmt: skip
        # Incompressible notebooks of ~22 kB once compressed: two fit in 50 kB.
        for n in range(4):
            noise = base64.b64encode(os.urandom(22_000)).decode()
            put_notebook(http, "big.ipynb", [f"# big {n}\n{noise}"])
        big = versions(http, "big.ipynb")
        assert [sources(version(http, "big.ipynb", v["id"]))[0][:7] for v in big] == [
            "# big 3", "# big 2"
        ]  # fmt: skip
        # The oldest went first, whatever notebook they belonged to.
        assert versions(http, "few.ipynb") == []


def test_history_off(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory("--HistoryManager.max_size=0")
    with server.client() as http:
        put_notebook(http, "n.ipynb", ["one"])
        assert versions(http, "n.ipynb") == []


def test_bad_requests_are_clear_4xx(server: CarnetServer) -> None:
    (server.root / "d").mkdir()
    (server.root / "t.txt").write_text("text")
    (server.root / ".hidden.ipynb").write_text(file_text(rich_notebook()))
    with server.client() as http:
        put_notebook(http, "n.ipynb", ["one"])
        put_notebook(http, "o.ipynb", ["other"])
        [other] = versions(http, "o.ipynb")
        cases = [
            ("api/history/missing.ipynb", {}, 404),
            ("api/history/d", {}, 400),
            ("api/history/t.txt", {}, 400),
            ("api/history/.hidden.ipynb", {}, 404),
            ("api/history/%2E%2E/outside.ipynb", {}, 404),
            ("api/history/n.ipynb", {"version": "abc"}, 400),
            ("api/history/n.ipynb", {"version": "-1"}, 400),
            ("api/history/n.ipynb", {"version": "9" * 40}, 400),
            ("api/history/n.ipynb", {"version": "999999"}, 404),
            # A version of another notebook is not one of this one.
            ("api/history/n.ipynb", {"version": str(other["id"])}, 404),
        ]
        for url, params, status in cases:
            r = http.get(url, params=params)
            assert r.status_code == status, (url, params, r.text)
            assert r.json()["message"], (url, params)


def test_a_broken_history_never_fails_a_save(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory(FAST_AUTOSAVE)
    # The database path is a folder, and so is where a damaged one would be moved.
    state = server.jenv.data_dir / "carnet"
    for name in ("history.sqlite3", "history.damaged"):
        (state / name).mkdir(parents=True, exist_ok=True)
        (state / name / "keep").write_text("x")
    path = server.root / "n.ipynb"
    with server.client() as http:
        put_notebook(http, "n.ipynb", ["saved anyway"])
        assert json.loads(path.read_text())["cells"][0]["source"] == ["saved anyway"]
        with YClient(server, "n.ipynb") as client:
            with client.doc.transaction():
                client.notebook.ycells[0]["source"].insert(0, "autosaved ")
            wait_file(path, lambda d: b"autosaved saved anyway" in d, client)
        broken = http.get("api/history/n.ipynb")
        assert broken.status_code == 503
        assert "history cannot be read" in broken.json()["message"]
