"""Source: pending checkpoints written by agent hooks (``aibom checkpoint <agent>``)."""

from __future__ import annotations

import os

from aibom.provenance import checkpoint
from aibom.provenance.modelid import normalize_model
from aibom.provenance.types import (
    BASE_CONFIDENCE,
    Agent,
    DetectionContext,
    Evidence,
    Origin,
    SourceKind,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


class AgentHookSource:
    kind = SourceKind.AGENT_HOOK

    def detect(self, ctx: DetectionContext) -> Sequence[Evidence]:
        if ctx.git_dir is None:
            return ()
        found = checkpoint.pending(os.path.join(ctx.git_dir, "aibom"), now=ctx.now or None)
        if not found:
            return ()
        latest = max(found, key=lambda cp: cp.at)
        models = []
        for cp in sorted(found, key=lambda cp: cp.at, reverse=True):
            model = normalize_model(cp.model) if cp.model else None
            if model and model not in models:
                models.append(model)
        confidence = BASE_CONFIDENCE[self.kind]
        if not latest.known_shape:
            confidence *= 0.5
        agents = sorted({cp.agent for cp in found})
        return (
            Evidence(
                source=self.kind,
                origin=Origin.AI_GENERATED,
                confidence=confidence,
                detail=f"{len(found)} checkpoint(s) from {', '.join(agents)}",
                agent=Agent(latest.agent, latest.agent_version),
                models=tuple(models),
                session=latest.session,
            ),
        )
