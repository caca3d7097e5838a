"""Records for blame tests: generation and attribution records built with ``Record.create``."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from aibom import __version__
from aibom.attribution import model as attr
from aibom.notes.records import Record
from aibom.provenance.generation import model_json
from aibom.provenance.modelid import normalize_model

OPUS = "anthropic/claude-opus-4-5-20251101"
SONNET = "anthropic/claude-sonnet-4-5-20250929"
AGENT = "claude-code/2.0.14"


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def generation(
    origin: str,
    slug: str | None = OPUS,
    *,
    agent: str | None = AGENT,
    session: str | None = "sess-1",
    confidence: float = 0.9,
    inferred: bool = False,
    source: str = "agent-hook",
) -> Record:
    models = []
    if slug is not None:
        found = normalize_model(slug)
        assert found is not None, slug
        models.append(found)
    agent_json = None
    if agent is not None:
        name, _, version = agent.partition("/")
        agent_json = {"name": name, "version": version or None}
    evidence = {
        "source": source,
        "origin": origin,
        "confidence": confidence,
        "detail": "test",
        "agent": agent,
        "models": [m.slug for m in models],
        "session": session,
    }
    body = {
        "origin": origin,
        "confidence": confidence,
        "inferred": inferred,
        "models": [model_json(m) for m in models],
        "agent": agent_json,
        "session": session,
        "evidence": [evidence],
        "timestamps": {"committed": "2026-01-01T00:00:00Z"},
        "tool": {"name": "aibom", "version": __version__},
    }
    return Record.create("generation", body)


def conversation(
    contributor: str,
    ranges: Sequence[tuple[int, int]],
    *,
    slug: str | None = OPUS,
    agent: str | None = AGENT,
    session: str | None = "sess-1",
    confidence: float = 0.9,
    evidence: str = "hook-observed",
) -> attr.Conversation:
    return attr.Conversation(
        contributor,
        [attr.LineRange(a, b) for a, b in ranges],
        model_id=slug,
        agent=agent,
        session=session,
        confidence=confidence,
        evidence=evidence,
    )


def attribution(
    files: Sequence[tuple[str, str, Sequence[attr.Conversation]]],
    source: tuple[str, str | None] | None = None,
) -> Record:
    """``files``: (path, blob, conversations)."""
    entries = [attr.FileAttribution(path, blob, convs) for path, blob, convs in files]
    return Record.create("attribution", attr.to_body(entries, __version__, source))


def note_text(*records: Record) -> str:
    return "".join(r.line + "\n" for r in sorted(records, key=lambda r: r.line))
