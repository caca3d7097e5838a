"""Commit facts: the trailer block read from the message agrees with git's own
``%(trailers:unfold,only)``, and the subject with ``%s``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aibom.forensics.facts import subject_of, trailer_block

MESSAGES = [
    "subject only",
    "subject\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-4o-2024-08-06\n",
    "subject\n\nbody text\nmore\n\nAI-Origin: ai-assisted\nAI-Model: Claude Opus 4.5\n",
    "subject\n\nAI-Model: x\nthis is prose\nmore prose\n",
    "subject\n\nprose line\nSigned-off-by: A <a@example.com>\nAI-Model: acme/m-1\n",
    "subject\n\nAI-Origin: ai-generated\nAI-Model: anthropic/claude-opus-4-5\n  -20251101\n",
    "subject\nwrapped title\n\nAI-Origin: human\n",
    "subject\n\nAI-Origin : ai-generated\nAI-Model:openai/gpt-5-codex\n\n\n",
    "subject\n\nAI-Origin: ai-generated\n\nbody after trailers\n",
    "subject\n\nsee http://example.com/x\nAI-Origin: ai-generated\n",
    "subject\n\nNot a-trailer: x\nAI-Origin: ai-generated\n",
    "subject\n\nCo-authored-by: Claude <noreply@example.com>\nAI-Session: s-1\n",
    "AI-Origin: ai-generated\n",
    "\n\nsubject after blank lines\n\nAI-Origin: ai-assisted\n",
    "subject\n\n(cherry picked from commit 0123456789abcdef)\nprose\nprose\nAI-Origin: human\n",
]


@pytest.fixture(scope="module")
def git_view(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, str]]:
    path: Path = tmp_path_factory.mktemp("msgs")
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    ident = ["-c", "user.name=T", "-c", "user.email=t@example.com"]

    def git(*args: str, message: str | None = None) -> str:
        return subprocess.run(
            ["git", *ident, *args],
            cwd=path,
            env=env,
            input=message,
            text=True,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout

    git("init", "-q")
    for message in MESSAGES:
        git("commit", "-q", "--allow-empty", "--cleanup=verbatim", "-F", "-", message=message)
    out = git("log", "--reverse", "--format=%x1e%B%x1f%(trailers:unfold,only)%x1f%s")
    return [tuple(chunk.split("\x1f")) for chunk in out.split("\x1e")[1:]]  # type: ignore[misc]


def test_trailer_block_agrees_with_git(git_view: list[tuple[str, str, str]]) -> None:
    assert len(git_view) == len(MESSAGES)
    for body, trailers, _ in git_view:
        assert trailer_block(body) == trailers, body


def test_subject_agrees_with_git(git_view: list[tuple[str, str, str]]) -> None:
    for body, _, subject in git_view:
        assert subject_of(body) == subject.rstrip("\n"), body
