"""A non-Python kernel (bash_kernel, from a temporary JUPYTER_PATH): found, started cold."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import psutil
import pytest
import pytest_asyncio

from carnet.kernels import KernelModel, KernelService, KernelSpecs
from tests.kernels._client import Client

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def service(
    jupyter_path: Path, kernel_dirs: tuple[Path, Path]
) -> AsyncIterator[KernelService]:
    root, runtime = kernel_dirs
    async with KernelService(
        specs=KernelSpecs(),
        root_dir=root,
        runtime_dir=runtime,
        pool_sizes={"bash": 1, "python3": 0},
    ) as svc:
        await svc.wait_pool_ready()
        yield svc


async def test_bash_is_never_pooled(service: KernelService) -> None:
    assert service.pool_sizes == {}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def bash(service: KernelService) -> KernelModel:
    model = await service.start("bash", path="nb/sub dir/script.ipynb")
    assert model["name"] == "bash"
    assert model["execution_state"] == "starting"  # started cold
    return model


@pytest.mark.parametrize("framing", ["v1", "legacy"])
async def test_bash_kernel_runs_in_the_notebook_directory(
    service: KernelService, bash: KernelModel, kernel_dirs: tuple[Path, Path], framing: str
) -> None:
    root = kernel_dirs[0]
    c = Client(await service.connect(bash["id"]), framing)
    run = await c.execute("pwd; echo $((1+1))")
    assert run.reply.content["status"] == "ok"
    assert run.stream_text() == f"{(root / 'nb' / 'sub dir').resolve()}\n2\n"
    assert service.get(bash["id"])["execution_state"] == "idle"
    c.conn.close()


async def test_bash_kernel_shuts_down(service: KernelService, bash: KernelModel) -> None:
    pid = service.process_id(bash["id"])
    await service.shutdown(bash["id"])
    assert pid is not None and not psutil.pid_exists(pid)
