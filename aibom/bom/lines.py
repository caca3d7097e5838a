"""Per-file line attribution for the BOM, from the blame engine (:mod:`aibom.attribution.blame`):
counts by origin and by model, the AI line ranges (evidence occurrences) and the commits the
surviving lines come from (pedigree). One blame per AI-touched file.

At release scale the cost of ``git blame`` is its walk through the whole history (100,000
commits for every file). The BOM already read, in its one ``git log`` pass, which commits
touched each path; for a linear history it hands blame that list as its ancestry (``-S``),
so each blame visits only the commits that changed the file. The lines and the commits they
are credited to are the same as a plain blame's (a test compares them).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from aibom.bom.history import History, read_ancestry
from aibom.gitutil import Repo

BLAME_TIMEOUT = 600.0

ORIGINS = ("ai", "mixed", "human", "unknown")
AI_ORIGINS = ("ai", "mixed")


@dataclass(frozen=True)
class LineRange:
    start: int  # 1-based, inclusive
    end: int
    origin: str  # ai | mixed
    model: str | None
    session: str | None


@dataclass(frozen=True)
class FileLines:
    path: str
    total: int
    by_origin: tuple[tuple[str, int], ...]  # every origin in ORIGINS, in that order
    by_model: tuple[tuple[str, int], ...]  # AI/mixed lines per model, sorted by model
    ranges: tuple[LineRange, ...]
    commits: tuple[str, ...]  # commits the current lines come from, first appearance order
    sessions: tuple[str, ...]

    def count(self, origin: str) -> int:
        return dict(self.by_origin).get(origin, 0)

    @property
    def ai_share(self) -> float:
        return (self.count("ai") + self.count("mixed")) / self.total if self.total else 0.0


@dataclass(frozen=True)
class LineFact:
    """What the BOM needs of one blamed line (a subset of ``BlameLine``)."""

    line: int
    commit: str
    origin: str
    model: str | None
    session: str | None


class Touching(Protocol):
    """A commit as far as chains need it (a history ``Commit`` or an ``Ancestor``)."""

    @property
    def sha(self) -> str: ...
    @property
    def parents(self) -> tuple[str, ...]: ...
    @property
    def paths(self) -> tuple[str, ...]: ...
    @property
    def added(self) -> tuple[str, ...]: ...
    @property
    def deletes(self) -> bool: ...


def path_chains(ancestry: Sequence[Touching]) -> dict[str, tuple[str, ...]]:
    """For each path, the commits of ``ancestry`` (the whole ancestry of the release, newest
    first) that touched it: the path's simplified history, when that history is linear.
    Paths whose first commit may be a rename (it adds the path and deletes another) are left
    out: plain ``git blame`` follows the rename."""
    if any(len(c.parents) > 1 for c in ancestry):
        return {}
    chains: dict[str, list[str]] = {}
    first: dict[str, Touching] = {}
    for commit in ancestry:
        for path in commit.paths:
            chains.setdefault(path, []).append(commit.sha)
            first[path] = commit
    return {
        path: tuple(shas)
        for path, shas in chains.items()
        if not (first[path].deletes and first[path].parents and path in first[path].added)
    }


def chains_for(repo: Repo, history: History, release: str) -> dict[str, tuple[str, ...]]:
    """Chains for a build: from its own history when that is the release's whole ancestry,
    else from one more ``git log`` of the ancestry's paths (a range or ``--all``)."""
    if history.revs == (release,):
        return path_chains(history.commits)
    return path_chains(read_ancestry(repo, release))


def _graft_lines(release: str, chain: Sequence[str]) -> str:
    """``git blame -S`` ancestry: each commit's parent is the previous commit of the chain,
    so blame walks the commits that touched the file instead of the whole history."""
    order = [release, *chain] if chain[0] != release else list(chain)
    rows = [f"{sha} {parent}" for sha, parent in itertools.pairwise(order)]
    rows.append(order[-1])
    return "\n".join(rows) + "\n"


