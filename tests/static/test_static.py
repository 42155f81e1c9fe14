"""The /static routes on a tiny Starlette app over a fake build in tmp_path."""

from __future__ import annotations

import gzip
import html.parser
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.10 prefers the `httpx2` fork for its TestClient; httpx works the same.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from carnet.web.static import (
    IMMUTABLE_CACHE_CONTROL,
    bundled_static_dir,
    fill_index,
    read_index,
    static_routes,
)

JS = b"export const answer = 42;\n" * 100
CSS = b"body { margin: 0 }\n"
FAKE_BR = b"\x8b\x02not-really-brotli"


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "index-abc123.js").write_bytes(JS)
    (root / "assets" / "index-abc123.js.gz").write_bytes(gzip.compress(JS))
    (root / "assets" / "index-abc123.js.br").write_bytes(FAKE_BR)
    (root / "assets" / "style-def456.css").write_bytes(CSS)
    (root / "assets" / "font-1.woff2").write_bytes(b"wOF2")
    (root / "assets" / "blob-2.unknownext").write_bytes(b"?")
    (root / "assets" / "only-gz.js.gz").write_bytes(gzip.compress(b"x"))
    (root / "favicon.svg").write_bytes(b"<svg/>")
    (root / "index.html").write_text('<meta content="{{base_url}}">', encoding="utf-8")
    (root / ".hidden").write_bytes(b"hidden")
    (tmp_path / "secret.txt").write_bytes(b"secret")
    return root


@pytest.fixture
def client(static_dir: Path) -> Iterator[TestClient]:
    with TestClient(Starlette(routes=static_routes(static_dir))) as c:
        yield c


def raw_get(client: TestClient, url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """GET without the client decoding the body, so compressed bytes can be compared."""
    with client.stream("GET", url, headers=headers) as response:
        body = b"".join(response.iter_raw())
        return response.status_code, dict(response.headers), body


JS_URL = "/static/assets/index-abc123.js"


# --- content and caching ---------------------------------------------------------------


def test_hashed_asset_is_immutable_with_type_and_etag(client: TestClient) -> None:
    status, headers, body = raw_get(client, JS_URL, **{"accept-encoding": "identity"})
    assert status == 200
    assert body == JS
    assert headers["content-type"] == "text/javascript; charset=utf-8"
    assert headers["cache-control"] == IMMUTABLE_CACHE_CONTROL
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-length"] == str(len(JS))
    assert headers["etag"].startswith('"')
    assert "content-encoding" not in headers


def test_unhashed_file_is_revalidated(client: TestClient) -> None:
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"] == "image/svg+xml"
    assert "vary" not in response.headers  # no compressed twin, nothing varies


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("style-def456.css", "text/css; charset=utf-8"),
        ("font-1.woff2", "font/woff2"),
        ("blob-2.unknownext", "application/octet-stream"),
    ],
)
def test_content_types(client: TestClient, name: str, content_type: str) -> None:
    response = client.get(f"/static/assets/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type


def test_head_sends_headers_only(client: TestClient) -> None:
    response = client.head(JS_URL, headers={"accept-encoding": "identity"})
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(JS))
    assert response.headers["cache-control"] == IMMUTABLE_CACHE_CONTROL


def test_range_is_ignored(client: TestClient) -> None:
    for value in ("bytes=0-1", "bytes=garbage", "bytes=999999-"):
        status, headers, body = raw_get(
            client, JS_URL, **{"accept-encoding": "identity", "range": value}
        )
        assert (status, body) == (200, JS)
        assert headers["accept-ranges"] == "none"


# --- encoding negotiation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip, deflate, br, zstd", "br"),
        ("br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("BR;Q=0.5, GZIP;q=1.0", "br"),  # br is preferred whenever it is acceptable
        ("*", "br"),
        ("*;q=0, gzip", "gzip"),
        ("gzip;q=0, br;q=0", None),
        ("identity", None),
        ("", None),
        ("deflate", None),
        ("gzip;q=abc", None),  # malformed q: not acceptable, no error
        ("br;q=2, gzip;q=nan", None),
        (";;, ,;q=1", None),
    ],
)
def test_accept_encoding_picks_twin(client: TestClient, accept: str, coding: str | None) -> None:
    status, headers, body = raw_get(client, JS_URL, **{"accept-encoding": accept})
    assert status == 200
    assert headers["vary"] == "Accept-Encoding"
    assert headers["content-type"] == "text/javascript; charset=utf-8"
    assert headers.get("content-encoding") == coding
    expected = {"br": FAKE_BR, "gzip": gzip.compress(JS), None: JS}[coding]
    if coding == "gzip":
        assert gzip.decompress(body) == JS
    else:
        assert body == expected
    assert headers["content-length"] == str(len(body))


def test_each_encoding_has_its_own_etag(client: TestClient) -> None:
    tags = {
        accept: raw_get(client, JS_URL, **{"accept-encoding": accept})[1]["etag"]
        for accept in ("br", "gzip", "identity")
    }
    assert len(set(tags.values())) == 3


def test_twin_without_original_is_not_served(client: TestClient) -> None:
    response = client.get("/static/assets/only-gz.js", headers={"accept-encoding": "gzip"})
    assert response.status_code == 404


