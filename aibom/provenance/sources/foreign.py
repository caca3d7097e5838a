"""Foreign-trailer source: what other tools write into commit messages.

Trailers (parsed by git): ``Co-authored-by`` of agent identities, ``Made-with: Cursor``,
kernel-style ``Assisted-by: AGENT:MODEL [tools]``, ``Generated-by``, and session trailers
(``Claude-Session``, ``Amp-Thread-ID``, ``Copilot-Session``, ``Agent-Logs-Url``,
``Replit-Commit-Author``). Footers (body lines such as "Generated with [Claude Code](...)").
aibom's own ``AI-*`` trailers are ignored here: they are declared evidence, read elsewhere.
The subject line is never evidence.
"""

from __future__ import annotations

from aibom.provenance.agents import AGENTS, agent_by_alias, agent_by_identity
from aibom.provenance.modelid import normalize_model
from aibom.provenance.sources._common import (
    evidence,
    merge_by_agent,
    model_from_display_name,
    models_of,
    session_id,
    shown,
    slug,
)
from aibom.provenance.types import Origin, SourceKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from aibom.provenance.agents import AgentSpec
    from aibom.provenance.types import DetectionContext, Evidence, ModelId

    Handler = Callable[[str, float], Evidence | None]

__all__ = ["ForeignTrailerSource", "parse_assisted_by"]

_KIND = SourceKind.TRAILER
_BODY_COAUTHOR = 0.9  # a Co-authored-by line outside the final trailer block
_UNKNOWN_AGENT = 0.8  # Assisted-by naming an agent the catalogue lacks
_MODEL_ONLY = 0.8  # Assisted-by naming only a model
_MAX_BODY = 65536
_COAUTHOR = "co-authored-by"


def _session_specs() -> dict[str, AgentSpec]:
    table: dict[str, AgentSpec] = {}
    for spec in AGENTS:
        for key in spec.session_trailers:
            table.setdefault(key, spec)
    return table


_SESSION_TRAILERS = _session_specs()


class ForeignTrailerSource:
    """Trailers and footers other tools (agents, editors) leave in commit messages."""

    kind: SourceKind = _KIND

    def detect(self, ctx: DetectionContext) -> Sequence[Evidence]:
        try:
            found = list(self._from_trailers(ctx))
            found.extend(_from_body(ctx))
            return merge_by_agent(found)
        except Exception:  # a source never raises on odd data
            return ()

    def _from_trailers(self, ctx: DetectionContext) -> Iterator[Evidence]:
        for trailer in ctx.trailers:
            key = trailer.key.strip().lower() if isinstance(trailer.key, str) else ""
            value = trailer.value.strip() if isinstance(trailer.value, str) else ""
            if not key or not value or key.startswith("ai-"):
                continue
            item = _handle(key, value, 1.0)
            if item is not None:
                yield item


def _handle(key: str, value: str, strength: float) -> Evidence | None:
    handler = _HANDLERS.get(key)
    if handler is not None:
        return handler(value, strength)
    spec = _SESSION_TRAILERS.get(key)
    if spec is not None:
        return _session_trailer(spec, key, value, strength)
    return None


def _co_author(value: str, strength: float) -> Evidence | None:
    name, email = _split_ident(value)
    hit = agent_by_identity(name, email)
    if hit is None:
        return None
    spec, pattern = hit
    models: tuple[ModelId, ...] = ()
    if pattern.model_in_name:
        models = model_from_display_name(name)
        named = agent_by_alias(name)  # e.g. goose signing with Anthropic's noreply address
        if named is not None and not models:
            spec = named
    return evidence(
        _KIND,
        spec,
        f"Co-authored-by: {shown(value)}",
        strength=strength,
        origin=pattern.origin or spec.origin,
        models=models,
    )


def _made_with(value: str, strength: float) -> Evidence | None:
    spec = agent_by_alias(value.split("(")[0])
    if spec is None:
        return None
    return evidence(
        _KIND, spec, f"Made-with: {shown(value)}", strength=strength, models=_paren_models(value)
    )


def _generated_by(value: str, strength: float) -> Evidence | None:
    spec = agent_by_alias(value.split("(")[0].split("<")[0])
    if spec is None:
        return None
    return evidence(
        _KIND, spec, f"Generated-by: {shown(value)}", strength=strength, models=_paren_models(value)
    )


