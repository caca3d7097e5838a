"""Commit metadata in bulk: one ``git log`` for any number of commits."""

from __future__ import annotations

from aibom._value import Value
from aibom.provenance.trailers import parse_kv_lines
from aibom.provenance.types import Ident, Trailer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from aibom.gitutil import Repo

_SEP = "%x00%x00C"
_FORMAT = _SEP + "%x00".join(
    ["%H", "%P", "%an", "%ae", "%cn", "%ce", "%aI", "%ct", "%(trailers:unfold,only)", "%B"]
)


class CommitInfo(Value):
    """One commit's metadata. ``committed`` is the committer time in seconds since the epoch."""

    __slots__ = (
        "author",
        "authored",
        "committed",
        "committer",
        "message",
        "parents",
        "sha",
        "trailers",
    )
    sha: str
    parents: tuple[str, ...]
    author: Ident
    committer: Ident
    authored: str
    committed: int
    trailers: tuple[Trailer, ...]
    message: str

    def __init__(
        self,
        sha: str,
        parents: tuple[str, ...],
        author: Ident,
        committer: Ident,
        authored: str,
        committed: int,
        trailers: tuple[Trailer, ...],
        message: str,
    ) -> None:
        self._set(
            sha=sha,
            parents=tuple(parents),
            author=author,
            committer=committer,
            authored=authored,
            committed=committed,
            trailers=tuple(trailers),
            message=message,
        )

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]


def read_commits(
    repo: Repo, args: Sequence[str], stdin_revs: Sequence[str] | None = None
) -> list[CommitInfo]:
    """Commits selected by ``git log`` arguments (a range, ``--no-walk``...), newest first.

    ``stdin_revs`` are passed with ``--stdin`` (no argv limit for thousands of commits).
    """
    # --encoding: messages always as UTF-8 (git log would use i18n.commitEncoding otherwise)
    argv = [
        "-c",
        "log.showSignature=false",
        "log",
        "--encoding=UTF-8",
        f"--format={_FORMAT}",
        *args,
    ]
    data: bytes | None = None
    if stdin_revs is not None:
        argv.append("--stdin")
        data = ("\n".join(stdin_revs) + "\n").encode()
    proc = repo.git([*argv, "--"], input=data)
    return parse_log(proc.stdout)


def parse_log(data: bytes) -> list[CommitInfo]:
    result: list[CommitInfo] = []
    for chunk in data.split(b"\x00\x00C")[1:]:
        fields = chunk.decode("utf-8", "surrogateescape").split("\x00")
        if len(fields) < 10:
            continue
        sha, parents, an, ae, cn, ce, ai, ci, trailers = fields[:9]
        message = "\x00".join(fields[9:]).rstrip("\n")
        result.append(
            CommitInfo(
                sha=sha,
                parents=tuple(parents.split()),
                author=Ident(an, ae),
                committer=Ident(cn, ce),
                authored=ai,
                committed=int(ci) if ci.isdigit() else 0,
                trailers=parse_kv_lines(trailers),
                message=message,
            )
        )
    return result


def read_head_with_changes(
    repo: Repo, rev: str = "HEAD"
) -> tuple[CommitInfo, list[tuple[str, str]]]:
    """One commit and the (path, blob) of every file it added or changed, in one git call.

    Merges list no files (no combined diff); deletions and submodules are left out.
    """
    argv = [
        "-c",
        "log.showSignature=false",
        "log",
        "-1",
        "-z",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--root",
        "--encoding=UTF-8",
        f"--format={_FORMAT}",
        rev,
        "--",
    ]
    data = repo.git(argv).stdout
    cut = data.find(b"\x00\n:")
    head, raw = (data, b"") if cut == -1 else (data[: cut + 1], data[cut + 2 :])
    infos = parse_log(head)
    if not infos:
        from aibom.errors import GitError

        raise GitError(["git", *argv], 0, "no commit in git log output")
    return infos[0], parse_raw(raw)


def parse_raw(raw: bytes) -> list[tuple[str, str]]:
    """``--raw -z`` entries -> (path, new blob) for added/modified files."""
    fields = raw.split(b"\x00")
    changes: list[tuple[str, str]] = []
    i = 0
    while i + 1 < len(fields):
        meta = fields[i].decode("ascii", "replace").lstrip("\n").split()
        path = fields[i + 1].decode("utf-8", "surrogateescape")
        i += 2
        if len(meta) >= 5 and meta[4] not in ("D",) and meta[1] not in ("160000", "000000"):
            changes.append((path, meta[3]))
    return changes
