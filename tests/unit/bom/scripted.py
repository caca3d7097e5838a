"""A small scripted repository for BOM tests: human, AI (records and trailers), reviewed and
dependency-adding commits, with fixed dates and identities so its commit ids, notes and BOM
are the same on every run."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import Any

from aibom import __version__
from aibom.gitutil import discover
from aibom.notes.records import Record
from aibom.notes.store import NotesStore
from aibom.provenance.generation import model_json
from aibom.provenance.modelid import normalize_model
from aibom.provenance.session import rfc3339

START = 1_700_000_000
HASH_A = "a" * 64
HASH_B = "b" * 64
OPUS = "anthropic/claude-opus-4-5-20251101"
SONNET = "anthropic/claude-sonnet-4-5-20250929"
CODEX = "openai/gpt-5-codex"
REVIEWER = "Rita Reviewer <rita@example.com>"
UTIL_1 = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
APP_2 = "import click\n\nfrom util import add\n\n\ndef main():\n    print(add(1, 2))\n"
NET = "import requests\n\n\ndef get(url):\n    return requests.get(url, timeout=5)\n"


def _git(path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=path,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def generation(
    origin: str, model: str | None, agent: str | None, session: str | None, when: int, **extra: Any
) -> Record:
    models = [normalize_model(model)] if model else []
    name, _, version = (agent or "").partition("/")
    body: dict[str, Any] = {
        "origin": origin,
        "confidence": 0.95 if model else 0.6,
        "inferred": False,
        "models": [model_json(m) for m in models if m is not None],
        "agent": {"name": name, "version": version or None} if agent else None,
        "session": session,
        "evidence": [
            {
                "source": "agent-hook" if model else "identity",
                "origin": origin,
                "confidence": 0.95 if model else 0.6,
                "detail": "scripted",
            }
        ],
        "timestamps": {"committed": rfc3339(when)},
        "tool": {"name": "aibom", "version": __version__},
        **extra,
    }
    return Record.create("generation", body)


def dependency(
    origin: str, model: str, agent: str, session: str, added: list[dict[str, Any]]
) -> Record:
    name, _, version = agent.partition("/")
    body = {
        "origin": origin,
        "models": [model],
        "agent": {"name": name, "version": version or None},
        "session": session,
        "added": added,
        "findings": [],
        "tool": {"name": "aibom", "version": __version__},
    }
    return Record.create("dependency", body)


class Script:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.when = START
        self.shas: list[str] = []

    def commit(self, message: str, files: dict[str, str], records: list[Record] = ()) -> str:  # type: ignore[assignment]
        for name, content in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            _git(self.path, "add", name)
        stamp = f"@{self.when} +0000"
        env = {
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
            "GIT_AUTHOR_NAME": "Test Human",
            "GIT_AUTHOR_EMAIL": "human@example.com",
            "GIT_COMMITTER_NAME": "Test Human",
            "GIT_COMMITTER_EMAIL": "human@example.com",
        }
        _git(self.path, "commit", "-q", "--no-verify", "-m", message, env=env)
        sha = _git(self.path, "rev-parse", "HEAD")
        if records:
            NotesStore(discover(self.path)).append(sha, [r.line for r in records])
        self.shas.append(sha)
        self.when += 3600
        return sha


def build_scripted(path: Path, *, notes: bool = True) -> list[str]:
    """Make the scripted history in the (empty, initialised) repository at ``path``."""
    s = Script(path)
    w = s.when
    rec = notes
    s.commit(
        "start the app",
        {
            "README.md": "# app\n",
            "src/app.py": "import click\n\n\ndef main():\n    pass\n",
            "requirements.txt": f"click==8.1.7 --hash=sha256:{HASH_A}\n",
        },
        [generation("human", None, None, None, w)] if rec else [],
    )
    w = s.when
    s.commit(
        "ai: add the util module\n\nAI-Origin: ai-generated\nAI-Model: "
        + OPUS
        + "\nAI-Agent: claude-code/2.0.14\nAI-Session: sess-1",
        {
            "src/util.py": UTIL_1,
            "src/app.py": APP_2,
        },
        [
            generation(
                "ai-generated",
                OPUS,
                "claude-code/2.0.14",
                "sess-1",
                w,
                parameters={"temperature": 0.2},
                prompt={"digest": _digest("write a util module")},
                context=[{"name": "src/app.py", "digest": _digest("app")}],
            )
        ]
        if rec
        else [],
    )
    s.commit(
        "codex: multiply\n\nAI-Origin: ai-assisted\nAI-Model: "
        + CODEX
        + "\nAI-Agent: codex/0.50.0\nAI-Session: sess-2\nReviewed-by: "
        + REVIEWER,
        {"src/util.py": "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n"},
    )
    w = s.when
    s.commit(
        "ai: use requests\n\nAI-Origin: ai-assisted\nAI-Model: "
        + SONNET
        + "\nAI-Agent: claude-code/2.0.14\nAI-Session: sess-3",
        {
            "requirements.txt": f"click==8.1.7 --hash=sha256:{HASH_A}\n"
            f"requests==2.32.3 --hash=sha256:{HASH_B}\n",
            "src/net.py": NET,
        },
        [
            generation("ai-assisted", SONNET, "claude-code/2.0.14", "sess-3", w),
            dependency(
                "ai-assisted",
                SONNET,
                "claude-code/2.0.14",
                "sess-3",
                [
                    {
                        "ecosystem": "pypi",
                        "name": "requests",
                        "spec": "==2.32.3",
                        "kind": "runtime",
                        "path": "requirements.txt",
                        "line": 2,
                    }
                ],
            ),
        ]
        if rec
        else [],
    )
    w = s.when
    s.commit(
        "docs by hand\n\nReviewed-by: " + REVIEWER,
        {"README.md": "# app\n\nAdds and multiplies.\n"},
        [generation("human", None, None, None, w)] if rec else [],
    )
    _git(path, "tag", "v1.0")
    return s.shas
