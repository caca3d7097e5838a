"""``aibom stats``: commits and lines added by origin, model, agent, author or month; how many
AI lines are still alive at the tip; how many were later modified by people.

Two git passes: the commit facts (one ``git log`` with notes and numstat, through a
:class:`~aibom.forensics.source.FactsSource`), and, for the line figures, one
``git log --reverse --first-parent -p -U0 -w -M`` over the history of the tip that replays
every hunk on per-file line lists (each line remembers the commit that wrote it, as blame -w
would; a renamed file keeps its lines' authors). A line "modified by people" was deleted or
rewritten by a commit whose origin is human; lines changed by unattributed commits are
counted apart (unknown is not human).
Merges count as their diff against the first parent.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from aibom.attribution.gitpath import unquote
from aibom.errors import UsageError
from aibom.forensics.facts import CommitFacts, stream_log
from aibom.forensics.source import FactsSource
from aibom.gitutil import Repo

__all__ = ["By", "Group", "LineFates", "Stats", "line_fates", "stats"]

NONE = "(none)"
Progress = Callable[[int], None]


class By(StrEnum):
    ORIGIN = "origin"
    MODEL = "model"
    AGENT = "agent"
    AUTHOR = "author"
    MONTH = "month"


def keys_of(facts: CommitFacts, by: By) -> tuple[str, ...]:
    """The groups a commit counts in (a commit of two models counts in both)."""
    a = facts.attribution
    if by is By.ORIGIN:
        return (a.origin,)
    if by is By.MODEL:
        return a.models or (NONE,)
    if by is By.AGENT:
        return ((a.agent.partition("/")[0] if a.agent else NONE),)
    if by is By.AUTHOR:
        return (facts.author_email or facts.author_name or NONE,)
    if by is By.MONTH:
        return (dt.datetime.fromtimestamp(facts.committed, dt.UTC).strftime("%Y-%m"),)
    assert_never(by)


@dataclass(frozen=True)
class Group:
    key: str
    commits: int
    ai_commits: int
    lines_added: int
    ai_lines_added: int
    ai_lines_alive: int | None = None  # None: line figures not computed
    ai_lines_modified_by_people: int | None = None


@dataclass(frozen=True)
class LineFates:
    """What became of the lines each commit added, replayed up to ``tip``."""

    tip: str
    alive: Counter[str]  # commit -> its lines still present at the tip
    by_people: Counter[str]  # commit -> its lines later deleted/rewritten by human commits
    by_unknown: Counter[str]  # ... by unattributed commits
    by_ai: Counter[str]  # ... by AI commits (including itself, later)


@dataclass(frozen=True)
class Stats:
    by: By
    source: str
    commits: int
    ai_commits: int
    lines_added: int
    ai_lines_added: int
    groups: tuple[Group, ...]
    tip: str | None = None  # the revision the line figures were replayed to
    ai_lines_alive: int | None = None
    ai_lines_modified_by_people: int | None = None
    ai_lines_modified_by_unknown: int | None = None

    @property
    def ai_alive_share(self) -> float | None:
        return _share(self.ai_lines_alive, self.ai_lines_added)

    @property
    def ai_modified_by_people_share(self) -> float | None:
        return _share(self.ai_lines_modified_by_people, self.ai_lines_added)


def _share(part: int | None, whole: int) -> float | None:
    if part is None or whole == 0:
        return None
    return part / whole


def stats(
    source: FactsSource,
    revs: Sequence[str] | None,
    by: By = By.ORIGIN,
    *,
    fates: Callable[[dict[str, CommitFacts]], LineFates | None] | None = None,
    progress: Progress | None = None,
) -> Stats:
    """Aggregate the commits ``revs`` selects; ``fates`` (given the commits by sha) replays
    their lines for the alive/modified figures (None: those figures are left out)."""
    commits: dict[str, CommitFacts] = {}
    for facts in source.commits(revs, with_files=True):
        commits.setdefault(facts.sha, facts)
        if progress is not None and len(commits) % 1000 == 0:
            progress(len(commits))
    replay = fates(commits) if fates is not None and commits else None
    return _aggregate(source.label(), commits, by, replay)


def _aggregate(
    label: str, commits: dict[str, CommitFacts], by: By, fates: LineFates | None
) -> Stats:
    rows: dict[str, list[int]] = {}
    alive: Counter[str] = Counter()
    people: Counter[str] = Counter()
    for sha, facts in commits.items():
        added = sum(f.added for f in facts.files)
        ai = facts.is_ai
        for key in keys_of(facts, by):
            row = rows.setdefault(key, [0, 0, 0, 0])
            row[0] += 1
            row[1] += ai
            row[2] += added
            row[3] += added if ai else 0
            if fates is not None and ai:
                alive[key] += fates.alive[sha]
                people[key] += fates.by_people[sha]
    groups = tuple(
        Group(
            key,
            row[0],
            row[1],
            row[2],
            row[3],
            ai_lines_alive=alive[key] if fates is not None else None,
            ai_lines_modified_by_people=people[key] if fates is not None else None,
        )
        for key, row in sorted(rows.items(), key=lambda kv: (-kv[1][2], kv[0]))
    )
    ai_shas = [s for s, f in commits.items() if f.is_ai]
    return Stats(
        by=by,
        source=label,
        commits=len(commits),
        ai_commits=len(ai_shas),
        lines_added=_added(commits),
        ai_lines_added=_added({s: commits[s] for s in ai_shas}),
        groups=groups,
        tip=fates.tip if fates is not None else None,
        ai_lines_alive=sum(fates.alive[s] for s in ai_shas) if fates is not None else None,
        ai_lines_modified_by_people=(
            sum(fates.by_people[s] for s in ai_shas) if fates is not None else None
        ),
        ai_lines_modified_by_unknown=(
            sum(fates.by_unknown[s] for s in ai_shas) if fates is not None else None
        ),
    )


def _added(commits: dict[str, CommitFacts]) -> int:
    return sum(f.added for facts in commits.values() for f in facts.files)


# -- line replay -------------------------------------------------------------------------------
_SEP = "\x1eC\x1f"


def line_fates(repo: Repo, tip: str, origin_of: Callable[[str], str]) -> LineFates:
    """Replay the first-parent history of ``tip`` hunk by hunk. ``origin_of(sha)`` is the
    origin of any commit (human | ai-assisted | ai-generated | unknown)."""
    argv = [
        "-c",
        "core.quotePath=false",
        "log",
        "--reverse",
        "--first-parent",
        "-m",
        "-p",
        "-U0",
        "-w",
        "-M",
        "--no-color",
        "--no-ext-diff",
        "--format=%x1eC%x1f%H",
        tip,
        "--",
    ]
    replay = _Replay(origin_of)
    pending = ""
    for block in stream_log(repo, argv):
        text = pending + block.decode("utf-8", "surrogateescape")
        lines = text.split("\n")
        pending = lines.pop()
        replay.feed(lines)
    replay.feed([pending])
    return replay.result(tip)


class _Replay:
    def __init__(self, origin_of: Callable[[str], str]) -> None:
        self.origin_of = origin_of
        self.files: dict[str, list[str]] = {}
        self.commit = ""
        self.kind = "unknown"
        self.old: str | None = None
        self.new: str | None = None
        self.offset = 0
        self.skip = 0
        self.by_people: Counter[str] = Counter()
        self.by_unknown: Counter[str] = Counter()
        self.by_ai: Counter[str] = Counter()

    def feed(self, lines: Iterable[str]) -> None:
        for line in lines:
            if self.skip:
                self.skip -= 1
            elif line.startswith(_SEP):
                self.commit = line[len(_SEP) :].strip()
                self.kind = _kind(self.origin_of(self.commit))
                self.old = self.new = None
            elif line.startswith("diff --git "):
                self.old = self.new = None
            elif line.startswith("rename from "):
                self.old = unquote(line[12:])
            elif line.startswith("rename to ") and self.old is not None:
                self._renamed(self.old, unquote(line[10:]))
            elif line.startswith("--- "):
                self.old = _path(line[4:], "a/")
            elif line.startswith("+++ "):
                self._start_file(_path(line[4:], "b/"))
            elif line.startswith("@@ ") and self.new is not None:
                self._hunk(line)

    def _renamed(self, old: str, new: str) -> None:
        """A rename (``-M``): the lines move with the file and keep their authors."""
        self.files[new] = self.files.pop(old, [])
        self.old = self.new = new

    def _start_file(self, new: str | None) -> None:
        self.new = new
        self.offset = 0
        if new is None and self.old is not None:  # deleted
            self._removed(self.files.pop(self.old, []))
            self.new = None
        elif new is not None and self.old is None:  # added
            self.files[new] = []

    def _hunk(self, header: str) -> None:
        old_start, old_count, new_count = _hunk_numbers(header)
        assert self.new is not None
        lines = self.files.setdefault(self.new, [])
        start = (old_start - 1 if old_count else old_start) + self.offset
        self._removed(lines[start : start + old_count])
        lines[start : start + old_count] = [self.commit] * new_count
        self.offset += new_count - old_count
        self.skip = old_count + new_count

    def _removed(self, shas: Iterable[str]) -> None:
        target = {"human": self.by_people, "unknown": self.by_unknown}.get(self.kind, self.by_ai)
        target.update(shas)

    def result(self, tip: str) -> LineFates:
        alive: Counter[str] = Counter()
        for shas in self.files.values():
            alive.update(shas)
        return LineFates(tip, alive, self.by_people, self.by_unknown, self.by_ai)


def _kind(origin: str) -> str:
    return {"human": "human", "unknown": "unknown"}.get(origin, "ai")


def _path(text: str, prefix: str) -> str | None:
    text = unquote(text.rstrip("\t"))
    if text == "/dev/null":
        return None
    return text[len(prefix) :] if text.startswith(prefix) else text


def _hunk_numbers(header: str) -> tuple[int, int, int]:
    """``@@ -a[,b] +c[,d] @@`` -> (a, b, d)."""
    try:
        old, new = header.split(" ")[1:3]
        a, _, b = old[1:].partition(",")
        _, _, d = new[1:].partition(",")
        return int(a), int(b) if b else 1, int(d) if d else 1
    except ValueError as exc:  # pragma: no cover - git always writes this form
        raise UsageError(f"unexpected diff hunk header {header!r}") from exc
