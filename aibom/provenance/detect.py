"""Run the detection layers and combine their evidence: the strongest wins, all is kept."""

from __future__ import annotations

import sys

from aibom.provenance.types import (
    HUMAN_DEFAULT_CONFIDENCE,
    Detection,
    DetectionContext,
    Evidence,
    Origin,
    Source,
    SourceKind,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


def default_sources(*, ancestry: bool = True, declared: bool = True) -> list[Source]:
    """Every layer, strongest first. Imported lazily: only what a hook run needs."""
    from aibom.provenance.sources.agenthook import AgentHookSource
    from aibom.provenance.sources.ancestry import AncestrySource
    from aibom.provenance.sources.declared import DeclaredSource
    from aibom.provenance.sources.environment import EnvironmentSource
    from aibom.provenance.sources.foreign import ForeignTrailerSource
    from aibom.provenance.sources.identity import IdentitySource
    from aibom.provenance.sources.session import SessionSource

    sources: list[Source] = []
    if declared:
        sources.append(DeclaredSource())
    sources += [SessionSource(), AgentHookSource(), ForeignTrailerSource(), EnvironmentSource()]
    if ancestry:
        sources.append(AncestrySource())
    sources.append(IdentitySource())
    return sources


def gather(ctx: DetectionContext, sources: Sequence[Source]) -> list[Evidence]:
    """Evidence from every source; a source that fails is skipped with a warning."""
    found: list[Evidence] = []
    for source in sources:
        try:
            found.extend(source.detect(ctx))
        except Exception as exc:  # a detection layer must never block a commit
            print(f"aibom: warning: {source.kind.value} detection failed: {exc}", file=sys.stderr)
    return found


def _strength(e: Evidence) -> tuple[float, int]:
    return (e.confidence, -e.source.rank)


def combine(evidence: Sequence[Evidence]) -> Detection:
    if not evidence:
        return Detection(Origin.HUMAN, HUMAN_DEFAULT_CONFIDENCE, None, (), None, ())
    ranked = sorted(evidence, key=_strength, reverse=True)
    best = ranked[0]
    agreeing = [e for e in ranked if e.origin.is_ai == best.origin.is_ai]
    agent = next((e.agent for e in agreeing if e.agent is not None), None)
    models = next((e.models for e in agreeing if e.models), ())
    session = next((e.session for e in agreeing if e.session), None)
    parameters = next((e.parameters for e in agreeing if e.parameters), ())
    return Detection(
        origin=best.origin,
        confidence=best.confidence,
        agent=agent if best.origin.is_ai else None,
        models=models if best.origin.is_ai else (),
        session=session if best.origin.is_ai else None,
        evidence=tuple(ranked),
        parameters=parameters,
    )


def combine_observed(evidence: Sequence[Evidence]) -> Detection:
    """Like ``combine``, but aibom's own trailers only decide when they disagree.

    After the commit-msg hook stamped ``AI-Origin`` from the observed evidence, the trailer
    repeats that evidence; the record should carry the observed confidence, not the trailer's.
    A trailer that says otherwise (a person edited it) still wins, with one exception: a
    declared ``human`` never hides an agent observed at work (an agent amending a human commit
    inherits its ``AI-Origin: human``). Both are true, so the commit reads ``ai-assisted``.
    """
    observed = [e for e in evidence if e.source is not SourceKind.DECLARED]
    declared = [e for e in evidence if e.source is SourceKind.DECLARED]
    if not declared:
        return combine(evidence)
    live = combine(observed)
    ranked = tuple(sorted(evidence, key=_strength, reverse=True))
    if live.origin.is_ai and all(d.origin is Origin.HUMAN for d in declared):
        return Detection(
            Origin.AI_ASSISTED,
            live.confidence,
            live.agent,
            live.models,
            live.session,
            ranked,
            live.parameters,
        )
    if all(d.origin is live.origin for d in declared):
        return Detection(
            live.origin,
            live.confidence,
            live.agent or declared[0].agent,
            live.models or declared[0].models,
            live.session or declared[0].session,
            ranked,
            live.parameters,
        )
    return combine(evidence)


def detect(ctx: DetectionContext, sources: Sequence[Source] | None = None) -> Detection:
    return combine_observed(gather(ctx, default_sources() if sources is None else sources))
