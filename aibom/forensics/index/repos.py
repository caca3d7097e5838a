"""What the indexer needs to know about a repository, in a handful of git calls."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aibom.errors import UsageError
from aibom.gitutil import NOTES_REF, Repo

_CREDENTIALS = re.compile(r"(?<=://)[^/@]+@")
_ID_FILE = "repository-id"


@dataclass(frozen=True)
class Identity:
    """A repository as the index knows it: the same project in two clones is one repository.

    ``identity`` is the root commit plus the remote URL (the path when there is no remote).
    """

    identity: str
    label: str
    root: str
    remote: str
    path: str
    shallow: bool = False


@dataclass(frozen=True)
class Tips:
    """Where the refs point now: ref name -> commit, and the notes ref's commit ("" if none)."""

    refs: dict[str, str]
    notes: str


def identify(repo: Repo) -> Identity:
    path = os.path.realpath(repo.toplevel or repo.git_dir)
    root = _root(repo)
    remote = _remote(repo)
    shallow = repo.out(["rev-parse", "--is-shallow-repository"]).strip() == "true"
    label = _label(remote, path)
    return Identity(f"{root}:{remote or path}", label, root, remote, path, shallow)


def _root(repo: Repo) -> str:
    """The oldest root commit; cached in the git dir (finding it walks the whole history)."""
    cache = os.path.join(repo.shared_dir, _ID_FILE)
    try:
        with open(cache, encoding="ascii") as fh:
            cached = fh.read().strip()
    except (OSError, UnicodeDecodeError):
        cached = ""
    if cached and not missing(repo, [cached]):
        return cached
    proc = repo.git(
        ["rev-list", "--max-parents=0", "--exclude=refs/notes/*", "--all"],
        check=False,
        timeout=600,
    )
    roots = proc.stdout.decode().split()
    if proc.returncode != 0 or not roots:
        raise UsageError(
            f"{repo.toplevel or repo.git_dir} has no commits to index",
            hint="commit something first, or leave this repository out",
        )
    root = roots[-1]
    try:
        os.makedirs(repo.shared_dir, exist_ok=True)
        with open(cache, "w", encoding="ascii") as fh:
            fh.write(root + "\n")
    except OSError:
        pass  # a read-only repository is indexed all the same
    return root


def _remote(repo: Repo) -> str:
    proc = repo.git(["config", "--get-regexp", r"^remote\..*\.url$"], check=False)
    urls: dict[str, str] = {}
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        key, _, url = line.partition(" ")
        urls[key[len("remote.") : -len(".url")]] = url.strip()
    url = urls.get("origin") or next(iter(sorted(urls.items())), ("", ""))[1]
    return normalize_url(url) if url else ""


def normalize_url(url: str) -> str:
    """Credentials, a trailing ``.git`` and slashes removed: two spellings, one repository."""
    url = _CREDENTIALS.sub("", url.strip()).rstrip("/")
    return url[: -len(".git")] if url.endswith(".git") else url


def _label(remote: str, path: str) -> str:
    if remote:
        tail = re.split(r"[/:]", remote)
        named = [t for t in tail if t]
        return "/".join(named[-2:]) if len(named) >= 2 else named[-1]
    return os.path.basename(path) or path


def tips(repo: Repo) -> Tips:
    fmt = "%(objecttype) %(objectname) %(*objecttype) %(*objectname) %(refname)"
    text = repo.out(
        ["for-each-ref", f"--format={fmt}", "refs/heads", "refs/tags", "refs/remotes", NOTES_REF]
    )
    refs: dict[str, str] = {}
    notes = ""
    for line in text.splitlines():
        parts = line.split(" ", 4)
        if len(parts) != 5:
            continue
        kind, sha, peeled_kind, peeled, ref = parts
        if ref == NOTES_REF:
            notes = sha
        elif kind == "commit":
            refs[ref] = sha
        elif peeled_kind == "commit":
            refs[ref] = peeled
    head = repo.git(["rev-parse", "-q", "--verify", "HEAD^{commit}"], check=False)
    if head.returncode == 0:
        refs["HEAD"] = head.stdout.decode().strip()
    return Tips(refs, notes)


def missing(repo: Repo, shas: Iterable[str]) -> set[str]:
    """The objects among ``shas`` this repository does not have (one cat-file call)."""
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return set()
    proc = repo.git(["cat-file", "--batch-check"], input=("\n".join(wanted) + "\n").encode())
    gone = set()
    for line in proc.stdout.decode().splitlines():
        if line.endswith(" missing"):
            gone.add(line.split(" ", 1)[0])
    return gone


def unreachable(repo: Repo, old: Sequence[str], new: Sequence[str]) -> list[str]:
    """Commits reachable from the old tips but from none of the new ones (history rewritten)."""
    if not old or set(old) <= set(new):
        return []
    text = repo.out(["rev-list", *old, "--not", *new, "--"]) if new else ""
    if not new:
        text = repo.out(["rev-list", *old, "--"])
    return text.split()


def annotated(repo: Repo, old_notes: str, new_notes: str) -> list[str] | None:
    """Objects whose note changed between two notes commits; None: the old one is gone."""
    if old_notes and missing(repo, [old_notes]):
        return None
    if not old_notes:
        return noted(repo, new_notes)
    if not new_notes:
        return noted(repo, old_notes)
    text = repo.out(["diff-tree", "-r", "--no-renames", "--name-only", old_notes, new_notes])
    return [p.replace("/", "") for p in text.split()]


def noted(repo: Repo, notes_commit: str) -> list[str]:
    """Every object with a note in ``notes_commit`` (one ls-tree of the notes tree)."""
    text = repo.out(["ls-tree", "-r", "--name-only", notes_commit])
    return [p.replace("/", "") for p in text.split()]
