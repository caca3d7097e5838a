"""The hook benchmark keeps working (tiny run; the ratios are not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_hooks.py"


def test_bench_runs_and_prints_json() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--runs", "1", "--json"],
        text=True,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert set(result["ratios"]) == {
        "commit-msg / python -c pass",
        "post-commit / python -c pass",
        "post-commit --no-verify / python -c pass",
        "pre-commit deps gate (nothing to check) / python -c pass",
        "git commit + aibom / git commit",
    }
    assert all(value > 0 for value in result["ratios"].values())
    assert isinstance(result["added_ms_per_commit"], float)


def test_bench_prints_a_table() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--runs", "1"],
        text=True,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "aibom adds to a git commit" in proc.stdout


def test_deps_bench_runs_and_prints_json() -> None:
    bench = BENCH.parent / "bench_deps.py"
    proc = subprocess.run(
        [sys.executable, str(bench), "--runs", "1", "--names", "8", "--json"],
        text=True,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["names"] == 8
    assert result["ratios"]["cold / sequential"] > 0
    assert set(result["median_ms"]) == {"cold", "sequential", "warm", "cli warm"}
