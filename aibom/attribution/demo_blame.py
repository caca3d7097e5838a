"""The demo's blame scene: ``aibom blame PATH`` on the demo repository, as a user runs it."""

from __future__ import annotations

from pathlib import Path

from aibom.demo_run import aibom


def scene(repo: Path, env: dict[str, str], path: str) -> list[str]:
    """Run ``aibom blame path`` in ``repo``; returns the narration and the command's output."""
    proc = aibom(["blame", path], repo, env)
    return [
        "",
        f"line-level attribution: who or what wrote each line of {path}",
        "(origin per line from attribution ranges, else the commit's record or AI-* trailers;",
        " unknown = nothing recorded, which is not the same as human)",
        f"$ aibom blame {path}",
        *proc.stdout.rstrip("\n").split("\n"),
    ]
