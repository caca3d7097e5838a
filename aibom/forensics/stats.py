"""``aibom stats``: commits and lines added by origin, model, agent, author or month; how many
AI lines are still alive at the tip; how many were later modified by people.

Two git passes: the commit facts (one ``git log`` with notes and numstat, through a
:class:`~aibom.forensics.source.FactsSource`), and, for the line figures, one
``git log --reverse --topo-order -p -U0 -w -M`` over the history of the tip that replays
every hunk on per-file line lists (each line remembers the commit that wrote it, as blame -w
would; a renamed file keeps its lines' authors, a merge's lines keep the authors they have
in the parent they came from). A line "modified by people" was deleted or
rewritten by a commit whose origin is human; lines changed by unattributed commits are
counted apart (unknown is not human).
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
from aibom.forensics.facts import ENTRY_FORMAT, ENTRY_MARK, CommitFacts, stream_log
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
_DIFF = [
    "-p",
    "-U0",
    "-w",
    "-M",
    "--no-color",
    "--no-ext-diff",
    "--src-prefix=a/",
    "--dst-prefix=b/",
]
_FROM_PARENT = ""  # owner placeholder while a merge's lines are matched to its parents


def line_fates(
    repo: Repo,
    tip: str,
    origin_of: Callable[[str], str],
    progress: Callable[[int, int], None] | None = None,
) -> LineFates:
    """Replay the history of ``tip`` hunk by hunk, parents before children. ``origin_of(sha)``
    is the origin of any commit (human | ai-assisted | ai-generated | unknown).

    A merge's lines keep the owners they have in the parent they came from (as blame does):
    a line unchanged against the first parent keeps that parent's owner, else one unchanged
    against another parent keeps that one's; only lines new to every parent are the merge's.
    Deletions are counted where they are made: a branch's on the branch, none at a merge.
    Three git calls: ``rev-list --parents``, one ``git log -p`` (merges without diffs) and,
    when there are merges, one ``git diff-tree --stdin`` for their diffs against each parent.
    ``progress(done, total)`` is told the commits replayed as the log is read."""
    graph = _graph(repo, tip)
    if not graph:
        return LineFates(tip, Counter(), Counter(), Counter(), Counter())
    argv = ["-c", "core.quotePath=false", "log", "--reverse", "--topo-order", *_DIFF]
    argv += [f"--format={ENTRY_FORMAT}%H %P", tip, "--"]
    replay = _Replay(origin_of, graph, _merge_diffs(repo, graph))
    for lines in _lines(stream_log(repo, argv)):
        replay.feed(lines)
        if progress is not None:
            progress(replay.replayed, len(graph))
    return replay.result(tip, next(iter(graph)))


def _graph(repo: Repo, tip: str) -> dict[str, tuple[str, ...]]:
    """Every commit of ``tip``'s history -> its parents, the tip first."""
    proc = repo.git(["rev-list", "--parents", "--end-of-options", tip, "--"], check=False)
    if proc.returncode != 0:
        raise UsageError(f"bad revision {tip!r}", hint="e.g. --range v1.0..HEAD")
    graph: dict[str, tuple[str, ...]] = {}
    for line in proc.stdout.decode().splitlines():
        sha, *parents = line.split()
        graph[sha] = tuple(parents)
    return graph


def _lines(blocks: Iterable[bytes]) -> Iterable[list[str]]:
    pending = ""
    for block in blocks:
        lines = (pending + block.decode("utf-8", "surrogateescape")).split("\n")
        pending = lines.pop()
        yield lines
    yield [pending]


def _merge_diffs(repo: Repo, graph: dict[str, tuple[str, ...]]) -> dict[tuple[str, str], list[str]]:
    """(merge, parent) -> the diff lines from that parent to the merge."""
    pairs = [f"{sha} {p}\n" for sha, parents in graph.items() if len(parents) > 1 for p in parents]
    if not pairs:
        return {}
    argv = ["-c", "core.quotePath=false", "diff-tree", "--stdin", "--always", "-r", *_DIFF]
    proc = repo.git([*argv, f"--format={ENTRY_FORMAT}%H %P"], input="".join(pairs).encode())
    diffs: dict[tuple[str, str], list[str]] = {}
    current: list[str] = []
    for line in proc.stdout.decode("utf-8", "surrogateescape").split("\n"):
        if line.startswith(ENTRY_MARK):
            sha, _, parent = line[len(ENTRY_MARK) :].partition(" ")
            current = diffs.setdefault((sha, parent.strip()), [])
        else:
            current.append(line)
    return diffs


class _Files:
    """One commit's files: path -> the commit that wrote each line. Lists are shared with
    the commit's other children until one of them writes (copy on write, per file)."""

    __slots__ = ("files", "owned")

    def __init__(self, files: dict[str, list[str]] | None = None) -> None:
        self.files: dict[str, list[str]] = files if files is not None else {}
        self.owned: set[str] = set()

    def fork(self) -> _Files:
        self.owned = set()  # from now on both share every list
        return _Files(dict(self.files))

    def writable(self, path: str) -> list[str]:
        lines = self.files.get(path)
        if lines is None:
            lines = self.files[path] = []
            self.owned.add(path)
        elif path not in self.owned:
            lines = self.files[path] = list(lines)
            self.owned.add(path)
        return lines

    def pop(self, path: str) -> list[str]:
        self.owned.discard(path)
        return self.files.pop(path, [])

    def put(self, path: str, lines: list[str], owned: bool) -> None:
        self.files[path] = lines
        if owned:
            self.owned.add(path)


