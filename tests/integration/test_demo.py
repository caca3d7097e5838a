"""``aibom demo`` end to end, as the README's Quick start runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_demo_runs_every_scene(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "aibom.cli", "demo", "--keep", str(tmp_path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    text = "\n".join(result["narration"])
    origins = {entry["origin"] for entry in result["log"]}
    assert {"human", "ai-assisted", "ai-generated"} <= origins
    # the gate refused the typosquat, then the fix landed
    assert "(commit refused, exit 1)" in text and "did you mean `requests`?" in text
    # line-level capture and blame: one AI line, one line a person changed afterwards
    assert "pay/limits.py line 5: ai anthropic/claude-opus-4-5-20251101" in text
    assert "line 6: mixed" in text
    assert "ai    anthropic/claude-opus-4-5-20251101 5)" in text
    # the AI-BOM was written and is valid CycloneDX naming the models
    bom = json.loads((tmp_path / "aibom.cdx.json").read_text(encoding="utf-8"))
    assert bom["bomFormat"] == "CycloneDX"
    models = {c["name"] for c in bom["components"] if c["type"] == "machine-learning-model"}
    assert any("claude-opus-4-5" in m for m in models), models
    # signed, verified, and the tampered copy fails (skipped only without Node/@sigstore/mock)
    if "signing scene skipped" not in text:
        assert "OK: aibom.cdx.json (message-signature)" in text
        assert "OK: aibom.cdx.json (in-toto)" in text
        assert "history      OK: recomputed here" in text
        assert "verification failed" in text
    # trace by model family finds the session commit and the captured lines
    assert "model anthropic/claude-opus-4-5: 2 commits" in text
    assert "pay/limits.py:5" in text
    assert (tmp_path / "payments" / ".git").is_dir()
