"""``aibom trace``: the commits, files and (optionally) surviving lines a model version, an
agent or a session wrote, over any :class:`~aibom.forensics.source.FactsSource`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aibom._value import Value
from aibom.forensics.facts import CommitFacts, FileChange
from aibom.forensics.query import TraceQuery
from aibom.forensics.source import FactsSource

__all__ = ["TraceResult", "TracedCommit", "TracedFile", "trace"]

Progress = Callable[[int], None]  # called with the number of commits found so far


class TracedCommit(Value):
    """A commit a trace found: a read-only view of its facts (built once per match, so it
    copies nothing; a family query can match tens of thousands of commits)."""

    __slots__ = ("facts",)
    facts: CommitFacts

    def __init__(self, facts: CommitFacts) -> None:
        object.__setattr__(self, "facts", facts)

    @property
    def sha(self) -> str:
        return self.facts.sha

    @property
    def repository(self) -> str:
        return self.facts.repository

    @property
    def committed(self) -> int:
        return self.facts.committed

    @property
    def subject(self) -> str:
        return self.facts.subject

    @property
    def files(self) -> tuple[FileChange, ...]:
        return self.facts.files

    @property
    def origin(self) -> str:
        return self.facts.attribution.origin

    @property
    def models(self) -> tuple[str, ...]:
        return self.facts.attribution.models

    @property
    def agent(self) -> str | None:
        return self.facts.attribution.agent

    @property
    def sessions(self) -> tuple[str, ...]:
        return self.facts.attribution.sessions

    @property
    def source(self) -> str:
        return self.facts.attribution.source  # record, trailer, git-ai, agent-trace...

    @property
    def author(self) -> str:
        return f"{self.facts.author_name} <{self.facts.author_email}>"

    @property
    def added(self) -> int | None:
        """Lines the commit added, when its source counted them."""
        files = self.facts.files
        if not all(f.counted for f in files):
            return None
        return sum(f.added for f in files)


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
    matches = query.matcher()
    for facts in source.commits(query.revs, with_files=True, wanted=query.prefilter()):
        scanned += 1
        if matches(facts):
            found.append(TracedCommit(facts))
            if progress is not None:
                progress(len(found))
    return TraceResult(query.label, source.label(), tuple(found), scanned)
