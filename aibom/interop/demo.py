"""The demo's interop scene: a git-ai note imported (twice: the second adds nothing), then the
history exported as Agent Trace records."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from aibom import demo_run
from aibom.interop import gitai

TIMEOUT = 120
_MODEL = "claude-4.5-opus"  # git-ai writes the agent's own spelling; aibom normalises it


def scene(repo: Path, env: dict[str, str]) -> list[str]:
    """Attach a git-ai authorship log to HEAD, import it, export Agent Trace. Returns the
    narration; the export goes next to ``repo``, not into its work tree."""
    path, length = _first_text_file(repo, env)
    if path is None:
        return ["", "interop scene skipped: HEAD has no text file"]
    last = min(length, 3)
    log = _gitai_log(path, last, _git(["rev-parse", "HEAD"], repo, env).strip())
    _git(["notes", "--ref", gitai.DEFAULT_REF, "add", "-f", "-F", "-", "HEAD"], repo, env, log)
    say = [
        "",
        f"interop: git-ai left an authorship log on HEAD (lines 1-{last} of {path}, cursor, "
        f"model {_MODEL!r})",
    ]
    say += _step(["import", "git-ai"], repo, env)
    say += _step(["import", "git-ai"], repo, env)
    out = repo.parent / "traces.jsonl"
    say += _step(["export", "agent-trace", "-o", str(out)], repo, env, shown=["-o", out.name])
    first = next(
        json.loads(line)
        for line in out.read_text(encoding="utf-8").splitlines()
        if line.strip() and path in line
    )
    conv = next(f for f in first["files"] if f["path"] == path)["conversations"][0]
    say.append(f"  {path}: {json.dumps(conv, sort_keys=True)}")
    return say


def _gitai_log(path: str, last: int, base: str) -> str:
    quoted = f'"{path}"' if any(c.isspace() for c in path) else path
    metadata = {
        "schema_version": gitai.SCHEMA_VERSION,
        "base_commit_sha": base,
        "prompts": {
            "5e1f0c3a9b2d4e6f": {
                "agent_id": {"tool": "cursor", "id": "demo-conversation", "model": _MODEL},
                "messages": [{"type": "user", "text": "Write this module"}],
                "total_additions": last,
                "total_deletions": 0,
                "accepted_lines": last,
                "overriden_lines": 0,
            }
        },
    }
    return f"{quoted}\n  5e1f0c3a9b2d4e6f 1-{last}\n---\n{json.dumps(metadata, indent=2)}\n"


def _first_text_file(repo: Path, env: dict[str, str]) -> tuple[str | None, int]:
    for name in _git(["ls-tree", "-r", "--name-only", "-z", "HEAD"], repo, env).split("\0"):
        if not name or "\n" in name:
            continue
        data = _git(["cat-file", "blob", f"HEAD:{name}"], repo, env)
        if data and "\x00" not in data:
            return name, len(data.splitlines())
    return None, 0


def _git(args: list[str], repo: Path, env: dict[str, str], input: str | None = None) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=repo,
        env=env,
        input=input,
        text=True,
        capture_output=True,
        check=False,
        timeout=TIMEOUT,
        errors="surrogateescape",
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def _step(
    args: list[str], repo: Path, env: dict[str, str], *, shown: list[str] | None = None
) -> list[str]:
    proc = demo_run.aibom(args, repo, env)
    visible = [*args[:2], *shown] if shown is not None else args
    output = proc.stdout.replace(f"{repo.parent}{os.sep}", "")  # the export's folder is a tmp dir
    return [f"$ aibom {' '.join(visible)}", *output.rstrip("\n").splitlines()]
