"""Sessions over REST on a real carnet: jupyter_server 2.x semantics, no phantoms, no 500s."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api._kernelws import KernelSocket, start_kernel_server
from tests.conftest import CarnetServer


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CarnetServer]:
    server = start_kernel_server(tmp_path_factory.mktemp("sessions"), bash=True)
    (server.root / "work" / "sub").mkdir(parents=True)
    yield server
    server.stop()


@pytest.fixture
def client(live: CarnetServer) -> Iterator[httpx.Client]:
    with live.client() as c:
        yield c


def new_session(client: httpx.Client, path: str, **body: Any) -> dict[str, Any]:
    payload = {"path": path, "type": "notebook", "name": path.rsplit("/", 1)[-1], **body}
    response = client.post("api/sessions", json=payload)
    assert response.status_code == 201, response.text
    model: dict[str, Any] = response.json()
    return model


def kernel_ids(client: httpx.Client) -> set[str]:
    return {k["id"] for k in client.get("api/kernels").json()}


def session_ids(client: httpx.Client) -> set[str]:
    return {s["id"] for s in client.get("api/sessions").json()}


def test_create_get_list_and_reuse(client: httpx.Client) -> None:
    response = client.post(
        "api/sessions",
        json={"path": "work/sub/a.ipynb", "type": "notebook", "name": "a.ipynb"},
    )
    assert response.status_code == 201
    model = response.json()
    assert response.headers["location"] == f"/api/sessions/{model['id']}"
    assert model["path"] == "work/sub/a.ipynb"
    assert model["name"] == "a.ipynb" and model["type"] == "notebook"
    assert model["notebook"] == {"path": "work/sub/a.ipynb", "name": "a.ipynb"}
    assert model["kernel"]["name"] == "python3"
    assert set(model["kernel"]) >= {"id", "name", "last_activity", "execution_state"}
    assert client.get(f"api/sessions/{model['id']}").json()["id"] == model["id"]
    assert model["id"] in session_ids(client)

    # The same path again: the same session and kernel, no second kernel. 201, because
    # JupyterLab's client rejects any other status for POST /api/sessions.
    before = kernel_ids(client)
    again = client.post(
        "api/sessions",
        json={"path": "work/sub/a.ipynb", "type": "notebook", "kernel": {"name": "bash"}},
    )
    assert again.status_code == 201
    assert again.json()["id"] == model["id"]
    assert again.json()["kernel"]["id"] == model["kernel"]["id"]
    assert kernel_ids(client) == before
    assert client.delete(f"api/sessions/{model['id']}").status_code == 204


@pytest.mark.asyncio
async def test_session_kernel_runs_beside_the_notebook(
    live: CarnetServer, client: httpx.Client
) -> None:
    model = new_session(client, "work/sub/b.ipynb")
    async with await KernelSocket.open(live, model["kernel"]["id"]) as ws:
        run = await ws.execute(
            "import os; print(os.getcwd()); print(os.environ['JPY_SESSION_NAME']); "
            "print(__session__)"
        )
    cwd, session_name, dunder = run.stream().splitlines()
    notebook = (live.root / "work" / "sub" / "b.ipynb").resolve()
    assert cwd == str(notebook.parent)
    assert session_name == dunder == str(notebook)
    assert client.delete(f"api/sessions/{model['id']}").status_code == 204


def test_concurrent_creates_for_one_path_make_one_session(
    live: CarnetServer, client: httpx.Client
) -> None:
    before = kernel_ids(client)

    async def create_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(
            base_url=live.base,
            headers={"Authorization": f"token {live.token}"},
            timeout=60,
        ) as ac:
            body = {"path": "work/race.ipynb", "type": "notebook", "name": "race.ipynb"}
            posts = [ac.post("api/sessions", json=body) for _ in range(6)]
            return list(await asyncio.gather(*posts))

    responses = asyncio.run(create_all())
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert len(kernel_ids(client) - before) == 1
    client.delete(f"api/sessions/{responses[0].json()['id']}")
    assert kernel_ids(client) == before


def test_patch_renames_moves_and_retypes(client: httpx.Client) -> None:
    model = new_session(client, "work/old.ipynb")
    kernel = model["kernel"]["id"]
    patched = client.patch(
        f"api/sessions/{model['id']}",
        json={"path": "work/sub/new.ipynb", "name": "new.ipynb", "type": "notebook"},
    )
    assert patched.status_code == 200
    body = patched.json()
    assert body["path"] == "work/sub/new.ipynb" and body["name"] == "new.ipynb"
    assert body["notebook"] == {"path": "work/sub/new.ipynb", "name": "new.ipynb"}
    assert body["kernel"]["id"] == kernel
    as_console = client.patch(f"api/sessions/{model['id']}", json={"type": "console"}).json()
    assert as_console["type"] == "console" and "notebook" not in as_console
    # The old path is free again; the new one is taken.
    other = new_session(client, "work/old.ipynb")
    assert other["id"] != model["id"]
    taken = client.patch(f"api/sessions/{other['id']}", json={"path": "work/sub/new.ipynb"})
    assert taken.status_code == 409 and taken.json()["message"]
    for s in (model, other):
        assert client.delete(f"api/sessions/{s['id']}").status_code == 204


def test_patch_kernel_by_name_replaces_and_stops_the_old_one(client: httpx.Client) -> None:
    model = new_session(client, "work/switch.ipynb")
    old = model["kernel"]["id"]
    patched = client.patch(f"api/sessions/{model['id']}", json={"kernel": {"name": "bash"}})
    assert patched.status_code == 200
    new = patched.json()["kernel"]
    assert new["name"] == "bash" and new["id"] != old
    assert client.get(f"api/kernels/{old}").status_code == 404
    # A failed switch changes nothing and starts nothing.
    before = kernel_ids(client)
    bad = client.patch(f"api/sessions/{model['id']}", json={"kernel": {"name": "nope"}})
    assert bad.status_code == 404 and "nope" in bad.json()["message"]
    stranger = {"kernel": {"id": str(uuid.uuid4())}}
    unknown = client.patch(f"api/sessions/{model['id']}", json=stranger)
    assert unknown.status_code == 400 and unknown.json()["message"]
    outside = client.patch(f"api/sessions/{model['id']}", json={"path": "../x.ipynb"})
    assert outside.status_code == 403
    assert kernel_ids(client) == before
    assert client.get(f"api/sessions/{model['id']}").json()["kernel"]["id"] == new["id"]
    assert client.delete(f"api/sessions/{model['id']}").status_code == 204
    assert client.get(f"api/kernels/{new['id']}").status_code == 404


def test_sessions_can_share_a_kernel(client: httpx.Client) -> None:
    notebook = new_session(client, "work/shared.ipynb")
    kernel = notebook["kernel"]["id"]
    console = client.post(
        "api/sessions",
        json={"path": "console-1", "type": "console", "name": "C 1", "kernel": {"id": kernel}},
    )
    assert console.status_code == 201
    assert console.json()["kernel"]["id"] == kernel
    # Ending the console keeps the notebook's kernel; ending the notebook then stops it.
    assert client.delete(f"api/sessions/{console.json()['id']}").status_code == 204
    assert client.get(f"api/kernels/{kernel}").status_code == 200
    assert client.delete(f"api/sessions/{notebook['id']}").status_code == 204
    assert client.get(f"api/kernels/{kernel}").status_code == 404


def test_patch_kernel_by_id_attaches_an_existing_kernel(client: httpx.Client) -> None:
    a = new_session(client, "work/ka.ipynb")
    b = new_session(client, "work/kb.ipynb")
    patched = client.patch(f"api/sessions/{b['id']}", json={"kernel": {"id": a["kernel"]["id"]}})
    assert patched.status_code == 200 and patched.json()["kernel"]["id"] == a["kernel"]["id"]
    assert client.get(f"api/kernels/{b['kernel']['id']}").status_code == 404
    for s in (a, b):
        assert client.delete(f"api/sessions/{s['id']}").status_code == 204


def test_a_session_whose_kernel_went_away_disappears(client: httpx.Client) -> None:
    model = new_session(client, "work/orphan.ipynb")
    assert client.delete(f"api/kernels/{model['kernel']['id']}").status_code == 204
    assert model["id"] not in session_ids(client)
    assert client.get(f"api/sessions/{model['id']}").status_code == 404
    fresh = new_session(client, "work/orphan.ipynb")
    assert fresh["id"] != model["id"]
    assert client.delete(f"api/sessions/{fresh['id']}").status_code == 204


def test_delete_and_unknown_sessions(client: httpx.Client) -> None:
    model = new_session(client, "work/del.ipynb")
    assert client.delete(f"api/sessions/{model['id']}").status_code == 204
    assert client.get(f"api/kernels/{model['kernel']['id']}").status_code == 404
    for method in ("GET", "DELETE", "PATCH"):
        for session_id in (model["id"], str(uuid.uuid4()), "nope"):
            response = client.request(method, f"api/sessions/{session_id}", json={"name": "x"})
            assert response.status_code == 404, (method, session_id)
            assert response.json()["message"]


def test_legacy_notebook_body_and_bash_sessions(client: httpx.Client) -> None:
    legacy = client.post("api/sessions", json={"notebook": {"path": "work/legacy.ipynb"}})
    assert legacy.status_code == 201
    assert legacy.json()["type"] == "notebook" and legacy.json()["path"] == "work/legacy.ipynb"
    bash = new_session(client, "work/script.sh", type="file", kernel={"name": "bash"})
    assert bash["kernel"]["name"] == "bash" and "notebook" not in bash
    for s in (legacy.json(), bash):
        assert client.delete(f"api/sessions/{s['id']}").status_code == 204


NB = {"path": "work/x.ipynb", "type": "notebook"}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"{bad json", 400),
        (b"\xff", 400),
        (b"[]", 400),
        (b"null", 400),
        (b"[" * 100000, 400),
        ({"type": "notebook"}, 400),
        ({"path": "work/x.ipynb"}, 400),
        ({**NB, "path": 5}, 400),
        ({**NB, "path": ""}, 400),
        ({**NB, "type": ""}, 400),
        ({**NB, "type": 1}, 400),
        ({**NB, "name": 3}, 400),
        ({**NB, "kernel": "py"}, 400),
        ({**NB, "kernel": {"name": 1}}, 400),
        ({**NB, "kernel": {"id": "nope"}}, 400),
        ({**NB, "kernel": {"name": "nope"}}, 404),
        ({**NB, "path": "../x.ipynb"}, 403),
        ({**NB, "path": "work/../../x.ipynb"}, 403),
        ({**NB, "path": "work/a\u0000.ipynb"}, 400),
        ({"notebook": "x"}, 400),
    ],
)
def test_bad_creates_leave_no_session_and_no_kernel(
    client: httpx.Client, body: bytes | dict[str, Any], status: int
) -> None:
    sessions, kernels = session_ids(client), kernel_ids(client)
    content = json.dumps(body).encode() if isinstance(body, dict) else body
    response = client.post("api/sessions", content=content)
    assert response.status_code == status, response.text
    assert response.json()["message"]
    assert session_ids(client) == sessions
    assert kernel_ids(client) == kernels


@pytest.mark.parametrize(
    "body",
    [b"", b"{bad", b"[]", b'{"path": 1}', b'{"name": []}', b'{"kernel": 5}', b'{"path": ""}'],
)
def test_bad_patches_are_400_and_change_nothing(client: httpx.Client, body: bytes) -> None:
    model = new_session(client, "work/patchme.ipynb")
    response = client.patch(f"api/sessions/{model['id']}", content=body)
    assert response.status_code == 400, response.text
    assert response.json()["message"]
    assert client.get(f"api/sessions/{model['id']}").json() == {
        **model,
        "kernel": client.get(f"api/kernels/{model['kernel']['id']}").json(),
    }  # (the session stays: the next case reuses it and its kernel)


def test_sessions_need_authentication(live: CarnetServer) -> None:
    with live.client(token=False) as anonymous:
        assert anonymous.get("api/sessions").status_code == 403
        assert anonymous.post("api/sessions", json={"path": "a", "type": "x"}).status_code == 403
