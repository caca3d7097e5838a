"""The forensics benchmark keeps working (a tiny repository; the ratio is not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_forensics.py"


def test_forensics_bench_runs_and_checks_its_counts() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--commits", "300", "--runs", "1", "--json"],
        text=True,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["commits"] == 300 and result["runs"] == 1
    assert result["family_count_ok"] is True and result["expected_family_commits"] > 0
    assert set(result["ratios"]) == {
        "trace --model anthropic/claude-opus-4-5",
        "trace --model openai/gpt-4o@2024-08-06",
        "trace --agent codex",
    }
    assert all(value > 0 for value in result["ratios"].values())
    assert result["target_ratio"] == 1.5


def test_forensics_bench_prints_a_table(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--commits",
            "200",
            "--runs",
            "1",
            "--repo",
            str(tmp_path / "r"),
        ],
        text=True,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "floor: git log --notes" in proc.stdout and "x floor" in proc.stdout
