"""One commit's provenance, combined from its records and trailers (for show, log, backfill)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aibom.notes.store import Note
from aibom.provenance import trailers as tr
from aibom.provenance.commits import CommitInfo
from aibom.provenance.modelid import normalize_model
from aibom.provenance.types import Origin, combine_origins

UNKNOWN = "unknown"


@dataclass(frozen=True)
class CommitSummary:
    sha: str
    subject: str
    origin: str  # human | ai-assisted | ai-generated | unknown
    models: tuple[str, ...]
    agent: str | None
    session: str | None
    confidence: float | None
    basis: str  # record | inferred-record | trailer | none
    records: int
    bad_lines: int

    def to_json(self) -> dict[str, Any]:
        return {
            "commit": self.sha,
            "subject": self.subject,
            "origin": self.origin,
            "models": list(self.models),
            "agent": self.agent,
            "session": self.session,
            "confidence": self.confidence,
            "basis": self.basis,
            "records": self.records,
            "bad_lines": self.bad_lines,
        }


def summarize(info: CommitInfo, note: Note | None) -> CommitSummary:
    gens = [r for r in (note.records if note else ()) if r.kind == "generation"]
    bad = len(note.bad) if note else 0
    count = len(note.records) if note else 0
    observed = [r for r in gens if not r.data.get("inferred")]
    chosen = observed or gens
    if chosen:
        origin = combine_origins([Origin(r.data["origin"]) for r in chosen])
        assert origin is not None
        models = _unique(
            m["id"] and f"{m['provider']}/{m['id']}" for r in chosen for m in r.data["models"]
        )
        agents = [r.data["agent"] for r in chosen if r.data.get("agent")]
        sessions = [r.data["session"] for r in chosen if r.data.get("session")]
        agent = _agent_slug(agents[-1]) if agents else None
        return CommitSummary(
            info.sha,
            info.subject,
            origin.value,
            models,
            agent,
            sessions[-1] if sessions else None,
            max(float(r.data["confidence"]) for r in chosen),
            "record" if observed else "inferred-record",
            count,
            bad,
        )
    declared = combine_origins(tr.declared_origins(info.trailers))
    if declared is not None:
        models = _unique(
            (m.slug if (m := normalize_model(v)) else v) for v in tr.values(info.trailers, tr.MODEL)
        )
        agents = tr.values(info.trailers, tr.AGENT)
        sessions = tr.values(info.trailers, tr.SESSION)
        return CommitSummary(
            info.sha,
            info.subject,
            declared.value,
            models,
            agents[0] if agents else None,
            sessions[0] if sessions else None,
            None,
            "trailer",
            count,
            bad,
        )
    ranges = [dict(r.data) for r in (note.records if note else ()) if r.kind == "attribution"]
    if ranges:  # e.g. imported from git-ai or Agent Trace: read as trace, stats and the BOM do
        from aibom.forensics.facts import from_attribution_records

        found = from_attribution_records(ranges)
        if found.origin != UNKNOWN:
            session = found.sessions[0] if found.sessions else None
            return CommitSummary(
                info.sha,
                info.subject,
                found.origin,
                found.models,
                found.agent,
                session,
                None,
                found.source,
                count,
                bad,
            )
    return CommitSummary(info.sha, info.subject, UNKNOWN, (), None, None, None, "none", count, bad)


def _agent_slug(agent: Any) -> str:
    name = str(agent.get("name"))
    version = agent.get("version")
    return f"{name}/{version}" if version else name


def _unique(items: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(i) for i in items if i))


def summarize_many(infos: Sequence[CommitInfo], notes: dict[str, Note]) -> list[CommitSummary]:
    return [summarize(info, notes.get(info.sha)) for info in infos]
