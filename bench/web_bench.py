"""Benchmark carnet's IDE in Chromium: ``/lab`` -> usable, cold cache (design.md §6: ≤ 0.5 s,
JupyterLab 5.0 s here).

Starts a real carnet (as ``carnet_bench.py`` does: fresh root and Jupyter dirs, a token), then
for each of ``--reps`` runs launches a new headless Chromium with a new, empty profile (so the
HTTP cache, the V8 code cache and cookies are cold) and loads ``/lab?token=…`` as a user
clicking carnet's start-up link does. Measured in the page, from navigation start
(``performance.now()``'s origin, which includes the token redirect):

* ``ready_s``: to the first frame after ``<body data-carnet-ready="1">`` (the shell is usable:
  menus, file browser listed, layout restored); ``ready_mark_s``: to the attribute itself;
* ``fcp_s`` (first contentful paint) and ``dcl_s`` (DOMContentLoaded);
* network until ready, from Resource Timing: ``requests`` (document, redirects and every
  resource started before ready), ``js_css_bytes`` (JS+CSS bodies as transferred, i.e.
  compressed: ``js_css_content_encodings`` says how) and ``transfer_bytes`` (everything
  incl. headers);
* ``warm_ready_s``: the same page loaded again in the same profile (HTTP cache warm, cookie set).

Between runs the saved workspace is deleted, so every run opens the default layout. Results
(median/min/max per measure) go to ``bench/results/web.json`` (no local paths) and a Markdown
table is printed::

    .venv/bin/python bench/web_bench.py            # 10 runs against this checkout's carnet
    .venv/bin/python bench/web_bench.py --reps 3 --files 200

Needs Debian's chromium (``make chromium``) and Playwright for Python (in carnet's dev env);
Playwright's own browser download is never used. Network: 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
SCHEMA = 1
READY_SELECTOR = 'body[data-carnet-ready="1"]'
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
]

# design.md §6: carnet's targets, and JupyterLab 4.6.6 measured on this machine by the shared
# harness (/lab in a fresh profile -> launcher visible, splash gone; JS transferred).
TARGETS: dict[str, float] = {"ready_s": 0.5, "js_css_bytes": 300 * 1024}
JUPYTERLAB: dict[str, float] = {"ready_s": 5.01, "js_css_bytes": 4.71 * 2**20, "requests": 70}
LABELS: dict[str, str] = {
    "ready_s": "/lab -> usable (first frame after ready), cold cache",
    "ready_mark_s": "/lab -> ready attribute set, cold cache",
    "fcp_s": "first contentful paint",
    "dcl_s": "DOMContentLoaded",
    "warm_ready_s": "/lab -> usable, warm cache",
    "requests": "requests until ready",
    "js_css_bytes": "JS+CSS transferred until ready (compressed bodies)",
    "transfer_bytes": "all bytes transferred until ready (incl. headers)",
}
UNITS: dict[str, str] = {
    "ready_s": "s",
    "ready_mark_s": "s",
    "fcp_s": "s",
    "dcl_s": "s",
    "warm_ready_s": "s",
    "requests": "",
    "js_css_bytes": "bytes",
    "transfer_bytes": "bytes",
}

# Runs before any page script: records when the app marks itself ready, and the next frame.
READY_WATCH = """
(() => {
  const seen = () => {
    if (window.__carnetBench || !document.body || document.body.dataset.carnetReady !== "1") return;
    const mark = performance.now();
    window.__carnetBench = { mark, frame: null };
    requestAnimationFrame(() => { window.__carnetBench.frame = performance.now(); });
  };
  new MutationObserver(seen).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["data-carnet-ready"],
  });
})();
"""

# Playwright evaluates a bare expression with eval(), which the page's CSP refuses: a function.
READY_DONE = "() => Boolean(window.__carnetBench && window.__carnetBench.frame !== null)"

# Collected once the frame after ready has run: timings and the resources started before it.
COLLECT = """
() => {
  const nav = performance.getEntriesByType("navigation")[0] || {};
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const resources = performance.getEntriesByType("resource").map((r) => ({
    name: r.name, startTime: r.startTime, initiatorType: r.initiatorType,
    transferSize: r.transferSize, encodedBodySize: r.encodedBodySize,
  }));
  return {
    ready: window.__carnetBench,
    dcl: nav.domContentLoadedEventEnd ?? null,
    fcp: paint ? paint.startTime : null,
    navigation: {
      transferSize: nav.transferSize ?? 0, encodedBodySize: nav.encodedBodySize ?? 0,
      redirectCount: nav.redirectCount ?? 0,
    },
    resources,
  };
}
"""


def _load_carnet_bench() -> ModuleType:
    """The REST bench's helpers (server start/stop, statistics, scrubbing), loaded by path."""
    spec = importlib.util.spec_from_file_location("carnet_bench", BENCH_DIR / "carnet_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


cb = _load_carnet_bench()


class BenchError(Exception):
    """The page did not become ready, or the browser or server misbehaved."""


# --- pure helpers (tested in tests/bench) ---------------------------------------------------


def is_js_or_css(url: str) -> bool:
    path = url.split("?", 1)[0].split("#", 1)[0]
    return path.endswith((".js", ".mjs", ".css"))


def network_until(sample: dict[str, Any], ready_ms: float) -> dict[str, int]:
    """Requests and bytes of the navigation and of the resources started before `ready_ms`.

    `js_css_bytes` counts compressed bodies (Resource Timing's ``encodedBodySize``), which is
    what the first-load budget limits; `transfer_bytes` adds headers and everything else.
    """
    nav = sample.get("navigation", {})
    requests = 1 + int(nav.get("redirectCount", 0))
    transfer = int(nav.get("transferSize", 0))
    js_css = 0
    for entry in sample.get("resources", []):
        if float(entry.get("startTime", 0.0)) > ready_ms:
            continue
        requests += 1
        transfer += int(entry.get("transferSize", 0))
        if is_js_or_css(str(entry.get("name", ""))):
            js_css += int(entry.get("encodedBodySize", 0))
    return {"requests": requests, "js_css_bytes": js_css, "transfer_bytes": transfer}


def run_metrics(sample: dict[str, Any]) -> dict[str, float]:
    """One cold run's numbers (seconds and counts) from what COLLECT returned."""
    ready = sample.get("ready") or {}
    mark, frame = ready.get("mark"), ready.get("frame")
    if not isinstance(mark, (int, float)) or not isinstance(frame, (int, float)):
        raise BenchError(f"the page never recorded its ready time: {ready!r}")
    out: dict[str, float] = {"ready_s": frame / 1000, "ready_mark_s": mark / 1000}
    for key, name in (("fcp", "fcp_s"), ("dcl", "dcl_s")):
        value = sample.get(key)
        if isinstance(value, (int, float)) and value > 0:
            out[name] = value / 1000
    out.update({k: float(v) for k, v in network_until(sample, float(frame)).items()})
    return out


def fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "bytes":
        return f"{value / 1024:.1f} KiB" if value < 2**20 else f"{value / 2**20:.2f} MiB"
    return f"{value:.0f}"


def markdown_table(result: dict[str, Any]) -> str:
    """Median/min/max per measure, the target where there is one, and JupyterLab's number."""
    header = ["measure", "median", "min", "max", "n", "target", "JupyterLab"]
    rows = [header, ["---"] * len(header)]
    for key, label in LABELS.items():
        stats = result.get("metrics", {}).get(key)
        if stats is None:
            continue
        unit = UNITS[key]
        target = TARGETS.get(key)
        lab = JUPYTERLAB.get(key)
        rows.append(
            [
                label,
                fmt(stats["median"], unit),
                fmt(stats["min"], unit),
                fmt(stats["max"], unit),
                str(stats["n"]),
                "-" if target is None else f"≤ {fmt(target, unit)}",
                "-" if lab is None else fmt(lab, unit),
            ]
        )
    title = f"**{result.get('name', '?')}** (`{result.get('command', '')}`)"
    return title + "\n\n" + "\n".join("| " + " | ".join(r) + " |" for r in rows) + "\n"


def chromium_path(explicit: str | None = None) -> str:
    """Debian's chromium binary (the real one behind the /usr/bin wrapper when present)."""
    candidates = [explicit] if explicit else list(CHROMIUM_CANDIDATES)
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium")
    if found is None or explicit:
        raise BenchError(f"chromium not found ({', '.join(c for c in candidates if c)})")
    return found


# --- the measure --------------------------------------------------------------------------


@dataclass
class Options:
    name: str
    cmd: str
    reps: int
    files: int
    timeout: float
    chromium: str | None
    workdir: Path | None
    keep_scratch: bool


def _reset_workspace(server: Any) -> None:
    import httpx

    with contextlib.suppress(httpx.HTTPError):
        httpx.delete(server.url + "lab/api/workspaces/default", headers=server.headers, timeout=10)


def _one_run(
    playwright: Any,
    executable: str,
    server: Any,
    profile: Path,
    timeout_ms: float,
    encodings: set[str],
) -> dict[str, float]:
    """A cold load in a new browser with an empty profile, then a warm load in the same one.
    Adds the content encodings of the JS and CSS responses to `encodings`."""
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=executable,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 800},
    )
    try:
        context.add_init_script(READY_WATCH)
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(timeout_ms)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        def on_response(response: Any) -> None:
            if is_js_or_css(response.url):
                encodings.add(response.headers.get("content-encoding", "identity"))

        page.on("response", on_response)
        t0 = time.perf_counter()
        page.goto(f"{server.url}lab?token={server.token}", wait_until="commit")
        page.wait_for_function(READY_DONE)
        wall = time.perf_counter() - t0
        metrics = run_metrics(page.evaluate(COLLECT))
        metrics["ready_wall_s"] = wall
        if errors:
            raise BenchError(f"errors in the page: {errors}")
        page.goto(f"{server.url}lab", wait_until="commit")
        page.wait_for_function(READY_DONE)
        warm = page.evaluate(COLLECT)
        metrics["warm_ready_s"] = float(warm["ready"]["frame"]) / 1000
        return metrics
    finally:
        context.close()