def test_gzip_decodes_to_the_original(client: TestClient) -> None:
    response = client.get(JS_URL, headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == JS


# --- conditional requests ----------------------------------------------------------------


def test_matching_etag_gives_304(client: TestClient) -> None:
    first = client.get(JS_URL, headers={"accept-encoding": "br"})
    etag = first.headers["etag"]
    for if_none_match in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        response = client.get(
            JS_URL, headers={"accept-encoding": "br", "if-none-match": if_none_match}
        )
        assert response.status_code == 304, if_none_match
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert response.headers["cache-control"] == IMMUTABLE_CACHE_CONTROL
        assert response.headers["vary"] == "Accept-Encoding"


def test_etag_of_another_encoding_does_not_match(client: TestClient) -> None:
    br_tag = client.get(JS_URL, headers={"accept-encoding": "br"}).headers["etag"]
    response = client.get(JS_URL, headers={"accept-encoding": "gzip", "if-none-match": br_tag})
    assert response.status_code == 200
    assert response.content == JS


def test_changed_file_gets_a_new_etag(client: TestClient, static_dir: Path) -> None:
    old = client.get("/static/favicon.svg").headers["etag"]
    path = static_dir / "favicon.svg"
    path.write_bytes(b"<svg></svg>")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    response = client.get("/static/favicon.svg", headers={"if-none-match": old})
    assert response.status_code == 200
    assert response.content == b"<svg></svg>"
    assert response.headers["etag"] != old


@pytest.mark.parametrize(
    ("since", "status"),
    [
        ("Fri, 01 Jan 2100 00:00:00 GMT", 304),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 200),
        ("not a date", 200),
        ("Fri, 01 Jan 2100 00:00:00", 200),  # no zone: ignored
        ("", 200),
    ],
)
def test_if_modified_since(client: TestClient, since: str, status: int) -> None:
    response = client.get("/static/favicon.svg", headers={"if-modified-since": since})
    assert response.status_code == status


def test_if_none_match_wins_over_if_modified_since(client: TestClient) -> None:
    response = client.get(
        "/static/favicon.svg",
        headers={"if-none-match": '"stale"', "if-modified-since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    )
    assert response.status_code == 200


# --- refused paths -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/static/%2e%2e/secret.txt",
        "/static/assets/%2e%2e/%2e%2e/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/..%5csecret.txt",
        "/static/%2fetc%2fpasswd",
        "/static//etc/passwd",
        "/static/%2e/favicon.svg",
        "/static/.hidden",
        "/static/assets/",
        "/static/assets",
        "/static/",
        "/static/missing.js",
        "/static/favicon.svg%00.js",
        "/static/C:%5cWindows",
        "/static/favicon.svg::$DATA",
        "/static/" + "a" * 5000,
        "/static/" + "a/" * 3000 + "b",
    ],
)
def test_refused_paths_are_json_404(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"message", "reason"}
    assert b"secret" not in response.content


def test_symlink_out_of_the_dir_is_refused(client: TestClient, static_dir: Path) -> None:
    (static_dir / "assets" / "link-1.js").symlink_to(static_dir.parent / "secret.txt")
    assert client.get("/static/assets/link-1.js").status_code == 404


def test_symlink_inside_the_dir_is_followed(client: TestClient, static_dir: Path) -> None:
    (static_dir / "icon.svg").symlink_to(static_dir / "favicon.svg")
    assert client.get("/static/icon.svg").content == b"<svg/>"


def test_missing_static_dir_gives_404(tmp_path: Path) -> None:
    with TestClient(Starlette(routes=static_routes(tmp_path / "never-built"))) as c:
        assert c.get("/static/favicon.svg").status_code == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_writes_are_405_json(client: TestClient, method: str) -> None:
    response = client.request(method, "/static/favicon.svg")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert set(response.json()) == {"message", "reason"}


# --- index.html --------------------------------------------------------------------------


def test_read_index(static_dir: Path, tmp_path: Path) -> None:
    assert read_index(static_dir) == '<meta content="{{base_url}}">'
    assert read_index(tmp_path / "never-built") is None
    (tmp_path / "file").write_text("x")
    assert read_index(tmp_path / "file") is None
    (tmp_path / "dir" / "index.html").mkdir(parents=True)
    assert read_index(tmp_path / "dir") is None


def test_fill_index_replaces_and_escapes() -> None:
    template = '<meta content="{{base_url}}"><script src="{{base_url}}static/a.js"></script>'
    assert fill_index(template, "/user/ada/") == (
        '<meta content="/user/ada/"><script src="/user/ada/static/a.js"></script>'
    )
    assert '"><' not in fill_index('<meta content="{{base_url}}">', '/"><script>/')


def test_bundled_static_dir_is_in_the_package() -> None:
    assert bundled_static_dir().parts[-2:] == ("carnet", "static")


class _PageAudit(html.parser.HTMLParser):
    """Finds what a strict CSP (no 'unsafe-inline') would block."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.placeholders: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if value and value.startswith(("javascript:", "data:")):
                self.problems.append(f"{name}={value[:20]} on <{tag}>")
        if tag == "meta" and ("name", "carnet-base-url") in attrs:
            self.placeholders.extend(v or "" for n, v in attrs if n == "content")


def test_page_template_is_csp_clean() -> None:
    """The source template (the build only adds <script src> and <link> tags)."""
    template = Path(__file__).parents[2] / "frontend" / "index.html"
    audit = _PageAudit()
    audit.feed(template.read_text(encoding="utf-8"))
    assert audit.problems == []
    assert audit.placeholders == ["{{base_url}}"]
