"""Per-file line attribution for the BOM, from the blame engine (:mod:`aibom.attribution.blame`):
counts by origin and by model, the AI line ranges (evidence occurrences) and the commits the
surviving lines come from (pedigree). One blame per AI-touched file, along the file's own
history when that is linear (:mod:`aibom.attribution.chains`): the BOM's one ``git log``
pass already says which commits touched each path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aibom.attribution.chains import path_chains, read_ancestry
from aibom.bom.history import History
from aibom.gitutil import Repo

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


def chains_for(repo: Repo, history: History, release: str) -> dict[str, tuple[str, ...]]:
    """Chains for a build (:mod:`aibom.attribution.chains`): from its own history when that
    is the release's whole ancestry, else from one more ``git log`` of the ancestry's paths
    (a range or ``--all``)."""
    if history.revs == (release,):
        return path_chains(history.commits)
    return path_chains(read_ancestry(repo, release))


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
    from aibom.attribution.blame import BlameOptions, attribute_lines, raw_blames

    if not paths:
        return {}
    raws = raw_blames(repo, paths, BlameOptions(rev=rev), chains=chains, workers=workers)
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