def parse_assisted_by(value: str) -> tuple[str | None, ModelId | None]:
    """``AGENT:MODEL [tool1] [tool2]`` -> (agent text, model). Either may be missing."""
    text = value.split("[", 1)[0].strip()
    agent_text, colon, model_text = text.partition(":")
    if not colon:
        return (text or None), None
    words = model_text.split()
    model = normalize_model(words[0]) if words else None
    return (agent_text.strip() or None), model


def _assisted_by(value: str, strength: float) -> Evidence | None:
    agent_text, model = parse_assisted_by(value)
    detail = f"Assisted-by: {shown(value)}"
    models = (model,) if model is not None else ()
    spec = agent_by_alias(agent_text) if agent_text else None
    origin = Origin.AI_ASSISTED
    if spec is not None:
        return evidence(_KIND, spec, detail, strength=strength, origin=origin, models=models)
    if model is not None and model.provider != "unknown" and agent_text:
        return evidence(
            _KIND,
            None,
            detail,
            strength=strength * _UNKNOWN_AGENT,
            origin=origin,
            models=models,
            agent_name=slug(agent_text),
        )
    if ":" not in value and agent_text:
        # No AGENT:MODEL form: a person (curl credits people so) unless it names a model.
        alone = normalize_model(agent_text)
        if alone is not None and alone.provider != "unknown":
            return evidence(
                _KIND, None, detail, strength=strength * _MODEL_ONLY, origin=origin, models=(alone,)
            )
    return None


def _session_trailer(spec: AgentSpec, key: str, value: str, strength: float) -> Evidence | None:
    detail = f"{key.title()}: {shown(value)}"
    if key == "replit-commit-author":
        role = value.strip().lower()
        if role not in ("agent", "assistant"):
            return None
        origin = Origin.AI_GENERATED if role == "agent" else Origin.AI_ASSISTED
        return evidence(_KIND, spec, detail, strength=strength, origin=origin)
    return evidence(_KIND, spec, detail, strength=strength, session=session_id(value))


_HANDLERS: dict[str, Handler] = {
    _COAUTHOR: _co_author,
    "made-with": _made_with,
    "assisted-by": _assisted_by,
    "generated-by": _generated_by,
    "generated-with": _generated_by,
}


def _from_body(ctx: DetectionContext) -> Iterator[Evidence]:
    message = ctx.message if isinstance(ctx.message, str) else ""
    _, newline, body = message[:_MAX_BODY].partition("\n")
    if not newline:
        return
    parsed = {
        (t.key.strip().lower(), " ".join(t.value.split()))
        for t in ctx.trailers
        if isinstance(t.key, str) and isinstance(t.value, str)
    }
    trailer_keys = {key for key, _ in parsed}
    for line in body.splitlines():
        stripped = line.strip()
        lowered = stripped.lower()
        if lowered.startswith(_COAUTHOR + ":"):
            value = stripped[len(_COAUTHOR) + 1 :].strip()
            if (_COAUTHOR, " ".join(value.split())) not in parsed:
                item = _co_author(value, _BODY_COAUTHOR)
                if item is not None:
                    yield item
        elif lowered.partition(":")[0] not in trailer_keys:  # trailers were read above
            yield from _footer(stripped, lowered)


def _footer(line: str, lowered: str) -> Iterator[Evidence]:
    for spec in AGENTS:
        for marker in spec.footers:
            at = lowered.find(marker)
            if at < 0:
                continue
            tail = line[at + len(marker) :]
            session = _footer_session(line) if "/session_" in marker else None
            yield evidence(
                _KIND, spec, f"footer {shown(line)}", models=_paren_models(tail), session=session
            )
            break


def _footer_session(line: str) -> str | None:
    for word in line.split():
        if "/session_" in word:
            return session_id(word.strip("()<>[]"))
    return None


def _paren_models(text: str) -> tuple[ModelId, ...]:
    """``(gpt-4o)`` right after a tool name; URLs in parentheses are not models."""
    start, end = text.find("("), text.find(")")
    if not 0 <= start < end:
        return ()
    inner = text[start + 1 : end]
    if "://" in inner or not inner.strip():
        return ()
    return models_of(inner)


def _split_ident(value: str) -> tuple[str, str]:
    """``Name <email>`` -> (name, email); a bare value is a name."""
    start, end = value.rfind("<"), value.rfind(">")
    if 0 <= start < end:
        return value[:start].strip(), value[start + 1 : end].strip()
    return value.strip(), ""
