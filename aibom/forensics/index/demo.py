"""The demo's index scene: the demo repository and a second (synthetic) one in one SQLite
index, then one ``trace --model --db`` that answers across both, and ``show --db``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TIMEOUT = 300
FAMILY = "anthropic/claude-opus-4-5"


def scene(repo: Path, env: dict[str, str]) -> list[str]:
    """Index ``repo`` (the demo history) and a 300-commit synthetic neighbour built next to
    it; returns the narration (the index file is left in ``repo``'s parent directory)."""
    from aibom.testing.synthrepo import generate

    other = repo.parent / "payments-service"
    if not other.exists():
        generate(other, commits=300, seed=7)
    db = repo.parent / "fleet.sqlite3"
    say = ["", f"index: did {FAMILY} write code anywhere else? one index for both repositories"]
    say += _step(["index", str(repo), str(other), "--db", str(db)], repo, env)
    say += ["", "the same question, answered from the index in one query:"]
    traced = _step(["trace", "--model", FAMILY, "--db", str(db)], repo, env)
    say += traced[:8] + (["  ..."] if len(traced) > 8 else [])
    say += ["", "a commit from the index, whichever repository holds it:"]
    head = _run(["git", "rev-parse", "--short=10", "HEAD"], repo, env).strip()
    say += _step(["show", head, "--db", str(db)], repo, env)
    say += ["", "a second run reads only what changed:"]
    say += _step(["index", str(repo), str(other), "--db", str(db)], repo, env)
    return say


def _step(args: list[str], repo: Path, env: dict[str, str]) -> list[str]:
    out = _run([sys.executable, "-m", "aibom.cli", *args], repo, env)
    return [f"$ aibom {' '.join(_short(a, repo) for a in args)}", *out.rstrip("\n").splitlines()]


def _short(arg: str, repo: Path) -> str:
    """Paths in the narration relative to the demo's directory."""
    return arg.replace(str(repo.parent) + "/", "")


def _run(argv: list[str], repo: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(
        argv, cwd=repo, env=env, text=True, capture_output=True, check=False, timeout=TIMEOUT
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[2:])} failed: {proc.stderr.strip()}")
    return proc.stdout
