"""Git plumbing for aibom: repository discovery and git calls.

Standard library only and cheap to import (this module is on the hook path): paths are
``str``, children are started by :mod:`aibom._spawn`. Every call has a timeout and runs with
``LC_ALL=C`` so that output is parseable; bytes in, bytes out.
"""

from __future__ import annotations

import os

from aibom import _spawn
from aibom._value import Value
from aibom.errors import GitError, NotARepositoryError, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    import threading
    from collections.abc import Mapping, Sequence

GIT_TIMEOUT = 120.0
NOTES_REF = "refs/notes/aibom"
# Messages, trailers and notes may hold any bytes, so a marker that cuts git's --format
# output into entries has a random part drawn per process: no commit can spell it to hide
# itself, or to forge an entry, in what a reader parses.
_NONCE = os.urandom(8).hex()


def log_mark(letter: str) -> tuple[str, str]:
    """A marker for ``git log --format`` output: (as written in the format, as git prints
    it). ``letter`` tells the markers of one format apart."""
    return f"%x1e{letter}{_NONCE}%x1f", f"\x1e{letter}{_NONCE}\x1f"


class Completed(Value):
    """The outcome of one git call."""

    __slots__ = ("args", "returncode", "stderr", "stdout")
    args: list[str]
    returncode: int
    stdout: bytes
    stderr: bytes

    def __init__(self, args: list[str], returncode: int, stdout: bytes, stderr: bytes) -> None:
        self._set(args=args, returncode=returncode, stdout=stdout, stderr=stderr)


def _git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env["LANGUAGE"] = "C"
    env["GIT_TERMINAL_PROMPT"] = "0"
    if extra:
        env.update(extra)
    return env


def kill_after(proc: subprocess.Popen[bytes], timeout: float) -> threading.Timer:
    """Start a watchdog that kills ``proc`` after ``timeout`` seconds; cancel it when done.

    The timer is a daemon thread: an interrupted command (Ctrl-C while a generator that
    owns the watchdog is still suspended) must not wait out the timeout at interpreter exit.
    """
    import threading

    timer = threading.Timer(timeout, proc.kill)
    timer.daemon = True
    timer.start()
    return timer


def git(
    args: Sequence[str],
    *,
    cwd: str | os.PathLike[str] | None = None,
    input: bytes | None = None,
    check: bool = True,
    env: Mapping[str, str] | None = None,
    timeout: float = GIT_TIMEOUT,
) -> Completed:
    """Run ``git [-C cwd] args``; raise GitError on failure when ``check``."""
    argv = ["git", *(["-C", os.fspath(cwd)] if cwd is not None else []), *args]
    try:
        code, out, err = _spawn.run(argv, input=input, env=_git_env(env), timeout=timeout)
    except FileNotFoundError as exc:
        raise UsageError("git was not found on PATH", hint="install git >= 2.30") from exc
    except _spawn.SpawnTimeout as exc:
        raise GitError(argv, -1, f"timed out after {timeout:.0f}s") from exc
    if check and code != 0:
        raise GitError(argv, code, err.decode("utf-8", "replace"))
    return Completed(argv, code, out, err)


def out(
    args: Sequence[str],
    *,
    cwd: str | os.PathLike[str] | None = None,
    check: bool = True,
    input: bytes | None = None,
) -> str:
    """Run git and return stdout decoded (UTF-8, undecodable bytes escaped)."""
    return git(args, cwd=cwd, check=check, input=input).stdout.decode("utf-8", "surrogateescape")


class Repo(Value):
    """Where a repository lives. ``git_dir`` is per worktree; ``common_dir`` is shared."""

    __slots__ = ("common_dir", "git_dir", "toplevel")
    git_dir: str
    common_dir: str
    toplevel: str | None  # None for a bare repository

    def __init__(self, git_dir: str, common_dir: str, toplevel: str | None) -> None:
        self._set(
            git_dir=os.fspath(git_dir),
            common_dir=os.fspath(common_dir),
            toplevel=os.fspath(toplevel) if toplevel is not None else None,
        )

    @property
    def bare(self) -> bool:
        return self.toplevel is None

    @property
    def cwd(self) -> str:
        return self.toplevel if self.toplevel is not None else self.git_dir

    @property
    def state_dir(self) -> str:
        """Per-worktree aibom state (sessions, checkpoints)."""
        return os.path.join(self.git_dir, "aibom")

    @property
    def shared_dir(self) -> str:
        """State shared by all worktrees (locks, install manifest)."""
        return os.path.join(self.common_dir, "aibom")

    def git(
        self,
        args: Sequence[str],
        *,
        input: bytes | None = None,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        timeout: float = GIT_TIMEOUT,
    ) -> Completed:
        return git(args, cwd=self.cwd, input=input, check=check, env=env, timeout=timeout)

    def out(self, args: Sequence[str], *, check: bool = True, input: bytes | None = None) -> str:
        return out(args, cwd=self.cwd, check=check, input=input)


