"""Benchmark a Jupyter-compatible server against carnet's performance targets (design.md §6).

Starts the server under test as a subprocess from a command template, measures it over the
Jupyter Server REST API, stops everything it started, writes ``bench/results/<name>.json``
and prints a Markdown table against the targets::

    .venv/bin/python bench/carnet_bench.py                       # carnet from this checkout
    .venv/bin/python bench/carnet_bench.py --name jupyterlab \\
        --cmd 'JUPYTER --no-browser --allow-root --ServerApp.port_retries=0 --port {port}
               --IdentityProvider.token={token} --ServerApp.root_dir={root}'

(``JUPYTER`` being ``jupyter lab`` from a venv outside this repo: carnet installs its own
``jupyter-lab`` command, so JupyterLab must never be installed into carnet's environment.)

Measured, each over ``--reps`` repetitions (median/min/max, first sample kept apart):

* ``startup_s``: spawn -> first 200 from an authenticated ``GET /api/status``, polled every
  10 ms. Each repetition is a new process with an empty root dir and empty Jupyter config,
  data and runtime dirs; the last one stays up for the measures below.
* ``idle_rss_mib``: RSS of the process listening on the port, ``--settle`` s after ready.
* ``list_dir_s``: ``GET /api/contents/many?content=1`` of a dir of ``--dir-files`` 64-byte files.
* ``nb_put_s`` / ``nb_get_s``: ``PUT`` (overwrite) then ``GET`` of a ~20 MB notebook made with
  nbformat (``--nb-cells`` code cells, each with one ~200 KB base64 PNG output); the body is
  serialised beforehand; time = request sent -> whole response read.

The fuller harness (kernels, websockets, the browser) lives outside the repo; this one is small
enough to run on every change. Network: 127.0.0.1 only. Placeholders in ``--cmd``: ``{port}``,
``{token}``, ``{root}``, ``{repo}`` (this checkout). The command runs without a shell, in its
own session (process group), in a scratch dir that is deleted afterwards (``--keep-scratch``
keeps it and the server logs). Results name no local path.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import json
import os
import platform
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

REPO = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
SCHEMA = 1

DEFAULT_CMD = (
    "{repo}/.venv/bin/carnet --no-browser --ip 127.0.0.1 --port {port}"
    " --IdentityProvider.token={token} --root-dir {root}"
)

# design.md §6 (carnet's targets) and the JupyterLab 4.6.6 anchor measured on this kind of box.
TARGETS: dict[str, float] = {
    "startup_s": 0.5,
    "list_dir_s": 0.1,
    "nb_put_s": 0.15,
    "nb_get_s": 0.15,
    "idle_rss_mib": 45.0,
}
LABELS: dict[str, str] = {
    "startup_s": "start-up -> authenticated /api/status",
    "list_dir_s": "GET dir of {dir_files} files (content=1)",
    "nb_put_s": "PUT {nb_mb:.0f} MB notebook",
    "nb_get_s": "GET {nb_mb:.0f} MB notebook",
    "idle_rss_mib": "idle server RSS",
}
UNITS: dict[str, str] = {
    "startup_s": "s",
    "list_dir_s": "s",
    "nb_put_s": "s",
    "nb_get_s": "s",
    "idle_rss_mib": "MiB",
}

POLL_S = 0.010
DIR_NAME = "many"
NB_NAME = "big.ipynb"


class BenchError(Exception):
    """The server under test misbehaved (did not start, answered an error)."""


# --- statistics and results (pure; tested in tests/bench) --------------------------------


def summarize(samples: Sequence[float]) -> dict[str, Any]:
    """Median, min, max, mean and the raw samples; ``first`` apart because it runs cold."""
    if not samples:
        raise ValueError("no samples to summarise")
    values = [float(s) for s in samples]
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "mean": statistics.fmean(values),
        "stdev": statistics.stdev(values) if len(values) > 1 else 0.0,
        "first": values[0],
        "n": len(values),
        "samples": values,
    }


def render_command(template: str, **values: str) -> list[str]:
    """Splits ``template`` like a shell would, then fills ``{name}`` placeholders per argument.

    Splitting first keeps a placeholder's value (a path with spaces) one argument; unknown
    placeholders are an error rather than a server started with a literal ``{root}``.
    """
    argv = []
    for arg in shlex.split(template):
        try:
            argv.append(arg.format_map(values))
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"bad placeholder in command argument {arg!r}: {exc}") from exc
    if not argv:
        raise ValueError("empty command")
    return argv


# An absolute path's directory part, not inside a URL ("http://h/p/"), a label ("<repo>/"),
# a placeholder ("{repo}/") or a relative path ("a/b/").
_ABS_DIR = re.compile(r"(?<![\w.~<>{}:/-])/(?:[^\s/'\"]+/)+")


def sanitize(text: str, known: Sequence[tuple[Path | str, str]] = ()) -> str:
    """``text`` without this machine's paths: each known prefix becomes its label, then the
    directory part of any other absolute path becomes ``<dir>/`` (``/opt/x/bin/jupyter`` ->
    ``<dir>/jupyter``), so results can be shared and committed."""
    for prefix, label in sorted(known, key=lambda pair: -len(str(pair[0]))):
        if str(prefix) not in ("", "/"):
            text = text.replace(str(prefix), label)
    return _ABS_DIR.sub("<dir>/", text)


def write_result(path: Path, result: dict[str, Any]) -> None:
    """Writes JSON atomically (temp file + rename): a crash never leaves half a result."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    return f"{value:.1f} {unit}"


