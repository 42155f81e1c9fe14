"""The notebook benchmark's pure helpers: notebooks it writes, latencies, frames, tables.

No timing is asserted here; the measure itself runs in `bench/notebook_bench.py`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebook_bench", BENCH_DIR / "notebook_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


nbb = _load()


def test_code_notebook_is_the_shared_harness_notebook() -> None:
    nb = nbb.code_notebook(3)
    node = nbformat.from_dict(nb)  # type: ignore[no-untyped-call]
    nbformat.validate(node)
    assert [c["source"] for c in nb["cells"]][1] == "# cell 1\nx_1 = 1 * 2\nprint(x_1)"
    assert nb["cells"][2]["outputs"] == [{"name": "stdout", "output_type": "stream", "text": "4\n"}]
    assert [c["execution_count"] for c in nb["cells"]] == [1, 2, 3]
    assert len({c["id"] for c in nb["cells"]}) == 3


def test_code_notebook_of_one_source_has_no_outputs() -> None:
    nb = nbb.code_notebook(2, "1+1")
    nbformat.validate(nbformat.from_dict(nb))  # type: ignore[no-untyped-call]
    assert [(c["source"], c["outputs"], c["execution_count"]) for c in nb["cells"]] == [
        ("1+1", [], None),
        ("1+1", [], None),
    ]


def test_key_latencies_skip_keys_whose_frame_was_not_seen() -> None:
    records = [
        {"key": "a", "t0": 100.0, "t1": 112.5},
        {"key": "b", "t0": 200.0, "t1": None},
        {"key": "c", "t0": 300.0, "t1": 299.0},  # clock went backwards: not a sample
        {"key": "d", "t0": 400.0, "t1": 409.0},
    ]
    assert nbb.key_latencies_ms(records) == [12.5, 9.0]


def test_frame_stats() -> None:
    stats = nbb.frame_stats([16.0] * 18 + [50.0, 40.0])
    assert stats["fps"] == pytest.approx(1000 * 20 / (16 * 18 + 90))
    assert stats["frame_p95_ms"] == 40.0  # the 19th of 20
    with pytest.raises(ValueError):
        nbb.frame_stats([])


def test_predicates_name_the_flavors_selectors() -> None:
    for name, flavor in nbb.FLAVORS.items():
        js = nbb.all_rendered_js(flavor)
        assert flavor.panel in js and flavor.cell in js and flavor.output in js, name
        assert flavor.output in nbb.cell_result_js(flavor), name


def test_markdown_table_beside_a_baseline() -> None:
    cb = nbb.cb
    result = {
        "name": "carnet",
        "flavor": "carnet",
        "metrics": {
            "open_s": cb.summarize([0.31, 0.29, 0.35]),
            "keystroke_ms": cb.summarize([9.0, 10.0, 11.0]),
        },
    }
    baseline = {"name": "jupyterlab", "metrics": {"open_s": cb.summarize([4.9])}}
    table = nbb.markdown_table(result, baseline)
    lines = table.strip().splitlines()
    assert lines[0] == "**carnet** (carnet)"
    assert lines[2].endswith("| target | jupyterlab |")
    opened = next(line for line in lines if "all cells rendered" in line)
    assert "| 0.310 s | 0.290 s | 0.350 s | 3 | ≤ 0.500 s | 4.900 s |" in opened
    typed = next(line for line in lines if "keystroke" in line)
    assert typed.endswith("| 10.0 ms | 9.0 ms | 11.0 ms | 3 | ≤ 16.0 ms | - |")


def test_parse_args_defaults_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    opts, out, baseline = nbb.parse_args([])
    assert (opts.name, opts.flavor, opts.cells, opts.big_cells) == ("carnet", "carnet", 200, 2000)
    assert out == BENCH_DIR / "results" / "notebook-carnet.json"
    assert baseline is None
    for bad in (["--reps", "0"], ["--big-cells", "3"], ["--name", "../x"], ["--flavor", "x"]):
        with pytest.raises(SystemExit):
            nbb.parse_args(bad)
    assert "error" in capsys.readouterr().err
