"""Benchmark kernels through a Jupyter-compatible server (issue 3; design.md §6 targets).

Starts the server under test from a command template (as ``carnet_bench.py`` does), drives
it over REST and the kernel websocket, and measures in the same run a direct
``jupyter_client`` connection to a kernel, the floor any server adds to::

    .venv/bin/python bench/kernels_bench.py                     # carnet from this checkout
    .venv/bin/python bench/kernels_bench.py --name jupyterlab --no-direct \\
        --cmd 'JLAB/bin/jupyter-lab --no-browser --allow-root --ServerApp.port_retries=0
               --port {port} --IdentityProvider.token={token} --ServerApp.root_dir={root}'

Measured (median/min/max over the samples; the first sample kept apart):

* ``kernel_start_s``: ``POST /api/kernels`` -> websocket open -> ``kernel_info_reply``.
  For carnet twice: with the warm pool (default; the bench waits for the pool to refill
  between samples) and cold (``--cold-cmd``, default: the pool switched off). ``direct``:
  ``AsyncKernelManager.start_kernel`` -> ``wait_for_ready``.
* ``execute_ms.<json|v1|direct>``: ``1+1`` -> IOPub ``idle`` (the next request goes when
  both the reply and idle arrived), after warm-up, over one websocket per framing and over
  jupyter_client's own ZMQ sockets.
* ``stream_s.<json|v1|direct>``: ``for i in range(N): print(i)`` -> idle; the output must
  arrive complete (``complete`` says whether it did).
* ``throughput``: 10 websockets x 100 executes at once, on 10 kernels (one each) and on one
  kernel (10 clients sharing it), as executes per second, with the server's CPU seconds;
  ``direct_*``: the same load with 10 jupyter_client clients (no server), the ceiling on
  this machine (the kernels' own CPU).

Results go to ``results/kernels-NAME.json`` (no local paths) and a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import shutil
import statistics
import struct
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
import carnet_bench as cb

V1 = "v1.kernel.websocket.jupyter.org"
DEFAULT_COLD_CMD = cb.DEFAULT_CMD + " --CarnetApp.kernel_pool_size=0"
STREAM_CODE = "for i in range({n}): print(i)"


@dataclass
class Options:
    name: str
    cmd: str
    cold_cmd: str | None
    direct: bool
    start_reps: int
    pool_wait: float
    exec_count: int
    stream_lines: int
    stream_reps: int
    tp_clients: int
    tp_executes: int
    timeout: float


# --- websocket client (its own framing: nothing shared with the server under test) ---------


def _header(msg_type: str, session: str) -> dict[str, Any]:
    return {
        "msg_id": uuid.uuid4().hex,
        "msg_type": msg_type,
        "username": "bench",
        "session": session,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(),
        "version": "5.3",
    }


class WsKernel:
    """One kernel websocket; parses only what the measures need."""

    def __init__(self, ws: ClientConnection, session: str) -> None:
        self.ws = ws
        self.session = session
        self.v1 = ws.subprotocol == V1
        self.bytes_in = 0
        self.frames_in = 0

    @classmethod
    async def open(cls, server: cb.Server, kernel_id: str, v1: bool) -> WsKernel:
        session = uuid.uuid4().hex
        url = server.url.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels"
        ws = await connect(
            f"{url}?session_id={session}",
            additional_headers=server.headers,
            subprotocols=[V1] if v1 else None,  # type: ignore[list-item]
            max_size=None,
            open_timeout=120,
            compression=None,
        )
        return cls(ws, session)

    async def send(self, channel: str, msg_type: str, content: dict[str, Any]) -> str:
        header = _header(msg_type, self.session)
        if self.v1:
            parts = [json.dumps(p).encode() for p in (header, {}, {}, content)]
            chan = channel.encode()
            offsets = [8 * 7, 8 * 7 + len(chan)]
            for part in parts:
                offsets.append(offsets[-1] + len(part))
            frame = struct.pack("<7Q", 6, *offsets) + chan + b"".join(parts)
            await self.ws.send(frame)
        else:
            msg = {
                "header": header,
                "parent_header": {},
                "metadata": {},
                "content": content,
                "channel": channel,
                "buffers": [],
            }
            await self.ws.send(json.dumps(msg))
        return str(header["msg_id"])

    async def recv(self) -> tuple[str, str, str | None, dict[str, Any]]:
        """(channel, msg_type, parent msg_id, content) of the next message."""
        frame = await self.ws.recv()
        self.frames_in += 1
        self.bytes_in += len(frame)
        if isinstance(frame, bytes) and self.v1:
            (n,) = struct.unpack_from("<Q", frame)
            off = struct.unpack_from(f"<{n}Q", frame, 8)
            channel = frame[off[0] : off[1]].decode()
            header = json.loads(frame[off[1] : off[2]])
            parent = json.loads(frame[off[2] : off[3]])
            content = json.loads(frame[off[4] : off[5]])
        else:
            if isinstance(frame, bytes):  # legacy binary frame (buffers): JSON is part 0
                (n,) = struct.unpack_from(">I", frame)
                off = struct.unpack_from(f">{n}I", frame, 4)
                frame = frame[off[0] : off[1] if n > 1 else len(frame)]
            msg = json.loads(frame)
            channel, header, parent = msg["channel"], msg["header"], msg["parent_header"]
            content = msg["content"]
        return channel, header["msg_type"], parent.get("msg_id"), content

    async def execute(self, code: str, collect: list[str] | None = None) -> None:
        """Send ``code``; return when its reply and its IOPub idle have both arrived."""
        msg_id = await self.send(
            "shell",
            "execute_request",
            {"code": code, "silent": False, "store_history": True, "allow_stdin": False},
        )
        reply = idle = False
        while not (reply and idle):
            channel, msg_type, parent, content = await self.recv()
            if parent != msg_id:
                continue
            if channel == "shell":
                reply = True
            elif msg_type == "status":
                idle = content.get("execution_state") == "idle"
            elif msg_type == "stream" and collect is not None:
                collect.append(content["text"])

    async def ready(self) -> None:
        """Wait for the answer to a kernel_info_request."""
        msg_id = await self.send("shell", "kernel_info_request", {})
        while True:
            channel, _, parent, _ = await self.recv()
            if channel == "shell" and parent == msg_id:
                return

    async def close(self) -> None:
        await self.ws.close()


# --- direct jupyter_client -------------------------------------------------------------------


class Direct:
    """A kernel started and spoken to with jupyter_client only (no server in between)."""

    def __init__(self, km: Any, kc: Any) -> None:
        self.km, self.kc = km, kc

    @classmethod
    async def start(cls) -> tuple[Direct, float]:
        from jupyter_client.manager import AsyncKernelManager

        t0 = time.perf_counter()
        km = AsyncKernelManager(kernel_name="python3")
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=120)
        elapsed = time.perf_counter() - t0
        direct = cls(km, kc)
        await direct.settle()
        return direct, elapsed

    async def execute(self, code: str, collect: list[str] | None = None) -> None:
        msg_id = self.kc.execute(code)
        reply = idle = False
        while not idle:
            msg = await self.kc.get_iopub_msg(timeout=120)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status":
                idle = msg["content"]["execution_state"] == "idle"
            elif msg["msg_type"] == "stream" and collect is not None:
                collect.append(msg["content"]["text"])
        while not reply:
            msg = await self.kc.get_shell_msg(timeout=120)
            reply = msg["parent_header"].get("msg_id") == msg_id

    async def settle(self) -> None:
        """Make sure IOPub is subscribed (ZMQ's slow joiner) before measuring."""
        from queue import Empty

        for _ in range(40):
            msg_id = self.kc.kernel_info()
            deadline = time.perf_counter() + 0.5
            while time.perf_counter() < deadline:
                try:
                    msg = await self.kc.get_iopub_msg(timeout=0.1)
                except Empty:
                    continue
                if msg["parent_header"].get("msg_id") == msg_id:
                    return
        raise cb.BenchError("the kernel's IOPub never answered")

    async def stop(self) -> None:
        self.kc.stop_channels()
        await self.km.shutdown_kernel(now=True)


# --- measures ------------------------------------------------------------------------------


async def new_kernel(client: httpx.AsyncClient, server: cb.Server) -> tuple[str, str]:
    response = await client.post(server.url + "api/kernels", json={"name": "python3"})
    if response.status_code != 201:
        raise cb.BenchError(f"POST /api/kernels -> {response.status_code}: {response.text}")
    model = response.json()
    return model["id"], model.get("execution_state", "?")


async def kernel_starts(
    server: cb.Server, reps: int, wait: float, v1: bool
) -> tuple[list[float], list[str]]:
    times, states = [], []
    async with httpx.AsyncClient(headers=server.headers, timeout=120) as client:
        for _ in range(reps):
            await asyncio.sleep(wait)
            t0 = time.perf_counter()
            kernel_id, state = await new_kernel(client, server)
            ws = await WsKernel.open(server, kernel_id, v1)
            await ws.ready()
            times.append(time.perf_counter() - t0)
            states.append(state)
            await ws.close()
            await client.delete(server.url + f"api/kernels/{kernel_id}")
    return times, states


async def execute_loop(target: WsKernel | Direct, count: int, warmup: int = 10) -> list[float]:
    for _ in range(warmup):
        await target.execute("1+1")
    samples = []
    for _ in range(count):
        t0 = time.perf_counter()
        await target.execute("1+1")
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


async def stream_runs(target: WsKernel | Direct, lines: int, reps: int) -> tuple[list[float], bool]:
    expected = "".join(f"{i}\n" for i in range(lines))
    times, complete = [], True
    for _ in range(reps):
        out: list[str] = []
        t0 = time.perf_counter()
        await target.execute(STREAM_CODE.format(n=lines), out)
        times.append(time.perf_counter() - t0)
        complete = complete and "".join(out) == expected
    return times, complete


async def throughput(
    server: cb.Server, clients: int, executes: int, kernels: int, v1: bool
) -> dict[str, Any]:
    async with httpx.AsyncClient(headers=server.headers, timeout=120) as http:
        ids = [(await new_kernel(http, server))[0] for _ in range(kernels)]
        sockets = [await WsKernel.open(server, ids[i % kernels], v1) for i in range(clients)]
        for ws in sockets:
            await ws.ready()
            await ws.execute("1+1")
        proc = psutil.Process(server.proc.pid)
        cpu0 = sum(proc.cpu_times()[:2])
        t0 = time.perf_counter()

        async def one(ws: WsKernel) -> None:
            for _ in range(executes):
                await ws.execute("1+1")

        await asyncio.gather(*(one(ws) for ws in sockets))
        elapsed = time.perf_counter() - t0
        cpu = sum(proc.cpu_times()[:2]) - cpu0
        for ws in sockets:
            await ws.close()
        for kernel_id in ids:
            await http.delete(server.url + f"api/kernels/{kernel_id}")
    return {
        "executes_per_s": clients * executes / elapsed,
        "elapsed_s": elapsed,
        "server_cpu_s": cpu,
        "clients": clients,
        "executes_each": executes,
        "kernels": kernels,
        "framing": "v1" if v1 else "json",
    }


async def direct_throughput(clients: int, executes: int, kernels: int) -> dict[str, Any]:
    """The same load on kernels spoken to with jupyter_client directly: the floor."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.session import Session

    managers = []
    for _ in range(kernels):
        km = AsyncKernelManager(kernel_name="python3")
        await km.start_kernel()
        managers.append(km)
    targets = []
    for i in range(clients):
        km = managers[i % kernels]
        # A session of its own: clients of one manager would share its ZMQ identity.
        kc = km.client(session=Session(key=km.session.key))
        kc.start_channels()
        await kc.wait_for_ready(timeout=120)
        targets.append(Direct(managers[i % kernels], kc))
        await targets[-1].settle()
    try:
        for target in targets:
            await target.execute("1+1")
        t0 = time.perf_counter()

        async def one(target: Direct) -> None:
            for _ in range(executes):
                await target.execute("1+1")

        await asyncio.gather(*(one(t) for t in targets))
        elapsed = time.perf_counter() - t0
    finally:
        for target in targets:
            target.kc.stop_channels()
        for km in managers:
            await km.shutdown_kernel(now=True)
    return {
        "executes_per_s": clients * executes / elapsed,
        "elapsed_s": elapsed,
        "server_cpu_s": 0.0,
        "clients": clients,
        "executes_each": executes,
        "kernels": kernels,
        "framing": "direct",
    }


async def target_runs(
    name: str,
    target: WsKernel | Direct,
    opts: Options,
    metrics: dict[str, Any],
    info: dict[str, Any],
) -> None:
    """The execute loop and the printed-lines runs over one connection."""
    samples = await execute_loop(target, opts.exec_count)
    metrics["execute_ms"][name] = cb.summarize(samples)
    print(f"  execute 1+1 ({name}): {statistics.median(samples):.2f} ms", flush=True)
    before = target.bytes_in if isinstance(target, WsKernel) else 0
    times, complete = await stream_runs(target, opts.stream_lines, opts.stream_reps)
    metrics["stream_s"][name] = cb.summarize(times)
    info["stream"][name] = {"complete": complete}
    if isinstance(target, WsKernel):
        info["stream"][name]["ws_bytes_per_run"] = (target.bytes_in - before) / opts.stream_reps
    print(
        f"  {opts.stream_lines} lines ({name}): {statistics.median(times):.3f} s,"
        f" complete={complete}",
        flush=True,
    )


async def measure(opts: Options, scratch: Path) -> dict[str, Any]:
    metrics: dict[str, Any] = {}
    info: dict[str, Any] = {}
    direct: Direct | None = None
    metrics["kernel_start_s"] = {}
    if opts.direct:
        starts = []
        for rep in range(opts.start_reps):
            direct, start = await Direct.start()
            starts.append(start)
            if rep < opts.start_reps - 1:
                await direct.stop()
        metrics["kernel_start_s"]["direct"] = cb.summarize(starts)
        print(
            f"  direct jupyter_client kernel start: {statistics.median(starts):.3f} s", flush=True
        )

    server, _ = cb.start_server(opts.cmd, scratch / "server", "/", opts.timeout)
    cold_server: cb.Server | None = None
    try:
        async with httpx.AsyncClient(headers=server.headers, timeout=120) as http:
            kernel_id, _ = await new_kernel(http, server)
            ws = await WsKernel.open(server, kernel_id, True)
            v1 = ws.v1
            info["v1_supported"] = v1
            await ws.ready()
            await ws.close()
            await http.delete(server.url + f"api/kernels/{kernel_id}")
        times, states = await kernel_starts(server, opts.start_reps, opts.pool_wait, v1)
        metrics["kernel_start_s"]["server"] = cb.summarize(times)
        info["kernel_start_states"] = states
        print(f"  kernel start: {statistics.median(times):.3f} s ({states})", flush=True)
        if opts.cold_cmd:
            cold_server, _ = cb.start_server(opts.cold_cmd, scratch / "cold", "/", opts.timeout)
            times, states = await kernel_starts(cold_server, opts.start_reps, 0.5, v1)
            metrics["kernel_start_s"]["server_cold"] = cb.summarize(times)
            info["kernel_start_cold_states"] = states
            print(f"  kernel start, cold: {statistics.median(times):.3f} s", flush=True)
            cb.stop_server(cold_server)
            cold_server = None

        metrics["execute_ms"], metrics["stream_s"], info["stream"] = {}, {}, {}
        framings = {"json": False, **({"v1": True} if v1 else {})}
        if direct is not None:
            await target_runs("direct", direct, opts, metrics, info)
        async with httpx.AsyncClient(headers=server.headers, timeout=120) as http:
            kernel_id, _ = await new_kernel(http, server)
            for name, flag in framings.items():  # one socket at a time on the kernel
                ws = await WsKernel.open(server, kernel_id, flag)
                await ws.ready()
                await target_runs(name, ws, opts, metrics, info)
                await ws.close()
            await http.delete(server.url + f"api/kernels/{kernel_id}")

        metrics["throughput"] = {}
        for kernels in (opts.tp_clients, 1):
            label = f"{opts.tp_clients}ws_{kernels}kernels"
            tp = await throughput(server, opts.tp_clients, opts.tp_executes, kernels, v1)
            metrics["throughput"][label] = tp
            if opts.direct:
                floor = await direct_throughput(opts.tp_clients, opts.tp_executes, kernels)
                metrics["throughput"][f"direct_{kernels}kernels"] = floor
                print(f"  direct, {kernels} kernels: {floor['executes_per_s']:.0f} /s", flush=True)
            print(
                f"  throughput {label}: {tp['executes_per_s']:.0f} executes/s,"
                f" server CPU {tp['server_cpu_s']:.2f} s",
                flush=True,
            )
    finally:
        if cold_server is not None:
            cb.stop_server(cold_server)
        cb.stop_server(server)
        if direct is not None:
            await direct.stop()
    return {"metrics": metrics, "info": info}


def run(opts: Options) -> dict[str, Any]:
    started = time.perf_counter()
    result: dict[str, Any] = {
        "schema": 1,
        "name": opts.name,
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": opts.cmd,
        "cold_command": opts.cold_cmd,
        "params": {
            "start_reps": opts.start_reps,
            "pool_wait_s": opts.pool_wait,
            "exec_count": opts.exec_count,
            "stream_lines": opts.stream_lines,
            "stream_reps": opts.stream_reps,
            "throughput": f"{opts.tp_clients} websockets x {opts.tp_executes} executes",
        },
        "machine": cb.machine_info(),
    }
    scratch = Path(tempfile.mkdtemp(prefix="carnet-kbench-"))
    try:
        result.update(asyncio.run(measure(opts, scratch)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    with contextlib.suppress(OSError, AttributeError):
        result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["duration_s"] = round(time.perf_counter() - started, 1)
    return result


def markdown(result: dict[str, Any]) -> str:
    m = result["metrics"]
    rows = [["measure", "median", "min", "max", "n"], ["---"] * 5]

    def add(label: str, stats: dict[str, Any] | None, unit: str, scale: float = 1.0) -> None:
        if stats is None:
            return
        digits = 3 if unit == "s" else 2
        values = [f"{stats[k] * scale:.{digits}f} {unit}" for k in ("median", "min", "max")]
        rows.append([label, *values, str(stats["n"])])

    for key, label in (
        ("server", "kernel start -> kernel_info_reply"),
        ("server_cold", "kernel start, pool off (cold)"),
        ("direct", "kernel start, direct jupyter_client"),
    ):
        add(label, m["kernel_start_s"].get(key), "s")
    for key in ("json", "v1", "direct"):
        add(f"execute `1+1` -> idle ({key})", m.get("execute_ms", {}).get(key), "ms")
    lines = result["params"]["stream_lines"]
    for key in ("json", "v1", "direct"):
        add(f"{lines} lines -> idle ({key})", m.get("stream_s", {}).get(key), "s")
    for label, tp in m.get("throughput", {}).items():
        rows.append(
            [
                f"throughput {label.replace('_', ', ')}",
                f"{tp['executes_per_s']:.0f} /s",
                "no server"
                if tp["framing"] == "direct"
                else f"server CPU {tp['server_cpu_s']:.2f} s",
                f"{tp['elapsed_s']:.2f} s",
                str(tp["clients"] * tp["executes_each"]),
            ]
        )
    table = "\n".join("| " + " | ".join(r) + " |" for r in rows)
    return f"**{result['name']}** (`{result['command']}`)\n\n{table}\n"


def parse_args(argv: Sequence[str] | None = None) -> tuple[Options, Path]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--name", default="carnet")
    parser.add_argument(
        "--cmd", default=cb.DEFAULT_CMD, help="server command (placeholders as carnet_bench)"
    )
    parser.add_argument(
        "--cold-cmd",
        default=None,
        help="a second server for cold starts (default for carnet: the pool switched off)",
    )
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-start server")
    parser.add_argument("--no-direct", action="store_true", help="skip direct jupyter_client")
    parser.add_argument("--start-reps", type=int, default=5)
    parser.add_argument("--pool-wait", type=float, default=3.0, help="s between kernel starts")
    parser.add_argument("--exec-count", type=int, default=200)
    parser.add_argument("--stream-lines", type=int, default=100_000)
    parser.add_argument("--stream-reps", type=int, default=3)
    parser.add_argument("--tp-clients", type=int, default=10)
    parser.add_argument("--tp-executes", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    cold = None if args.no_cold else args.cold_cmd
    if cold is None and not args.no_cold and args.cmd == cb.DEFAULT_CMD:
        cold = DEFAULT_COLD_CMD
    opts = Options(
        name=args.name,
        cmd=args.cmd,
        cold_cmd=cold,
        direct=not args.no_direct,
        start_reps=args.start_reps,
        pool_wait=args.pool_wait,
        exec_count=args.exec_count,
        stream_lines=args.stream_lines,
        stream_reps=args.stream_reps,
        tp_clients=args.tp_clients,
        tp_executes=args.tp_executes,
        timeout=args.timeout,
    )
    return opts, args.out or cb.RESULTS_DIR / f"kernels-{args.name}.json"


def main(argv: Sequence[str] | None = None) -> int:
    opts, out = parse_args(argv)
    print(f"benchmarking kernels on {opts.name}: {opts.cmd}", flush=True)
    try:
        result = run(opts)
    except cb.BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    known = cb.known_paths()
    result = cb._scrub(result, known)
    cb.write_result(out, result)
    print()
    print(markdown(result))
    print(f"written: {cb.sanitize(str(out), known)} ({result['duration_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
