"""The BOM benchmark keeps working (a tiny run; its figures are not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[3] / "bench" / "bench_bom.py"


def test_bench_runs_and_prints_json() -> None:
    argv = [sys.executable, str(BENCH), "--commits", "300", "--deps", "20", "--json"]
    argv += ["--validate-components", "50", "--blame-sample", "3"]
    proc = subprocess.run(argv, text=True, capture_output=True, check=False, timeout=600)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["commits"] == 300 and data["deps"] == 20
    assert {"history", "notes", "blame", "serialisation", "validation"} <= set(data["split"])
    assert data["validation"]["jsonschema"] > 0 and data["validation"]["jsonschema-rs"] > 0
    assert data["blame"]["files"] == 3
    assert data["process_s"] > 0
