"""Terminal benchmarks (issue 7): keystroke echo round trip and bulk output throughput.

Measured on a carnet started from this checkout (terminals run ``/bin/sh``), through its
REST API and terminal websocket with terminado's protocol, exactly as a browser uses them;
and, as the floor on this machine, the same work on a bare pty in this process
(``ptyprocess`` read by the asyncio loop's reader, no server, no websocket)::

    .venv/bin/python bench/terminals_bench.py            # writes bench/results/terminals.json

Measures (median/min/max over the samples; the first sample is kept apart, it runs cold):

* ``create_s``: ``POST /api/terminals`` -> 200, a new terminal each time (then deleted).
  The very first one also imports terminado; it is reported as ``create_first_s``.
* ``echo_rtt_ms``: ``["stdin", "x"]`` sent -> the ``"x"`` echoed back received, one key at a
  time, with ``stty raw -echo; cat`` in the terminal (so the program echoes, as readline
  does). ``--warmup`` keys are not counted.
* ``seq_s`` / ``seq_mb_s``: ``seq 1 N; echo END`` sent -> the end marker received, and the
  output characters received per second (about 2 MB for N = 300000).

Network: 127.0.0.1 only; everything started is stopped by PID (its process group). Results
name no local path.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import carnet_bench as cb

SCHEMA = 1
REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "terminals.json"
SHELL = "/bin/sh"
COMMAND = (
    f"{{repo}}/.venv/bin/carnet --no-browser --ip 127.0.0.1 --port {{port}} "
    f"--IdentityProvider.token={{token}} --root-dir {{root}} "
    f"\"--ServerApp.terminado_settings={{{{'shell_command':['{SHELL}']}}}}\""
)
ECHO_START = "stty raw -echo; echo REA''DY; cat\r"
WAIT_S = 120.0


class Channel:
    """Send keys, receive output: the websocket or the bare pty behind one interface."""

    def __init__(
        self, send: Callable[[str], Awaitable[None]], receive: Callable[[], Awaitable[str]]
    ) -> None:
        self.send = send
        self._receive = receive
        self.received = 0
        self.frames = 0
        self.text = ""

    async def until(self, needle: str) -> None:
        """Receive until ``needle`` appears in the output after the last call."""
        self.text = ""
        while needle not in self.text:
            chunk = await asyncio.wait_for(self._receive(), WAIT_S)
            self.received += len(chunk)
            self.frames += 1
            self.text = self.text[-len(needle) :] + chunk

    async def count_until(self, char: str, count: int) -> None:
        seen = 0
        while seen < count:
            chunk = await asyncio.wait_for(self._receive(), WAIT_S)
            self.received += len(chunk)
            seen += chunk.count(char)


async def measure_echo(channel: Channel, keys: int, warmup: int) -> list[float]:
    await channel.send(ECHO_START)
    await channel.until("READY")
    samples = []
    for i in range(warmup + keys):
        t0 = time.perf_counter()
        await channel.send("x")
        await channel.count_until("x", 1)
        if i >= warmup:
            samples.append((time.perf_counter() - t0) * 1000)
    return samples


async def measure_seq(channel: Channel, count: int) -> tuple[float, int, int]:
    """Seconds, characters and messages (frames or reads) of one ``seq`` run."""
    before, frames = channel.received, channel.frames
    t0 = time.perf_counter()
    await channel.send(f"seq 1 {count}; echo SEQ''END\r")
    await channel.until("SEQEND")
    return time.perf_counter() - t0, channel.received - before, channel.frames - frames


# --- carnet over its API ------------------------------------------------------------------


async def ws_channel(server: cb.Server, name: str, stack: contextlib.AsyncExitStack) -> Channel:
    from websockets.asyncio.client import connect

    url = f"ws://127.0.0.1:{server.port}/terminals/websocket/{name}"
    ws = await stack.enter_async_context(
        connect(url, additional_headers=server.headers, max_size=None)
    )
    if json.loads(await ws.recv()) != ["setup", {}]:
        raise cb.BenchError("the terminal websocket did not start with setup")

    async def send(text: str) -> None:
        await ws.send(json.dumps(["stdin", text]))

    async def receive() -> str:
        while True:
            message = json.loads(await ws.recv())
            if message[0] == "stdout":
                return str(message[1])
            if message[0] == "disconnect":
                raise cb.BenchError("the terminal ended during the measure")

    return Channel(send, receive)


def create_terminal(client: httpx.Client) -> tuple[str, float]:
    t0 = time.perf_counter()
    response = client.post("api/terminals", json={})
    elapsed = time.perf_counter() - t0
    if response.status_code != 200:
        raise cb.BenchError(f"POST api/terminals -> {response.status_code}: {response.text}")
    return str(response.json()["name"]), elapsed


async def carnet_measures(opts: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    server, _ready = cb.start_server(COMMAND, scratch / "carnet", "/", timeout=60)
    metrics: dict[str, Any] = {}
    try:
        with httpx.Client(base_url=server.url, headers=server.headers, timeout=60) as client:
            first, metrics["create_first_s"] = create_terminal(client)
            client.delete(f"api/terminals/{first}")
            creates = []
            for _ in range(opts.reps):
                name, elapsed = create_terminal(client)
                creates.append(elapsed)
                client.delete(f"api/terminals/{name}")
            metrics["create_s"] = cb.summarize(creates)

            async with contextlib.AsyncExitStack() as stack:
                echo_name, _ = create_terminal(client)
                echo = await ws_channel(server, echo_name, stack)
                metrics["echo_rtt_ms"] = cb.summarize(
                    await measure_echo(echo, opts.keys, opts.warmup)
                )
                seq_name, _ = create_terminal(client)
                seq = await ws_channel(server, seq_name, stack)
                metrics.update(await seq_runs(seq, opts, _cpu_seconds(server.proc.pid)))
            server.remember_tree()
    finally:
        metrics["cleanup"] = cb.stop_server(server)
    return metrics


async def seq_runs(
    channel: Channel, opts: argparse.Namespace, cpu: Callable[[], float] | None = None
) -> dict[str, Any]:
    """``seq`` runs; ``cpu`` gives the server's CPU seconds so far (its cost per run, which
    load from other processes on the machine distorts less than wall time)."""
    seconds, rates, sizes, messages, cpus = [], [], [], [], []
    for _ in range(opts.reps):
        cpu0 = cpu() if cpu else 0.0
        elapsed, chars, frames = await measure_seq(channel, opts.seq)
        if cpu:
            cpus.append(cpu() - cpu0)
        seconds.append(elapsed)
        rates.append(chars / elapsed / 1e6)
        sizes.append(chars)
        messages.append(frames)
    result = {
        "seq_s": cb.summarize(seconds),
        "seq_mb_s": cb.summarize(rates),
        "seq_chars": max(sizes),
        "seq_messages": cb.summarize(messages),
    }
    if cpus:
        result["seq_server_cpu_s"] = cb.summarize(cpus)
    return result


def _cpu_seconds(pid: int) -> Callable[[], float]:
    import psutil

    process = psutil.Process(pid)

    def seconds() -> float:
        times = process.cpu_times()
        return float(times.user + times.system)

    return seconds


# --- the floor: a bare pty in this process --------------------------------------------------


async def direct_measures(opts: argparse.Namespace, root: Path) -> dict[str, Any]:
    from ptyprocess import PtyProcessUnicode

    loop = asyncio.get_running_loop()
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update({"TERM": "xterm-256color", "PS1": "$ "})
    metrics: dict[str, Any] = {}
    for purpose in ("echo", "seq"):
        pty = PtyProcessUnicode.spawn([SHELL], cwd=str(root), env=env)
        queue: asyncio.Queue[str] = asyncio.Queue()

        def readable(pty: Any = pty, queue: asyncio.Queue[str] = queue) -> None:
            try:
                queue.put_nowait(pty.read(65536))
            except EOFError:
                loop.remove_reader(pty.fd)

        loop.add_reader(pty.fd, readable)

        async def send(text: str, pty: Any = pty) -> None:
            pty.write(text)

        channel = Channel(send, queue.get)
        try:
            if purpose == "echo":
                samples = await measure_echo(channel, opts.keys, opts.warmup)
                metrics["echo_rtt_ms"] = cb.summarize(samples)
            else:
                metrics.update(await seq_runs(channel, opts))
        finally:
            loop.remove_reader(pty.fd)
            pty.terminate(force=True)
            pty.close()
    return metrics


# --- the run --------------------------------------------------------------------------------


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for dist in ("carnet", "terminado", "ptyprocess", "tornado", "websockets", "uvicorn"):
        with contextlib.suppress(PackageNotFoundError):
            found[dist] = version(dist)
    return found


def _ratio(carnet: dict[str, Any], direct: dict[str, Any], key: str) -> float:
    return float(carnet[key]["median"]) / float(direct[key]["median"])


def markdown(result: dict[str, Any]) -> str:
    carnet, direct = result["carnet"], result["direct"]
    rows = [
        ("terminal create (first, imports terminado)", f"{carnet['create_first_s']:.3f} s", ""),
        ("terminal create", f"{carnet['create_s']['median'] * 1000:.1f} ms", ""),
        (
            "echo round trip (median / max)",
            f"{carnet['echo_rtt_ms']['median']:.2f} / {carnet['echo_rtt_ms']['max']:.2f} ms",
            f"{direct['echo_rtt_ms']['median']:.2f} / {direct['echo_rtt_ms']['max']:.2f} ms",
        ),
        (
            f"seq 1 {result['params']['seq']} (median)",
            f"{carnet['seq_s']['median']:.3f} s, {carnet['seq_mb_s']['median']:.1f} MB/s",
            f"{direct['seq_s']['median']:.3f} s, {direct['seq_mb_s']['median']:.1f} MB/s",
        ),
        (
            "seq: messages (median)",
            f"{carnet['seq_messages']['median']:.0f} frames",
            f"{direct['seq_messages']['median']:.0f} reads",
        ),
        ("seq: server CPU (median)", f"{carnet['seq_server_cpu_s']['median']:.3f} s", ""),
    ]
    lines = ["| measure | carnet (websocket) | bare pty (floor) |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="creates and seq runs (default 5)")
    parser.add_argument("--keys", type=int, default=500, help="echo samples (default 500)")
    parser.add_argument("--warmup", type=int, default=20, help="echo keys not counted")
    parser.add_argument("--seq", type=int, default=300000, help="seq 1 N (default 300000)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="result file")
    opts = parser.parse_args(argv)
    started = time.perf_counter()
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "name": "terminals",
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": COMMAND,
        "params": {"reps": opts.reps, "keys": opts.keys, "warmup": opts.warmup, "seq": opts.seq},
        "machine": cb.machine_info(),
        "versions": _versions(),
    }
    with tempfile.TemporaryDirectory(prefix="carnet-terminals-bench-") as tmp:
        scratch = Path(tmp)
        result["carnet"] = asyncio.run(carnet_measures(opts, scratch))
        (scratch / "direct").mkdir()
        result["direct"] = asyncio.run(direct_measures(opts, scratch / "direct"))
    with contextlib.suppress(OSError, AttributeError):
        result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["ratios"] = {
        "echo_rtt": _ratio(result["carnet"], result["direct"], "echo_rtt_ms"),
        "seq_s": _ratio(result["carnet"], result["direct"], "seq_s"),
    }
    result["duration_s"] = round(time.perf_counter() - started, 1)
    cb.write_result(opts.out, result)
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
