"""``aibom notes push`` / ``pull``: share records with a remote without losing any.

Pull fetches the remote's notes into a tracking ref and merges them with ``cat_sort_uniq``
(a union of record lines). Push pulls first, then pushes without force; a non-fast-forward
(someone pushed meanwhile) starts the loop again, with backoff, a bounded number of times.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass

from aibom.errors import AibomError, UsageError
from aibom.gitutil import NOTES_REF, Repo
from aibom.notes.lock import locked
from aibom.notes.store import FALLBACK_IDENT

ATTEMPTS = 8


@dataclass(frozen=True)
class SyncResult:
    remote: str
    fetched: bool
    merged: bool
    pushed: bool
    attempts: int


def tracking_ref(remote: str) -> str:
    return f"refs/notes/remotes/{remote}/aibom"


def _rev(repo: Repo, ref: str) -> str | None:
    proc = repo.git(["rev-parse", "-q", "--verify", ref + "^{commit}"], check=False)
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def _check_remote(repo: Repo, remote: str) -> None:
    if remote not in repo.out(["remote"]).split():
        raise UsageError(f"no remote named {remote!r}", hint="see `git remote -v`")


def fetch(repo: Repo, remote: str) -> bool:
    """Fetch the remote's notes into the tracking ref. False when the remote has none."""
    refspec = f"+{NOTES_REF}:{tracking_ref(remote)}"
    proc = repo.git(["fetch", "--quiet", "--no-tags", remote, refspec], check=False)
    if proc.returncode == 0:
        return True
    err = proc.stderr.decode("utf-8", "replace")
    if "couldn't find remote ref" in err:
        return False
    raise UsageError(
        f"cannot fetch notes from {remote}: {err.strip()[:300]}",
        hint="check the remote (git remote -v) and that it is reachable",
    )


def merge(repo: Repo, remote: str) -> bool:
    """Union the tracking ref into refs/notes/aibom. Returns True when anything changed."""
    theirs = _rev(repo, tracking_ref(remote))
    if theirs is None:
        return False
    with locked(os.path.join(repo.shared_dir, "notes.lock")):
        ours = _rev(repo, NOTES_REF)
        if ours is None:
            repo.git(["update-ref", NOTES_REF, theirs, ""])
            return True
        if ours == theirs:
            return False
        repo.git(
            [
                "notes",
                "--ref",
                NOTES_REF,
                "merge",
                "-q",
                "-s",
                "cat_sort_uniq",
                tracking_ref(remote),
            ],
            env=None if _has_ident(repo) else FALLBACK_IDENT,
        )
        return _rev(repo, NOTES_REF) != ours


def _has_ident(repo: Repo) -> bool:
    """Both identities a notes merge commit needs (``git var`` checks one at a time)."""
    return all(
        repo.git(["var", var], check=False).returncode == 0
        for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT")
    )


def pull(repo: Repo, remote: str = "origin") -> SyncResult:
    _check_remote(repo, remote)
    fetched = fetch(repo, remote)
    merged = merge(repo, remote) if fetched else False
    return SyncResult(remote, fetched, merged, False, 1)


def push(repo: Repo, remote: str = "origin", attempts: int = ATTEMPTS) -> SyncResult:
    _check_remote(repo, remote)
    if _rev(repo, NOTES_REF) is None:
        return pull(repo, remote)
    merged_any = False
    fetched_any = False
    for attempt in range(1, attempts + 1):
        fetched = fetch(repo, remote)
        fetched_any = fetched_any or fetched
        if fetched:
            merged_any = merge(repo, remote) or merged_any
        proc = repo.git(["push", "--quiet", remote, f"{NOTES_REF}:{NOTES_REF}"], check=False)
        if proc.returncode == 0:
            return SyncResult(remote, fetched_any, merged_any, True, attempt)
        err = proc.stderr.decode("utf-8", "replace")
        if not _retryable(err):
            raise UsageError(f"git push {remote} refused the notes: {err.strip()[:300]}")
        time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
    raise AibomError(
        f"notes push to {remote} kept losing the race after {attempts} attempts",
        hint="someone is pushing notes continuously; try again",
    )


def _retryable(stderr: str) -> bool:
    markers = (
        "non-fast-forward",
        "fetch first",
        "rejected",
        "cannot lock ref",
        "failed to update ref",
    )
    return any(m in stderr for m in markers)
