"""The warm pool's bookkeeping, with fake kernels (no processes)."""

from __future__ import annotations

import asyncio

import pytest

from carnet.kernels._tasks import TaskOwner
from carnet.kernels.pool import WarmPool

pytestmark = pytest.mark.asyncio


class Factory:
    def __init__(self) -> None:
        self.started: list[str] = []
        self.discarded: list[str] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail = False

    async def spawn(self, name: str) -> str:
        await self.gate.wait()
        if self.fail:
            raise RuntimeError("broken kernel")
        kernel = f"{name}-{len(self.started)}"
        self.started.append(kernel)
        return kernel

    async def discard(self, kernel: str) -> None:
        self.discarded.append(kernel)


async def settle(tasks: TaskOwner) -> None:
    for _ in range(100):
        if not len(tasks):
            return
        await asyncio.sleep(0.01)


async def test_take_hands_out_ready_kernels_and_refills() -> None:
    tasks, f = TaskOwner("t"), Factory()
    pool = WarmPool({"py": 2, "off": 0}, spawn=f.spawn, discard=f.discard, tasks=tasks)
    pool.fill()
    await settle(tasks)
    assert pool.ready_count("py") == 2 and pool.sizes == {"py": 2}
    assert await pool.take("py") == "py-0"
    await settle(tasks)
    assert pool.ready_count("py") == 2
    assert await pool.take("off") is None
    assert await pool.take("unknown") is None
    await tasks.aclose()


async def test_take_waits_for_a_kernel_already_starting_but_never_queues_behind_others() -> None:
    tasks, f = TaskOwner("t"), Factory()
    f.gate.clear()
    pool = WarmPool({"py": 1}, spawn=f.spawn, discard=f.discard, tasks=tasks)
    pool.fill()
    await asyncio.sleep(0)
    first = asyncio.create_task(pool.take("py"))
    await asyncio.sleep(0.01)
    # One kernel is starting and one caller waits for it: a second caller starts cold.
    assert await pool.take("py") is None
    f.gate.set()
    assert await first == "py-0"
    await tasks.aclose()


async def test_failing_spawns_switch_the_pool_off() -> None:
    tasks, f = TaskOwner("t"), Factory()
    f.fail = True
    pool = WarmPool({"py": 1}, spawn=f.spawn, discard=f.discard, tasks=tasks, max_failures=3)
    pool.fill()
    await settle(tasks)
    assert pool.sizes == {"py": 0}
    assert not pool.enabled("py")
    assert await pool.take("py") is None
    await tasks.aclose()


async def test_remove_and_close() -> None:
    tasks, f = TaskOwner("t"), Factory()
    pool = WarmPool({"py": 1}, spawn=f.spawn, discard=f.discard, tasks=tasks)
    pool.fill()
    await settle(tasks)
    assert pool.members() == ["py-0"]
    assert pool.remove("py-0")
    assert not pool.remove("py-0")
    await settle(tasks)
    assert pool.members() == ["py-1"]
    f.gate.clear()
    assert pool.remove("py-1")  # a refill starts and is held at the gate
    assert pool.close() == []
    f.gate.set()
    await settle(tasks)
    assert f.discarded == ["py-2"]  # finished after close: handed back, not kept
    assert await pool.take("py") is None
    await tasks.aclose()


async def test_task_owner_logs_failures_and_cancels_on_close(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tasks = TaskOwner("owner")

    async def boom() -> None:
        raise RuntimeError("boom")

    async def forever() -> None:
        await asyncio.Event().wait()

    tasks.spawn(boom(), name="boom")
    hanging = tasks.spawn(forever(), name="forever")
    await asyncio.sleep(0.01)
    assert "boom" in caplog.text
    await tasks.aclose()
    assert hanging.cancelled() and tasks.closed
    with pytest.raises(RuntimeError):
        tasks.spawn(forever(), name="late")
