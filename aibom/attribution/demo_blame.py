"""The demo's blame scene: ``aibom blame PATH`` on the demo repository, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TIMEOUT = 120


def scene(repo: Path, env: dict[str, str], path: str) -> list[str]:
    """Run ``aibom blame path`` in ``repo``; returns the narration and the command's output."""
    proc = subprocess.run(
        [sys.executable, "-m", "aibom.cli", "blame", path],
        cwd=repo,
        env=env,
        text=True,
        capture_output=True,
        check=False,
        timeout=TIMEOUT,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"aibom blame {path} failed: {proc.stderr.strip()}")
    return [
        "",
        f"line-level attribution: who or what wrote each line of {path}",
        "(origin per line from attribution ranges, else the commit's record or AI-* trailers;",
        " unknown = nothing recorded, which is not the same as human)",
        f"$ aibom blame {path}",
        *proc.stdout.rstrip("\n").split("\n"),
    ]
