"""Per-file line attribution for the BOM, from the blame engine (:mod:`aibom.attribution.blame`):
counts by origin and by model, the AI line ranges (evidence occurrences) and the commits the
surviving lines come from (pedigree). One blame per AI-touched file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


def blame(repo: Repo, rev: str, paths: Sequence[str]) -> dict[str, tuple[LineFact, ...]]:
    """The blame engine over ``paths`` at ``rev``, reduced to line facts."""
    from aibom.attribution.blame import BlameOptions, blame_files

    if not paths:
        return {}
    found = blame_files(repo, list(paths), BlameOptions(rev=rev))
    return {
        path: tuple(LineFact(b.line, b.commit, b.origin, b.model, b.session) for b in lines)
        for path, lines in found.items()
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
