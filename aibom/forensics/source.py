"""Where commit facts come from: one interface, so trace and stats run the same over a
repository's history (:class:`GitSource`, no index) or over an index of many repositories
(``aibom.forensics.index``'s ``IndexSource``, selected with ``--db``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from aibom.errors import UsageError
from aibom.forensics.facts import CommitFacts, scan
from aibom.gitutil import NOTES_REF, Repo

__all__ = ["FactsSource", "GitSource", "SourceInfo"]


@dataclass(frozen=True)
class SourceInfo:
    """What a source can tell about itself before a query (for warnings)."""

    label: str
    shallow: bool = False
    has_notes: bool = True


@runtime_checkable
class FactsSource(Protocol):
    def commits(
        self,
        revs: Sequence[str] | None,
        *,
        with_files: bool = False,
        wanted: Callable[[str], bool] | None = None,
    ) -> Iterator[CommitFacts]:
        """The commits ``revs`` select (git log arguments; None: the source's default, HEAD
        for a repository and everything for an index), newest first. ``wanted(raw)`` may
        drop a commit from the raw text of its trailers and note before parsing; a source
        that has no raw text may ignore it (the caller still checks every result)."""
        ...

    def label(self) -> str:
        """A short name for messages, e.g. the repository path or the index's location."""
        ...


class GitSource:
    """Facts read straight from a repository: one ``git log`` pass per query."""

    def __init__(self, repo: Repo, name: str | None = None) -> None:
        self.repo = repo
        self.name = name if name is not None else _default_name(repo)

    def commits(
        self,
        revs: Sequence[str] | None,
        *,
        with_files: bool = False,
        wanted: Callable[[str], bool] | None = None,
    ) -> Iterator[CommitFacts]:
        selected = tuple(revs) if revs else ("HEAD",)
        try:
            yield from scan(
                self.repo, selected, with_files=with_files, wanted=wanted, repository=self.name
            )
        except UsageError:
            if revs or self._has_commits():
                raise
            # an unborn branch: no history yet (checked only when git refused HEAD)

    def label(self) -> str:
        return self.name

    def _has_commits(self) -> bool:
        return self.repo.git(["rev-parse", "-q", "--verify", "HEAD"], check=False).returncode == 0

    def info(self) -> SourceInfo:
        """Shallow clone (git's ``shallow`` file)? Any aibom notes at all (one git call)?"""
        shallow = os.path.exists(os.path.join(self.repo.common_dir, "shallow"))
        notes = self.repo.git(["rev-parse", "-q", "--verify", NOTES_REF], check=False)
        return SourceInfo(self.name, shallow, notes.returncode == 0)


def _default_name(repo: Repo) -> str:
    return os.path.basename(os.path.normpath(repo.toplevel or repo.common_dir))
