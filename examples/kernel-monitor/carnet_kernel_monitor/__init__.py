"""CPU and memory of the running kernels: a server route plus a side panel.

The server part samples each kernel process every `INTERVAL_S` seconds in a background task
(owned by carnet's lifespan) and serves the latest figures at ``GET api/kernel-monitor/usage``
(behind carnet's login like every route). It uses psutil when installed, else ``/proc``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse

from carnet.plugins import ExtensionAPI, Plugin

INTERVAL_S = 1.0


class _Sampler:
    """CPU time and resident memory of a process: psutil if present, else /proc."""

    def __init__(self) -> None:
        try:
            import psutil  # type: ignore[import-untyped,unused-ignore]
        except ImportError:
            self._psutil: Any = None
        else:
            self._psutil = psutil
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self._tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    @property
    def source(self) -> str:
        return "psutil" if self._psutil is not None else "/proc"

    def read(self, pid: int) -> tuple[float, int] | None:
        """(CPU seconds, RSS bytes), or None when the process is gone."""
        try:
            if self._psutil is not None:
                proc = self._psutil.Process(pid)
                times = proc.cpu_times()
                return times.user + times.system, int(proc.memory_info().rss)
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            cpu = (int(fields[11]) + int(fields[12])) / self._tick
            rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self._page
            return cpu, rss
        except Exception:  # gone, or not ours to read
            return None


def setup(api: ExtensionAPI) -> None:
    sampler = _Sampler()
    usage: dict[str, dict[str, Any]] = {}
    last: dict[str, tuple[float, float]] = {}  # kernel id -> (wall time, cpu seconds)

    def sample() -> None:
        kernels = api.kernels
        if kernels is None:
            return
        now = time.monotonic()
        seen = set()
        for model in kernels.list():
            kernel_id = model["id"]
            pid = kernels.process_id(kernel_id)
            figures = sampler.read(pid) if pid is not None else None
            if pid is None or figures is None:
                continue
            seen.add(kernel_id)
            cpu, rss = figures
            before = last.get(kernel_id)
            percent = 0.0
            if before is not None and now > before[0]:
                percent = max(0.0, (cpu - before[1]) / (now - before[0]) * 100)
            last[kernel_id] = (now, cpu)
            usage[kernel_id] = {
                "id": kernel_id,
                "name": model["name"],
                "pid": pid,
                "cpu_percent": round(percent, 1),
                "memory_bytes": rss,
            }
        for gone in set(usage) - seen:
            usage.pop(gone, None)
            last.pop(gone, None)

    async def sample_forever() -> None:
        while True:
            sample()
            await anyio.sleep(INTERVAL_S)

    async def get_usage(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "source": sampler.source,
                "kernels": sorted(usage.values(), key=lambda k: k["id"]),
            }
        )

    api.add_route("/api/kernel-monitor/usage", get_usage)
    api.start_task(sample_forever, name="sample kernels")


plugin = Plugin(
    static=Path(__file__).parent / "static",
    server=setup,
    description="CPU and memory of the running kernels",
)
