"""How the demo's scenes run commands: each a real process, as a user would type it.

One runner for every scene (capture, gate, blame, BOM, signing, forensics, interop): a
command that fails stops the demo with its own message, never a half-told story.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TIMEOUT = 300.0  # seconds for one command of the demo


def run(
    cmd: list[str],
    cwd: Path | None,
    env: dict[str, str],
    *,
    input: str | None = None,
    expect: int = 0,
    timeout: float = TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``; a RuntimeError naming it when it exits other than ``expect``."""
    proc = subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        input=input,
        text=True,
        capture_output=True,
        check=False,
        timeout=timeout,
    )
    if proc.returncode != expect:
        shown = " ".join(cmd[2:] if cmd[:3] == [sys.executable, "-m", "aibom.cli"] else cmd)
        raise RuntimeError(f"{shown} exited {proc.returncode}: {proc.stderr.strip()}")
    return proc


def aibom(
    args: list[str],
    cwd: Path | None,
    env: dict[str, str],
    *,
    input: str | None = None,
    expect: int = 0,
) -> subprocess.CompletedProcess[str]:
    """``aibom ARGS`` as a process of this interpreter (see :func:`run`)."""
    return run([sys.executable, "-m", "aibom.cli", *args], cwd, env, input=input, expect=expect)


def step(args: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
    """``aibom ARGS`` as the demo shows it: the command line, then what it printed."""
    out = aibom(args, cwd, env).stdout
    return [f"$ aibom {' '.join(args)}", *out.rstrip("\n").splitlines()]
