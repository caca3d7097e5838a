"""Identity source: the commit's author or committer is an agent's bot / noreply identity."""

from __future__ import annotations

from aibom.provenance.agents import agent_by_identity
from aibom.provenance.sources._common import evidence, merge_by_agent, model_from_display_name
from aibom.provenance.types import Ident, Origin, SourceKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from aibom.provenance.types import DetectionContext, Evidence

__all__ = ["IdentitySource"]

_KIND = SourceKind.IDENTITY
# An agent identity only as committer (a person authored): the agent took part, no more.
_COMMITTER_ONLY = 0.9


class IdentitySource:
    """Matches ``ctx.author`` and ``ctx.committer`` against the catalogue's identities."""

    kind: SourceKind = _KIND

    def detect(self, ctx: DetectionContext) -> Sequence[Evidence]:
        try:
            found = [
                e
                for role, ident in (("author", ctx.author), ("committer", ctx.committer))
                if (e := _match(role, ident)) is not None
            ]
            return merge_by_agent(found)
        except Exception:  # a source never raises on odd data
            return ()


def _match(role: str, ident: Ident | None) -> Evidence | None:
    if not isinstance(ident, Ident):
        return None
    name = ident.name if isinstance(ident.name, str) else ""
    email = ident.email if isinstance(ident.email, str) else ""
    hit = agent_by_identity(name, email)
    if hit is None:
        return None
    spec, pattern = hit
    origin = pattern.origin or spec.origin
    strength = 1.0
    if role == "committer":
        strength = _COMMITTER_ONLY
        if origin == Origin.AI_GENERATED:
            origin = Origin.AI_ASSISTED
    models = model_from_display_name(name) if pattern.model_in_name else ()
    return evidence(
        _KIND,
        spec,
        f"{role} {_shown_ident(name, email)}",
        strength=strength,
        origin=origin,
        models=models,
    )


def _shown_ident(name: str, email: str) -> str:
    name = " ".join(name.split())[:60]
    email = email.strip()[:80]
    return f"{name} <{email}>" if email else name
