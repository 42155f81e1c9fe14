"""The browser benchmark's pure helpers: network accounting, metrics, tables, arguments.

No timing is asserted here; the measure itself runs in `bench/web_bench.py`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("web_bench", BENCH_DIR / "web_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


wb = _load()


def _sample(ready: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "ready": {"mark": 300.0, "frame": 316.0} if ready is None else ready,
        "dcl": 180.0,
        "fcp": 0,
        "navigation": {"transferSize": 1500, "encodedBodySize": 900, "redirectCount": 1},
        "resources": [
            {"name": "http://h/static/assets/index-1.js", "startTime": 190.0,
             "transferSize": 80_300, "encodedBodySize": 80_000},
            {"name": "http://h/static/assets/index-1.css?v=2", "startTime": 191.0,
             "transferSize": 5_300, "encodedBodySize": 5_000},
            {"name": "http://h/api/contents/?content=1", "startTime": 250.0,
             "transferSize": 700, "encodedBodySize": 400},
            {"name": "http://h/static/assets/xterm-2.js", "startTime": 900.0,
             "transferSize": 90_000, "encodedBodySize": 89_000},
        ],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://h/static/assets/a.js", True),
        ("http://h/static/assets/a.mjs?x=1", True),
        ("http://h/static/assets/a.css#frag", True),
        ("http://h/api/contents/x.js/other", False),
        ("http://h/static/favicon.svg", False),
        ("http://h/lab", False),
    ],
)
def test_is_js_or_css(url: str, expected: bool) -> None:
    assert wb.is_js_or_css(url) is expected


def test_network_counts_only_what_started_before_ready() -> None:
    net = wb.network_until(_sample(), 316.0)
    # The document, its token redirect, and three resources (the lazy xterm chunk came later).
    assert net == {"requests": 5, "js_css_bytes": 85_000, "transfer_bytes": 1500 + 86_300}


def test_network_of_an_empty_sample() -> None:
    assert wb.network_until({}, 100.0) == {"requests": 1, "js_css_bytes": 0, "transfer_bytes": 0}


def test_run_metrics_in_seconds() -> None:
    m = wb.run_metrics(_sample())
    assert m["ready_s"] == pytest.approx(0.316)
    assert m["ready_mark_s"] == pytest.approx(0.3)
    assert m["dcl_s"] == pytest.approx(0.18)
    assert "fcp_s" not in m  # not painted yet: left out rather than reported as 0
    assert m["requests"] == 5.0


@pytest.mark.parametrize("ready", [{}, {"mark": 1.0, "frame": None}, {"mark": "x", "frame": 2}])
def test_run_metrics_needs_the_ready_time(ready: dict[str, Any]) -> None:
    with pytest.raises(wb.BenchError):
        wb.run_metrics(_sample(ready))


def test_fmt_units() -> None:
    assert wb.fmt(0.3456, "s") == "0.346 s"
    assert wb.fmt(12.34, "s") == "12.3 s"
    assert wb.fmt(81 * 1024, "bytes") == "81.0 KiB"
    assert wb.fmt(4.71 * 2**20, "bytes") == "4.71 MiB"
    assert wb.fmt(9.0, "") == "9"


def test_markdown_table_has_targets_and_jupyterlab() -> None:
    cb = wb.cb
    result = {
        "name": "web",
        "command": "carnet --port {port}",
        "metrics": {
            "ready_s": cb.summarize([0.34, 0.32, 0.36]),
            "requests": cb.summarize([9, 9, 9]),
            "js_css_bytes": cb.summarize([81 * 1024] * 3),
        },
    }
    table = wb.markdown_table(result)
    lines = table.strip().splitlines()
    assert lines[0] == "**web** (`carnet --port {port}`)"
    rows = [line for line in lines if line.startswith("| ") and "---" not in line]
    assert len(rows) == 4  # header + the three measured (missing ones are left out)
    ready = next(r for r in rows if r.startswith("| /lab -> usable"))
    assert "| 0.340 s | 0.320 s | 0.360 s | 3 | ≤ 0.500 s | 5.010 s |" in ready
    assert "| ≤ 300.0 KiB | 4.71 MiB |" in table


def test_parse_args_defaults_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    opts, out = wb.parse_args([])
    assert (opts.name, opts.reps, opts.files) == ("web", 10, 20)
    assert out == BENCH_DIR / "results" / "web.json"
    assert "{port}" in opts.cmd and "{token}" in opts.cmd
    for bad in (["--reps", "0"], ["--files", "-1"], ["--name", "../x"], ["--timeout", "0"]):
        with pytest.raises(SystemExit):
            wb.parse_args(bad)
    assert "error" in capsys.readouterr().err


def test_chromium_path_explicit(tmp_path: Path) -> None:
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    assert wb.chromium_path(str(browser)) == str(browser)
    with pytest.raises(wb.BenchError):
        wb.chromium_path(str(tmp_path / "missing"))
    (tmp_path / "plain").write_text("")
    with pytest.raises(wb.BenchError):
        wb.chromium_path(str(tmp_path / "plain"))
