"""Server-side execution into notebook documents, over HTTP on a real carnet + ipykernel.

The document is read through the room websocket (a minimal y-websocket sync, written here
with pycrdt) or, to prove nothing depends on a browser, from the file on disk after the
server's autosave, with no client connected while the cells run.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import pytest_asyncio
from pycrdt import Array, Doc, Map, create_sync_message, handle_sync_message
from websockets.asyncio.client import connect

from tests.api._kernelws import KernelSocket
from tests.conftest import CarnetServer

pytestmark = pytest.mark.asyncio(loop_scope="module")

TIMEOUT = 90.0


def fnv1a32(text: str) -> str:
    """Written independently of carnet's, with the contract's test vectors below."""
    h = 2166136261
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 16777619) % 2**32
    return format(h, "08x")


async def test_hash_vectors() -> None:
    assert fnv1a32("") == "811c9dc5"
    assert fnv1a32("a") == "e40c292c"


def code(cell_id: str, source: str) -> dict[str, Any]:
    return {
        "id": cell_id,
        "cell_type": "code",
        "source": source,
        "metadata": {},
        "outputs": [],
        "execution_count": None,
    }


class Notebook:
    """A notebook file with its room and its kernel session, driven over HTTP."""

    def __init__(self, server: CarnetServer, client: httpx.AsyncClient, path: str) -> None:
        self.server = server
        self.client = client
        self.path = path
        self.sources: dict[str, str] = {}
        self.file_id = ""
        self.epoch = ""
        self.kernel_id = ""

    @classmethod
    async def create(
        cls,
        server: CarnetServer,
        client: httpx.AsyncClient,
        *cells: dict[str, Any],
        session: bool = True,
    ) -> Notebook:
        nb = cls(server, client, f"nb-{uuid.uuid4().hex[:8]}.ipynb")
        nb.sources = {c["id"]: c["source"] for c in cells}
        content = {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        r = await client.put(
            f"api/contents/{nb.path}", json={"type": "notebook", "content": content}
        )
        assert r.status_code in (200, 201), r.text
        r = await client.put(
            f"api/collaboration/session/{nb.path}", json={"format": "json", "type": "notebook"}
        )
        assert r.status_code == 200, r.text
        nb.file_id, nb.epoch = r.json()["fileId"], r.json()["sessionId"]
        if session:
            r = await client.post(
                "api/sessions",
                json={"path": nb.path, "type": "notebook", "name": nb.path, "kernel": {}},
            )
            assert r.status_code == 201, r.text
            nb.kernel_id = r.json()["kernel"]["id"]
        return nb

    def url(self, action: str) -> str:
        return f"api/documents/{quote(self.file_id)}/{action}"

    async def execute(self, *cell_ids: str, **extra: Any) -> httpx.Response:
        cells = [{"id": c, "source_hash": fnv1a32(self.sources.get(c, ""))} for c in cell_ids]
        return await self.client.post(self.url("execute"), json={"cells": cells, **extra})

    async def doc(self) -> dict[str, Any]:
        """The document as a client sees it after syncing: {"cells": [...], "carnet": {...}}."""
        base = self.server.base.replace("http", "ws", 1)
        url = f"{base}api/collaboration/room/json:notebook:{self.file_id}?sessionId={self.epoch}"
        headers = {"Authorization": f"token {self.server.token}"}
        doc: Doc[Any] = Doc()
        async with connect(url, additional_headers=headers, max_size=None) as ws:
            await ws.send(create_sync_message(doc))
            while True:
                message = await asyncio.wait_for(ws.recv(), TIMEOUT)
                assert isinstance(message, bytes)
                if message[0] != 0:
                    continue  # awareness
                handle_sync_message(message[1:], doc)
                if message[1] == 1:  # SyncStep2: the server's whole document
                    break
        cells = doc.get("cells", type=Array).to_py() or []
        carnet = doc.get("carnet", type=Map).to_py() or {}
        return {"cells": cells, "carnet": carnet}

    async def cells(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in (await self.doc())["cells"]}

    async def disk(self) -> dict[str, dict[str, Any]]:
        r = await self.client.get(f"api/contents/{self.path}")
        assert r.status_code == 200, r.text
        return {c["id"]: c for c in r.json()["content"]["cells"]}

    async def wait_idle(self, *cell_ids: str) -> dict[str, dict[str, Any]]:
        async def idle() -> dict[str, dict[str, Any]] | None:
            cells = await self.cells()
            if all(cells[c].get("execution_state") == "idle" for c in cell_ids):
                return cells
            return None

        result: dict[str, dict[str, Any]] = await poll(idle)
        return result


async def poll(check: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.2)


def stream(cell: dict[str, Any], name: str = "stdout") -> str:
    return "".join(
        o["text"] for o in cell["outputs"] if o["output_type"] == "stream" and o["name"] == name
    )


@pytest_asyncio.fixture(loop_scope="module")
async def client(shared_server: CarnetServer) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"token {shared_server.token}"}
    async with httpx.AsyncClient(base_url=shared_server.base, headers=headers, timeout=60) as c:
        yield c


async def test_output_reaches_the_file_with_no_client_connected(
    shared_server: CarnetServer, client: httpx.AsyncClient
) -> None:
    source = (
        "import time\nfor i in range(5):\n    print('line', i, flush=True)\n    time.sleep(0.3)"
    )
    nb = await Notebook.create(shared_server, client, code("a", source), code("b", "6 * 7"))
    r = await nb.execute("a", "b")
    assert r.status_code == 202, r.text
    assert r.json() == {"queued": ["a", "b"]}
    expected = "".join(f"line {i}\n" for i in range(5))

    async def saved() -> dict[str, dict[str, Any]] | None:
        cells = await nb.disk()
        done = stream(cells["a"]) == expected and cells["b"]["outputs"]
        return cells if done else None

    # Nobody joins the room while the cells run: the server writes and autosaves alone.
    cells = await poll(saved)
    assert cells["b"]["outputs"][0]["data"]["text/plain"] == "42"
    assert cells["b"]["execution_count"] == cells["a"]["execution_count"] + 1
    assert "execution_state" not in cells["a"]
    doc = await nb.wait_idle("a", "b")
    assert stream(doc["a"]) == expected


async def test_refusals(shared_server: CarnetServer, client: httpx.AsyncClient) -> None:
    nb = await Notebook.create(shared_server, client, code("a", "1"), code("b", "2"))
    r = await client.post(
        nb.url("execute"),
        json={"cells": [{"id": "a", "source_hash": fnv1a32("1")}, {"id": "b", "source_hash": "0"}]},
    )
    assert r.status_code == 409
    assert r.json()["reason"] == "source_mismatch" and r.json()["cell_id"] == "b"
    r = await client.post(
        nb.url("execute"), json={"cells": [{"id": "nope", "source_hash": fnv1a32("")}]}
    )
    assert r.status_code == 404 and r.json()["message"]
    for bad in ({}, {"cells": "a"}, {"cells": [{"id": 1}]}, {"cells": [], "stop_on_error": 1}):
        r = await client.post(nb.url("execute"), json=bad)
        assert r.status_code == 400, bad
    r = await client.post(
        "api/documents/unknown-id/execute", json={"cells": [{"id": "a", "source_hash": "0"}]}
    )
    assert r.status_code == 404
    cells = await nb.cells()
    assert cells["a"]["execution_state"] == "idle" and cells["a"]["execution_count"] is None
    lonely = await Notebook.create(shared_server, client, code("a", "1"), session=False)
    r = await lonely.execute("a")
    assert r.status_code == 409 and r.json()["reason"] == "no_kernel"
    r = await client.post(lonely.url("interrupt"))
    assert r.status_code == 409
    r = await client.post(nb.url("input"), json={"request_id": "x", "value": "y"})
    assert r.status_code == 409
    r = await client.get(nb.url("outputs/a/0"))
    assert r.status_code == 404
    r = await client.get(nb.url("outputs/a/x"))
    assert r.status_code == 400


async def test_stop_on_error_and_error_output(
    shared_server: CarnetServer, client: httpx.AsyncClient
) -> None:
    nb = await Notebook.create(
        shared_server, client, code("a", "raise ValueError('boom')"), code("b", "print('no')")
    )
    assert (await nb.execute("a", "b")).status_code == 202
    cells = await nb.wait_idle("a", "b")
    [error] = cells["a"]["outputs"]
    assert error["output_type"] == "error" and error["ename"] == "ValueError"
    assert error["evalue"] == "boom" and error["traceback"]
    assert cells["b"]["outputs"] == [] and cells["b"]["execution_count"] is None


async def test_input_is_answered_through_the_route(
    shared_server: CarnetServer, client: httpx.AsyncClient
) -> None:
    nb = await Notebook.create(
        shared_server, client, code("q", "answer = input('Who? ')\nprint('hi', answer)")
    )
    assert (await nb.execute("q")).status_code == 202

    async def prompt() -> dict[str, Any] | None:
        value: dict[str, Any] | None = (await nb.doc())["carnet"].get("stdin")
        return value

    pending = await poll(prompt)
    assert pending["prompt"] == "Who? " and pending["cell_id"] == "q"
    body = {"request_id": pending["request_id"], "value": "Grace"}
    assert (await client.post(nb.url("input"), json=body)).status_code == 204
    again = await client.post(nb.url("input"), json=body)
    assert again.status_code == 409  # first answer wins
    cells = await nb.wait_idle("q")
    assert stream(cells["q"]) == "hi Grace\n"
    assert stream(cells["q"], "stdin") == "Who? Grace\n"
    assert "stdin" not in (await nb.doc())["carnet"]


async def test_interrupt_and_restart_clear_the_queue(
    shared_server: CarnetServer, client: httpx.AsyncClient
) -> None:
    sleeper = "import time\nprint('go', flush=True)\ntime.sleep(120)"
    nb = await Notebook.create(shared_server, client, code("s", sleeper), code("t", "print('t')"))
    assert (await nb.execute("s", "t")).status_code == 202

    async def started() -> bool:
        return stream((await nb.cells())["s"]) == "go\n"

    await poll(started)
    assert (await client.post(nb.url("interrupt"))).status_code == 204
    cells = await nb.wait_idle("s", "t")
    assert cells["s"]["outputs"][-1]["ename"] == "KeyboardInterrupt"
    assert cells["t"]["outputs"] == []

    assert (await nb.execute("s", "t")).status_code == 202
    await poll(started)
    r = await client.post(f"api/kernels/{nb.kernel_id}/restart")
    assert r.status_code == 200
    cells = await nb.wait_idle("s", "t")
    assert cells["t"]["outputs"] == [] and cells["t"]["execution_count"] is None
    # The restarted kernel runs new requests.
    assert (await nb.execute("t")).status_code == 202

    async def ran() -> bool:
        return stream((await nb.cells())["t"]) == "t\n"

    await poll(ran)


async def test_progress_bar_and_a_million_lines(
    shared_server: CarnetServer, client: httpx.AsyncClient
) -> None:
    bar = (
        "import sys, time\nfor i in range(0, 101, 10):\n"
        "    sys.stdout.write(f'\\r[{i:3d}%]'); sys.stdout.flush(); time.sleep(0.02)\nprint()"
    )
    nb = await Notebook.create(
        shared_server,
        client,
        code("bar", bar),
        code("big", "for i in range(1_000_000):\n    print(i)"),
    )
    assert (await nb.execute("bar", "big")).status_code == 202
    cells = await poll(lambda: nb.wait_idle("bar", "big"), timeout=240)
    assert stream(cells["bar"]) == "[100%]\n"
    [out] = cells["big"]["outputs"]
    text = out["text"]
    assert text.startswith("0\n1\n") and text.endswith("999999\n")
    assert text.count("\n") <= 20_000 and len(text.encode()) <= 1 << 20
    info = out["metadata"]["carnet_truncated"]
    assert info["omitted_lines"] == 1_000_000 - text.count("\n")
    r = await client.get(info["url"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text == "".join(f"{i}\n" for i in range(1_000_000))

    # The file gets the bounded text, saying what was left out (a valid notebook: no
    # metadata on stream outputs).
    async def saved() -> dict[str, Any] | None:
        outputs = (await nb.disk())["big"]["outputs"]
        return outputs[0] if outputs else None

    on_disk = await poll(saved)
    assert "metadata" not in on_disk
    head = "".join(text.splitlines(keepends=True)[: int(info["head_lines"])])
    omitted = int(info["omitted_lines"])
    note = f"[carnet: {omitted:,} lines, {info['omitted_bytes'] / (1 << 20):.1f} MiB"
    assert on_disk["text"] == head + note + " of this output were not kept]\n" + text[len(head) :]


async def test_display_updates_and_clear_output(
    shared_server: CarnetServer, client: httpx.AsyncClient
) -> None:
    nb = await Notebook.create(
        shared_server,
        client,
        code("d1", "h = display('v1', display_id=True)"),
        code("d2", "h.update('v2')"),
        code(
            "c",
            "from IPython.display import clear_output\n"
            "print('a')\nclear_output(wait=True)\nprint('b')",
        ),
    )
    assert (await nb.execute("d1", "d2", "c")).status_code == 202
    cells = await nb.wait_idle("d1", "d2", "c")
    assert [o["data"]["text/plain"] for o in cells["d1"]["outputs"]] == ["'v2'"]
    assert cells["d2"]["outputs"] == []
    assert stream(cells["c"]) == "b\n" and len(cells["c"]["outputs"]) == 1
    disk = await poll(lambda: _saved_display(nb))
    assert json.dumps(disk["d1"]["outputs"]).count("'v2'") == 1


async def _saved_display(nb: Notebook) -> dict[str, dict[str, Any]] | None:
    cells = await nb.disk()
    outputs = cells["d1"]["outputs"]
    return cells if outputs and outputs[0]["data"]["text/plain"] == "'v2'" else None


async def test_browser_kernel_socket_gets_no_copy_of_server_run_output(
    shared_server: CarnetServer, client: httpx.AsyncClient
) -> None:
    nb = await Notebook.create(shared_server, client, code("a", "print('via the document')"))
    async with await KernelSocket.open(shared_server, nb.kernel_id) as ws:
        await ws.wait_for(lambda m: m.msg_type == "status")  # the status sent on connect
        assert (await nb.execute("a")).status_code == 202
        cells = await nb.wait_idle("a")
        assert stream(cells["a"]) == "via the document\n"
        own = await ws.request(
            "shell", "execute_request", {"code": "print('mine')", "silent": False}
        )
        _, seen = await ws.wait_for(
            lambda m: m.is_idle() and m.parent_id == own["header"]["msg_id"]
        )
    server_run = [m for m in seen if m.parent_header.get("session", "").startswith("carnet-exec-")]
    # The browser still sees the kernel go busy and idle for the server's request...
    assert {m.content.get("execution_state") for m in server_run} >= {"busy", "idle"}
    # ...but not its output, which it gets through the document.
    assert {m.msg_type for m in server_run} == {"status"}
    mine = [m for m in seen if m.parent_id == own["header"]["msg_id"]]
    assert "".join(m.content["text"] for m in mine if m.msg_type == "stream") == "mine\n"
