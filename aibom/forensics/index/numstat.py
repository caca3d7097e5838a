"""Per-file line counts of a walk, streamed from one ``git log --numstat`` process.

Run next to the notes pass of :func:`aibom.forensics.facts.scan` over the same revisions
(same walk, same order), so git computes the diffs while Python parses the notes. Paths
are read as ``facts`` reads them (``core.quotePath=false``, no rename detection).
"""

from __future__ import annotations

import fcntl
import io
import subprocess
from collections.abc import Iterator, Sequence
from typing import cast

from aibom.attribution.gitpath import unquote
from aibom.errors import GitError
from aibom.forensics.facts import FileChange
from aibom.gitutil import Repo, _git_env, kill_after

TIMEOUT = 3600.0
_MARK = b"\x00"
_BLOCK = 1 << 20


def stream(repo: Repo, revs: Sequence[str]) -> Iterator[tuple[str, list[Count]]]:
    argv = [
        "git",
        "-c",
        "core.quotePath=false",
        "log",
        "--format=%x00%H",
        "--numstat",
        "--no-renames",
        *revs,
        "--",
    ]
    proc = subprocess.Popen(
        argv,
        cwd=repo.cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_git_env(),
    )
    timer = kill_after(proc, TIMEOUT)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        pending = b""
        _widen(proc.stdout.fileno())
        reader = cast("io.BufferedReader", proc.stdout)
        while block := reader.read1(_BLOCK):
            pending += block
            cut = pending.rfind(_MARK)
            if cut > 0:
                yield from _entries(pending[:cut])
                pending = pending[cut:]
        yield from _entries(pending)
        err = proc.stderr.read()
        if proc.wait() != 0:
            raise GitError(argv, proc.returncode, err.decode("utf-8", "replace"))
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


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


def _widen(fd: int) -> None:
    """A large pipe (Linux): git keeps diffing while the other walk is read."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setsize is None:
        return
    for size in (_BLOCK * 4, _BLOCK):
        try:
            fcntl.fcntl(fd, setsize, size)
            return
        except OSError:
            continue
