"""``aibom trace --surviving``: which lines of a revision are still the traced commits' work.

One blame pass per affected file: every file the traced commits touched, under its name in
the revision (renames since are followed, as blame follows them; the blame engine runs one
``git blame --porcelain`` per file, several at once, along the file's own history when the
history is linear, and reads the notes of all blamed commits in one bulk pass). A line
survives when blame gives it to one of the traced commits *and* its per-line credit agrees
with the query: a line an attribution record gives to a person, or to another model, is not
the traced model's even in a traced commit; a line with no per-line model falls back to its
commit being AI.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from aibom.attribution.blame import BlameLine, BlameOptions, blame_files
from aibom.attribution.chains import path_chains, read_ancestry
from aibom.errors import UsageError
from aibom.forensics.query import TraceQuery
from aibom.forensics.trace import TraceResult
from aibom.gitutil import Repo

__all__ = ["Surviving", "SurvivingLine", "surviving"]

_AI = ("ai", "mixed")


@dataclass(frozen=True)
class SurvivingLine:
    path: str
    line: int  # 1-based in the revision
    commit: str
    origin: str  # ai | mixed (blame's per-line credit)
    model: str | None
    agent: str | None
    text: str


@dataclass(frozen=True)
class Surviving:
    rev: str
    lines: tuple[SurvivingLine, ...]
    files_blamed: int
    lines_blamed: int

    def per_file(self) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(Counter(line.path for line in self.lines).items()))


def surviving(
    repo: Repo,
    result: TraceResult,
    query: TraceQuery,
    rev: str = "HEAD",
    progress: Callable[[int, int], None] | None = None,
) -> Surviving:
    """The lines of ``rev`` still attributed to what ``result`` traced (in ``repo``);
    ``progress(done, total)`` is told the files blamed so far."""
    commit = _resolve(repo, rev)
    matched = {c.sha for c in result.commits}
    touched = {f.path for c in result.commits for f in c.files}
    if touched:  # renamed since? (blame follows a rename: so must the choice of files)
        touched |= set(_renamed_to(repo, commit, touched).values())
    paths = sorted(touched & _tree_paths(repo, commit))
    if not paths:
        return Surviving(rev, (), 0, 0)
    chains = path_chains(read_ancestry(repo, commit))  # {} when the history has merges
    blamed = blame_files(repo, paths, BlameOptions(rev=commit), progress, chains)
    kept = [
        _line(path, line)
        for path in paths
        for line in blamed.get(path, ())
        if line.commit in matched and credited(query, line)
    ]
    total = sum(len(lines) for lines in blamed.values())
    return Surviving(rev, tuple(kept), len(paths), total)


def credited(query: TraceQuery, line: BlameLine) -> bool:
    """Does blame's per-line credit give ``line`` to what ``query`` asks for?"""
    if line.origin not in _AI:
        return False
    if query.model is not None:
        return line.model is None or query.model.matches(line.model)
    if query.agent is not None:
        return line.agent is None or query.agent.matches(line.agent)
    assert query.session is not None
    return line.session is None or line.session == query.session.session


def _line(path: str, line: BlameLine) -> SurvivingLine:
    return SurvivingLine(
        path, line.line, line.commit, line.origin, line.model, line.agent, line.text
    )


def _resolve(repo: Repo, rev: str) -> str:
    proc = repo.git(
        ["rev-parse", "-q", "--verify", "--end-of-options", f"{rev}^{{commit}}"], check=False
    )
    if proc.returncode != 0:
        raise UsageError(f"--surviving: {rev!r} is not a commit", hint="e.g. --surviving HEAD")
    return proc.stdout.decode().strip()


def _renamed_to(repo: Repo, commit: str, paths: set[str]) -> dict[str, str]:
    """Where each of ``paths`` went by ``commit``, following renames oldest first (one
    ``git log -M --diff-filter=R`` over the history: tree diffs only)."""
    argv = ["log", "--reverse", "-M", "--diff-filter=R", "--name-status", "-z", "--format="]
    out = repo.git([*argv, commit, "--"]).stdout.decode("utf-8", "surrogateescape")
    where = {p: p for p in paths}
    holders: dict[str, set[str]] = {p: {p} for p in paths}  # current name -> original names
    fields = [f.lstrip("\n") for f in out.split("\0")]
    i = 0
    while i + 2 < len(fields):
        status, old, new = fields[i : i + 3]
        if not status.startswith("R"):
            i += 1
            continue
        i += 3
        for original in holders.pop(old, ()):
            where[original] = new
            holders.setdefault(new, set()).add(original)
    return where


def _tree_paths(repo: Repo, commit: str) -> set[str]:
    out = repo.git(["ls-tree", "-r", "-z", "--name-only", commit]).stdout
    return {p for p in out.decode("utf-8", "surrogateescape").split("\0") if p}