def markdown_table(result: dict[str, Any], baseline: dict[str, Any] | None = None) -> str:
    """The result as a Markdown table: median/min/max per measure against its target, and the
    baseline's median (e.g. JupyterLab measured on the same machine) when given."""
    params = result.get("params", {})
    label_values = {
        "dir_files": params.get("dir_files", "?"),
        "nb_mb": result.get("sizes", {}).get("nb_body_bytes", 0) / 1e6,
    }
    header = ["measure", "median", "min", "max", "n", "target", "meets"]
    if baseline is not None:
        header.append(f"{baseline.get('name', 'baseline')} median")
    rows = [header, ["---"] * len(header)]
    for key, target in TARGETS.items():
        stats = result.get("metrics", {}).get(key)
        unit = UNITS[key]
        row = [LABELS[key].format(**label_values)]
        if stats is None:
            row += ["-", "-", "-", "0", f"≤ {_fmt(target, unit)}", "not measured"]
        else:
            row += [
                _fmt(stats["median"], unit),
                _fmt(stats["min"], unit),
                _fmt(stats["max"], unit),
                str(stats["n"]),
                f"≤ {_fmt(target, unit)}",
                "yes" if stats["median"] <= target else "no",
            ]
        if baseline is not None:
            base = baseline.get("metrics", {}).get(key)
            row.append("-" if base is None else _fmt(base["median"], unit))
        rows.append(row)
    title = f"**{result.get('name', '?')}** (`{result.get('command', '')}`)"
    return title + "\n\n" + "\n".join("| " + " | ".join(r) + " |" for r in rows) + "\n"


# --- workload -----------------------------------------------------------------------------


def make_notebook_body(cells: int, png_bytes: int, seed: int = 0) -> bytes:
    """A Contents API ``PUT`` body: a valid v4 notebook of ``cells`` code cells, each with a
    base64 "PNG" of ``png_bytes`` random (incompressible) bytes, like plots in real notebooks."""
    import nbformat

    rng = random.Random(seed)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for i in range(cells):
        png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + rng.randbytes(png_bytes)).decode("ascii")
        output = nbformat.v4.new_output(
            "display_data", data={"image/png": png, "text/plain": "<Figure size 640x480>"}
        )
        nb.cells.append(
            nbformat.v4.new_code_cell(
                f"plot({i})", execution_count=i + 1, outputs=[output], id=f"cell-{i}"
            )
        )
    nbformat.validate(nb)
    return json.dumps({"type": "notebook", "format": "json", "content": nb}).encode("utf-8")


