"""Benchmark notebooks in Chromium, carnet beside JupyterLab (issue 5, design.md §6).

Starts a real server (carnet from this checkout, or any command with ``--flavor jupyterlab``)
with a fresh root and Jupyter dirs, and drives its own UI in Debian's headless Chromium
(Playwright for Python; Playwright's browser download is never used), as a user would:

* ``open_s``: the app is loaded and ready; the user double-clicks a 200-code-cell notebook
  (three source lines and one stdout output per cell, the shared harness's notebook) in the
  file browser -> the first frame in which all 200 cells show their source and their output.
  Timed in the page, from the ``dblclick`` event to that frame; one new browser profile per run.
* ``exec_s``: in a notebook of ``1+1`` cells, with the kernel idle, Shift+Enter -> the first
  frame showing that cell's result ``2`` (the server runs it, the document carries it back).
  Timed in the page from the ``keydown``; one sample per cell, one cell after the other.
* ``keystroke_ms``: in a 2,000-cell notebook (same cells as above), typing into a cell near the
  top: ``keydown`` -> the end of the next frame (a task posted from that frame's
  ``requestAnimationFrame``, which runs after paint). Each typed character is checked in the
  editor afterwards.
* ``scroll_fps``: the same notebook's scroll container moved 120 px per frame for 180 frames;
  frames per second and the 95th-percentile frame time.

Results (median/min/max and raw samples) go to ``bench/results/notebook-NAME.json`` with no
local paths; a Markdown table is printed next to JupyterLab's numbers when
``--baseline bench/results/notebook-jupyterlab.json`` is given::

    .venv/bin/python bench/notebook_bench.py                 # carnet, this checkout
    .venv/bin/python bench/notebook_bench.py --flavor jupyterlab --name jupyterlab \\
      --cmd 'JLAB/bin/jupyter lab --no-browser --allow-root --ServerApp.port_retries=0 \\
             --port {port} --IdentityProvider.token={token} --ServerApp.root_dir={root}'

Network: 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
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


def _load(name: str) -> ModuleType:
    """A sibling bench module, loaded by path (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, BENCH_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


wb = _load("web_bench")
cb = wb.cb  # the REST bench's helpers, as web_bench loaded them


class BenchError(Exception):
    """The UI did not reach the state the measure waits for."""


@dataclass(frozen=True)
class Flavor:
    """How one UI shows the things the measures wait for (CSS selectors, JS predicates)."""

    app_ready_js: str  # () => bool: the app is loaded and usable
    item: str  # Playwright selector of a file browser entry, with {file}
    panel: str  # the notebook panel
    cell: str  # one cell
    source: str  # a cell's source as shown (editor or static text)
    output: str  # one output
    kernel_idle_js: str  # (panel) => bool
    editor: str  # what to click in a cell to type into it
    workspace_reset: str  # path of the saved layout, deleted between runs


FLAVORS: dict[str, Flavor] = {
    "carnet": Flavor(
        app_ready_js="() => document.body?.dataset.carnetReady === '1'",
        item='.carnet-FileItem[data-name="{file}"]',
        panel=".carnet-NotebookPanel",
        cell=".carnet-Cell",
        source=".carnet-Cell-static, .carnet-Cell-input .cm-content",
        output=".carnet-Output",
        kernel_idle_js=(
            "(panel) => /\\| Idle$/.test(panel.querySelector("
            "'.carnet-NotebookToolbar-kernel')?.textContent?.trim() ?? '')"
        ),
        editor=".carnet-Cell-static, .carnet-Cell-input .cm-content",
        workspace_reset="lab/api/workspaces/default",
    ),
    "jupyterlab": Flavor(
        app_ready_js=(
            "() => !document.querySelector('#jupyterlab-splash')"
            " && !!document.querySelector('#jp-main-dock-panel .jp-Launcher')"
        ),
        item='.jp-DirListing-itemText >> text="{file}"',
        panel=".jp-NotebookPanel",
        cell=".jp-Cell",
        source=".cm-content",
        output=".jp-OutputArea-output",
        kernel_idle_js=(
            "(panel) => !!panel.querySelector('.jp-Notebook-ExecutionIndicator"
            '[data-status="idle"]\') || !!document.querySelector('
            "'.jp-Notebook-ExecutionIndicator[data-status=\"idle\"]')"
        ),
        editor=".cm-content",
        workspace_reset="lab/api/workspaces/default",
    ),
}

# In-page helpers, installed before any page script. `__nbBench.visible(panelSel)` is the last
# panel shown; `watch(pred)` records the first animation frame in which `pred()` holds.
PAGE_HELPERS = """
(() => {
  const B = window.__nbBench = { t0: null, t1: null, keys: [] };
  B.panel = (sel) => {
    const all = Array.from(document.querySelectorAll(sel))
      .filter((p) => p.getClientRects().length > 0);
    return all.length ? all[all.length - 1] : null;
  };
  B.watch = (pred) => {
    B.t1 = null;
    const tick = () => {
      let ok = false;
      try { ok = pred(); } catch (e) { ok = false; }
      if (ok) B.t1 = performance.now(); else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  addEventListener("dblclick", () => { if (B.armed === "dblclick") B.t0 = performance.now(); },
                   true);
  addEventListener("keydown", (ev) => {
    const t = performance.now();
    if (B.armed === "shift-enter" && ev.key === "Enter" && ev.shiftKey) B.t0 = t;
    if (B.armed === "keys" && ev.key.length === 1) {
      const rec = { key: ev.key, t0: t, t1: null };
      B.keys.push(rec);
      requestAnimationFrame(() => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => { rec.t1 = performance.now(); };
        ch.port2.postMessage(0);
      });
    }
  }, true);
})();
"""


def all_rendered_js(flavor: Flavor) -> str:
    """(n) => bool: the shown panel has n cells each with its source, and n outputs."""
    return f"""(n) => {{
      const nb = window.__nbBench.panel({json.dumps(flavor.panel)});
      if (!nb) return false;
      const cells = nb.querySelectorAll({json.dumps(flavor.cell)});
      if (cells.length < n) return false;
      let sources = 0;
      for (const c of cells) {{
        const s = c.querySelector({json.dumps(flavor.source)});
        if (s && s.textContent.includes('cell')) sources++;
      }}
      return sources >= n && nb.querySelectorAll({json.dumps(flavor.output)}).length >= n;
    }}"""


def cell_result_js(flavor: Flavor) -> str:
    """([i, text]) => bool: cell i of the shown panel has an output whose text is `text`."""
    return f"""([i, text]) => {{
      const nb = window.__nbBench.panel({json.dumps(flavor.panel)});
      const cell = nb && nb.querySelectorAll({json.dumps(flavor.cell)})[i];
      if (!cell) return false;
      return Array.from(cell.querySelectorAll({json.dumps(flavor.output)}))
        .some((o) => o.textContent.trim() === text);
    }}"""


SCROLL_JS = """async ([cellSel, frames, step]) => {
  const first = document.querySelector(cellSel);
  let box = first && first.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight + 10
                  && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) {
    box = box.parentElement;
  }
  if (!box) return null;
  const times = [];
  await new Promise((done) => {
    let last = null, n = 0;
    const tick = (t) => {
      if (last !== null) times.push(t - last);
      last = t;
      box.scrollTop += step;
      if (++n <= frames) requestAnimationFrame(tick); else done();
    };
    requestAnimationFrame(tick);
  });
  return { times, scrolled: box.scrollTop };
}"""


# --- pure helpers (tested in tests/bench) -------------------------------------------------


def code_notebook(n_cells: int, source: str | None = None) -> dict[str, Any]:
    """nbformat 4.5 JSON: n code cells; by default the shared harness's cells (three lines,
    one stdout output each), else `source` with no output."""
    cells = []
    for i in range(n_cells):
        if source is None:
            text, outputs = (
                f"# cell {i}\nx_{i} = {i} * 2\nprint(x_{i})",
                [{"name": "stdout", "output_type": "stream", "text": f"{i * 2}\n"}],
            )
            count: int | None = i + 1
        else:
            text, outputs, count = source, [], None
        cells.append(
            {
                "cell_type": "code",
                "execution_count": count,
                "id": f"cell-{i}",
                "metadata": {},
                "outputs": outputs,
                "source": text,
            }
        )
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def key_latencies_ms(records: Sequence[dict[str, Any]]) -> list[float]:
    """keydown -> after-paint times of the keys whose frame was seen, in ms."""
    out = []
    for rec in records:
        t0, t1 = rec.get("t0"), rec.get("t1")
        if isinstance(t0, (int, float)) and isinstance(t1, (int, float)) and t1 >= t0:
            out.append(float(t1) - float(t0))
    return out


def frame_stats(times_ms: Sequence[float]) -> dict[str, float]:
    """Frames per second and the 95th-percentile frame time of a run of frame intervals."""
    if not times_ms:
        raise ValueError("no frames")
    ordered = sorted(times_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"fps": 1000.0 * len(times_ms) / sum(times_ms), "frame_p95_ms": p95}


# design.md §6 / issue 5 targets, and JupyterLab 4.6.6 from the shared harness's anchor.
TARGETS: dict[str, float] = {"open_s": 0.5, "keystroke_ms": 16.0}
LABELS: dict[str, tuple[str, str]] = {
    "open_panel_s": ("open a 200-cell notebook -> panel shown", "s"),
    "open_first_s": ("open a 200-cell notebook -> first cell with its output", "s"),
    "open_s": ("open a 200-cell notebook -> all cells rendered", "s"),
    "big_open_s": ("open a 2,000-cell notebook -> first cells usable", "s"),
    "exec_s": ("Shift+Enter on 1+1 -> result visible", "s"),
    "keystroke_ms": ("keystroke -> next frame, 2,000-cell notebook", "ms"),
    "scroll_fps": ("scroll a 2,000-cell notebook, frames/s", ""),
    "scroll_p95_ms": ("scroll frame time, 95th percentile", "ms"),
    "heap_mib": ("JS heap after the 2,000-cell notebook opened", "MiB"),
}


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    return f"{value:.1f}"


def markdown_table(result: dict[str, Any], baseline: dict[str, Any] | None = None) -> str:
    header = ["measure", "median", "min", "max", "n", "target"]
    if baseline is not None:
        header.append(str(baseline.get("name", "baseline")))
    rows = [header, ["---"] * len(header)]
    for key, (label, unit) in LABELS.items():
        stats = result.get("metrics", {}).get(key)
        if stats is None:
            continue
        target = TARGETS.get(key)
        row = [
            label,
            _fmt(stats["median"], unit),
            _fmt(stats["min"], unit),
            _fmt(stats["max"], unit),
            str(stats["n"]),
            "-" if target is None else f"≤ {_fmt(target, unit)}",
        ]
        if baseline is not None:
            other = baseline.get("metrics", {}).get(key)
            row.append("-" if other is None else _fmt(other["median"], unit))
        rows.append(row)
    title = f"**{result.get('name', '?')}** ({result.get('flavor', '?')})"
    return title + "\n\n" + "\n".join("| " + " | ".join(r) + " |" for r in rows) + "\n"


# --- the measures -------------------------------------------------------------------------


@dataclass
class Options:
    name: str
    flavor: str
    cmd: str
    reps: int
    cells: int
    big_cells: int
    exec_cells: int
    keys: int
    timeout: float
    chromium: str | None
    workdir: Path | None
    keep_scratch: bool
    version_cmds: list[str]


class Session:
    """One browser profile on the server's app."""

    def __init__(
        self,
        playwright: Any,
        executable: str,
        server: Any,
        profile: Path,
        flavor: Flavor,
        timeout_ms: float,
    ) -> None:
        self.flavor = flavor
        self.server = server
        self.timeout_ms = timeout_ms
        self.context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=wb.CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        self.context.add_init_script(PAGE_HELPERS)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.page.set_default_timeout(timeout_ms)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def close(self) -> None:
        self.context.close()

    def load_app(self) -> None:
        self.page.goto(f"{self.server.url}lab?token={self.server.token}", wait_until="commit")
        self.page.wait_for_function(self.flavor.app_ready_js)

    def open(self, file: str, armed: bool = False) -> None:
        """Double-clicks `file` in the file browser; `armed` starts the page clock on it."""
        item = self.page.locator(self.flavor.item.format(file=file)).first
        item.wait_for()
        if armed:
            self.page.evaluate("() => { window.__nbBench.armed = 'dblclick'; }")
        item.dblclick()

    def watch(self, predicate_js: str, arg: Any) -> float:
        """Arms the page's frame watcher on `predicate_js(arg)`, waits for it; seconds from
        the page's t0 to the frame."""
        self.page.evaluate(f"(arg) => window.__nbBench.watch(() => ({predicate_js})(arg))", arg)
        self.page.wait_for_function("() => window.__nbBench.t1 !== null")
        t0, t1 = self.page.evaluate("() => [window.__nbBench.t0, window.__nbBench.t1]")
        if t0 is None:
            raise BenchError("the page never saw the event that starts the clock")
        return (float(t1) - float(t0)) / 1000

    def wait_kernel_idle(self) -> None:
        self.page.wait_for_function(
            f"""() => {{
              const nb = window.__nbBench.panel({json.dumps(self.flavor.panel)});
              return !!nb && ({self.flavor.kernel_idle_js})(nb);
            }}"""
        )

    def shown_cells(self) -> Any:
        return self.page.locator(f"{self.flavor.panel}:visible {self.flavor.cell}")


MILESTONES_JS = """([panelSel, cellSel]) => {
  const B = window.__nbBench;
  B.m = { panel: null, first: null };
  const tick = () => {
    const t = performance.now();
    const nb = B.panel(panelSel);
    if (nb && B.m.panel === null) B.m.panel = t;
    if (nb && B.m.first === null && nb.querySelector(cellSel)) B.m.first = t;
    if (B.m.first === null) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def measure_open(session: Session, file: str, n: int) -> dict[str, float]:
    """Seconds from the double click to the panel, its first cell, and all `n` cells."""
    session.load_app()
    flavor = session.flavor
    session.page.evaluate(MILESTONES_JS, [flavor.panel, f"{flavor.cell} {flavor.output}"])
    session.open(file, armed=True)
    # The watcher starts at once; the dblclick's t0 is already recorded.
    total = session.watch(all_rendered_js(flavor), n)
    t0, m = session.page.evaluate("() => [window.__nbBench.t0, window.__nbBench.m]")
    out = {"open_s": total}
    for key, name in (("panel", "open_panel_s"), ("first", "open_first_s")):
        if m.get(key) is not None:
            out[name] = max(0.0, (float(m[key]) - float(t0)) / 1000)
    return out


def measure_exec(session: Session, file: str, n: int) -> list[float]:
    session.load_app()
    session.open(file)
    session.page.wait_for_function(all_rendered_js_sources(session.flavor), arg=n)
    session.wait_kernel_idle()
    page = session.page
    # Select the first cell in command mode: click its source, then Escape.
    session.shown_cells().nth(0).locator(session.flavor.editor).first.click()
    page.keyboard.press("Escape")
    samples = []
    for i in range(n):
        page.evaluate("() => { const B = window.__nbBench; B.armed = 'shift-enter'; B.t0 = null; }")
        page.evaluate(
            f"(i) => window.__nbBench.watch(() => ({cell_result_js(session.flavor)})([i, '2']))",
            i,
        )
        page.keyboard.press("Shift+Enter")
        page.wait_for_function("() => window.__nbBench.t1 !== null")
        t0, t1 = page.evaluate("() => [window.__nbBench.t0, window.__nbBench.t1]")
        if t0 is None:
            raise BenchError("Shift+Enter never reached the page")
        samples.append((float(t1) - float(t0)) / 1000)
        session.wait_kernel_idle()
        page.keyboard.press("Escape")  # JupyterLab enters edit mode in the new last cell
    return samples


def all_rendered_js_sources(flavor: Flavor) -> str:
    """(n) => bool: the shown panel has n cells with their source (outputs not required)."""
    return f"""(n) => {{
      const nb = window.__nbBench.panel({json.dumps(flavor.panel)});
      return !!nb && nb.querySelectorAll({json.dumps(flavor.cell)}).length >= n;
    }}"""


def measure_typing(session: Session, file: str, keys: int) -> dict[str, Any]:
    session.load_app()
    session.open(file, armed=True)
    page = session.page
    # Usable: the first cells shown with their source and output (windowed UIs may keep only
    # the cells near the view in the DOM; the one typed in is the fourth).
    usable = session.watch(all_rendered_js(session.flavor), 4)
    session.wait_kernel_idle()
    page.wait_for_timeout(1000)  # let the rest of the notebook settle before typing
    heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : null")
    cell = session.shown_cells().nth(3)
    cell.locator(session.flavor.editor).first.click()
    content = cell.locator(".cm-content")
    content.wait_for()
    content.click()
    page.keyboard.press("End")
    page.evaluate("() => { const B = window.__nbBench; B.keys = []; B.armed = 'keys'; }")
    typed = "".join("abcdefghijklmnopqrstuvwxyz"[i % 26] for i in range(keys))
    for ch in typed:
        page.keyboard.press(ch)
        page.wait_for_function(
            "() => { const k = window.__nbBench.keys;"
            " return k.length > 0 && k[k.length - 1].t1 !== null; }"
        )
        page.wait_for_timeout(40)  # a fast typist's pace, not a burst
    page.evaluate("() => { window.__nbBench.armed = null; }")
    records = page.evaluate("() => window.__nbBench.keys")
    text = content.inner_text()
    if typed not in text.replace("\n", ""):
        raise BenchError(f"the typed text is not in the cell: {text[-80:]!r}")
    page.keyboard.press("Escape")
    scroll = page.evaluate(SCROLL_JS, [f"{session.flavor.panel} {session.flavor.cell}", 180, 120])
    out: dict[str, Any] = {"keystroke_ms": key_latencies_ms(records), "big_open_s": usable}
    if heap:
        out["heap_mib"] = float(heap) / 2**20
    if scroll and scroll.get("times"):
        stats = frame_stats(scroll["times"])
        out["scroll_fps"] = stats["fps"]
        out["scroll_p95_ms"] = stats["frame_p95_ms"]
    return out


def _reset(server: Any, flavor: Flavor) -> None:
    """Between runs: no saved layout, no sessions, no kernels."""
    import httpx

    with httpx.Client(headers=server.headers, timeout=30) as http:
        with contextlib.suppress(httpx.HTTPError):
            http.delete(server.url + flavor.workspace_reset)
        for kind in ("sessions", "kernels"):
            with contextlib.suppress(httpx.HTTPError, ValueError):
                for item in http.get(server.url + f"api/{kind}").json():
                    http.delete(server.url + f"api/{kind}/{item['id']}")


def run(opts: Options) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    flavor = FLAVORS[opts.flavor]
    executable = wb.chromium_path(opts.chromium)
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "bench": "notebook_bench",
        "name": opts.name,
        "flavor": opts.flavor,
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": opts.cmd,
        "params": {
            "reps": opts.reps,
            "cells": opts.cells,
            "big_cells": opts.big_cells,
            "exec_cells": opts.exec_cells,
            "keys": opts.keys,
        },
        "machine": cb.machine_info(),
        "targets": TARGETS,
    }
    scratch = Path(tempfile.mkdtemp(prefix="carnet-nb-bench-", dir=opts.workdir))
    server = None
    samples: dict[str, list[float]] = {}
    errors: list[str] = []
    try:
        server, _ = cb.start_server(opts.cmd, scratch / "server", "/", opts.timeout)
        files = {
            "open": f"nb{opts.cells}.ipynb",
            "exec": "one-plus-one.ipynb",
            "big": f"nb{opts.big_cells}.ipynb",
        }
        notebooks = {
            "open": code_notebook(opts.cells),
            "exec": code_notebook(opts.exec_cells + 1, "1+1"),
            "big": code_notebook(opts.big_cells),
        }
        for key, name in files.items():
            (server.root / name).write_text(json.dumps(notebooks[key], indent=1) + "\n")
        with sync_playwright() as playwright:
            result["versions"] = {
                "playwright": wb._version("playwright"),
                "commands": {c: cb._version_of(c) for c in opts.version_cmds},
            }
            steps = [("open", opts.reps), ("exec", 1), ("big", opts.reps)]
            for step, reps in steps:
                for rep in range(reps):
                    _reset(server, flavor)
                    # The exec notebook is run again each time: start from its file.
                    (server.root / files[step]).write_text(
                        json.dumps(notebooks[step], indent=1) + "\n"
                    )
                    profile = scratch / f"profile-{step}-{rep}"
                    session = Session(
                        playwright, executable, server, profile, flavor, opts.timeout * 1000
                    )
                    try:
                        if step == "open":
                            got_open = measure_open(session, files["open"], opts.cells)
                            for key, value in got_open.items():
                                samples.setdefault(key, []).append(value)
                            print(
                                f"  open {rep + 1}/{reps}: "
                                + ", ".join(f"{k} {v:.3f} s" for k, v in got_open.items()),
                                flush=True,
                            )
                        elif step == "exec":
                            values = measure_exec(session, files["exec"], opts.exec_cells)
                            samples.setdefault("exec_s", []).extend(values)
                            print(
                                f"  exec: median {sorted(values)[len(values) // 2]:.3f} s",
                                flush=True,
                            )
                        else:
                            got = measure_typing(session, files["big"], opts.keys)
                            for key, value in got.items():
                                if isinstance(value, list):
                                    samples.setdefault(key, []).extend(value)
                                else:
                                    samples.setdefault(key, []).append(value)
                            keys = sorted(got["keystroke_ms"])
                            print(
                                f"  typing {rep + 1}/{reps}: keystroke median "
                                f"{keys[len(keys) // 2]:.1f} ms, scroll "
                                f"{got.get('scroll_fps', 0):.0f} fps",
                                flush=True,
                            )
                        errors.extend(session.errors)
                    finally:
                        session.close()
                        shutil.rmtree(profile, ignore_errors=True)
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=wb.CHROMIUM_ARGS
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
    result["page_errors"] = errors[:20]
    with contextlib.suppress(OSError, AttributeError):
        result["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["duration_s"] = round(time.perf_counter() - started, 1)
    return result


def parse_args(argv: Sequence[str] | None = None) -> tuple[Options, Path, Path | None]:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--name", default="carnet", help="result name (default: carnet)")
    parser.add_argument(
        "--flavor",
        choices=sorted(FLAVORS),
        default="carnet",
        help="which UI the server serves (default: carnet)",
    )
    parser.add_argument(
        "--cmd",
        default=cb.DEFAULT_CMD,
        help="server command; placeholders {port} {token} {root} {repo}",
    )
    parser.add_argument("--reps", type=int, default=5, help="runs of open and typing")
    parser.add_argument("--cells", type=int, default=200, help="cells of the opened notebook")
    parser.add_argument("--big-cells", type=int, default=2000, help="cells of the typing one")
    parser.add_argument("--exec-cells", type=int, default=20, help="Shift+Enter samples")
    parser.add_argument("--keys", type=int, default=60, help="keys typed per typing run")
    parser.add_argument("--timeout", type=float, default=180.0, help="per step, s")
    parser.add_argument("--chromium", help="the browser binary (default: Debian's chromium)")
    parser.add_argument("--workdir", type=Path, help="where scratch dirs go (default: temp)")
    parser.add_argument("--keep-scratch", action="store_true")
    parser.add_argument(
        "--version-cmd", action="append", default=[], help="record this command's output"
    )
    parser.add_argument("--baseline", type=Path, help="a result to print beside this one")
    parser.add_argument(
        "--out", type=Path, help="result file (default: results/notebook-NAME.json)"
    )
    args = parser.parse_args(argv)
    if min(args.reps, args.cells, args.big_cells, args.exec_cells, args.keys) < 1:
        parser.error("counts must be >= 1")
    if args.big_cells < 4:
        parser.error("--big-cells must be >= 4 (typing goes into the fourth cell)")
    if not all(c.isalnum() or c in "._-" for c in args.name):
        parser.error("--name may hold letters, digits, '.', '_' and '-' only")
    opts = Options(
        name=args.name,
        flavor=args.flavor,
        cmd=args.cmd,
        reps=args.reps,
        cells=args.cells,
        big_cells=args.big_cells,
        exec_cells=args.exec_cells,
        keys=args.keys,
        timeout=args.timeout,
        chromium=args.chromium,
        workdir=args.workdir,
        keep_scratch=args.keep_scratch,
        version_cmds=args.version_cmd,
    )
    out = args.out or cb.RESULTS_DIR / f"notebook-{args.name}.json"
    return opts, out, args.baseline


def main(argv: Sequence[str] | None = None) -> int:
    opts, out, baseline_path = parse_args(argv)
    print(f"benchmarking notebooks ({opts.flavor}) in Chromium: {opts.cmd}", flush=True)
    try:
        result = run(opts)
    except (BenchError, cb.BenchError, wb.BenchError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    known = cb.known_paths(opts.workdir)
    result = cb._scrub(result, known)
    cb.write_result(out, result)
    baseline = json.loads(baseline_path.read_text()) if baseline_path else None
    print()
    print(markdown_table(result, baseline))
    print(f"written: {cb.sanitize(str(out), known)} ({result['duration_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
