"""The demo's forensics scene: ``aibom trace`` by model family (the demo's session commit is
``anthropic/claude-opus-4-5-20251101``; the family query finds it) and ``aibom stats``."""

from __future__ import annotations

from pathlib import Path

from aibom.demo_run import step as _step

FAMILY = "anthropic/claude-opus-4-5"


def scene(repo: Path, env: dict[str, str]) -> list[str]:
    """Run the commands in ``repo`` (the demo history); returns the narration."""
    say = ["", f"forensics: which commits and surviving lines did {FAMILY} (any snapshot) write?"]
    say += _step(["trace", "--model", FAMILY, "--surviving"], repo, env)
    say += ["", "how much of this history is AI-written, and how much of it is still alive?"]
    say += _step(["stats", "--by", "model"], repo, env)
    return say
