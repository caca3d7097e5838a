"""Environment source: variables coding agents set in the shells they run ``git commit`` in."""

from __future__ import annotations

import os

from aibom.provenance.agents import AGENTS, agent_by_alias, parse_agent_value
from aibom.provenance.sources._common import (
    evidence,
    is_falsy,
    merge_by_agent,
    models_of,
    shown,
    slug,
)
from aibom.provenance.types import Origin, SourceKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from aibom.provenance.agents import AgentSpec, EnvSignature
    from aibom.provenance.types import DetectionContext, Evidence, ModelId

__all__ = ["EnvironmentSource"]

_KIND = SourceKind.ENVIRONMENT
# Generic conventions are weaker than an agent's own variable: anything may set them.
_AI_AGENT_KNOWN = 0.9
_AI_AGENT_UNKNOWN = 0.6
_AI_AGENT_FLAG = 0.5
_AGENT_KNOWN = 0.85
_MARKER_FILE = 0.75


class EnvironmentSource:
    """Agent-specific and generic (``AI_AGENT``/``AGENT``) variables in ``ctx.env``.

    ``path_exists`` checks the few marker files an agent's machine carries (Devin's
    ``/opt/.devin``); pass None to disable file checks.
    """

    kind: SourceKind = _KIND

    def __init__(
        self,
        *,
        agents: Sequence[AgentSpec] = AGENTS,
        path_exists: Callable[[str], bool] | None = os.path.exists,
    ) -> None:
        self._agents = tuple(agents)
        self._path_exists = path_exists

    def detect(self, ctx: DetectionContext) -> Sequence[Evidence]:
        try:
            env = ctx.env if callable(getattr(ctx.env, "get", None)) else {}
            found = [e for spec in self._agents if (e := self._agent(spec, env)) is not None]
            found.extend(_generic(env))
            return merge_by_agent(found)
        except Exception:  # a source never raises on odd data
            return ()

    def _agent(self, spec: AgentSpec, env: Mapping[str, str]) -> Evidence | None:
        matched = [sig for sig in spec.env if sig.matches(env)]
        markers = [path for path in spec.marker_paths if self._exists(path)]
        if not matched and not markers:
            return None
        details = [_describe(sig, env) for sig in matched]
        details.extend(f"file {path}" for path in markers)
        strongest = max(matched, key=lambda s: s.strength) if matched else None
        strength = strongest.strength if strongest is not None else _MARKER_FILE
        origin = strongest.origin if strongest is not None else None
        return evidence(
            _KIND,
            spec,
            "env " + ", ".join(details) if matched else ", ".join(details),
            strength=strength,
            origin=origin,
            models=_models(spec, env),
            session=_session(matched, env),
        )

    def _exists(self, path: str) -> bool:
        if self._path_exists is None:
            return False
        try:
            return bool(self._path_exists(path))
        except (OSError, ValueError):
            return False


def _generic(env: Mapping[str, str]) -> list[Evidence]:
    found: list[Evidence] = []
    ai_agent = _value(env, "AI_AGENT")
    if ai_agent and not is_falsy(ai_agent):
        found.append(_ai_agent(ai_agent, env))
    agent = _value(env, "AGENT")
    if agent and not is_falsy(agent):
        name, version = parse_agent_value(agent)
        spec = agent_by_alias(name)
        if spec is not None:  # AGENT is shared with non-AI tools: known agents only
            found.append(
                evidence(
                    _KIND,
                    spec,
                    f"env AGENT={shown(agent)}",
                    strength=_AGENT_KNOWN,
                    version=version,
                    models=_models(spec, env),
                )
            )
    return found


def _ai_agent(value: str, env: Mapping[str, str]) -> Evidence:
    detail = f"env AI_AGENT={shown(value)}"
    name, version = parse_agent_value(value)
    spec = agent_by_alias(name)
    if spec is not None:
        return evidence(
            _KIND,
            spec,
            detail,
            strength=_AI_AGENT_KNOWN,
            version=version,
            models=_models(spec, env),
        )
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return evidence(_KIND, None, detail, strength=_AI_AGENT_FLAG, origin=Origin.AI_GENERATED)
    return evidence(
        _KIND,
        None,
        detail,
        strength=_AI_AGENT_UNKNOWN,
        origin=Origin.AI_GENERATED,
        agent_name=slug(name),
        version=version,
    )


def _describe(sig: EnvSignature, env: Mapping[str, str]) -> str:
    value = _value(env, sig.var)
    text = f"{sig.var} set" if sig.secret else f"{sig.var}={shown(value)}"
    extra = [f"{var}={shown(_value(env, var))}" for var, _ in sig.also]
    return " ".join([text, *extra])


def _models(spec: AgentSpec, env: Mapping[str, str]) -> tuple[ModelId, ...]:
    return models_of(*(_value(env, var) for var in spec.model_env))


def _session(matched: list[EnvSignature], env: Mapping[str, str]) -> str | None:
    for sig in matched:
        if sig.session:
            return _value(env, sig.var)[:200] or None
    return None


def _value(env: Mapping[str, str], var: str) -> str:
    value = env.get(var)
    return value.strip() if isinstance(value, str) else ""