def run(opts: Options) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    executable = chromium_path(opts.chromium)
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "bench": "web_bench",
        "name": opts.name,
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": opts.cmd,
        "params": {"reps": opts.reps, "files": opts.files, "ready_selector": READY_SELECTOR},
        "machine": cb.machine_info(),
        "targets": TARGETS,
        "jupyterlab": JUPYTERLAB,
    }
    scratch = Path(tempfile.mkdtemp(prefix="carnet-web-bench-", dir=opts.workdir))
    server = None
    samples: dict[str, list[float]] = {}
    encodings: set[str] = set()
    try:
        server, _ = cb.start_server(opts.cmd, scratch / "server", "/", opts.timeout)
        for i in range(opts.files):
            (server.root / f"file-{i:04d}.txt").write_text(f"file {i}\n")
        with sync_playwright() as playwright:
            result["versions"] = {"playwright": _version("playwright")}
            for rep in range(opts.reps):
                _reset_workspace(server)
                profile = scratch / f"profile-{rep}"
                metrics = _one_run(
                    playwright, executable, server, profile, opts.timeout * 1000, encodings
                )
                shutil.rmtree(profile, ignore_errors=True)
                for key, value in metrics.items():
                    samples.setdefault(key, []).append(value)
                print(
                    f"  run {rep + 1}/{opts.reps}: ready {metrics['ready_s']:.3f} s"
                    f" (warm {metrics['warm_ready_s']:.3f} s), {metrics['requests']:.0f} requests,"
                    f" {metrics['js_css_bytes'] / 1024:.1f} KiB JS+CSS",
                    flush=True,
                )
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            result["versions"]["chromium"] = browser.version
            browser.close()
    except BaseException:
        if server is not None:
            print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        if server is not None:
            result["cleanup"] = cb.stop_server(server)
        if opts.keep_scratch:
            print(f"scratch kept: {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    result["metrics"] = {key: cb.summarize(values) for key, values in samples.items()}
    result["js_css_content_encodings"] = sorted(encodings)
    with contextlib.suppress(OSError, AttributeError):
        result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["duration_s"] = round(time.perf_counter() - started, 1)
    return result


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def parse_args(argv: Sequence[str] | None = None) -> tuple[Options, Path]:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--name", default="web", help="result name (default: web)")
    parser.add_argument(
        "--cmd",
        default=cb.DEFAULT_CMD,
        help="carnet command; placeholders {port} {token} {root} {repo} (default: %(default)s)",
    )
    parser.add_argument("--reps", type=int, default=10, help="cold page loads (default: 10)")
    parser.add_argument("--files", type=int, default=20, help="files in the root dir")
    parser.add_argument("--timeout", type=float, default=60.0, help="per start/load, s")
    parser.add_argument("--chromium", help="the browser binary (default: Debian's chromium)")
    parser.add_argument("--workdir", type=Path, help="where scratch dirs go (default: temp)")
    parser.add_argument("--keep-scratch", action="store_true")
    parser.add_argument("--out", type=Path, help="result file (default: results/NAME.json)")
    args = parser.parse_args(argv)
    if args.reps < 1 or args.files < 0 or args.timeout <= 0:
        parser.error("--reps must be >= 1, --files >= 0, --timeout > 0")
    if not all(c.isalnum() or c in "._-" for c in args.name):
        parser.error("--name may hold letters, digits, '.', '_' and '-' only")
    opts = Options(
        name=args.name,
        cmd=args.cmd,
        reps=args.reps,
        files=args.files,
        timeout=args.timeout,
        chromium=args.chromium,
        workdir=args.workdir,
        keep_scratch=args.keep_scratch,
    )
    return opts, args.out or cb.RESULTS_DIR / f"{args.name}.json"


def main(argv: Sequence[str] | None = None) -> int:
    opts, out = parse_args(argv)
    print(f"benchmarking {opts.name} in Chromium: {opts.cmd}", flush=True)
    try:
        result = run(opts)
    except (BenchError, cb.BenchError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    known = cb.known_paths(opts.workdir)
    result = cb._scrub(result, known)
    cb.write_result(out, result)
    print()
    print(markdown_table(result))
    print(f"written: {cb.sanitize(str(out), known)} ({result['duration_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
