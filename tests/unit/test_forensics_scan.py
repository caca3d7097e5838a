"""The index-free scan on a synthetic history: the raw pre-filter never changes an answer,
the files of wanted commits equal git's numstat, and the line replay equals git blame -w."""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pytest

from aibom.forensics import stats as st
from aibom.forensics.query import TraceQuery
from aibom.forensics.source import GitSource
from aibom.gitutil import discover
from aibom.testing import synthrepo


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> synthrepo.SynthRepo:
    return synthrepo.generate(tmp_path_factory.mktemp("s") / "r", commits=1200, files=25, seed=5)


QUERIES = [
    {"model": "anthropic/claude-opus-4-5"},
    {"model": "anthropic/claude-opus-4-5@20251101"},
    {"model": "anthropic/claude-sonnet-4-5"},
    {"model": "anthropic/claude-3-5-sonnet"},
    {"model": "openai/gpt-4o"},
    {"model": "openai/gpt-4o@2024-11-20"},
    {"model": "4o"},
    {"model": "openai/gpt-5-codex"},
    {"model": "Gemini 2.5 Pro"},
    {"model": "acme/nothing-1"},
    {"agent": "claude-code"},
    {"agent": "aider/0.86.1"},
    {"agent": "CURSOR"},
]


@pytest.mark.parametrize("asked", QUERIES, ids=lambda q: next(iter(q.values())))
def test_prefilter_changes_no_answer(synth: synthrepo.SynthRepo, asked: dict[str, str]) -> None:
    query = TraceQuery.build(**asked)
    source = GitSource(discover(synth.path))
    fast = [f.sha for f in source.commits(None, wanted=query.prefilter()) if query.matches(f)]
    slow = [f.sha for f in source.commits(None) if query.matches(f)]
    assert fast == slow
    if asked.get("model") == "openai/gpt-4o":
        snapshots = [n for m, n in synth.model_commits if m.startswith("openai/gpt-4o-")]
        assert len(fast) == sum(snapshots) > 0


def test_family_counts_equal_what_was_generated(synth: synthrepo.SynthRepo) -> None:
    source = GitSource(discover(synth.path))
    for slug, count in synth.model_commits:
        query = TraceQuery.build(model=slug)  # the snapshot is in the id: an exact query
        found = [f for f in source.commits(None, wanted=query.prefilter()) if query.matches(f)]
        assert len(found) == count, slug


def test_session_prefilter(synth: synthrepo.SynthRepo) -> None:
    source = GitSource(discover(synth.path))
    some = next(f for f in source.commits(None) if f.attribution.sessions)
    query = TraceQuery.build(session=some.attribution.sessions[0])
    fast = [f.sha for f in source.commits(None, wanted=query.prefilter()) if query.matches(f)]
    assert some.sha in fast
    assert fast == [f.sha for f in source.commits(None) if query.matches(f)]


def test_files_of_wanted_commits_equal_numstat(synth: synthrepo.SynthRepo) -> None:
    query = TraceQuery.build(model="openai/gpt-4o")
    source = GitSource(discover(synth.path))
    fast = [f for f in source.commits(None, wanted=query.prefilter(), with_files=True)]
    full = {f.sha: f for f in source.commits(None, with_files=True)}
    assert fast
    for facts in fast:
        assert [c.path for c in facts.files] == [c.path for c in full[facts.sha].files]
        assert not any(c.counted for c in facts.files)
    root = full[synth.head]
    assert root.files and all(c.added > 0 for c in root.files)


def _blame_counts(path: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    names = subprocess.run(
        ["git", "ls-files"], cwd=path, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in names:
        out = subprocess.run(
            ["git", "blame", "-w", "--line-porcelain", "HEAD", "--", name],
            cwd=path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for line in out.splitlines():
            head = line.split(" ", 1)[0]
            if (
                len(head) == 40
                and " " in line
                and line.count(" ") >= 2
                and not line.startswith("\t")
            ):
                counts[head] += 1
    return counts


def test_line_replay_equals_git_blame(synth: synthrepo.SynthRepo) -> None:
    fates = st.line_fates(discover(synth.path), "HEAD", lambda sha: "human")
    assert +fates.alive == _blame_counts(synth.path)
    assert not fates.by_ai and not fates.by_unknown and sum(fates.by_people.values()) > 0


def test_hunk_header() -> None:
    assert st._hunk_numbers("@@ -3,2 +3,0 @@ ctx") == (3, 2, 0)
    assert st._hunk_numbers("@@ -0,0 +1,5 @@") == (0, 0, 5)
    assert st._hunk_numbers("@@ -7 +7 @@") == (7, 1, 1)


def test_line_replay_counts_deletions_by_kind(tmp_path: Path) -> None:
    synth = synthrepo.generate(tmp_path / "r", commits=200, files=4, seed=2)
    repo = discover(synth.path)
    source = GitSource(repo)
    commits = {f.sha: f for f in source.commits(None)}
    fates = st.line_fates(repo, "HEAD", lambda sha: commits[sha].origin)
    added = sum(c.added for f in source.commits(None, with_files=True) for c in f.files)
    removed = sum(fates.by_people.values()) + sum(fates.by_ai.values())
    removed += sum(fates.by_unknown.values())
    assert sum(fates.alive.values()) + removed == added  # every line added is alive or removed
    assert fates.by_people and fates.by_ai and fates.by_unknown


@pytest.mark.parametrize("mode", ["hits", "callable"])
def test_other_prefilter_paths(
    synth: synthrepo.SynthRepo, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without git-side patterns: the raw-text block hits, or a plain callable (then the
    files come from one diff-tree --stdin)."""
    query = TraceQuery.build(model="openai/gpt-4o")
    prefilter = query.prefilter()
    monkeypatch.setattr(type(prefilter), "grep", lambda self: None)
    wanted = prefilter if mode == "hits" else (lambda raw: prefilter(raw))
    source = GitSource(discover(synth.path))
    fast = [f for f in source.commits(None, wanted=wanted, with_files=True) if query.matches(f)]
    full = {f.sha: f for f in source.commits(None, with_files=True)}
    assert [f.sha for f in fast] == [s for s, f in full.items() if query.matches(f)]
    assert fast
    for facts in fast:  # the paths equal git log's numstat
        assert [c.path for c in facts.files] == [c.path for c in full[facts.sha].files]
