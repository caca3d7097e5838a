"""Static checks as tests, so the one test command also type-checks and lints the package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        check=False,
        timeout=600,
    )


@pytest.mark.slow
def test_mypy_strict() -> None:
    """mypy with the settings in pyproject.toml ([tool.mypy] strict = true, files = aibom)."""
    proc = run("mypy", "--no-incremental", "--cache-dir", "/dev/null")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_check() -> None:
    proc = run("ruff", "check", "--no-cache", "aibom", "tests", "bench")
    assert proc.returncode == 0, proc.stdout + proc.stderr