def make_dir(path: Path, files: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    payload = b"x" * 63 + b"\n"
    for i in range(files):
        (path / f"file-{i:05d}.txt").write_bytes(payload)


# --- the server under test ------------------------------------------------------------------


def free_port() -> int:
    """A port free on 127.0.0.1 right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    token: str
    root: Path
    log: Path
    base_url: str
    seen: dict[int, float] = field(default_factory=dict)  # pid -> create_time, whole tree

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.base_url}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def remember_tree(self) -> None:
        """Records every process in the server's tree, to stop stragglers later by identity."""
        with contextlib.suppress(psutil.Error):
            top = psutil.Process(self.proc.pid)
            for p in [top, *top.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    self.seen[p.pid] = p.create_time()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def start_server(
    template: str, scratch: Path, base_url: str, timeout: float, isolate: bool = True
) -> tuple[Server, float]:
    """Spawns the server with a fresh root (and Jupyter dirs) and waits until it answers an
    authenticated ``/api/status``; returns it with the spawn -> ready time."""
    scratch.mkdir(parents=True)
    root = scratch / "root"
    root.mkdir()
    port, token = free_port(), secrets.token_hex(24)
    argv = render_command(template, port=str(port), token=token, root=str(root), repo=str(REPO))
    env = dict(os.environ)
    if isolate:
        for var, name in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_DATA_DIR", "data"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("IPYTHONDIR", "ipython"),
        ]:
            (scratch / name).mkdir()
            env[var] = str(scratch / name)
    log = scratch / "server.log"
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=scratch,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(proc, port, token, root, log, base_url)
    deadline = t0 + timeout
    status_url = server.url + "api/status"
    with httpx.Client(headers=server.headers, timeout=1.0) as client:
        while True:
            try:
                if client.get(status_url).status_code == 200:
                    ready = time.perf_counter() - t0
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                raise BenchError(
                    f"server exited with {proc.returncode} before it was ready:\n"
                    + server.log_tail()
                )
            if time.perf_counter() > deadline:
                stop_server(server)
                raise BenchError(f"server not ready after {timeout} s:\n{server.log_tail()}")
            time.sleep(POLL_S)
    server.remember_tree()
    return server, ready


def listener_rss_mib(server: Server) -> float:
    """RSS of the process in the server's tree that listens on its port (a wrapper script or
    ``jupyter`` launcher may sit above it), falling back to the spawned process."""
    with contextlib.suppress(psutil.Error):
        top = psutil.Process(server.proc.pid)
        for p in [top, *top.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                for conn in p.net_connections(kind="inet"):
                    if conn.status == psutil.CONN_LISTEN and conn.laddr.port == server.port:
                        return float(p.memory_info().rss) / 2**20
        return float(top.memory_info().rss) / 2**20
    raise BenchError("server process vanished before its memory was measured")


def stop_server(server: Server) -> list[str]:
    """Stops the server and everything it spawned; returns what that took.

    ``POST /api/shutdown`` first (a clean exit), then SIGTERM/SIGKILL to its process group
    while its leader is unreaped (so the group id cannot have been reused), then any process
    once seen in its tree whose pid still has the same create time. Nothing else is signalled.
    """
    steps: list[str] = []
    server.remember_tree()
    proc = server.proc
    if proc.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            httpx.post(server.url + "api/shutdown", headers=server.headers, timeout=5.0)
            steps.append("api/shutdown")
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5.0)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
            steps.append(f"killpg {sig.name}")
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5.0)
    for pid, created in server.seen.items():
        with contextlib.suppress(psutil.Error):
            p = psutil.Process(pid)
            if p.create_time() == created and p.is_running():
                p.kill()
                steps.append("killed straggler")
    return steps


# --- measures -----------------------------------------------------------------------------


