"""git selects trace candidates itself (``git log --grep`` over messages and notes): on
commits that spell models every way the normaliser reads, the answer is the same as
reading every commit, with PCRE and with POSIX extended regexps."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aibom.forensics import facts
from aibom.forensics.query import TraceQuery
from aibom.forensics.source import GitSource
from aibom.gitutil import discover

SPELLINGS = [
    "anthropic/claude-opus-4-5-20251101",
    "Claude Opus 4.5",
    "claude-4.5-opus",
    "opus-4-5",
    "us.anthropic.claude-opus-4-5-20251101-v1:0",
    "claude-opus-4-5@20251101",
    "CLAUDE_OPUS_4_5",
    "anthropic/claude-opus-4-1-20250805",
    "claude-3-5-sonnet-20241022",
    "sonnet-3.5",
    "openrouter/openai/gpt-4o",
    "4o",
    "gpt-4o-2024-08-06",
    "GPT 4o mini",
    "models/gemini-2.5-pro",
    "acme/frob-2",
]
QUERIES = [
    "anthropic/claude-opus-4-5",
    "anthropic/claude-opus-4-5@20251101",
    "anthropic/claude-opus-4-1",
    "anthropic/claude-3-5-sonnet",
    "openai/gpt-4o",
    "openai/gpt-4o-mini",
    "google/gemini-2.5-pro",
    "acme/frob-2",
]


@pytest.fixture(scope="module")
def spelled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spell")
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    ident = ["-c", "user.name=T", "-c", "user.email=t@example.com"]

    def git(*args: str, message: str | None = None) -> None:
        subprocess.run(
            ["git", *ident, *args],
            cwd=path,
            env=env,
            input=message,
            text=True,
            capture_output=True,
            check=True,
            timeout=60,
        )

    git("init", "-q")
    for i, spelling in enumerate(SPELLINGS):
        (path / f"f{i}.txt").write_text(spelling + "\n")
        git("add", f"f{i}.txt")
        git(
            "commit",
            "-q",
            "-F",
            "-",
            message=f"c{i}\n\nAI-Origin: ai-generated\nAI-Model: {spelling}\n",
        )
    return path


@pytest.mark.parametrize("engines", [facts._ENGINES, ("--extended-regexp",)])
@pytest.mark.parametrize("text", QUERIES)
def test_git_selection_changes_no_answer(
    spelled: Path, text: str, engines: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(facts, "_ENGINES", engines)
    query = TraceQuery.build(model=text)
    source = GitSource(discover(spelled))
    every = [f.sha for f in source.commits(None) if query.matches(f)]
    chosen = [
        f.sha
        for f in source.commits(None, wanted=query.prefilter(), with_files=True)
        if query.matches(f)
    ]
    assert chosen == every
    assert every or text == "openai/gpt-4o-mini" or "@" in text


def test_spellings_really_match(spelled: Path) -> None:
    source = GitSource(discover(spelled))
    opus = TraceQuery.build(model="anthropic/claude-opus-4-5")
    found = [f for f in source.commits(None, wanted=opus.prefilter()) if opus.matches(f)]
    assert len(found) == 7  # every opus 4.5 spelling above, not 4.1 or sonnet
    gpt = TraceQuery.build(model="openai/gpt-4o")
    assert len([f for f in source.commits(None, wanted=gpt.prefilter()) if gpt.matches(f)]) == 3


def test_agent_and_session_selection(spelled: Path) -> None:
    source = GitSource(discover(spelled))
    for query in (TraceQuery.build(agent="codex"), TraceQuery.build(session="s-1")):
        assert list(source.commits(None, wanted=query.prefilter())) == []
