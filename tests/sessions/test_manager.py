"""SessionManager on a real KernelService (real ipykernel kernels, no HTTP)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from carnet.errors import BadRequest, Conflict, Forbidden, NotFound
from carnet.kernels import KernelService, KernelSpecs
from carnet.sessions import SessionManager

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("root")
    (root / "nb").mkdir()
    return root


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
async def shared_kernel(sessions: SessionManager) -> str:
    """A kernel that tests attach sessions to by id (no start each time); the anchor
    session keeps it alive when they delete theirs."""
    anchor, _ = await sessions.create(path="anchor.ipynb", type="notebook")
    return anchor["kernel"]["id"]


async def test_create_reuses_the_session_of_a_path(
    sessions: SessionManager, kernels: KernelService
) -> None:
    model, created = await sessions.create(path="nb/a.ipynb", type="notebook", name="a.ipynb")
    assert created
    assert model["notebook"] == {"path": "nb/a.ipynb", "name": "a.ipynb"}
    same, created_again = await sessions.create(path="/nb//a.ipynb", type="console")
    assert not created_again
    assert same == sessions.get(model["id"])
    assert model["id"] in [s["id"] for s in sessions.list()]
    await sessions.delete(model["id"])
    assert model["kernel"]["id"] not in kernels
    with pytest.raises(NotFound):
        sessions.get(model["id"])
    with pytest.raises(NotFound):
        await sessions.delete(model["id"])


async def test_concurrent_creates_start_one_kernel(
    sessions: SessionManager, kernels: KernelService
) -> None:
    before = len(kernels)
    results = await asyncio.gather(
        *(sessions.create(path="nb/race.ipynb", type="notebook") for _ in range(5))
    )
    assert len({model["id"] for model, _ in results}) == 1
    assert [created for _, created in results].count(True) == 1
    assert len(kernels) == before + 1
    await sessions.delete(results[0][0]["id"])
    assert len(kernels) == before


async def test_a_shared_kernel_stops_with_its_last_session(
    sessions: SessionManager, kernels: KernelService
) -> None:
    kernel_id = (await kernels.start())["id"]
    a, _ = await sessions.create(path="a.ipynb", type="notebook", kernel_id=kernel_id)
    b, _ = await sessions.create(path="console-1", type="console", kernel_id=kernel_id)
    await sessions.delete(a["id"])
    assert kernel_id in kernels
    await sessions.delete(b["id"])
    assert kernel_id not in kernels


async def test_update_fields_and_conflicts(sessions: SessionManager, shared_kernel: str) -> None:
    a, _ = await sessions.create(path="u1.ipynb", type="notebook", kernel_id=shared_kernel)
    b, _ = await sessions.create(path="u2.ipynb", type="notebook", kernel_id=shared_kernel)
    moved = await sessions.update(a["id"], path="nb/moved.ipynb", name="moved.ipynb")
    assert (moved["path"], moved["name"]) == ("nb/moved.ipynb", "moved.ipynb")
    retyped = await sessions.update(a["id"], type="console")
    assert "notebook" not in retyped
    with pytest.raises(Conflict):
        await sessions.update(b["id"], path="nb//moved.ipynb")
    with pytest.raises(BadRequest):
        await sessions.update(b["id"], kernel_id="no-such-kernel")
    with pytest.raises(Forbidden):
        await sessions.update(b["id"], path="../escape.ipynb")
    with pytest.raises(NotFound):
        await sessions.update(b["id"], kernel_name="no-such-spec")
    assert sessions.get(b["id"]) == b | {"kernel": sessions.get(b["id"])["kernel"]}
    for s in (a, b):
        await sessions.delete(s["id"])


async def test_a_session_deleted_while_its_new_kernel_starts_leaves_no_kernel(
    sessions: SessionManager, kernels: KernelService, shared_kernel: str
) -> None:
    model, _ = await sessions.create(path="gone.ipynb", type="notebook", kernel_id=shared_kernel)
    before = {k["id"] for k in kernels.list()}
    update = asyncio.ensure_future(sessions.update(model["id"], kernel_name="python3"))
    await asyncio.sleep(0)  # the update is now starting its kernel
    await sessions.delete(model["id"])
    with pytest.raises(NotFound):
        await update
    assert {k["id"] for k in kernels.list()} <= before


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"path": "", "type": "notebook"}, BadRequest),
        ({"path": "/", "type": "notebook"}, BadRequest),
        ({"path": "a.ipynb", "type": ""}, BadRequest),
        ({"path": "a\0.ipynb", "type": "notebook"}, BadRequest),
        ({"path": "a.ipynb", "type": "notebook", "name": "x\0"}, BadRequest),
        ({"path": 3, "type": "notebook"}, BadRequest),
        ({"path": "../a.ipynb", "type": "notebook"}, Forbidden),
        ({"path": "a.ipynb", "type": "notebook", "kernel_name": "nope"}, NotFound),
        ({"path": "a.ipynb", "type": "notebook", "kernel_id": "nope"}, BadRequest),
    ],
)
async def test_bad_creates_leave_nothing(
    sessions: SessionManager, kernels: KernelService, fields: dict[str, object], error: type
) -> None:
    before_sessions, before_kernels = sessions.list(), {k["id"] for k in kernels.list()}
    with pytest.raises(error):
        await sessions.create(**fields)  # type: ignore[arg-type]
    assert sessions.list() == before_sessions
    assert {k["id"] for k in kernels.list()} == before_kernels


async def test_sessions_of_a_vanished_kernel_disappear(
    sessions: SessionManager, kernels: KernelService
) -> None:
    model, _ = await sessions.create(path="orphan.ipynb", type="notebook")
    await kernels.shutdown(model["kernel"]["id"])
    assert model["id"] not in [s["id"] for s in sessions.list()]
    with pytest.raises(NotFound):
        sessions.get(model["id"])
    assert len(sessions) == len(sessions.list())
