"""Git plumbing for aibom: repository discovery and subprocess calls.

Standard library only: this module is on the hook path. Every call has a timeout and runs
with ``LC_ALL=C`` so that output is parseable; bytes in, bytes out.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aibom.errors import GitError, NotARepositoryError, UsageError

GIT_TIMEOUT = 120.0
NOTES_REF = "refs/notes/aibom"


def _git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env["LANGUAGE"] = "C"
    env.pop("GIT_EDITOR", None)
    env["GIT_TERMINAL_PROMPT"] = "0"
    if extra:
        env.update(extra)
    return env


def git(
    args: Sequence[str],
    *,
    cwd: Path | str | None = None,
    input: bytes | None = None,
    check: bool = True,
    env: Mapping[str, str] | None = None,
    timeout: float = GIT_TIMEOUT,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git args`` and return the completed process (stdout/stderr as bytes)."""
    argv = ["git", *args]
    try:
        proc = subprocess.run(
            argv,
            cwd=cwd,
            input=input,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_git_env(env),
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise UsageError("git was not found on PATH", hint="install git >= 2.30") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(argv, -1, f"timed out after {timeout:.0f}s") from exc
    if check and proc.returncode != 0:
        raise GitError(argv, proc.returncode, proc.stderr.decode("utf-8", "replace"))
    return proc


def out(args: Sequence[str], **kwargs: object) -> str:
    """Run git and return stdout decoded (UTF-8, undecodable bytes escaped)."""
    proc = git(args, **kwargs)  # type: ignore[arg-type]
    return proc.stdout.decode("utf-8", "surrogateescape")


@dataclass(frozen=True)
class Repo:
    """Where a repository lives. ``git_dir`` is per worktree; ``common_dir`` is shared."""

    git_dir: Path
    common_dir: Path
    toplevel: Path | None  # None for a bare repository

    @property
    def bare(self) -> bool:
        return self.toplevel is None

    @property
    def cwd(self) -> Path:
        return self.toplevel if self.toplevel is not None else self.git_dir

    @property
    def state_dir(self) -> Path:
        """Per-worktree aibom state (sessions, checkpoints)."""
        return self.git_dir / "aibom"

    @property
    def shared_dir(self) -> Path:
        """State shared by all worktrees (locks, install manifest)."""
        return self.common_dir / "aibom"

    def git(self, args: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        return git(args, cwd=self.cwd, **kwargs)  # type: ignore[arg-type]

    def out(self, args: Sequence[str], **kwargs: object) -> str:
        return out(args, cwd=self.cwd, **kwargs)


def discover(cwd: Path | str | None = None) -> Repo:
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
        raise NotARepositoryError(
            "not inside a git repository",
            hint="run the command from a work tree, or pass -C PATH",
        )
    git_dir = Path(lines[0])
    common = Path(lines[1])
    if not common.is_absolute():
        common = (Path(cwd or os.getcwd()) / common).resolve()
    bare = lines[2] == "true"
    toplevel = None if bare or len(lines) < 4 or not lines[3] else Path(lines[3])
    return Repo(git_dir=git_dir, common_dir=common, toplevel=toplevel)


def discover_for_hook() -> Repo:
    """Locate the repository without a subprocess when run as a git hook.

    Git runs hooks at the top of the work tree and exports ``GIT_DIR`` only for linked
    worktrees; anything unusual falls back to ``git rev-parse``.
    """
    cwd = Path(os.getcwd())
    env_dir = os.environ.get("GIT_DIR")
    git_dir: Path | None = None
    if env_dir:
        git_dir = (cwd / env_dir).resolve()
    else:
        dot = cwd / ".git"
        if dot.is_dir():
            git_dir = dot
        elif dot.is_file():
            text = dot.read_text("utf-8", "replace").strip()
            if text.startswith("gitdir:"):
                git_dir = (cwd / text[len("gitdir:") :].strip()).resolve()
    if git_dir is None or not (git_dir / "HEAD").exists():
        return discover(cwd)
    common = git_dir
    commondir_file = git_dir / "commondir"
    if commondir_file.is_file():
        common = (git_dir / commondir_file.read_text("utf-8").strip()).resolve()
    if os.environ.get("GIT_WORK_TREE") or (common / "config").is_file() is False:
        return discover(cwd)
    return Repo(git_dir=git_dir, common_dir=common, toplevel=cwd)


def last_reflog_message(repo: Repo, ref: str = "HEAD") -> str | None:
    """The message of the newest reflog entry of ``ref`` (read from disk, no subprocess)."""
    path = repo.git_dir / "logs" / ref
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
    return lines[-1].split(b"\t", 1)[1].decode("utf-8", "replace")
