"""``aibom trace``: the commits, files and (optionally) surviving lines a model version, an
agent or a session wrote, over any :class:`~aibom.forensics.source.FactsSource`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aibom.forensics.facts import CommitFacts, FileChange
from aibom.forensics.query import TraceQuery
from aibom.forensics.source import FactsSource

__all__ = ["TraceResult", "TracedCommit", "TracedFile", "trace"]

Progress = Callable[[int], None]  # called with the number of commits found so far


@dataclass(frozen=True)
class TracedCommit:
    sha: str
    repository: str
    committed: int
    author: str
    subject: str
    origin: str
    models: tuple[str, ...]
    agent: str | None
    sessions: tuple[str, ...]
    source: str  # where the attribution came from: record, trailer, git-ai, ...
    files: tuple[FileChange, ...]

    @property
    def added(self) -> int | None:
        """Lines the commit added, when its source counted them."""
        if not all(f.counted for f in self.files):
            return None
        return sum(f.added for f in self.files)

    @classmethod
    def of(cls, facts: CommitFacts) -> TracedCommit:
        a = facts.attribution
        return cls(
            sha=facts.sha,
            repository=facts.repository,
            committed=facts.committed,
            author=f"{facts.author_name} <{facts.author_email}>",
            subject=facts.subject,
            origin=a.origin,
            models=a.models,
            agent=a.agent,
            sessions=a.sessions,
            source=a.source,
            files=facts.files,
        )


@dataclass(frozen=True)
class TracedFile:
    """A file the matching commits touched: how many of them, and the lines they added."""

    repository: str
    path: str
    commits: int
    added: int | None  # None: the source gave paths without line counts


@dataclass(frozen=True)
class TraceResult:
    query: str  # e.g. "model anthropic/claude-opus-4-5"
    source: str
    commits: tuple[TracedCommit, ...]  # newest first
    scanned: int  # commits the source handed over (after its raw pre-filter)

    @property
    def found(self) -> bool:
        return bool(self.commits)

    @property
    def files(self) -> tuple[TracedFile, ...]:
        counts: dict[tuple[str, str], list[int]] = {}
        uncounted: set[tuple[str, str]] = set()
        for commit in self.commits:
            for change in commit.files:
                key = (commit.repository, change.path)
                entry = counts.setdefault(key, [0, 0])
                entry[0] += 1
                entry[1] += change.added
                if not change.counted:
                    uncounted.add(key)
        return tuple(
            TracedFile(key[0], key[1], n, None if key in uncounted else added)
            for key, (n, added) in sorted(counts.items())
        )


def trace(
    source: FactsSource, query: TraceQuery, *, progress: Progress | None = None
) -> TraceResult:
    """Every commit ``query.revs`` selects in ``source`` that ``query`` matches, with files."""
    found: list[TracedCommit] = []
    scanned = 0
    for facts in source.commits(query.revs, with_files=True, wanted=query.prefilter()):
        scanned += 1
        if query.matches(facts):
            found.append(TracedCommit.of(facts))
            if progress is not None:
                progress(len(found))
    return TraceResult(query.label, source.label(), tuple(found), scanned)
