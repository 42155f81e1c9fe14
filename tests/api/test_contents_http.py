"""The Contents API and /files/ over real HTTP(S) on a real carnet (service details are
covered in tests/contents/; this proves the wiring, the URL decoding of a real server, and what
a client sees end to end)."""

from __future__ import annotations

import base64
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import nbformat
import pytest

from tests.conftest import CarnetServer, JupyterEnv, _new_env, start_carnet


@pytest.fixture(scope="module", params=["http", "https"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CarnetServer]:
    jenv = _new_env(tmp_path_factory.mktemp(f"contents-{request.param}"))
    args: list[str] = []
    if request.param == "https":
        from carnet.auth.tls import write_certificate

        cert, key = jenv.root.parent / "c.pem", jenv.root.parent / "k.pem"
        write_certificate(cert, key, ["localhost", "127.0.0.1"])
        args = [f"--certfile={cert}", f"--keyfile={key}"]
    server = start_carnet(jenv, *args)
    yield server
    server.stop()


@pytest.fixture
def client(live: CarnetServer) -> Iterator[httpx.Client]:
    with live.client() as c:
        yield c


@pytest.fixture
def folder(live: CarnetServer, request: pytest.FixtureRequest) -> str:
    name = request.node.name.replace("[", "-").replace("]", "")
    (live.root / name).mkdir()
    return name


def test_crud_roundtrip(client: httpx.Client, live: CarnetServer, folder: str) -> None:
    created = client.put(
        f"api/contents/{folder}/a.txt", json={"type": "file", "format": "text", "content": "one\n"}
    )
    assert created.status_code == 201
    assert created.headers["location"] == f"/api/contents/{folder}/a.txt"
    model = created.json()
    assert model["name"] == "a.txt" and model["path"] == f"{folder}/a.txt"
    assert model["type"] == "file" and model["content"] is None
    saved = client.put(
        f"api/contents/{folder}/a.txt", json={"type": "file", "format": "text", "content": "two\n"}
    )
    assert saved.status_code == 200
    got = client.get(f"api/contents/{folder}/a.txt").json()
    assert got["content"] == "two\n" and got["format"] == "text" and got["mimetype"] == "text/plain"
    hashed = client.get(f"api/contents/{folder}/a.txt", params={"content": 0, "hash": 1}).json()
    assert hashed["content"] is None and hashed["hash_algorithm"] == "sha256" and hashed["hash"]
    listing = client.get(f"api/contents/{folder}", params={"hash": 1})
    assert listing.status_code == 200  # jupyter_server answers 500 here
    assert [e["name"] for e in listing.json()["content"]] == ["a.txt"]
    renamed = client.patch(f"api/contents/{folder}/a.txt", json={"path": f"{folder}/b.txt"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "b.txt"
    client.put(
        f"api/contents/{folder}/c.txt", json={"type": "file", "format": "text", "content": ""}
    )
    clash = client.patch(f"api/contents/{folder}/c.txt", json={"path": f"{folder}/b.txt"})
    assert clash.status_code == 409
    assert (live.root / folder / "b.txt").read_text() == "two\n"
    assert client.delete(f"api/contents/{folder}/b.txt").status_code == 204
    assert client.get(f"api/contents/{folder}/b.txt").status_code == 404
    assert client.get(f"api/contents/{folder}/b.txt").json()["message"]


def test_untitled_copy_and_directories(client: httpx.Client, folder: str) -> None:
    nb = client.post(f"api/contents/{folder}", json={"type": "notebook"})
    assert nb.status_code == 201 and nb.json()["name"] == "Untitled.ipynb"
    assert (
        client.post(f"api/contents/{folder}", json={"type": "notebook"}).json()["name"]
        == "Untitled1.ipynb"
    )
    d = client.post(f"api/contents/{folder}", json={"type": "directory"}).json()
    assert d["name"] == "Untitled Folder" and d["type"] == "directory"
    f = client.post(f"api/contents/{folder}", json={"type": "file", "ext": ".py"}).json()
    assert f["name"] == "untitled.py"
    copy = client.post(f"api/contents/{folder}", json={"copy_from": f"{folder}/untitled.py"})
    assert copy.status_code == 201 and copy.json()["name"] == "untitled-Copy1.py"
    mk = client.put(f"api/contents/{folder}/new dir", json={"type": "directory"})
    assert mk.status_code == 201
    nbget = client.get(f"api/contents/{folder}/Untitled.ipynb").json()
    assert nbget["type"] == "notebook" and nbget["format"] == "json"
    assert nbget["content"]["nbformat"] == 4


def test_notebook_roundtrip_and_invalid_notebook(
    client: httpx.Client, live: CarnetServer, folder: str
) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    text = nbformat.writes(nb) + "\n"  # as nbformat.write (and Jupyter) writes files
    (live.root / folder / "n.ipynb").write_text(text)
    model = client.get(f"api/contents/{folder}/n.ipynb").json()
    put = client.put(
        f"api/contents/{folder}/n.ipynb",
        json={"type": "notebook", "format": "json", "content": model["content"]},
    )
    assert put.status_code == 200
    assert (live.root / folder / "n.ipynb").read_text() == text  # byte-stable
    bad = client.put(
        f"api/contents/{folder}/bad.ipynb",
        json={"type": "notebook", "format": "json", "content": {"cells": "nope"}},
    )
    assert bad.status_code == 400 and bad.json()["message"]
    assert not (live.root / folder / "bad.ipynb").exists()
    leftovers = [p.name for p in (live.root / folder).iterdir() if p.name.startswith(".")]
    assert leftovers in ([], [".ipynb_checkpoints"])  # no temp file left behind


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("put", b"{not json"),
        ("put", b"[1,2]"),
        ("put", b"\xff\xfe"),
        ("patch", b"{"),
        ("post", b"{]"),
        ("put", b'{"type": "file", "format": "text", "content": 5}'),
        ("put", b'{"type": "file", "content": "x"}'),
        ("patch", b'{"path": 7}'),
        ("put", b'{"type": "file", "format": "text", "content": "x", "chunk": "a"}'),
    ],
)
def test_malformed_bodies_are_400(
    client: httpx.Client, folder: str, method: str, body: bytes
) -> None:
    response = client.request(
        method.upper(),
        f"api/contents/{folder}/x.txt",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["message"]


@pytest.mark.parametrize(
    "path",
    [
        "..%2f..%2fetc%2fpasswd",
        "%2e%2e/%2e%2e/etc/passwd",
        "a/../../etc",
        "%00",
        "x%00y",
        "..%5c..%5cwindows",
        "C:%5cwindows",
        "/etc/passwd",
    ],
)
def test_hostile_paths_never_leave_the_root(
    client: httpx.Client, live: CarnetServer, path: str
) -> None:
    for response in (
        client.get(f"api/contents/{path}"),
        client.get(f"files/{path}"),
        client.put(f"api/contents/{path}", json={"type": "file", "format": "text", "content": "x"}),
        client.delete(f"api/contents/{path}"),
    ):
        assert response.status_code in (400, 403, 404), (path, response.status_code)
        assert "root:" not in response.text
    assert not list(live.root.parent.glob("etc*"))


def test_symlink_out_of_root_refused(
    client: httpx.Client, live: CarnetServer, folder: str, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    (live.root / folder / "link.txt").symlink_to(outside)
    (live.root / folder / "dirlink").symlink_to(tmp_path)
    assert client.get(f"api/contents/{folder}/link.txt").status_code == 404
    assert client.get(f"files/{folder}/link.txt").status_code == 404
    assert client.get(f"api/contents/{folder}/dirlink").status_code == 404
    put = client.put(
        f"api/contents/{folder}/dirlink/new.txt",
        json={"type": "file", "format": "text", "content": "x"},
    )
    assert put.status_code in (400, 403, 404)
    assert not (tmp_path / "new.txt").exists()
    names = [e["name"] for e in client.get(f"api/contents/{folder}").json()["content"]]
    assert "link.txt" not in names and "dirlink" not in names
    assert outside.read_text() == "secret"


def test_hidden_files_follow_allow_hidden(
    client: httpx.Client, live: CarnetServer, folder: str
) -> None:
    (live.root / folder / ".secret").write_text("s")
    assert client.get(f"api/contents/{folder}/.secret").status_code == 404
    assert client.get(f"files/{folder}/.secret").status_code == 404
    assert ".secret" not in [
        e["name"] for e in client.get(f"api/contents/{folder}").json()["content"]
    ]
    put = client.put(
        f"api/contents/{folder}/.x", json={"type": "file", "format": "text", "content": ""}
    )
    assert put.status_code == 400


def test_chunked_upload(client: httpx.Client, live: CarnetServer, folder: str) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    size = 1024 * 1024
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    for index, piece in enumerate(pieces, start=1):
        chunk = -1 if index == len(pieces) else index
        response = client.put(
            f"api/contents/{folder}/big.bin",
            json={
                "type": "file",
                "format": "base64",
                "chunk": chunk,
                "content": base64.b64encode(piece).decode(),
            },
        )
        assert response.status_code in (200, 201), response.text
        if chunk != -1:
            assert not (live.root / folder / "big.bin").exists()
    assert (live.root / folder / "big.bin").read_bytes() == data
    refused = client.put(
        f"api/contents/{folder}/n.ipynb",
        json={"type": "notebook", "format": "json", "chunk": 1, "content": {}},
    )
    assert refused.status_code == 400


def test_checkpoints(client: httpx.Client, live: CarnetServer, folder: str) -> None:
    path = f"api/contents/{folder}/c.txt"
    client.put(path, json={"type": "file", "format": "text", "content": "v1"})
    assert client.get(f"{path}/checkpoints").json() == []
    created = client.post(f"{path}/checkpoints")
    assert created.status_code == 201 and created.json()["id"] == "checkpoint"
    assert created.headers["location"].endswith(f"{folder}/c.txt/checkpoints/checkpoint")
    client.put(path, json={"type": "file", "format": "text", "content": "v2"})
    assert client.post(f"{path}/checkpoints/checkpoint").status_code == 204
    assert (live.root / folder / "c.txt").read_text() == "v1"
    assert client.delete(f"{path}/checkpoints/checkpoint").status_code == 204
    assert client.delete(f"{path}/checkpoints/checkpoint").status_code == 404


def test_files_download(client: httpx.Client, live: CarnetServer, folder: str) -> None:
    (live.root / folder / "r é.txt").write_bytes(b"raw\x00bytes")
    got = client.get(f"files/{folder}/r é.txt")
    assert got.status_code == 200 and got.content == b"raw\x00bytes"
    assert "sandbox" in got.headers["content-security-policy"]
    dl = client.get(f"files/{folder}/r é.txt", params={"download": 1})
    assert dl.headers["content-disposition"].startswith(
        "attachment; filename*=utf-8''r%20%C3%A9.txt"
    )
    (live.root / folder / "n.ipynb").write_text(json.dumps(nbformat.v4.new_notebook()))
    assert (
        client.get(f"files/{folder}/n.ipynb")
        .headers["content-type"]
        .startswith("application/x-ipynb+json")
    )


def test_delete_goes_to_trash_and_root_is_protected(
    client: httpx.Client, live: CarnetServer, folder: str
) -> None:
    (live.root / folder / "t.txt").write_text("keep me")
    assert client.delete(f"api/contents/{folder}/t.txt").status_code == 204
    trash = live.jenv.home / ".local" / "share" / "Trash" / "files"
    assert any(p.read_text() == "keep me" for p in trash.glob("t*.txt"))
    assert client.delete("api/contents/").status_code == 400


def test_connection_not_left_hanging_by_garbage(live: CarnetServer) -> None:
    """A garbage request line gets an answer or a close, not a hang."""
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(
            b"\x16\x03\x01garbage\r\n\r\n" if live.scheme == "http" else b"NOT HTTP\r\n\r\n"
        )
        data = sock.recv(1024)
        assert data == b"" or data.startswith((b"HTTP/1.1 4", b"HTTP/1.1 301"))


def test_full_disk_is_a_clear_4xx_and_loses_nothing(jupyter_env: JupyterEnv) -> None:
    """The server may write at most 1 MiB per file (RLIMIT_FSIZE), as on a nearly full disk."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, 1024 * 1024))

    (jupyter_env.root / "keep.txt").write_text("original")
    server = start_carnet(jupyter_env, preexec_fn=limit)
    try:
        with server.client() as client:
            big = "x" * (2 * 1024 * 1024)
            response = client.put(
                "api/contents/keep.txt", json={"type": "file", "format": "text", "content": big}
            )
            assert response.status_code == 413, response.text
            assert "disk space" in response.json()["message"]
        assert (jupyter_env.root / "keep.txt").read_text() == "original"
        assert [p.name for p in jupyter_env.root.iterdir()] == ["keep.txt"]
    finally:
        server.stop()
