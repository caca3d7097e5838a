"""Per-file line counts of a walk, streamed from one ``git log --numstat`` process.

Run next to the notes pass of :func:`aibom.forensics.facts.scan` over the same revisions
(same walk, same order), so git computes the diffs while Python parses the notes. Paths
are read as ``facts`` reads them (``core.quotePath=false``, no rename detection).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from aibom.attribution.gitpath import unquote
from aibom.forensics.facts import FileChange, stream_log
from aibom.gitutil import Repo

TIMEOUT = 3600.0


def stream(repo: Repo, revs: Sequence[str]) -> Iterator[tuple[str, list[Count]]]:
    """Each commit of ``revs`` (newest first) with its files' line counts, read while git
    still diffs (:func:`~aibom.forensics.facts.stream_log`)."""
    argv = ["-c", "core.quotePath=false", "log", "--format=%x00%H", "--numstat", "--no-renames"]
    for block in stream_log(repo, [*argv, *revs, "--"], TIMEOUT, mark=b"\x00"):
        yield from _entries(block)


Count = tuple[str, int, int]  # path, lines added, lines deleted


def _entries(data: bytes) -> Iterator[tuple[str, list[Count]]]:
    text = data.decode("utf-8", "surrogateescape")
    for entry in text.split("\x00"):
        if not entry:
            continue
        sha, _, body = entry.partition("\n")
        yield sha.strip(), counts(body)


def counts(body: str) -> list[Count]:
    """``added<TAB>deleted<TAB>path`` lines (``-`` for a binary file counts 0; a path with
    a quote, backslash or control character comes C-quoted and is read back)."""
    found = []
    for line in body.split("\n"):
        parts = line.split("\t", 2)
        if len(parts) == 3:
            added, deleted, path = parts
            found.append(
                (
                    unquote(path),
                    int(added) if added.isdigit() else 0,
                    int(deleted) if deleted.isdigit() else 0,
                )
            )
    return found


def parse(body: str) -> tuple[FileChange, ...]:
    return tuple(FileChange(path, added, deleted) for path, added, deleted in counts(body))