class _Patch:
    """Applies ``git diff -U0`` lines to a :class:`_Files`: new lines get ``owner``, removed
    lines go to ``removed`` (None: not counted)."""

    def __init__(
        self, files: _Files, owner: str, removed: Callable[[Iterable[str]], None] | None
    ) -> None:
        self.files = files
        self.owner = owner
        self.removed = removed
        self.old: str | None = None
        self.new: str | None = None
        self.offset = 0
        self.skip = 0

    def run(self, lines: list[str], i: int = 0) -> int:
        """Apply ``lines[i:]`` up to the next commit header; return that header's index."""
        end = len(lines)
        while i < end:
            if self.skip:  # a hunk's own lines: skipped in one step
                step = min(self.skip, end - i)
                self.skip -= step
                i += step
                continue
            line = lines[i]
            if line.startswith(ENTRY_MARK):
                return i
            self.feed(line)
            i += 1
        return end

    def feed(self, line: str) -> None:
        if line.startswith("diff --git "):
            self.old = self.new = None
        elif line.startswith("rename from "):
            self.old = unquote(line[12:])
        elif line.startswith("rename to ") and self.old is not None:
            owned = self.old in self.files.owned
            self.files.put(unquote(line[10:]), self.files.pop(self.old), owned)
            self.old = self.new = unquote(line[10:])
        elif line.startswith("--- "):
            self.old = _path(line[4:], "a/")
        elif line.startswith("+++ "):
            self._start_file(_path(line[4:], "b/"))
        elif line.startswith("@@ ") and self.new is not None:
            self._hunk(line)

    def _start_file(self, new: str | None) -> None:
        self.new = new
        self.offset = 0
        if new is None and self.old is not None:  # deleted
            self._gone(self.files.pop(self.old))
        elif new is not None and self.old is None:  # added
            self.files.put(new, [], owned=True)

    def _hunk(self, header: str) -> None:
        old_start, old_count, new_count = _hunk_numbers(header)
        assert self.new is not None
        lines = self.files.writable(self.new)
        start = (old_start - 1 if old_count else old_start) + self.offset
        self._gone(lines[start : start + old_count])
        lines[start : start + old_count] = [self.owner] * new_count
        self.offset += new_count - old_count
        self.skip = old_count + new_count

    def _gone(self, shas: Iterable[str]) -> None:
        if self.removed is not None:
            self.removed(shas)


class _Replay:
    """Commits in topological order (parents first); each commit's files derive from its
    parents' and are dropped once its last child is replayed."""

    def __init__(
        self,
        origin_of: Callable[[str], str],
        graph: dict[str, tuple[str, ...]],
        merge_diffs: dict[tuple[str, str], list[str]],
    ) -> None:
        self.origin_of = origin_of
        self.merge_diffs = merge_diffs
        self.children: Counter[str] = Counter(p for ps in graph.values() for p in ps)
        self.states: dict[str, _Files] = {}
        self.commit = ""
        self.patch: _Patch | None = None
        self.by_people: Counter[str] = Counter()
        self.by_unknown: Counter[str] = Counter()
        self.by_ai: Counter[str] = Counter()
        self.replayed = 0  # commits met so far

    def feed(self, lines: list[str]) -> None:
        i, end = 0, len(lines)
        if self.patch is not None:
            i = self.patch.run(lines)
        while i < end:
            line = lines[i]
            if line.startswith(ENTRY_MARK):
                self._commit(line[len(ENTRY_MARK) :].split())
                i += 1
                if self.patch is not None:
                    i = self.patch.run(lines, i)
            else:
                i += 1

    def _commit(self, fields: list[str]) -> None:
        self.replayed += 1
        self.commit, parents = fields[0], fields[1:]
        if len(parents) > 1:
            self.states[self.commit] = self._merge(self.commit, parents)
            self.patch = None
            return
        files = self._take(parents[0]) if parents else _Files()
        kind = _kind(self.origin_of(self.commit))
        target = {"human": self.by_people, "unknown": self.by_unknown}.get(kind, self.by_ai)
        self.patch = _Patch(files, self.commit, target.update)
        self.states[self.commit] = files

    def _take(self, parent: str) -> _Files:
        """The parent's files for a child: its own once no other child needs them."""
        self.children[parent] -= 1
        if self.children[parent] <= 0:
            return self.states.pop(parent, None) or _Files()
        found = self.states.get(parent)
        return found.fork() if found is not None else _Files()

    def _merge(self, sha: str, parents: list[str]) -> _Files:
        views = []
        for parent in parents:
            files = self._take(parent)
            _Patch(files, _FROM_PARENT, None).run(self.merge_diffs.get((sha, parent), []))
            views.append(files)
        result = views[0]
        for path, lines in result.files.items():
            if _FROM_PARENT not in lines:
                continue
            lines = result.writable(path)
            for other in views[1:]:
                theirs = other.files.get(path)
                if theirs is not None and len(theirs) == len(lines):
                    lines[:] = [
                        t if mine == _FROM_PARENT else mine
                        for mine, t in zip(lines, theirs, strict=True)
                    ]
            lines[:] = [sha if owner == _FROM_PARENT else owner for owner in lines]
        return result

    def result(self, tip: str, tip_sha: str) -> LineFates:
        alive: Counter[str] = Counter()
        final = self.states.get(tip_sha)
        for shas in final.files.values() if final is not None else ():
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
