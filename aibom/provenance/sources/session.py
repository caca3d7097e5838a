"""Source: the explicit ``aibom session`` of this worktree."""

from __future__ import annotations

import os

from aibom.provenance import session as sessions
from aibom.provenance.modelid import normalize_model
from aibom.provenance.types import (
    BASE_CONFIDENCE,
    Agent,
    DetectionContext,
    Evidence,
    ModelId,
    Origin,
    SourceKind,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


class SessionSource:
    kind = SourceKind.SESSION

    def detect(self, ctx: DetectionContext) -> Sequence[Evidence]:
        if ctx.git_dir is None:
            return ()
        current = sessions.load(os.path.join(ctx.git_dir, "aibom"))
        if current is None:
            return ()
        models = tuple(m for m in (normalize_model(raw) for raw in current.models) if m)
        try:
            origin = Origin(current.origin)
        except ValueError:
            origin = Origin.AI_ASSISTED
        params = tuple(sorted((k, str(v)) for k, v in current.parameters.items()))
        return (
            Evidence(
                source=self.kind,
                origin=origin,
                confidence=BASE_CONFIDENCE[self.kind],
                detail=f"aibom session {current.id} ({current.agent})",
                agent=Agent(current.agent, current.agent_version),
                models=_dedupe(models),
                session=current.id,
                parameters=params,
            ),
        )


def _dedupe(models: tuple[ModelId, ...]) -> tuple[ModelId, ...]:
    return tuple(dict.fromkeys(models))
