"""The release tree: every blob the release commit records, read from git objects (never from
the work tree, so uncommitted edits cannot leak into a BOM). One ``ls-tree`` and one
``cat-file --batch``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from aibom.gitutil import Repo
from aibom.notes.store import cat_blobs


@dataclass(frozen=True)
class Blob:
    path: str
    oid: str  # git blob id (sha1 of the git object)
    sha256: str  # of the file content
    lines: int
    binary: bool
    sha1_oid: str = ""  # the blob's SHA-1 git id (a SWHID) in a SHA-256 repository

    @property
    def swhid(self) -> str:
        """``swh:1:cnt:`` + the SHA-1 git id of the content (in any object format)."""
        return f"swh:1:cnt:{self.sha1_oid or self.oid}"

    @property
    def gitoid(self) -> str:
        """The OmniBOR id: the git blob id, named by the repository's object format."""
        return f"gitoid:blob:{'sha256' if len(self.oid) == 64 else 'sha1'}:{self.oid}"


@dataclass(frozen=True)
class Tree:
    commit: str
    blobs: dict[str, Blob]

    def text(self, repo: Repo, paths: Iterable[str]) -> dict[str, bytes]:
        """The content of ``paths`` (those the tree has), in one ``cat-file --batch``."""
        wanted = {p: self.blobs[p].oid for p in paths if p in self.blobs}
        data = cat_blobs(repo, list(wanted.values()))
        return {p: data[oid] for p, oid in wanted.items() if oid in data}


def list_tree(repo: Repo, commit: str) -> dict[str, str]:
    """path -> blob id of the regular files and symlinks (no submodules)."""
    proc = repo.git(["-c", "core.quotePath=false", "ls-tree", "-r", "-z", "--full-tree", commit])
    found: dict[str, str] = {}
    for entry in proc.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == b"blob":
            found[path.decode("utf-8", "surrogateescape")] = parts[2].decode()
    return found


def read_tree(repo: Repo, commit: str, paths: Iterable[str] | None = None) -> Tree:
    """Blobs of the release tree; with ``paths``, only those (content hashed and counted)."""
    listing = list_tree(repo, commit)
    if paths is not None:
        keep = set(paths)
        listing = {p: o for p, o in listing.items() if p in keep}
    data = cat_blobs(repo, list(listing.values()))
    blobs = {}
    for path, oid in sorted(listing.items()):
        content = data.get(oid, b"")
        blobs[path] = Blob(
            path=path,
            oid=oid,
            sha256=hashlib.sha256(content).hexdigest(),
            lines=count_lines(content),
            binary=b"\0" in content[:8000],
            sha1_oid=_sha1_oid(content) if len(oid) == 64 else "",
        )
    return Tree(commit, blobs)


def _sha1_oid(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def count_lines(content: bytes) -> int:
    if not content:
        return 0
    return content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
