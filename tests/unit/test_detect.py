from __future__ import annotations

from aibom.provenance.detect import combine
from aibom.provenance.types import (
    HUMAN_DEFAULT_CONFIDENCE,
    Agent,
    Evidence,
    ModelId,
    Origin,
    SourceKind,
    combine_origins,
)

M = ModelId("openai", "gpt-4o", None)


def ev(source: SourceKind, origin: Origin, conf: float, **kw: object) -> Evidence:
    return Evidence(source=source, origin=origin, confidence=conf, detail="d", **kw)  # type: ignore[arg-type]


def test_no_evidence_is_human() -> None:
    d = combine([])
    assert d.origin is Origin.HUMAN
    assert d.confidence == HUMAN_DEFAULT_CONFIDENCE


def test_strongest_wins_and_all_kept() -> None:
    weak = ev(SourceKind.IDENTITY, Origin.AI_GENERATED, 0.6, agent=Agent("copilot"))
    strong = ev(SourceKind.SESSION, Origin.AI_ASSISTED, 0.95, agent=Agent("aider"), models=(M,))
    d = combine([weak, strong])
    assert d.origin is Origin.AI_ASSISTED
    assert d.agent == Agent("aider")
    assert d.models == (M,)
    assert d.evidence == (strong, weak)


def test_declared_human_beats_environment() -> None:
    declared = ev(SourceKind.DECLARED, Origin.HUMAN, 1.0)
    env = ev(SourceKind.ENVIRONMENT, Origin.AI_GENERATED, 0.8, agent=Agent("codex"))
    d = combine([env, declared])
    assert d.origin is Origin.HUMAN
    assert d.agent is None and d.models == ()


def test_models_filled_from_agreeing_weaker_evidence() -> None:
    env = ev(SourceKind.ENVIRONMENT, Origin.AI_GENERATED, 0.8, agent=Agent("claude-code"))
    trailer = ev(SourceKind.TRAILER, Origin.AI_GENERATED, 0.85, models=(M,))
    d = combine([env, trailer])
    assert d.agent == Agent("claude-code") and d.models == (M,)


def test_tie_broken_by_layer_order() -> None:
    a = ev(SourceKind.IDENTITY, Origin.AI_GENERATED, 0.8)
    b = ev(SourceKind.ENVIRONMENT, Origin.AI_ASSISTED, 0.8)
    assert combine([a, b]).origin is Origin.AI_ASSISTED


def test_combine_origins() -> None:
    assert combine_origins([]) is None
    assert combine_origins([Origin.HUMAN, Origin.AI_GENERATED]) is Origin.AI_ASSISTED
    assert combine_origins([Origin.AI_GENERATED]) is Origin.AI_GENERATED
    assert combine_origins([Origin.AI_GENERATED, Origin.AI_ASSISTED]) is Origin.AI_ASSISTED
