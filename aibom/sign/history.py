"""The AI provenance of a history, for the attestation's predicate (one ``git log`` pass), and
the verifier's recomputation of it in a repository that has the attested commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aibom import __version__
from aibom.gitutil import Repo
from aibom.sign.intoto import (
    PREDICATE_TYPE,
    BomInfo,
    CommitSummary,
    Endpoints,
    Provenance,
)

GENERATOR = f"aibom/{__version__}"
_ALL_REFS = ("--all", "--branches", "--remotes", "--tags", "--glob")


def from_repo(repo: Repo, revs: Sequence[str], bom: BomInfo) -> Provenance:
    """Commits ``revs`` select (git log arguments) with their origin, models and agent."""
    from aibom.forensics.facts import scan

    head = _head(repo)
    if not head:
        return Provenance(GENERATOR, bom=bom, notes=("the repository has no commits",))
    shallow = repo.out(["rev-parse", "--is-shallow-repository"]).strip() == "true"
    commits = tuple(
        CommitSummary(f.sha, f.origin, f.attribution.models, f.attribution.agent)
        for f in scan(repo, revs)
    )
    notes: list[str] = []
    if shallow:
        notes.append("shallow clone: commits before the shallow boundary are not counted")
    if commits and all(c.origin == "unknown" for c in commits):
        notes.append("no aibom records or AI trailers: every commit is unknown (not human)")
    return Provenance(
        GENERATOR,
        bom=bom,
        head=head,
        revisions=tuple(r for r in revs if not r.startswith("--exclude=")),
        endpoints=endpoints(repo, revs, head),
        commits=commits,
        shallow=shallow,
        notes=tuple(notes),
    )


def without_repo(bom: BomInfo) -> Provenance:
    return Provenance(GENERATOR, bom=bom, notes=("signed outside a git repository",))


def endpoints(repo: Repo, revs: Sequence[str], head: str) -> Endpoints:
    """The commit ids ``revs`` resolve to (``git rev-parse --revs-only``): ``B`` and ``^A`` of
    ``A..B``, every ref's tip of ``--all`` (and HEAD, which ``git log --all`` adds)."""
    lines = repo.out(["rev-parse", "--revs-only", *revs]).split()
    include = {line for line in lines if not line.startswith("^")}
    exclude = {line[1:] for line in lines if line.startswith("^")}
    if "--all" in revs:
        include.add(head)
    return Endpoints(tuple(sorted(include)), tuple(sorted(exclude)))


def _head(repo: Repo) -> str:
    return repo.out(["rev-parse", "-q", "--verify", "HEAD^{commit}"], check=False).strip()


# -- the verifier's side -------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryCheck:
    """``checked``: recomputed here, ``problems`` empty when it matches. Not ``checked``:
    ``reason`` says why it could not be (no repository, commits missing, predicate v1)."""

    checked: bool
    reason: str = ""
    revs: tuple[str, ...] = ()
    ai_commits: int = 0
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.checked and not self.problems


def recheck(repo: Repo, predicate_type: str | None, predicate: Mapping[str, Any]) -> HistoryCheck:
    """Recompute the attested commits, models and agents from ``repo`` and compare them with
    the predicate (the AI commits' count and digest first of all)."""
    if predicate_type != PREDICATE_TYPE:
        return HistoryCheck(False, f"the predicate is {predicate_type}, not {PREDICATE_TYPE}")
    repository = predicate.get("repository")
    repository = repository if isinstance(repository, Mapping) else {}
    if not repository.get("head"):
        return HistoryCheck(False, "the attestation names no commit (signed outside a repository)")
    revs = _attested_revs(repository)
    if not revs:
        return HistoryCheck(False, "the attestation names no revisions to recompute")
    missing = _missing(repo, [r.lstrip("^") for r in revs if not r.startswith("-")])
    if missing:
        return HistoryCheck(False, f"commit {missing} is not in this repository", tuple(revs))
    if repo.git(["rev-parse", "--revs-only", *revs], check=False).returncode != 0:
        return HistoryCheck(False, f"{' '.join(revs)} does not resolve here", tuple(revs))
    now = from_repo(repo, revs, BomInfo())
    problems = _differences(predicate, now.history_json())
    if problems and now.shallow != bool(repository.get("shallow")):
        problems.append(
            "this repository is a shallow clone and the signer's was not"
            if now.shallow
            else "the signer's repository was a shallow clone and this one is not"
        )
    return HistoryCheck(
        True,
        revs=tuple(revs),
        ai_commits=len(now.ai_commits()),
        problems=tuple(problems),
    )


