"""Each path's own history, handed to ``git blame -S``.

At scale the cost of ``git blame`` is its walk through the whole history (100,000 commits
for every file). One ``git log --name-status`` of a revision's ancestry says which commits
touched each path; for a linear history that list is the path's simplified history, and
blame given it as its ancestry (``-S``) visits only the commits that changed the file. The
lines and the commits they are credited to are the same as a plain blame's (tests compare
them). The BOM and ``trace --surviving`` blame this way.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from aibom.gitutil import Repo, log_mark

LOG_TIMEOUT = 3600.0
_START_FORMAT, _START = log_mark("C")
_FIELD_FORMAT, _FIELD = log_mark("F")
_END_FORMAT, _END = log_mark("E")
_FORMAT = f"{_START_FORMAT}%H{_FIELD_FORMAT}%P{_END_FORMAT}"


@dataclass(frozen=True)
class Ancestor:
    """A commit of a revision's ancestry: only what it changed."""

    sha: str
    parents: tuple[str, ...]
    paths: tuple[str, ...]
    added: tuple[str, ...]
    deletes: bool


class Touching(Protocol):
    """A commit as far as chains need it (an :class:`Ancestor`, or a BOM history commit)."""

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


def ancestry_argv(revs: Sequence[str]) -> list[str]:
    """``git log`` arguments listing the paths each commit of ``revs`` changed."""
    return [
        "-c",
        "core.quotePath=false",
        "log",
        f"--format={_FORMAT}",
        "--name-status",
        "--no-renames",
        "-z",  # paths exactly as stored: no C quoting of tabs, quotes, newlines
        *revs,
        "--",
    ]


def parse_ancestry(data: bytes) -> Iterator[Ancestor]:
    """The commits of :func:`ancestry_argv` output, in git's order."""
    for chunk in data.decode("utf-8", "surrogateescape").split(_START)[1:]:
        head, _, names = chunk.partition(_END)
        sha, _, parents = head.partition(_FIELD)
        paths, added, deletes = _name_status(names)
        yield Ancestor(sha, tuple(parents.split()), paths, added, deletes)


def read_ancestry(repo: Repo, rev: str) -> tuple[Ancestor, ...]:
    """Every commit reachable from ``rev``, newest first, with the paths it changed: one
    ``git log`` without notes or trailers."""
    return tuple(parse_ancestry(repo.git(ancestry_argv([rev]), timeout=LOG_TIMEOUT).stdout))


def _name_status(text: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """``--name-status -z`` output (NUL-separated status, path pairs) -> (paths touched,
    paths added, whether a path was deleted)."""
    fields = text.lstrip("\0\n").split("\0")
    paths: list[str] = []
    added: list[str] = []
    deletes = False
    for status, path in zip(fields[::2], fields[1::2], strict=False):
        if not path:
            continue
        paths.append(path)
        if status == "A":
            added.append(path)
        elif status == "D":
            deletes = True
    return tuple(paths), tuple(added), deletes


def path_chains(ancestry: Sequence[Touching]) -> dict[str, tuple[str, ...]]:
    """For each path, the commits of ``ancestry`` (a revision's whole ancestry, newest
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


def graft_lines(rev: str, chain: Sequence[str]) -> str:
    """``git blame -S`` ancestry: each commit's parent is the previous commit of the chain,
    so blame walks the commits that touched the file instead of the whole history."""
    order = [rev, *chain] if chain[0] != rev else list(chain)
    rows = [f"{sha} {parent}" for sha, parent in itertools.pairwise(order)]
    rows.append(order[-1])
    return "\n".join(rows) + "\n"
