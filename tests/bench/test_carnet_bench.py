"""The benchmark's pure helpers: statistics, commands, path scrubbing, result files, tables.

No timing is asserted here; the measures themselves run in `bench/carnet_bench.py`.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("carnet_bench", BENCH_DIR / "carnet_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


cb = _load()


def test_summarize_odd_and_even() -> None:
    s = cb.summarize([3.0, 1.0, 2.0])
    assert (s["median"], s["min"], s["max"], s["first"], s["n"]) == (2.0, 1.0, 3.0, 3.0, 3)
    assert s["samples"] == [3.0, 1.0, 2.0]
    assert s["mean"] == pytest.approx(2.0)
    assert cb.summarize([1, 2, 3, 10])["median"] == 2.5


def test_summarize_single_and_empty() -> None:
    s = cb.summarize([0.25])
    assert (s["median"], s["stdev"], s["n"]) == (0.25, 0.0, 1)
    with pytest.raises(ValueError):
        cb.summarize([])


def test_render_command_fills_each_argument() -> None:
    argv = cb.render_command(
        "{repo}/bin/server --port {port} --root-dir {root} --token={token}",
        port="8888",
        token="abc",
        root="/a dir/with spaces",
        repo="/r",
    )
    assert argv == [
        "/r/bin/server",
        "--port",
        "8888",
        "--root-dir",
        "/a dir/with spaces",
        "--token=abc",
    ]


@pytest.mark.parametrize("template", ["", "   ", "server --x {unknown}", "server {0}", "s {"])
def test_render_command_rejects_bad_templates(template: str) -> None:
    with pytest.raises(ValueError):
        cb.render_command(template, port="1", token="t", root="r", repo="p")


def test_sanitize_removes_local_paths(tmp_path: Path) -> None:
    known = [(tmp_path / "repo", "<repo>"), (tmp_path, "<tmp>")]
    text = f"{tmp_path}/repo/.venv/bin/carnet --root {tmp_path}/x /opt/venv/bin/jupyter lab"
    assert cb.sanitize(text, known) == "<repo>/.venv/bin/carnet --root <tmp>/x <dir>/jupyter lab"


@pytest.mark.parametrize(
    "text",
    [
        "http://127.0.0.1:8888/api/status",
        "{repo}/.venv/bin/carnet --port {port}",
        "relative/path/file --ServerApp.root_dir={root}",
        "~/bin/x",
        "2.21.1",
    ],
)
def test_sanitize_keeps_what_is_not_a_local_path(text: str) -> None:
    assert cb.sanitize(text) == text


def test_write_result_is_atomic_json(tmp_path: Path) -> None:
    out = tmp_path / "results" / "x.json"
    cb.write_result(out, {"name": "x", "metrics": {}})
    cb.write_result(out, {"name": "y", "metrics": {}})
    assert json.loads(out.read_text(encoding="utf-8"))["name"] == "y"
    assert [p.name for p in out.parent.iterdir()] == ["x.json"]


def _result(name: str, scale: float) -> dict[str, object]:
    metrics = {
        key: cb.summarize([target * scale, target * scale * 2])
        for key, target in cb.TARGETS.items()
    }
    return {
        "name": name,
        "command": "server --port {port}",
        "params": {"dir_files": 5000},
        "sizes": {"nb_body_bytes": 20_000_000},
        "metrics": metrics,
    }


def test_markdown_table_against_targets_and_baseline() -> None:
    fast, slow = _result("fast", 0.5), _result("slow", 10.0)
    table = cb.markdown_table(fast, baseline=slow)
    lines = table.strip().splitlines()
    assert lines[0].startswith("**fast**")
    rows = [line for line in lines if line.startswith("| ") and "---" not in line]
    assert rows[0].split(" | ")[-1] == "slow median |"
    assert len(rows) == 1 + len(cb.TARGETS)
    assert "GET dir of 5000 files" in table
    assert "PUT 20 MB notebook" in table
    assert all("| yes |" in row for row in rows[1:])
    assert "| no |" in cb.markdown_table(slow)


def test_markdown_table_marks_missing_measures() -> None:
    partial = _result("partial", 0.5)
    del partial["metrics"]["nb_get_s"]  # type: ignore[attr-defined]
    assert "not measured" in cb.markdown_table(partial)


def test_notebook_body_is_a_valid_contents_put() -> None:
    body = json.loads(cb.make_notebook_body(cells=3, png_bytes=300))
    assert (body["type"], body["format"]) == ("notebook", "json")
    nb = body["content"]
    nbformat.validate(nb)
    assert len(nb["cells"]) == 3
    png = nb["cells"][0]["outputs"][0]["data"]["image/png"]
    assert 400 <= len(png) <= 420  # base64 of 300 bytes + the PNG signature
    bigger = cb.make_notebook_body(cells=6, png_bytes=300)
    assert len(bigger) > 1.8 * len(cb.make_notebook_body(cells=3, png_bytes=300))


@pytest.mark.parametrize(
    "argv",
    [["--reps", "0"], ["--nb-cells", "0"], ["--png-kb", "0"], ["--name", "../x"], ["--name", ""]],
)
def test_bad_arguments_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        cb.parse_args(argv)


def test_arguments_defaults_and_base_url() -> None:
    opts, out, baseline = cb.parse_args(["--name", "carnet-1", "--base-url", "user/ada"])
    assert opts.base_url == "/user/ada/"
    assert out == BENCH_DIR / "results" / "carnet-1.json"
    assert baseline is None
    assert "{port}" in opts.cmd and "{token}" in opts.cmd and "{root}" in opts.cmd


def test_committed_results_render() -> None:
    """Every result of this bench kept in bench/results/ still parses and renders; no result
    of any bench carries a local path."""
    for path in sorted((BENCH_DIR / "results").glob("*.json")):
        text = path.read_text(encoding="utf-8")
        assert str(BENCH_DIR.parent) not in text and str(Path.home()) not in text, path.name
        result = json.loads(text)
        if result.get("schema") != cb.SCHEMA or "bench" in result or "targets" not in result:
            continue  # another bench's result
        assert set(result["metrics"]) == set(cb.TARGETS), path.name
        assert "| " in cb.markdown_table(result)