def _attested_revs(repository: Mapping[str, Any]) -> list[str]:
    """The endpoints' commit ids when listed (refs may have moved since), else the
    revisions as given (``--all`` then means the refs of this repository, now)."""
    ends = repository.get("endpoints")
    if isinstance(ends, Mapping):
        include, exclude = ends.get("include"), ends.get("exclude")
        if isinstance(include, list) and isinstance(exclude, list):
            ids = [*include, *exclude]
            if all(isinstance(x, str) and _is_hex(x) for x in ids):
                return Endpoints(tuple(include), tuple(exclude)).revs()
    revisions = repository.get("revisions")
    if not isinstance(revisions, list) or not all(isinstance(r, str) for r in revisions):
        return []
    revs: list[str] = []
    for rev in revisions:
        if rev in _ALL_REFS or rev.startswith("--glob="):
            revs.append("--exclude=refs/notes/*")
        revs.append(rev)
    return revs


def _is_hex(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _missing(repo: Repo, shas: Sequence[str]) -> str | None:
    """The first of ``shas`` that is not a commit here (one ``cat-file --batch-check``)."""
    hexes = [s for s in shas if _is_hex(s)]
    if not hexes:
        return None
    stdin = "".join(f"{s}^{{commit}}\n" for s in hexes).encode()
    out = repo.out(["cat-file", "--batch-check=%(objecttype)"], input=stdin, check=False)
    for sha, line in zip(hexes, out.splitlines(), strict=False):
        if line.strip() != "commit":
            return sha
    return None


def _differences(attested: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    was_commits = attested.get("commits")
    was_commits = was_commits if isinstance(was_commits, Mapping) else {}
    commits = now["commits"]
    was_ai = was_commits.get("ai")
    was_ai = was_ai if isinstance(was_ai, Mapping) else {}
    if (
        was_ai.get("count") != commits["ai"]["count"]
        or was_ai.get("sha256") != commits["ai"]["sha256"]
    ):
        problems.append(
            f"AI commits: {was_ai.get('count')} attested (ids sha256 "
            f"{str(was_ai.get('sha256'))[:16]}...), {commits['ai']['count']} here (ids sha256 "
            f"{commits['ai']['sha256'][:16]}...)"
        )
    if was_commits.get("total") != commits["total"]:
        problems.append(f"commits: {was_commits.get('total')} attested, {commits['total']} here")
    if was_commits.get("byOrigin") != commits["byOrigin"]:
        problems.append(
            f"commits by origin: {_counts(was_commits.get('byOrigin'))} attested, "
            f"{_counts(commits['byOrigin'])} here"
        )
    for key in ("models", "agents"):
        if attested.get(key) != now[key]:
            problems.append(
                f"{key}: {_listed(attested.get(key))} attested, {_listed(now[key])} here"
            )
    return problems


def _counts(value: object) -> str:
    if not isinstance(value, Mapping):
        return "none"
    return ", ".join(f"{n} {o}" for o, n in value.items()) or "none"


def _listed(value: object) -> str:
    if not isinstance(value, Mapping) or not isinstance(value.get("listed"), list):
        return "none"
    items = [
        f"{next((v for k, v in item.items() if k != 'commits'), '?')} {item.get('commits')}"
        for item in value["listed"]
        if isinstance(item, Mapping)
    ]
    return ", ".join(items[:4]) + (" ..." if len(items) > 4 else "") or "none"
