"""The AI provenance of a history, for the attestation's predicate (one ``git log`` pass)."""

from __future__ import annotations

from collections.abc import Sequence

from aibom import __version__
from aibom.gitutil import Repo
from aibom.sign.intoto import BomInfo, CommitSummary, Provenance

GENERATOR = f"aibom/{__version__}"


def from_repo(repo: Repo, revs: Sequence[str], bom: BomInfo) -> Provenance:
    """Commits ``revs`` select (git log arguments) with their origin, models and agent."""
    from aibom.forensics.facts import scan

    head = repo.out(["rev-parse", "-q", "--verify", "HEAD^{commit}"], check=False).strip()
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
        commits=commits,
        shallow=shallow,
        notes=tuple(notes),
    )


def without_repo(bom: BomInfo) -> Provenance:
    return Provenance(GENERATOR, bom=bom, notes=("signed outside a git repository",))
