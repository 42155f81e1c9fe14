"""The Contents API and /files/ over HTTP: status codes, headers, bad input, hostile URLs."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pytest
from nbformat import v4

if TYPE_CHECKING:
    from starlette.testclient import TestClient

API = "/api/contents"


def _notebook() -> dict[str, object]:
    nb = v4.new_notebook()
    nb.cells.append(v4.new_markdown_cell("# hi"))
    return json.loads(json.dumps(nb))


def _error(response: object, status: int) -> dict[str, object]:
    assert getattr(response, "status_code") == status, getattr(response, "text")  # noqa: B009
    body = getattr(response, "json")()  # noqa: B009
    assert set(body) == {"message", "reason"}
    return body  # type: ignore[no-any-return]


# --- GET --------------------------------------------------------------------------------


def test_get_file_directory_and_notebook(client: TestClient, root: Path) -> None:
    (root / "a.txt").write_text("hello")
    (root / "n.ipynb").write_text(nbformat.writes(nbformat.from_dict(_notebook())))
    r = client.get(f"{API}/a.txt")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json()["content"] == "hello" and r.json()["format"] == "text"
    assert "location" not in r.headers
    modified = parsedate_to_datetime(r.headers["last-modified"])
    assert modified.timestamp() == pytest.approx((root / "a.txt").stat().st_mtime, abs=1)
    r = client.get(API)
    assert r.status_code == 200 and {e["name"] for e in r.json()["content"]} == {"a.txt", "n.ipynb"}
    assert client.get(f"{API}/").json()["path"] == ""
    r = client.get(f"{API}/n.ipynb")
    assert r.json()["type"] == "notebook" and r.json()["content"]["cells"][0]["source"] == "# hi"


def test_get_query_arguments(client: TestClient, root: Path) -> None:
    (root / "a.txt").write_text("hello")
    (root / "d").mkdir()
    assert client.get(f"{API}/a.txt", params={"format": "base64"}).json()["content"] == (
        "aGVsbG8=\n"
    )
    r = client.get(f"{API}/a.txt", params={"content": "0"})
    assert r.json()["content"] is None and r.json()["format"] is None
    r = client.get(f"{API}/a.txt", params={"content": "0", "hash": "1"})
    assert r.json()["hash_algorithm"] == "sha256" and len(r.json()["hash"]) == 64
    r = client.get(f"{API}/d", params={"hash": "1"})
    assert r.status_code == 200 and r.json()["hash"] is None
    assert client.get(f"{API}/a.txt", params={"type": "weird"}).json()["type"] == "file"
    assert _error(client.get(f"{API}/d", params={"type": "weird"}), 400)["reason"] == "bad type"
    assert (
        _error(client.get(f"{API}/a.txt", params={"type": "directory"}), 400)["message"]
        == "a.txt is not a directory"
    )
    assert (
        _error(client.get(f"{API}/a.txt", params={"format": "json"}), 400)["message"]
        == "Format 'json' is invalid"
    )
    assert (
        _error(client.get(f"{API}/a.txt", params={"content": "yes"}), 400)["message"]
        == "Content 'yes' is invalid"
    )
    assert (
        _error(client.get(f"{API}/a.txt", params={"hash": "2"}), 400)["message"]
        == "Hash '2' is invalid"
    )


def test_missing_and_hidden_are_json_404s(client: TestClient, root: Path) -> None:
    (root / ".env").write_text("SECRET")
    for path in ("nope.txt", ".env", "a/b/c"):
        body = _error(client.get(f"{API}/{path}"), 404)
        assert "does not exist" in str(body["message"])


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/%2e%2e/secret.txt",
        f"{API}/..%2fsecret.txt",
        f"{API}/%2e%2e%2fsecret.txt",
        f"{API}/sub/%2e%2e/%2e%2e/secret.txt",
        f"{API}/..%5csecret.txt",
        f"{API}/%2e%2e%5csecret.txt",
        f"{API}/secret.txt%00.png",
        f"{API}/C:%5csecret.txt",
        f"{API}/out/secret.txt",
        f"{API}/out-file",
        f"{API}..%2fsecret.txt",
        "/files/%2e%2e/secret.txt",
        "/files/..%2fsecret.txt",
        "/files/out/secret.txt",
        "/files/out-file",
        "/files/secret.txt%00",
    ],
)
def test_hostile_urls_never_reach_outside_the_root(
    client: TestClient, root: Path, url: str
) -> None:
    outside = root.parent
    (outside / "secret.txt").write_text("TOP SECRET")
    (root / "sub").mkdir()
    (root / "out").symlink_to(outside)
    (root / "out-file").symlink_to(outside / "secret.txt")
    for method in ("GET", "PUT", "DELETE", "PATCH"):
        body = {"type": "file", "format": "text", "content": "pwned", "path": "x.txt"}
        r = client.request(method, url, json=body)
        assert r.status_code in (400, 404, 405), (method, r.status_code)
        assert "TOP SECRET" not in r.text
    assert (outside / "secret.txt").read_text() == "TOP SECRET"


def test_double_encoding_never_escapes(client: TestClient, root: Path) -> None:
    # A server decodes once, making this the literal name "%2e%2e" (created in the root);
    # Starlette's TestClient decodes twice, making it "..", which is refused. Either way
    # nothing is written outside the root.
    r = client.put(f"{API}/%252e%252e", json={"type": "file", "format": "text", "content": "x"})
    assert r.status_code in (201, 404)
    assert sorted(os.listdir(root.parent)) == ["root", "xdg-data"]
    assert os.listdir(root) == (["%2e%2e"] if r.status_code == 201 else [])


def test_absolute_url_paths_stay_in_the_root(client: TestClient, root: Path) -> None:
    _error(client.get(f"{API}//etc/passwd"), 404)
    (root / "etc").mkdir()
    (root / "etc" / "passwd").write_text("the root's own file")
    assert client.get(f"{API}//etc/passwd").json()["content"] == "the root's own file"


# --- PUT --------------------------------------------------------------------------------


def test_put_creates_then_updates(client: TestClient, root: Path) -> None:
    body = {"type": "file", "format": "text", "content": "one", "path": "ignored.txt"}
    r = client.put(f"{API}/sub dir/ünï.txt", json=body)
    _error(r, 404)  # the parent does not exist
    (root / "sub dir").mkdir()
    r = client.put(f"{API}/sub dir/ünï.txt", json=body)
    assert r.status_code == 201
    assert r.headers["location"] == f"{API}/sub%20dir/%C3%BCn%C3%AF.txt"
    assert r.json()["path"] == "sub dir/ünï.txt" and r.json()["content"] is None
    assert "last-modified" in r.headers
    r = client.put(f"{API}/sub dir/ünï.txt", json={**body, "content": "two"})
    assert r.status_code == 200
    assert (root / "sub dir" / "ünï.txt").read_text() == "two"
    assert not (root / "ignored.txt").exists()


def test_put_notebook_and_invalid_notebook(client: TestClient, root: Path) -> None:
    r = client.put(
        f"{API}/n.ipynb", json={"type": "notebook", "format": "json", "content": _notebook()}
    )
    assert r.status_code == 201 and r.json()["type"] == "notebook"
    before = (root / "n.ipynb").read_bytes()
    bad = _notebook()
    bad["cells"] = [{"cell_type": "markdown"}]
    body = _error(client.put(f"{API}/n.ipynb", json={"type": "notebook", "content": bad}), 400)
    assert str(body["message"]).startswith("Notebook validation failed")
    assert (root / "n.ipynb").read_bytes() == before
    _error(client.put(f"{API}/new.ipynb", json={"type": "notebook", "content": bad}), 400)
    assert not (root / "new.ipynb").exists()


def test_put_directory_and_untitled(client: TestClient, root: Path) -> None:
    assert client.put(f"{API}/d", json={"type": "directory"}).status_code == 201
    assert client.put(f"{API}/d", json={"type": "directory"}).status_code == 200
    r = client.put(f"{API}/d")  # no body: a new untitled file in that directory
    assert r.status_code == 201 and r.json()["path"] == "d/untitled"
    assert client.put(f"{API}/d", json={}).json()["path"] == "d/untitled1"
    _error(client.put(f"{API}/missing-dir"), 404)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "Invalid JSON"),
        (b"[1, 2]", "must be an object"),
        (b'"text"', "must be an object"),
        (b"null", "must be an object"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "Invalid JSON"),
        (b'{"type": 5, "content": "x"}', "'type' must be a string"),
        (b'{"type": "file", "format": 1, "content": "x"}', "'format' must be a string"),
        (
            b'{"type": "file", "format": "text", "content": "x", "chunk": "1"}',
            "'chunk' must be an integer",
        ),
        (
            b'{"type": "file", "format": "text", "content": "x", "chunk": true}',
            "'chunk' must be an integer",
        ),
        (b'{"type": "file", "format": "text", "content": 5}', "content must be a string"),
        (b'{"type": "file", "content": "x"}', "Must specify format"),
        (b'{"type": "strange", "content": "x"}', "Must specify format"),  # read as a file
        (b'{"type": "file", "format": "text"}', "No file content provided"),
        (b'{"content": "x"}', "No file type provided"),
        (b'{"copy_from": "a.txt"}', "Cannot copy with PUT"),
        (b'{"type": "notebook", "content": []}', "must be a JSON object"),
    ],
)
def test_bad_put_bodies_are_400(client: TestClient, root: Path, body: bytes, message: str) -> None:
    r = client.put(f"{API}/x.txt", content=body, headers={"content-type": "application/json"})
    assert message in str(_error(r, 400)["message"])
    assert not (root / "x.txt").exists()


def test_put_hidden_is_400(client: TestClient, root: Path) -> None:
    r = client.put(f"{API}/.bashrc", json={"type": "file", "format": "text", "content": "x"})
    assert "Cannot create" in str(_error(r, 400)["message"])


def test_chunked_upload_over_http(client: TestClient, root: Path) -> None:
    url = f"{API}/big.bin"
    r1 = client.put(url, json={"type": "file", "format": "base64", "chunk": 1, "content": "AAAA"})
    r2 = client.put(url, json={"type": "file", "format": "base64", "chunk": 2, "content": "AQEB"})
    r3 = client.put(url, json={"type": "file", "format": "base64", "chunk": -1, "content": "AgIC"})
    assert [r1.status_code, r2.status_code, r3.status_code] == [201, 200, 200]
    assert (root / "big.bin").read_bytes() == b"\0\0\0\1\1\1\2\2\2"
    assert r3.json()["size"] == 9
    r = client.put(url, json={"type": "notebook", "chunk": 1, "content": {}})
    assert "not supported for large file" in str(_error(r, 400)["message"])


# --- POST -------------------------------------------------------------------------------


def test_post_creates_untitled_things(client: TestClient, root: Path) -> None:
    r = client.post(API)
    assert r.status_code == 201 and r.json()["name"] == "untitled"
    assert r.headers["location"] == f"{API}/untitled"
    assert client.post(API, json={"type": "notebook"}).json()["name"] == "Untitled.ipynb"
    assert client.post(API, json={"ext": ".ipynb"}).json()["name"] == "Untitled1.ipynb"
    assert client.post(API, json={"type": "file", "ext": ".py"}).json()["name"] == "untitled.py"
    r = client.post(API, json={"type": "directory"})
    assert r.json()["name"] == "Untitled Folder" and r.json()["type"] == "directory"
    r = client.post(f"{API}/Untitled Folder", json={"type": "weird"})  # read as a file
    assert r.json()["path"] == "Untitled Folder/untitled"


def test_post_copies(client: TestClient, root: Path) -> None:
    (root / "a.txt").write_text("a")
    (root / "d").mkdir()
    r = client.post(API, json={"copy_from": "a.txt"})
    assert r.status_code == 201 and r.json()["name"] == "a-Copy1.txt"
    assert r.headers["location"] == f"{API}/a-Copy1.txt"
    assert client.post(f"{API}/d", json={"copy_from": "/a.txt"}).json()["path"] == "d/a.txt"


@pytest.mark.parametrize(
    ("url", "body", "status", "message"),
    [
        (f"{API}/a.txt", None, 400, "Cannot POST to files, use PUT instead."),
        (API, b"{bad", 400, "Invalid JSON"),
        (API, b"[]", 400, "must be an object"),
        (API, b'{"type": 1}', 400, "'type' must be a string"),
        (API, b'{"ext": ["x"]}', 400, "'ext' must be a string"),
        (API, b'{"copy_from": 5}', 400, "'copy_from' must be a string"),
        (API, b'{"copy_from": ".secret"}', 400, "Cannot copy"),
        (API, b'{"copy_from": "../a.txt"}', 404, "outside root"),
        (API, b'{"copy_from": "nope.txt"}', 404, "does not exist"),
        (f"{API}/nope", None, 404, "No such directory"),
        (f"{API}/.hidden-dir", None, 400, "Cannot create"),
        (API, b'{"ext": "/../x"}', 400, "extension"),
    ],
)
def test_bad_posts(
    client: TestClient, root: Path, url: str, body: bytes | None, status: int, message: str
) -> None:
    (root / "a.txt").write_text("a")
    (root / ".secret").write_text("s")
    r = client.post(url, content=body, headers={"content-type": "application/json"})
    assert message in str(_error(r, status)["message"])


# --- PATCH / DELETE ---------------------------------------------------------------------


def test_patch_renames(client: TestClient, root: Path) -> None:
    (root / "a.txt").write_text("a")
    (root / "b.txt").write_text("b")
    r = client.patch(f"{API}/a.txt", json={"path": "c.txt"})
    assert r.status_code == 200 and r.json()["path"] == "c.txt"
    assert r.headers["location"] == f"{API}/c.txt"
    assert "File already exists: b.txt" in str(
        _error(client.patch(f"{API}/c.txt", json={"path": "b.txt"}), 409)["message"]
    )
    _error(client.patch(f"{API}/nope", json={"path": "x"}), 404)
    assert _error(client.patch(f"{API}/c.txt"), 400)["message"] == "JSON body missing"
    assert "'path' must be a string" in str(
        _error(client.patch(f"{API}/c.txt", json={"path": 5}), 400)["message"]
    )
    _error(client.patch(f"{API}/c.txt", json={"path": ".hidden"}), 400)
    _error(client.patch(f"{API}/c.txt", json={"path": "../c.txt"}), 404)
    assert client.patch(f"{API}/c.txt", json={}).json()["path"] == "c.txt"


def test_delete(client: TestClient, root: Path, trash_dir: Path) -> None:
    (root / "a.txt").write_text("a")
    r = client.delete(f"{API}/a.txt")
    assert r.status_code == 204 and r.content == b""
    assert not (root / "a.txt").exists()
    assert (trash_dir / "files" / "a.txt").exists()
    _error(client.delete(f"{API}/a.txt"), 404)
    assert _error(client.delete(API), 400)["message"] == "Can't delete root"
    assert _error(client.delete(f"{API}/"), 400)["message"] == "Can't delete root"


# --- checkpoints ------------------------------------------------------------------------


def test_checkpoint_routes(client: TestClient, root: Path) -> None:
    (root / "sub").mkdir()
    (root / "sub" / "a b.txt").write_text("v1")
    url = f"{API}/sub/a b.txt/checkpoints"
    assert client.get(url).json() == []
    r = client.post(url)
    assert r.status_code == 201 and r.json()["id"] == "checkpoint"
    assert r.headers["location"] == f"{API}/sub/a%20b.txt/checkpoints/checkpoint"
    assert client.get(url).json() == [r.json()]
    (root / "sub" / "a b.txt").write_text("v2")
    assert client.post(f"{url}/checkpoint").status_code == 204
    assert (root / "sub" / "a b.txt").read_text() == "v1"
    assert client.delete(f"{url}/checkpoint").status_code == 204
    body = _error(client.delete(f"{url}/checkpoint"), 404)
    assert body["message"] == "Checkpoint does not exist: sub/a b.txt@checkpoint"
    _error(client.post(f"{url}/other"), 404)
    _error(client.post(f"{API}/nope.txt/checkpoints"), 404)
    _error(client.post(f"{API}/%2e%2e/x/checkpoints"), 404)


def test_a_file_named_checkpoints_can_still_be_saved(client: TestClient, root: Path) -> None:
    r = client.put(f"{API}/checkpoints", json={"type": "file", "format": "text", "content": "x"})
    assert r.status_code == 201 and (root / "checkpoints").read_text() == "x"


def test_locations_include_the_base_url(make_client: Callable[..., TestClient], root: Path) -> None:
    client = make_client("/user/ana")
    r = client.post("/user/ana/api/contents", json={"type": "notebook"})
    assert r.headers["location"] == "/user/ana/api/contents/Untitled.ipynb"
    r = client.post("/user/ana/api/contents/Untitled.ipynb/checkpoints")
    assert r.headers["location"] == ("/user/ana/api/contents/Untitled.ipynb/checkpoints/checkpoint")


# --- /files/ ----------------------------------------------------------------------------


def test_files_serves_raw_bytes_sandboxed(client: TestClient, root: Path) -> None:
    (root / "page.html").write_text("<script>alert(1)</script>")
    (root / "a b.txt").write_text("hello")
    (root / "n.ipynb").write_text("{}")
    (root / "blob.unknownext").write_bytes(b"\x00\xff\xfe")
    r = client.get("/files/page.html")
    assert r.status_code == 200 and r.content == b"<script>alert(1)</script>"
    assert r.headers["content-security-policy"] == "sandbox allow-scripts"
    assert r.headers["content-type"].startswith("text/html")
    assert "content-disposition" not in r.headers
    r = client.get("/files/a b.txt", params={"download": "1"})
    assert r.headers["content-disposition"] == "attachment; filename*=utf-8''a%20b.txt"
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert client.get("/files/n.ipynb").headers["content-type"] == "application/x-ipynb+json"
    r = client.get("/files/blob.unknownext")
    assert r.headers["content-type"] == "application/octet-stream"
    r = client.head("/files/a b.txt")
    assert r.status_code == 200 and r.content == b"" and r.headers["content-length"] == "5"
    r = client.get("/files/a b.txt", headers={"range": "bytes=1-3"})
    assert r.status_code == 206 and r.content == b"ell"


def test_files_refuses_what_the_api_refuses(client: TestClient, root: Path) -> None:
    (root / ".env").write_text("SECRET")
    (root / "d").mkdir()
    _error(client.get("/files/.env"), 404)
    _error(client.get("/files/nope.txt"), 404)
    _error(client.get("/files/d"), 400)
    _error(client.get("/files/"), 400)


def test_files_with_hidden_allowed(make_client: Callable[..., TestClient], root: Path) -> None:
    (root / ".env").write_text("VISIBLE")
    assert make_client(allow_hidden=True).get("/files/.env").text == "VISIBLE"
