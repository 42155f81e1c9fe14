"""DocumentExecutor on a real KernelService (real ipykernel) and a bare YNotebook room."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from jupyter_ydoc import YNotebook
from pycrdt import Array, Map, Text

from carnet.contents.notebooks import notebook_text
from carnet.documents.execution import DocumentExecutor, SourceMismatch, fnv1a32
from carnet.documents.outputs import strip_for_disk
from carnet.errors import BadRequest, Conflict, NotFound
from carnet.kernels import KernelService, KernelSpecs
from carnet.sessions import SessionManager

pytestmark = pytest.mark.asyncio(loop_scope="module")

WAIT_S = 60.0


class FakeRoom:
    """The contract's NotebookRoom, minus the network: a YNotebook and a hold counter."""

    def __init__(self, path: str, cells: list[dict[str, Any]]) -> None:
        self.path = path
        self.file_id = str(uuid.uuid4())
        self.ynotebook = YNotebook()
        self.doc = self.ynotebook.ydoc
        self.holds = 0
        self.ynotebook.set({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        self.holds += 1
        try:
            yield
        finally:
            self.holds -= 1

    def cell(self, cell_id: str) -> dict[str, Any]:
        for ycell in self.ynotebook.ycells:
            if ycell["id"] == cell_id:
                result: dict[str, Any] = ycell.to_py()
                return result
        raise KeyError(cell_id)

    def outputs(self, cell_id: str) -> list[dict[str, Any]]:
        return list(self.cell(cell_id)["outputs"])

    def stream_text(self, cell_id: str, name: str = "stdout") -> str:
        return "".join(
            o["text"]
            for o in self.outputs(cell_id)
            if o.get("output_type") == "stream" and o.get("name") == name
        )

    def carnet(self) -> dict[str, Any]:
        value: dict[str, Any] = self.doc.get("carnet", type=Map).to_py() or {}
        return value


class FakeDocuments:
    def __init__(self) -> None:
        self.rooms: dict[str, FakeRoom] = {}

    def add(self, room: FakeRoom) -> FakeRoom:
        self.rooms[room.file_id] = room
        return room

    def get_room(self, file_id: str) -> FakeRoom:
        try:
            return self.rooms[file_id]
        except KeyError:
            raise NotFound("no such room") from None


def code(cell_id: str, source: str) -> dict[str, Any]:
    return {
        "id": cell_id,
        "cell_type": "code",
        "source": source,
        "metadata": {},
        "outputs": [],
        "execution_count": None,
    }


def req(room: FakeRoom, *cell_ids: str) -> list[dict[str, str]]:
    return [{"id": c, "source_hash": fnv1a32(room.cell(c)["source"])} for c in cell_ids]


async def wait_for(condition: Callable[[], Any], timeout: float = WAIT_S) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = condition()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("root")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def kernels(
    root: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[KernelService]:
    runtime = tmp_path_factory.mktemp("rt")
    async with KernelService(
        specs=KernelSpecs(), root_dir=root, runtime_dir=runtime, pool_sizes={"python3": 1}
    ) as service:
        yield service


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def sessions(kernels: KernelService, root: Path) -> SessionManager:
    return SessionManager(kernels=kernels, root_dir=root)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def documents() -> FakeDocuments:
    return FakeDocuments()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def executor(
    documents: FakeDocuments,
    kernels: KernelService,
    sessions: SessionManager,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[DocumentExecutor]:
    ex = DocumentExecutor(documents, kernels, sessions, spill_dir=tmp_path_factory.mktemp("spill"))
    yield ex
    await ex.aclose()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def nb_path(sessions: SessionManager) -> str:
    """The notebook path with a session (one kernel shared by most tests)."""
    await sessions.create(path="shared.ipynb", type="notebook")
    return "shared.ipynb"


def new_room(documents: FakeDocuments, path: str, *cells: dict[str, Any]) -> FakeRoom:
    return documents.add(FakeRoom(path, list(cells)))


def idle(room: FakeRoom, *cell_ids: str) -> bool:
    return all(room.cell(c)["execution_state"] == "idle" for c in cell_ids)


# -- hashing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "digest"),
    [("", "811c9dc5"), ("a", "e40c292c"), ("foobar", "bf9cf968")],
)
async def test_fnv1a32_vectors(text: str, digest: str) -> None:
    assert fnv1a32(text) == digest


async def test_fnv1a32_treats_lone_surrogates_as_the_browser_does() -> None:
    # TextEncoder writes U+FFFD for a lone surrogate; a valid pair is one code point.
    assert fnv1a32("a\ud800b") == fnv1a32("a\ufffdb")
    assert fnv1a32("\U0001f600") != fnv1a32("\ufffd\ufffd")


async def test_kernel_for_path(sessions: SessionManager, nb_path: str) -> None:
    assert sessions.kernel_for_path("/shared.ipynb") == sessions.kernel_for_path(nb_path)
    assert sessions.kernel_for_path(nb_path) is not None
    assert sessions.kernel_for_path("nope.ipynb") is None


# -- running ---------------------------------------------------------------------------------


async def test_outputs_counts_and_states(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str
) -> None:
    room = new_room(
        documents,
        nb_path,
        code(
            "a",
            "import time\nfor i in range(5):\n"
            "    print('tick', i, flush=True)\n    time.sleep(0.1)",
        ),
        code("b", "40 + 2"),
        {"id": "m", "cell_type": "markdown", "source": "# title", "metadata": {}},
    )
    queued = await executor.execute(room.file_id, req(room, "a", "b", "m"))
    assert queued == ["a", "b"]
    assert room.cell("b")["execution_state"] == "queued"
    assert room.holds == 1
    await wait_for(lambda: idle(room, "a", "b"))
    assert room.stream_text("a") == "".join(f"tick {i}\n" for i in range(5))
    assert len(room.outputs("a")) == 1  # one coalesced stream output
    [result] = room.outputs("b")
    assert result["output_type"] == "execute_result"
    assert result["data"]["text/plain"] == "42"
    a, b = room.cell("a"), room.cell("b")
    assert b["execution_count"] == a["execution_count"] + 1
    assert a["metadata"]["trusted"] is True
    await wait_for(lambda: room.holds == 0)
    # The document's notebook is valid nbformat with the outputs in it.
    nb = room.ynotebook.get()
    assert nb["cells"][1]["outputs"][0]["data"]["text/plain"] == "42"


async def test_rerun_clears_outputs_in_place(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str
) -> None:
    room = new_room(documents, nb_path, code("a", "print('once')"))
    await executor.execute(room.file_id, req(room, "a"))
    await wait_for(lambda: idle(room, "a") and room.outputs("a"))
    ycell = next(iter(room.ynotebook.ycells))
    array = ycell["outputs"]
    events: list[object] = []
    array.observe_deep(events.append)
    await executor.execute(room.file_id, req(room, "a"))
    await wait_for(lambda: idle(room, "a") and room.outputs("a"))
    assert room.stream_text("a") == "once\n"
    # The same shared Array, cleared and refilled in place: the old reference sees it all.
    assert events
    assert [o["text"] for o in array.to_py()] == ["once\n"]


async def test_validation_changes_nothing(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str, sessions: SessionManager
) -> None:
    room = new_room(documents, nb_path, code("a", "1"), code("b", "2"))
    good = req(room, "a")[0]
    with pytest.raises(SourceMismatch) as info:
        await executor.execute(room.file_id, [good, {"id": "b", "source_hash": fnv1a32("3")}])
    assert info.value.cell_id == "b"
    with pytest.raises(NotFound):
        await executor.execute(room.file_id, [good, {"id": "zzz", "source_hash": "811c9dc5"}])
    with pytest.raises(NotFound):
        await executor.execute("unknown-file", [good])
    assert room.cell("a")["execution_state"] == "idle"
    other = new_room(documents, "no-session.ipynb", code("a", "1"))
    with pytest.raises(Conflict) as conflict:
        await executor.execute(other.file_id, req(other, "a"))
    assert conflict.value.reason == "no_kernel"
    assert room.holds == 0 and other.holds == 0


async def test_stop_on_error_leaves_later_cells_idle(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str
) -> None:
    room = new_room(
        documents, nb_path, code("a", "1/0"), code("b", "print('never')"), code("c", "3")
    )
    await executor.execute(room.file_id, req(room, "a", "b", "c"))
    await wait_for(lambda: idle(room, "a", "b", "c"))
    [error] = room.outputs("a")
    assert error["output_type"] == "error"
    assert error["ename"] == "ZeroDivisionError"
    assert any("ZeroDivisionError" in line for line in error["traceback"])
    assert room.outputs("b") == [] and room.outputs("c") == []
    assert room.cell("b")["execution_count"] is None
    # Without stop_on_error the rest runs.
    await executor.execute(room.file_id, req(room, "a", "c"), stop_on_error=False)
    await wait_for(lambda: idle(room, "a", "c") and room.outputs("c"))
    assert room.outputs("c")[0]["data"]["text/plain"] == "3"


async def test_carriage_returns_and_big_output(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str
) -> None:
    room = new_room(
        documents,
        nb_path,
        code(
            "bar",
            "import sys\nfor i in range(101):\n"
            "    sys.stdout.write(f'\\r{i}%')\n    sys.stdout.flush()\nprint()",
        ),
        code("big", "for i in range(1_000_000):\n    print(i)"),
    )
    await executor.execute(room.file_id, req(room, "bar", "big"))
    await wait_for(lambda: idle(room, "bar", "big"), timeout=180)
    assert room.stream_text("bar") == "100%\n"
    [out] = room.outputs("big")
    text = out["text"]
    assert text.startswith("0\n1\n2\n")
    assert text.endswith("999999\n")
    assert text.count("\n") <= 20_000
    assert len(text.encode()) <= 1 << 20
    info = out["metadata"]["carnet_truncated"]
    assert info["omitted_lines"] == 1_000_000 - text.count("\n")
    assert info["url"] == f"api/documents/{room.file_id}/outputs/big/0"
    full, media = await executor.full_output(room.file_id, "big", 0)
    assert media == "text/plain"
    assert full == "".join(f"{i}\n" for i in range(1_000_000))
    with pytest.raises(NotFound):
        await executor.full_output(room.file_id, "bar", 0)
    # nbformat forbids metadata on stream outputs: strip_for_disk makes the file valid, and
    # the file says where lines were left out.
    with pytest.raises(BadRequest):
        notebook_text(room.ynotebook.get())
    saved = json.loads(notebook_text(strip_for_disk(room.ynotebook.get())))
    saved_text = "".join(saved["cells"][1]["outputs"][0]["text"])
    omitted, mib = info["omitted_lines"], info["omitted_bytes"] / (1 << 20)
    note = f"[carnet: {int(omitted):,} lines, {mib:.1f} MiB of this output were not kept]\n"
    head = "".join(text.splitlines(keepends=True)[: int(info["head_lines"])])
    assert saved_text == head + note + text[len(head) :]
    assert saved_text.startswith("0\n1\n") and saved_text.endswith("999999\n")


async def test_display_updates_and_clear_output(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str
) -> None:
    room = new_room(
        documents,
        nb_path,
        code("d1", "from IPython.display import display\nh = display('first', display_id=True)"),
        code("d2", "display('again', display_id=h.display_id)\nh.update('updated')"),
        code(
            "c",
            "from IPython.display import clear_output\nprint('old')\n"
            "clear_output(wait=True)\nprint('new')",
        ),
        code("c2", "print('gone')\nclear_output()"),
    )
    await executor.execute(room.file_id, req(room, "d1", "d2", "c", "c2"))
    await wait_for(lambda: idle(room, "d1", "d2", "c", "c2"))
    assert [o["data"]["text/plain"] for o in room.outputs("d1")] == ["'updated'"]
    assert [o["data"]["text/plain"] for o in room.outputs("d2")] == ["'updated'"]
    assert room.stream_text("c") == "new\n" and len(room.outputs("c")) == 1
    assert room.outputs("c2") == []


async def test_input_relay(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str
) -> None:
    room = new_room(
        documents,
        nb_path,
        code("q", "name = input('Name? ')\nprint('hello', name)"),
        code("p", "import getpass\nsecret = getpass.getpass('Pw: ')\nprint(len(secret))"),
    )
    await executor.execute(room.file_id, req(room, "q", "p"))
    pending = await wait_for(lambda: room.carnet().get("stdin"))
    assert pending["cell_id"] == "q" and pending["prompt"] == "Name? "
    assert pending["password"] is False
    with pytest.raises(Conflict):
        await executor.input(room.file_id, "not-the-request", "x")
    await executor.input(room.file_id, pending["request_id"], "Ada")
    with pytest.raises(Conflict):  # first answer wins
        await executor.input(room.file_id, pending["request_id"], "Bob")
    second = await wait_for(lambda: room.carnet().get("stdin"))
    assert second["password"] is True and second["cell_id"] == "p"
    await executor.input(room.file_id, second["request_id"], "hunter2")
    await wait_for(lambda: idle(room, "q", "p"))
    assert room.stream_text("q", "stdin") == "Name? Ada\n"
    assert room.stream_text("q") == "hello Ada\n"
    assert room.stream_text("p", "stdin") == "Pw: \n"  # the password is not echoed
    assert room.stream_text("p") == "7\n"
    assert "stdin" not in room.carnet()


async def test_interrupt_clears_queue_and_stdin(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str
) -> None:
    room = new_room(
        documents,
        nb_path,
        code("w", "input('wait: ')"),
        code("later", "print('never')"),
    )
    await executor.execute(room.file_id, req(room, "w", "later"))
    await wait_for(lambda: room.carnet().get("stdin"))
    await executor.interrupt(room.file_id)
    assert "stdin" not in room.carnet()
    assert room.cell("later")["execution_state"] == "idle"
    await wait_for(lambda: idle(room, "w"))
    assert room.outputs("later") == []
    assert any(o["output_type"] == "error" for o in room.outputs("w"))
    # The kernel still works afterwards.
    await executor.execute(room.file_id, req(room, "later"))
    await wait_for(lambda: idle(room, "later") and room.outputs("later"))
    assert room.stream_text("later") == "never\n"


async def test_restart_clears_queue(
    executor: DocumentExecutor,
    documents: FakeDocuments,
    sessions: SessionManager,
    kernels: KernelService,
) -> None:
    model, _ = await sessions.create(path="restart.ipynb", type="notebook")
    room = new_room(
        documents,
        "restart.ipynb",
        code("s", "import time\nprint('started', flush=True)\ntime.sleep(60)"),
        code("t", "print('never')"),
    )
    await executor.execute(room.file_id, req(room, "s", "t"))
    await wait_for(lambda: room.stream_text("s") == "started\n")
    await kernels.restart(model["kernel"]["id"])
    await wait_for(lambda: idle(room, "s", "t"))
    assert room.outputs("t") == []
    await wait_for(lambda: room.holds == 0)
    # The restarted kernel runs what comes next.
    await executor.execute(room.file_id, req(room, "t"))
    await wait_for(lambda: idle(room, "t") and room.outputs("t"))
    assert room.stream_text("t") == "never\n"
    await sessions.delete(model["id"])


async def test_huge_display_is_replaced_by_a_placeholder(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str
) -> None:
    room = new_room(
        documents,
        nb_path,
        code("h", "display({'text/plain': 'x' * 6_000_000}, raw=True)\nprint('after')"),
    )
    await executor.execute(room.file_id, req(room, "h"))
    await wait_for(lambda: idle(room, "h"))
    placeholder, after = room.outputs("h")
    assert placeholder["output_type"] == "display_data"
    assert "too large" in placeholder["data"]["text/plain"]
    info = placeholder["metadata"]["carnet_truncated"]
    assert info["omitted_bytes"] > 6_000_000
    assert info["url"] == f"api/documents/{room.file_id}/outputs/h/0"
    assert after["text"] == "after\n"
    full, media = await executor.full_output(room.file_id, "h", 0)
    assert media == "application/json"
    assert json.loads(full)["data"]["text/plain"] == "x" * 6_000_000


async def test_aclose_sets_running_cells_idle_and_releases_rooms(
    documents: FakeDocuments, kernels: KernelService, sessions: SessionManager, nb_path: str
) -> None:
    ex = DocumentExecutor(documents, kernels, sessions)
    room = new_room(
        documents,
        nb_path,
        code("s", "import time\nprint('on', flush=True)\ntime.sleep(30)"),
        code("t", "1"),
    )
    await ex.execute(room.file_id, req(room, "s", "t"))
    await wait_for(lambda: room.stream_text("s") == "on\n")
    await ex.aclose()
    assert idle(room, "s", "t") and room.holds == 0
    with pytest.raises(Conflict):
        await ex.execute(room.file_id, req(room, "t"))
    kernel_id = sessions.kernel_for_path(nb_path)
    assert kernel_id is not None
    await kernels.interrupt(kernel_id)  # leave the shared kernel free for the next tests


async def test_kernel_death_clears_queue(
    executor: DocumentExecutor,
    documents: FakeDocuments,
    sessions: SessionManager,
    kernels: KernelService,
) -> None:
    model, _ = await sessions.create(path="dies.ipynb", type="notebook")
    kernel_id = model["kernel"]["id"]
    room = new_room(
        documents,
        "dies.ipynb",
        code("s", "import time\nprint('up', flush=True)\ntime.sleep(60)"),
        code("t", "print('never')"),
    )
    await executor.execute(room.file_id, req(room, "s", "t"))
    await wait_for(lambda: room.stream_text("s") == "up\n")
    pid = kernels.process_id(kernel_id)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    await wait_for(lambda: idle(room, "s", "t"))
    assert room.outputs("t") == [] and room.holds == 0
    # Once the kernel is back (auto-restart), cells run again.
    await wait_for(lambda: kernels.get(kernel_id)["execution_state"] == "idle")
    await executor.execute(room.file_id, req(room, "t"))
    await wait_for(lambda: idle(room, "t") and room.outputs("t"))
    assert room.stream_text("t") == "never\n"
    await sessions.delete(model["id"])


async def test_late_output_of_a_background_thread_reaches_its_cell(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str
) -> None:
    room = new_room(
        documents,
        nb_path,
        code(
            "bg",
            "import threading, time\n"
            "def later():\n    time.sleep(0.5)\n    print('late', flush=True)\n"
            "threading.Thread(target=later).start()\nprint('now', flush=True)",
        ),
    )
    await executor.execute(room.file_id, req(room, "bg"))
    await wait_for(lambda: idle(room, "bg"))
    await wait_for(lambda: "late" in room.stream_text("bg"))
    assert room.stream_text("bg") == "now\nlate\n"
    assert len(room.outputs("bg")) == 1


async def test_outputs_changed_by_someone_else_during_a_run(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str
) -> None:
    source = (
        "import time\nprint('a', flush=True)\ntime.sleep(0.5)\nprint('b', flush=True)\n"
        "time.sleep(0.5)\nprint('c', flush=True)"
    )
    room = new_room(documents, nb_path, code("x", source))
    await executor.execute(room.file_id, req(room, "x"))
    await wait_for(lambda: room.stream_text("x") == "a\n")
    ycell = next(iter(room.ynotebook.ycells))
    with room.doc.transaction(origin="browser"):
        ycell["outputs"][0]["text"].insert(0, "EDIT ")  # not the text the server wrote
    await wait_for(lambda: "b" in room.stream_text("x"))
    assert room.stream_text("x") == "a\nb\n"  # rewritten from the server's own copy
    with room.doc.transaction(origin="browser"):
        del ycell["outputs"][:]  # "clear outputs" in a browser
    await wait_for(lambda: idle(room, "x"))
    assert room.outputs("x") == [{"output_type": "stream", "name": "stdout", "text": "c\n"}]


async def test_a_cell_moved_during_its_run_gets_the_rest(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str
) -> None:
    source = "import time\nprint('a', flush=True)\ntime.sleep(0.5)\nprint('b', flush=True)\n7"
    room = new_room(documents, nb_path, code("x", source), code("y", "1"))
    await executor.execute(room.file_id, req(room, "x"))
    await wait_for(lambda: room.stream_text("x") == "a\n")
    # Move x below y as a browser does: delete the Map, insert a copy with the same id.
    cells = room.ynotebook.ycells
    with room.doc.transaction(origin="browser"):
        old = cells[0].to_py()
        del cells[0]
        copy = Map(
            {
                **{k: v for k, v in old.items() if k not in ("source", "metadata", "outputs")},
                "source": Text(old["source"]),
                "metadata": Map(old["metadata"]),
                "outputs": Array([Map({**o, "text": Text(o["text"])}) for o in old["outputs"]]),
            }
        )
        cells.insert(1, copy)
    await wait_for(lambda: idle(room, "x"))
    assert [c["id"] for c in cells.to_py()] == ["y", "x"]
    assert room.stream_text("x") == "a\nb\n"
    assert room.outputs("x")[-1]["data"]["text/plain"] == "7"
    assert room.cell("x")["execution_count"] is not None


async def test_a_cell_queued_twice_shows_its_last_run(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str
) -> None:
    room = new_room(documents, nb_path, code("n", "n = globals().get('n', 0) + 1\nprint('run', n)"))
    await executor.execute(room.file_id, req(room, "n"))
    await executor.execute(room.file_id, req(room, "n"))
    await wait_for(lambda: idle(room, "n") and executor.state(room.file_id)["queued"] == [])
    await wait_for(lambda: room.stream_text("n") == "run 2\n")
    assert len(room.outputs("n")) == 1


async def test_interleaved_streams_stay_bounded_per_cell(
    executor: DocumentExecutor, documents: FakeDocuments, nb_path: str
) -> None:
    room = new_room(
        documents,
        nb_path,
        code(
            "mix",
            "import sys\npad = 'x' * 100\nfor i in range(10_000):\n"
            "    print(pad, 'out', i, flush=True)\n"
            "    print(pad, 'err', i, file=sys.stderr, flush=True)",
        ),
    )
    await executor.execute(room.file_id, req(room, "mix"), stop_on_error=False)
    await wait_for(lambda: idle(room, "mix"), timeout=180)
    outputs = room.outputs("mix")
    assert len(outputs) <= 100
    size = sum(len(o["text"].encode()) for o in outputs)
    assert size <= 4 << 20  # each name's last stream is bounded once the cell is crowded
    assert room.stream_text("mix").endswith("out 9999\n")
    assert room.stream_text("mix", "stderr").endswith("err 9999\n")