def timed(client: httpx.Client, method: str, url: str, body: bytes | None = None) -> float:
    """Seconds from sending the request to having read the whole response; errors raise."""
    t0 = time.perf_counter()
    response = client.request(method, url, content=body)
    response.read()
    elapsed = time.perf_counter() - t0
    if response.status_code >= 400:
        raise BenchError(f"{method} {url} -> {response.status_code}: {response.text[:300]}")
    return elapsed


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "system": platform.system(),
        "release": platform.release(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
    }
    with contextlib.suppress(OSError, AttributeError):
        info["loadavg_start"] = [round(x, 2) for x in os.getloadavg()]
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    return info


def harness_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for dist in ("httpx", "psutil", "nbformat"):
        with contextlib.suppress(PackageNotFoundError):
            found[dist] = version(dist)
    return found


@dataclass
class Options:
    name: str
    cmd: str
    reps: int
    dir_files: int
    nb_cells: int
    png_kb: int
    settle: float
    timeout: float
    base_url: str
    isolate: bool
    workdir: Path | None
    keep_scratch: bool
    version_cmds: list[str]


def run(opts: Options) -> dict[str, Any]:
    """Runs every measure and returns the result document (see module docstring)."""
    started = time.perf_counter()
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "name": opts.name,
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": opts.cmd,
        "params": {
            "reps": opts.reps,
            "dir_files": opts.dir_files,
            "nb_cells": opts.nb_cells,
            "png_kb": opts.png_kb,
            "settle_s": opts.settle,
            "poll_s": POLL_S,
            "isolated_config": opts.isolate,
        },
        "machine": machine_info(),
        "versions": {"harness": harness_versions()},
        "targets": TARGETS,
    }
    body = make_notebook_body(opts.nb_cells, opts.png_kb * 750)  # 4/3 base64 -> png_kb KB
    result["sizes"] = {"nb_body_bytes": len(body)}
    startup: list[float] = []
    rss: list[float] = []
    cleanup: list[list[str]] = []
    tmp = tempfile.mkdtemp(prefix="carnet-bench-", dir=opts.workdir)
    scratch = Path(tmp)
    server: Server | None = None
    try:
        for rep in range(opts.reps):
            server, ready = start_server(
                opts.cmd, scratch / f"server-{rep}", opts.base_url, opts.timeout, opts.isolate
            )
            startup.append(ready)
            time.sleep(opts.settle)
            rss.append(listener_rss_mib(server))
            print(f"  start {rep + 1}/{opts.reps}: {ready:.3f} s, {rss[-1]:.1f} MiB", flush=True)
            if rep < opts.reps - 1:
                cleanup.append(stop_server(server))
                server = None
        assert server is not None
        result["metrics"] = {"startup_s": summarize(startup), "idle_rss_mib": summarize(rss)}

        with httpx.Client(headers=server.headers, timeout=300.0) as client:
            api = client.get(server.url + "api")
            api.raise_for_status()
            result["versions"]["server_api"] = api.json()

            make_dir(server.root / DIR_NAME, opts.dir_files)
            listing = [
                timed(client, "GET", server.url + f"api/contents/{DIR_NAME}?content=1")
                for _ in range(opts.reps)
            ]
            result["metrics"]["list_dir_s"] = summarize(listing)
            print(f"  list {opts.dir_files} files: {statistics.median(listing):.3f} s", flush=True)

            nb_url = server.url + f"api/contents/{NB_NAME}"
            timed(client, "PUT", nb_url, body)  # creates it: later PUTs overwrite, as measured
            puts = [timed(client, "PUT", nb_url, body) for _ in range(opts.reps)]
            gets = [timed(client, "GET", nb_url + "?content=1") for _ in range(opts.reps)]
            result["metrics"]["nb_put_s"] = summarize(puts)
            result["metrics"]["nb_get_s"] = summarize(gets)
            print(
                f"  notebook {len(body) / 1e6:.1f} MB: PUT {statistics.median(puts):.3f} s,"
                f" GET {statistics.median(gets):.3f} s",
                flush=True,
            )
    except BaseException:
        if server is not None:
            print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        if server is not None:
            cleanup.append(stop_server(server))
        if opts.keep_scratch:
            print(f"scratch kept: {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    result["cleanup"] = cleanup
    result["versions"]["commands"] = {c: _version_of(c) for c in opts.version_cmds}
    with contextlib.suppress(OSError, AttributeError):
        result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["duration_s"] = round(time.perf_counter() - started, 1)
    return result


def _version_of(cmd: str) -> str:
    try:
        out = subprocess.run(
            shlex.split(cmd), capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"error: {exc}"
    return (out.stdout + out.stderr).strip()


def known_paths(workdir: Path | None = None) -> list[tuple[Path | str, str]]:
    """This machine's paths that results must not hold, with the labels that replace them
    (every bench scrubs its results with these)."""
    known: list[tuple[Path | str, str]] = [
        (REPO, "<repo>"),
        (Path.home(), "~"),
        (sys.prefix, "<python-prefix>"),
        (tempfile.gettempdir(), "<tmp>"),
    ]
    if workdir is not None:
        known.append((workdir, "<workdir>"))
    return known


def _scrub(value: Any, known: Sequence[tuple[Path | str, str]]) -> Any:
    if isinstance(value, str):
        return sanitize(value, known)
    if isinstance(value, dict):
        return {sanitize(str(k), known): _scrub(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, known) for v in value]
    return value


def parse_args(argv: Sequence[str] | None = None) -> tuple[Options, Path, Path | None]:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--name", default="carnet", help="result name (default: carnet)")
    parser.add_argument(
        "--cmd",
        default=DEFAULT_CMD,
        help="server command; placeholders {port} {token} {root} {repo} (default: %(default)s)",
    )
    parser.add_argument("--reps", type=int, default=5, help="repetitions per measure")
    parser.add_argument("--dir-files", type=int, default=5000)
    parser.add_argument("--nb-cells", type=int, default=100)
    parser.add_argument("--png-kb", type=int, default=200, help="base64 size of each output")
    parser.add_argument("--settle", type=float, default=2.0, help="s after ready before RSS")
    parser.add_argument("--timeout", type=float, default=60.0, help="start-up timeout, s")
    parser.add_argument("--base-url", default="/", help="the server's URL prefix")
    parser.add_argument("--no-isolate", action="store_true", help="keep the user's Jupyter dirs")
    parser.add_argument("--workdir", type=Path, help="where scratch dirs go (default: temp)")
    parser.add_argument("--keep-scratch", action="store_true")
    parser.add_argument("--out", type=Path, help="result file (default: results/NAME.json)")
    parser.add_argument("--baseline", type=Path, help="a result to compare against")
    parser.add_argument(
        "--version-cmd", action="append", default=[], help="record this command's output"
    )
    args = parser.parse_args(argv)
    if args.reps < 1 or args.dir_files < 0 or args.nb_cells < 1 or args.png_kb < 1:
        parser.error("--reps, --nb-cells and --png-kb must be >= 1, --dir-files >= 0")
    if not re.fullmatch(r"[\w.-]+", args.name):
        parser.error("--name may hold letters, digits, '.', '_' and '-' only")
    base_url = "/" + args.base_url.strip("/") + "/" if args.base_url.strip("/") else "/"
    opts = Options(
        name=args.name,
        cmd=args.cmd,
        reps=args.reps,
        dir_files=args.dir_files,
        nb_cells=args.nb_cells,
        png_kb=args.png_kb,
        settle=args.settle,
        timeout=args.timeout,
        base_url=base_url,
        isolate=not args.no_isolate,
        workdir=args.workdir,
        keep_scratch=args.keep_scratch,
        version_cmds=args.version_cmd,
    )
    return opts, args.out or RESULTS_DIR / f"{args.name}.json", args.baseline


def main(argv: Sequence[str] | None = None) -> int:
    opts, out, baseline_path = parse_args(argv)
    print(f"benchmarking {opts.name}: {opts.cmd}", flush=True)
    try:
        result = run(opts)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    result = _scrub(result, known_paths(opts.workdir))
    write_result(out, result)
    baseline = json.loads(baseline_path.read_text(encoding="utf-8")) if baseline_path else None
    print()
    print(markdown_table(result, baseline))
    print(f"written: {sanitize(str(out), known_paths(opts.workdir))} ({result['duration_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
