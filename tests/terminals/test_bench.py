"""`bench/terminals_bench.py` runs end to end (tiny sizes) and writes a complete result.

No timing is asserted; the numbers live in ``bench/results/terminals.json``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "terminals_bench.py"


def test_bench_runs_and_writes_a_result_without_local_paths(tmp_path: Path) -> None:
    out = tmp_path / "terminals.json"
    args = ["--reps", "2", "--keys", "5", "--warmup", "1", "--seq", "2000", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| echo round trip" in result.stdout
    data = json.loads(out.read_text())
    for side in ("carnet", "direct"):
        assert data[side]["echo_rtt_ms"]["n"] == 5
        assert data[side]["seq_s"]["n"] == 2
        assert data[side]["seq_chars"] >= len("\r\n".join(map(str, range(1, 2001))))
    assert data["carnet"]["create_s"]["n"] == 2 and data["carnet"]["create_first_s"] > 0
    assert set(data["ratios"]) == {"echo_rtt", "seq_s"}
    assert str(tmp_path) not in out.read_text() and str(Path.home()) not in out.read_text()
