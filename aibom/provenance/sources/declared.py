"""Source: aibom's own ``AI-*`` trailers already present in the message."""

from __future__ import annotations

from aibom.provenance import trailers as tr
from aibom.provenance.modelid import normalize_model
from aibom.provenance.types import (
    BASE_CONFIDENCE,
    Agent,
    DetectionContext,
    Evidence,
    SourceKind,
    combine_origins,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


class DeclaredSource:
    kind = SourceKind.DECLARED

    def detect(self, ctx: DetectionContext) -> Sequence[Evidence]:
        origin = combine_origins(tr.declared_origins(ctx.trailers))
        if origin is None:
            return ()
        models = tuple(
            m for m in (normalize_model(v) for v in tr.values(ctx.trailers, tr.MODEL)) if m
        )
        agent_values = tr.values(ctx.trailers, tr.AGENT)
        agent = parse_agent(agent_values[0]) if agent_values else None
        sessions = tr.values(ctx.trailers, tr.SESSION)
        return (
            Evidence(
                source=self.kind,
                origin=origin,
                confidence=BASE_CONFIDENCE[self.kind],
                detail=f"{tr.ORIGIN}: {origin.value}",
                agent=agent,
                models=tuple(dict.fromkeys(models)),
                session=sessions[0] if sessions else None,
            ),
        )


_NAME_FIRST = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_NAME_REST = _NAME_FIRST | frozenset("._-")


def is_agent_name(name: str) -> bool:
    """``[a-z0-9][a-z0-9._-]*`` (checked without ``re``, which the hook path cannot afford)."""
    return bool(name) and name[0] in _NAME_FIRST and all(c in _NAME_REST for c in name)


def parse_agent(value: str) -> Agent | None:
    """``claude-code/2.0.14`` -> Agent("claude-code", "2.0.14")."""
    text = value.strip()
    if not text:
        return None
    name, _, version = text.partition("/")
    name = "-".join(name.strip().lower().split())
    if not is_agent_name(name):
        return None  # not a name the record schema can hold (e.g. non-ASCII): ignore it
    return Agent(name, version.strip()[:64] or None)
