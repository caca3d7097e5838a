"""The index benchmark keeps working (a tiny repository; the ratios are not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_index.py"


def test_index_bench_runs_and_checks_its_counts() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--commits", "300", "--runs", "1", "--json"],
        text=True,
        capture_output=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["commits"] == 300 and result["runs"] == 1
    assert result["family_count_ok"] is True and result["expected_family_commits"] > 0
    assert set(result["query_cli_ms"]) == set(result["query_library_ms"])
    assert result["build_ratio"] > 0 and result["incremental_ms"] > 0
    assert result["numstat_floor_ratio"] > 0 and result["numstat_floor_cpu_ratio"] > 0
    assert result["target_build_ratio"] == 3.0 and result["target_query_ms"] == 100.0
