"""Helpers shared by the detection sources (standard library only)."""

from __future__ import annotations

from aibom.provenance.agents import agent_by_alias
from aibom.provenance.modelid import normalize_model
from aibom.provenance.types import BASE_CONFIDENCE, Agent, Evidence, Origin

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from aibom.provenance.agents import AgentSpec
    from aibom.provenance.types import ModelId, SourceKind

_MAX_SHOWN = 48
_FALSY = frozenset({"", "0", "false", "no", "off", "none", "null"})


def confidence(kind: SourceKind, strength: float = 1.0) -> float:
    """The base confidence of ``kind`` scaled by a signal's strength (never above base)."""
    return round(BASE_CONFIDENCE[kind] * max(0.0, min(strength, 1.0)), 3)


def is_falsy(value: str) -> bool:
    return value.strip().lower() in _FALSY


def shown(value: str) -> str:
    """A value as it may appear in a detail line: one line, bounded length."""
    text = " ".join(value.split())
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def slug(text: str) -> str | None:
    """A free-form agent name as a safe lower-case slug, or None when nothing is left."""
    out = "".join(c if c.isalnum() or c in "-._" else "-" for c in text.strip().lower())
    out = "-".join(part for part in out.split("-") if part)[:40]
    return out if out and any(c.isalpha() for c in out) else None


def models_of(*raw: str) -> tuple[ModelId, ...]:
    """Normalised, de-duplicated models of the given strings (garbage dropped)."""
    found: list[ModelId] = []
    for text in raw:
        model = normalize_model(text) if text else None
        if model is not None and model not in found:
            found.append(model)
    return tuple(found)


def model_from_display_name(name: str) -> tuple[ModelId, ...]:
    """``Claude Opus 4.5`` -> that model; ``aider (gpt-4o)`` -> gpt-4o; ``Claude`` -> ()."""
    direct = models_of(name)
    if direct:
        return direct
    start, end = name.find("("), name.rfind(")")
    if 0 <= start < end:
        return models_of(name[start + 1 : end])
    return ()


def session_id(value: str) -> str | None:
    """A session id from a trailer value: the last path segment of a URL, else the value."""
    text = value.strip().split()[0] if value.strip() else ""
    if "://" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
        text = text.split("?", 1)[0].split("#", 1)[0]
    return text[:200] or None


def evidence(
    kind: SourceKind,
    spec: AgentSpec | None,
    detail: str,
    *,
    strength: float = 1.0,
    origin: Origin | None = None,
    models: tuple[ModelId, ...] = (),
    session: str | None = None,
    agent_name: str | None = None,
    version: str | None = None,
) -> Evidence:
    """Build one piece of evidence for ``spec`` (or a named agent the catalogue lacks)."""
    name = spec.name if spec is not None else agent_name
    agent = Agent(name, version or None) if name else None
    chosen = origin or (spec.origin if spec is not None else Origin.AI_GENERATED)
    return Evidence(
        source=kind,
        origin=chosen,
        confidence=confidence(kind, strength),
        detail=detail,
        agent=agent,
        models=models,
        session=session,
    )


def merge_by_agent(items: Iterable[Evidence]) -> list[Evidence]:
    """One piece of evidence per agent, strongest first.

    The strongest item of an agent gives origin and confidence; models, details, session and
    agent version are gathered from all of them. Evidence naming no agent is kept as is.
    """
    groups: dict[str, list[Evidence]] = {}
    loose: list[Evidence] = []
    for item in items:
        if item.agent is None:
            loose.append(item)
        else:
            groups.setdefault(item.agent.name, []).append(item)
    merged = [_merge(group) for group in groups.values()]
    merged.extend(loose)
    merged.sort(key=lambda e: -e.confidence)
    return merged


def _merge(group: list[Evidence]) -> Evidence:
    best = max(group, key=lambda e: e.confidence)
    if len(group) == 1:
        return best
    models: list[ModelId] = []
    details: list[str] = []
    for item in [best, *group]:
        models.extend(m for m in item.models if m not in models)
        if item.detail not in details:
            details.append(item.detail)
    version = next((e.agent.version for e in group if e.agent and e.agent.version), None)
    session = best.session or next((e.session for e in group if e.session), None)
    agent = Agent(best.agent.name, version) if best.agent else None
    return best.replace(
        models=tuple(models), detail="; ".join(details), session=session, agent=agent
    )


def spec_for_name(name: str) -> AgentSpec | None:
    """The catalogue agent a free-form name designates, if any."""
    return agent_by_alias(name) if name.strip() else None