def _run_one(repo: Repo, rev: str, path: str, chain: Sequence[str] | None, scratch: str) -> Any:
    from aibom.attribution.blame import (
        BlameOptions,
        RawBlame,
        blame_argv,
        parse_porcelain,
        run_blame,
    )

    options = BlameOptions(rev=rev)
    if not chain:
        return run_blame(repo, path, options)
    ancestry = os.path.join(
        scratch, hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()
    )
    with open(ancestry, "w", encoding="ascii") as handle:
        handle.write(_graft_lines(rev, chain))
    argv = blame_argv(path, options)
    argv = [*argv[: argv.index(rev)], "-S", ancestry, *argv[argv.index(rev) :]]
    proc = repo.git(argv, check=False, timeout=BLAME_TIMEOUT)
    if proc.returncode != 0:  # not expected; plain blame reports its own error
        return run_blame(repo, path, options)
    return RawBlame(path, proc.stdout, parse_porcelain(proc.stdout))


def blame(
    repo: Repo,
    rev: str,
    paths: Sequence[str],
    chains: Mapping[str, Sequence[str]] | None = None,
    workers: int | None = None,
) -> dict[str, tuple[LineFact, ...]]:
    """The blame engine over ``paths`` at ``rev``, reduced to line facts: one ``git blame``
    per file, several at once, each limited to ``chains[path]`` when given; the lines are
    then credited from the notes in one bulk pass (:func:`attribute_lines`)."""
    from aibom.attribution.blame import attribute_lines

    if not paths:
        return {}
    known = chains or {}
    count = workers or min(8, os.cpu_count() or 2)
    with (
        tempfile.TemporaryDirectory(prefix="aibom-blame-") as scratch,
        ThreadPoolExecutor(max_workers=count) as pool,
    ):
        raws = list(pool.map(lambda p: _run_one(repo, rev, p, known.get(p), scratch), paths))
    found = attribute_lines(repo, raws)
    return {
        path: tuple(LineFact(b.line, b.commit, b.origin, b.model, b.session) for b in lines)
        for path, lines in found.items()
    }


def unknown_at(
    found: dict[str, tuple[LineFact, ...]], boundary: frozenset[str]
) -> dict[str, tuple[LineFact, ...]]:
    """``found`` with the lines blame credits to a shallow clone's ``boundary`` commits made
    unknown: blame stops there and credits every older line to it, though those lines were
    written there or in the history the clone does not have."""
    if not boundary:
        return found
    return {
        path: tuple(
            LineFact(f.line, f.commit, "unknown", None, None) if f.commit in boundary else f
            for f in facts
        )
        for path, facts in found.items()
    }


def summarize(path: str, lines: Sequence[LineFact]) -> FileLines:
    origins = Counter(line.origin if line.origin in ORIGINS else "unknown" for line in lines)
    models = Counter(
        line.model for line in lines if line.origin in AI_ORIGINS and line.model is not None
    )
    return FileLines(
        path=path,
        total=len(lines),
        by_origin=tuple((o, origins.get(o, 0)) for o in ORIGINS),
        by_model=tuple(sorted(models.items())),
        ranges=_ranges(lines),
        commits=tuple(dict.fromkeys(line.commit for line in lines)),
        sessions=tuple(
            sorted({line.session for line in lines if line.session and line.origin in AI_ORIGINS})
        ),
    )


def _ranges(lines: Sequence[LineFact]) -> tuple[LineRange, ...]:
    ranges: list[LineRange] = []
    for line in sorted(lines, key=lambda x: x.line):
        if line.origin not in AI_ORIGINS:
            continue
        last = ranges[-1] if ranges else None
        if (
            last is not None
            and last.end + 1 == line.line
            and (last.origin, last.model, last.session) == (line.origin, line.model, line.session)
        ):
            ranges[-1] = LineRange(last.start, line.line, last.origin, last.model, last.session)
        else:
            ranges.append(LineRange(line.line, line.line, line.origin, line.model, line.session))
    return tuple(ranges)


def summarize_all(found: Mapping[str, Sequence[LineFact]]) -> dict[str, FileLines]:
    return {path: summarize(path, lines) for path, lines in sorted(found.items())}
