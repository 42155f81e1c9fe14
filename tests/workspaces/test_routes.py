"""`/lab/api/workspaces` and `/lab/api/settings` over HTTP against a real carnet."""

from __future__ import annotations

import json

import pytest

from tests.conftest import CarnetServer

WS = "lab/api/workspaces"
ST = "lab/api/settings"
PLUGIN = "@carnet/fileeditor-extension:plugin"


def workspace(workspace_id: str, **data: object) -> dict[str, object]:
    return {"data": data, "metadata": {"id": workspace_id}}


def test_workspace_round_trip(shared_server: CarnetServer) -> None:
    with shared_server.client() as c:
        r = c.get(f"{WS}/fresh")
        assert r.status_code == 200
        assert r.json() == {"data": {}, "metadata": {"id": "fresh"}}
        r = c.put(f"{WS}/fresh", json=workspace("fresh", layout=[1, 2]))
        assert r.status_code == 204
        got = c.get(f"{WS}/fresh").json()
        assert got["data"] == {"layout": [1, 2]}
        assert got["metadata"]["last_modified"].endswith("Z")
        listed = c.get(WS).json()["workspaces"]
        assert "fresh" in listed["ids"]
        assert c.get(f"{WS}/").json()["workspaces"]["ids"] == listed["ids"]
        assert c.delete(f"{WS}/fresh").status_code == 204
        assert c.delete(f"{WS}/fresh").status_code == 404
        assert c.get(f"{WS}/fresh").json()["data"] == {}


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("PUT", f"{WS}/a", b"{not json", 400),
        ("PUT", f"{WS}/a", b"", 400),
        ("PUT", f"{WS}/a", b"[]", 400),
        ("PUT", f"{WS}/a", json.dumps(workspace("b")).encode(), 400),
        ("PUT", f"{WS}/a", json.dumps({"data": [], "metadata": {"id": "a"}}).encode(), 400),
        ("PUT", f"{WS}/a%2Fb", json.dumps(workspace("a/b")).encode(), 400),
        ("PUT", f"{WS}/%2E%2E", json.dumps(workspace("..")).encode(), 400),
        ("PUT", f"{WS}/", json.dumps(workspace("")).encode(), 400),
        ("DELETE", f"{WS}/", None, 400),
        ("GET", f"{WS}/.hidden", None, 400),
        ("PUT", f"{ST}/{PLUGIN}", b'{"raw": 3}', 400),
        ("PUT", f"{ST}/{PLUGIN}", b'{"raw": "[1]"}', 400),
        ("PUT", f"{ST}/{PLUGIN}", b'{"raw": "{oops"}', 400),
        ("PUT", f"{ST}/{PLUGIN}", b"\xff\xfe", 400),
        ("PUT", f"{ST}/not-a-plugin-id", b'{"raw": "{}"}', 400),
        ("GET", f"{ST}/a:b:c", None, 400),
        ("PUT", f"{ST}/", b'{"raw": "{}"}', 400),
        ("GET", f"{WS}XYZ", None, 404),
        ("PUT", f"{ST}XYZ", b'{"raw": "{}"}', 404),
        ("POST", f"{WS}/a", b"{}", 405),
        ("DELETE", f"{ST}/{PLUGIN}", None, 405),
    ],
)
def test_bad_requests_are_4xx_json(
    shared_server: CarnetServer, method: str, path: str, body: bytes | None, status: int
) -> None:
    with shared_server.client() as c:
        r = c.request(method, path, content=body)
        assert r.status_code == status, r.text
        assert set(r.json()) >= {"message", "reason"}


def test_bodies_are_bounded(shared_server: CarnetServer) -> None:
    with shared_server.client() as c:
        big = json.dumps(workspace("big", pad="x" * (5 * 1024 * 1024))).encode()
        r = c.put(f"{WS}/big", content=big)
        assert r.status_code == 413
        assert c.get(f"{WS}/big").json()["data"] == {}
        r = c.put(f"{ST}/{PLUGIN}", json={"raw": "{}" + " " * (2 * 1024 * 1024)})
        assert r.status_code == 413


def test_settings_round_trip_keeps_comments(shared_server: CarnetServer) -> None:
    raw = '{\n  // wrap long lines\n  "lineWrap": true,\n}'
    with shared_server.client() as c:
        empty = c.get(f"{ST}/@carnet/nothing:here").json()
        assert empty["raw"] == "{}" and empty["settings"] == {}
        assert c.put(f"{ST}/{PLUGIN}", json={"raw": raw}).status_code == 204
        got = c.get(f"{ST}/{PLUGIN}").json()
        assert got["raw"] == raw
        assert got["settings"] == {"lineWrap": True}
        assert got["id"] == PLUGIN
        ids = [s["id"] for s in c.get(ST).json()["settings"]]
        assert PLUGIN in ids


def test_auth_and_xsrf_apply(shared_server: CarnetServer) -> None:
    with shared_server.client(token=False) as anonymous:
        assert anonymous.get(f"{WS}/default").status_code in (401, 403)
        assert anonymous.put(f"{ST}/{PLUGIN}", json={"raw": "{}"}).status_code in (401, 403)


def test_stored_under_the_data_dir(shared_server: CarnetServer) -> None:
    with shared_server.client() as c:
        assert c.put(f"{WS}/ondisk", json=workspace("ondisk", a=1)).status_code == 204
    files = list(
        shared_server.jenv.data_dir.glob("carnet/workspaces/*/ondisk.jupyterlab-workspace")
    )
    assert len(files) == 1
    assert json.loads(files[0].read_text())["data"] == {"a": 1}
