"""The demo's capture scene: Claude Code's hooks wired by ``aibom agents install``, one edit
observed by its Pre/PostToolUse checkpoints, a person's change afterwards, the commit's
line-level attribution record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aibom import demo_run

TIMEOUT = 120
PATH = "pay/limits.py"
SESSION = "demo-cc-7f3e"
MODEL = "claude-opus-4-5-20251101"
HUMAN = "LIMIT = 500\n\n\ndef allowed(amount):\n    return amount <= LIMIT\n"
OLD = "def allowed(amount):\n    return amount <= LIMIT\n"
NEW = (
    "def allowed(amount):\n    if amount <= 0:\n        return False\n    return amount <= LIMIT\n"
)


def _run(cmd: list[str], cwd: Path, env: dict[str, str], stdin: str | None = None) -> str:
    return demo_run.run(cmd, cwd, env, input=stdin).stdout


def _aibom(args: list[str], repo: Path, env: dict[str, str], stdin: str | None = None) -> str:
    return demo_run.aibom(args, repo, env, input=stdin).stdout


def _payload(repo: Path, transcript: Path, event: str) -> str:
    data: dict[str, Any] = {
        "session_id": SESSION,
        "transcript_path": str(transcript),
        "cwd": str(repo),
        "hook_event_name": event,
        "tool_name": "Edit",
        "tool_input": {"file_path": str(repo / PATH), "old_string": OLD, "new_string": NEW},
    }
    return json.dumps(data)


def _summary(note: str) -> list[str]:
    lines = []
    for raw in note.splitlines():
        record = json.loads(raw) if raw.strip() else {}
        if record.get("kind") != "attribution":
            continue
        for entry in record["files"]:
            for conv in entry["conversations"]:
                spans = ", ".join(
                    f"{r['start_line']}"
                    + (f"-{r['end_line']}" if r["end_line"] > r["start_line"] else "")
                    for r in conv["ranges"]
                )
                who = conv["contributor"]["type"]
                model = conv["contributor"].get("model_id") or ""
                detail = f" {model} (session {conv['session']})" if conv.get("session") else ""
                lines.append(
                    f"  {entry['path']} line {spans}: {who}{detail}, "
                    f"confidence {conv['confidence']:.2f}, {conv['evidence']}"
                )
    return lines


def scene(repo: Path, env: dict[str, str]) -> list[str]:
    """Run the scene in ``repo`` (hooks installed); returns the narration."""
    say = ["", "line-level capture: Claude Code's edit hooks report to aibom"]
    say.append("$ aibom agents install claude-code")
    say.append("  " + _aibom(["agents", "install", "claude-code"], repo, env).splitlines()[0])
    (repo / PATH).parent.mkdir(parents=True, exist_ok=True)
    (repo / PATH).write_text(HUMAN, encoding="utf-8")
    _run(["git", "add", PATH], repo, env)
    _run(["git", "commit", "-q", "-m", "Add payment limits"], repo, env)
    transcript = repo.parent / "claude-transcript.jsonl"  # where Claude Code names its model
    transcript.write_text(json.dumps({"message": {"model": MODEL}}) + "\n", encoding="utf-8")
    _aibom(["checkpoint", "claude-code"], repo, env, _payload(repo, transcript, "PreToolUse"))
    (repo / PATH).write_text(HUMAN.replace(OLD, NEW), encoding="utf-8")  # the agent's Edit
    _aibom(["checkpoint", "claude-code"], repo, env, _payload(repo, transcript, "PostToolUse"))
    say.append(f"  PreToolUse + PostToolUse checkpoints: Claude adds a guard to {PATH}")
    final = HUMAN.replace(OLD, NEW).replace("return False", "return False  # refunds too")
    (repo / PATH).write_text(final, encoding="utf-8")
    say.append("  then a person edits one of those lines (no hook fires)")
    _run(["git", "add", PATH], repo, env)
    _run(["git", "commit", "-q", "-m", "Refuse non-positive amounts"], repo, env)
    say.append("$ git commit -m 'Refuse non-positive amounts'   # post-commit writes the ranges")
    note = _run(["git", "notes", "--ref", "refs/notes/aibom", "show", "HEAD"], repo, env)
    found = _summary(note)
    if not found:
        raise RuntimeError("post-commit wrote no attribution record")
    say += found
    _aibom(["agents", "uninstall", "claude-code"], repo, env)
    transcript.unlink()
    say.append("$ aibom agents uninstall claude-code   # removes exactly what install wrote")
    return say
