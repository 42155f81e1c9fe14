"""Lifecycle settings that need a service of their own: no autorestart, culling, shutdown_all."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import psutil
import pytest

from carnet.errors import ServiceUnavailable
from carnet.kernels import CloseReason, ConnectionClosed, KernelService, KernelSpecs
from tests.kernels._client import Client

pytestmark = pytest.mark.asyncio


def _service(dirs: tuple[Path, Path], **options: object) -> KernelService:
    root, runtime = dirs
    return KernelService(
        specs=KernelSpecs(),
        root_dir=root,
        runtime_dir=runtime,
        **options,  # type: ignore[arg-type]
    )


async def test_without_autorestart_a_killed_kernel_stays_dead_with_its_cause(
    kernel_dirs: tuple[Path, Path],
) -> None:
    async with _service(kernel_dirs, pool_sizes={}, autorestart=False) as service:
        model = await service.start()
        c = Client(await service.connect(model["id"]))
        pid = service.process_id(model["id"])
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        dead, _ = await c.wait_for(
            lambda m: m.msg_type == "status" and m.content["execution_state"] == "dead"
        )
        assert "SIGKILL" in dead.content["reason"]
        model = service.get(model["id"])
        assert model["execution_state"] == "dead"
        assert "SIGKILL" in model.get("reason", "")
        # A manual restart revives it, and the connection keeps working.
        model = await service.restart(model["id"])
        assert model["execution_state"] == "idle" and "reason" not in model
        assert (await c.execute("1+1")).result() == "2"


async def test_idle_kernels_are_culled(kernel_dirs: tuple[Path, Path]) -> None:
    async with _service(
        kernel_dirs, pool_sizes={}, cull_idle_timeout=0.5, cull_interval=0.2
    ) as service:
        model = await service.start()
        pid = service.process_id(model["id"])
        assert pid is not None
        for _ in range(600):
            if model["id"] not in service and not psutil.pid_exists(pid):
                break
            await asyncio.sleep(0.1)
        assert model["id"] not in service
        assert not psutil.pid_exists(pid)


async def test_shutdown_all_leaves_no_kernel_process(kernel_dirs: tuple[Path, Path]) -> None:
    service = _service(kernel_dirs, pool_sizes={"python3": 1})
    await service.startup()
    await service.wait_pool_ready()
    started = [await service.start(), await service.start(env={"CARNET_TEST_COLD": "1"})]
    await service.wait_pool_ready()  # the refill: a pooled kernel nobody has taken
    conn = await service.connect(started[0]["id"])
    ours = {p.pid for p in psutil.Process().children(recursive=True)}
    kernel_pids = {service.process_id(m["id"]) for m in started}
    assert kernel_pids <= ours and len(ours) >= 3
    await service.shutdown_all()
    assert not [pid for pid in ours if psutil.pid_exists(pid)]
    assert service.list() == []
    with pytest.raises(ConnectionClosed) as info:
        while True:
            await conn.receive()
    assert info.value.reason is CloseReason.SERVER_SHUTDOWN
    with pytest.raises(ServiceUnavailable):
        await service.start()
    await service.aclose()  # idempotent
    assert not list(kernel_dirs[1].glob("kernel-*"))