def discover(cwd: str | os.PathLike[str] | None = None) -> Repo:
    """Find the repository around ``cwd`` with one ``git rev-parse``."""
    proc = git(
        [
            "rev-parse",
            "--absolute-git-dir",
            "--git-common-dir",
            "--is-bare-repository",
            "--show-toplevel",
        ],
        cwd=cwd,
        check=False,
    )
    lines = proc.stdout.decode("utf-8", "surrogateescape").splitlines()
    if proc.returncode != 0 and len(lines) < 3:
        where = os.fspath(cwd) if cwd is not None else os.getcwd()
        raise NotARepositoryError(
            f"not inside a git repository: {where}",
            hint="run the command from a work tree, or pass -C PATH",
        )
    base = os.fspath(cwd) if cwd is not None else os.getcwd()
    expected = 3 if len(lines) >= 3 and lines[2] == "true" else 4
    if proc.returncode == 0 and len(lines) != expected:
        lines = _one_by_one(cwd)  # a path with a newline in it: ask for each value alone
    common = lines[1]
    if not os.path.isabs(common):
        common = os.path.realpath(os.path.join(base, common))
    bare = lines[2] == "true"
    toplevel = None if bare or len(lines) < 4 or not lines[3] else lines[3]
    return Repo(git_dir=lines[0], common_dir=common, toplevel=toplevel)


def _one_by_one(cwd: str | os.PathLike[str] | None) -> list[str]:
    values = []
    for flag in (
        "--absolute-git-dir",
        "--git-common-dir",
        "--is-bare-repository",
        "--show-toplevel",
    ):
        proc = git(["rev-parse", flag], cwd=cwd, check=False)
        text = proc.stdout.decode("utf-8", "surrogateescape")
        values.append(text[:-1] if text.endswith("\n") else text)
    return values


def discover_for_hook() -> Repo:
    """Locate the repository without a subprocess when run as a git hook.

    Git runs hooks at the top of the work tree and exports ``GIT_DIR`` only for linked
    worktrees; anything unusual falls back to ``git rev-parse``.
    """
    cwd = os.getcwd()
    if os.environ.get("GIT_WORK_TREE"):
        return discover(cwd)
    env_dir = os.environ.get("GIT_DIR")
    git_dir: str | None = None
    if env_dir:
        git_dir = os.path.realpath(os.path.join(cwd, env_dir))
    else:
        dot = os.path.join(cwd, ".git")
        if os.path.isdir(dot):
            git_dir = dot
        elif os.path.isfile(dot):
            with open(dot, encoding="utf-8", errors="replace") as fh:
                text = fh.read().strip()
            if text.startswith("gitdir:"):
                git_dir = os.path.realpath(os.path.join(cwd, text[len("gitdir:") :].strip()))
    if git_dir is None or not os.path.exists(os.path.join(git_dir, "HEAD")):
        return discover(cwd)
    common = git_dir
    commondir_file = os.path.join(git_dir, "commondir")
    if os.path.isfile(commondir_file):
        with open(commondir_file, encoding="utf-8") as fh:
            common = os.path.realpath(os.path.join(git_dir, fh.read().strip()))
    if not os.path.isfile(os.path.join(common, "config")):
        return discover(cwd)
    return Repo(git_dir=git_dir, common_dir=common, toplevel=cwd)


ZERO_OID = "0" * 40


def last_reflog_entry(repo: Repo, ref: str = "HEAD") -> tuple[str, str, str] | None:
    """(old oid, new oid, message) of the newest reflog entry of ``ref``, read from disk."""
    path = os.path.join(repo.git_dir, "logs", ref)
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 8192))
            tail = fh.read()
    except OSError:
        return None
    lines = tail.rstrip(b"\n").split(b"\n")
    if not lines or b"\t" not in lines[-1]:
        return None
    head, message = lines[-1].split(b"\t", 1)
    oids = head.split(b" ", 2)
    if len(oids) < 3:
        return None
    return oids[0].decode(), oids[1].decode(), message.decode("utf-8", "replace")


def last_reflog_message(repo: Repo, ref: str = "HEAD") -> str | None:
    """The message of the newest reflog entry of ``ref`` (read from disk, no subprocess)."""
    entry = last_reflog_entry(repo, ref)
    return entry[2] if entry else None


def loose_commit_time(repo: Repo, oid: str) -> int | None:
    """The committer time of a commit stored as a loose object (a fresh commit always is).

    None when the object is packed or unreadable; the caller then asks git.
    """
    if len(oid) != 40:
        return None
    path = os.path.join(repo.common_dir, "objects", oid[:2], oid[2:])
    try:
        with open(path, "rb") as fh:
            import zlib

            data = zlib.decompressobj().decompress(fh.read(), 65536)
    except (OSError, ValueError):
        return None
    header, _, body = data.partition(b"\x00")
    if not header.startswith(b"commit "):
        return None
    for line in body.split(b"\n"):
        if not line:
            break
        if line.startswith(b"committer "):
            parts = line.rsplit(b" ", 2)
            return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None
    return None
