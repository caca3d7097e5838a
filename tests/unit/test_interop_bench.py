"""The interop benchmark keeps working (tiny run; its figures are not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_interop.py"


def test_bench_runs_and_prints_json() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--runs", "1", "--commits", "12", "--json"],
        text=True,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["exported_records"] == 12
    assert set(result["ratios"]) == {
        "import git-ai --dry-run / floor",
        "import git-ai (writes) / floor",
        "export agent-trace / floor",
    }
    assert all(value > 0 for value in result["ratios"].values())
