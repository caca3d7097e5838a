"""Build the ``generation`` record of a commit from a detection and its context."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aibom import __version__
from aibom.notes.records import Record
from aibom.provenance.session import Session, rfc3339
from aibom.provenance.types import Detection, Evidence, ModelId


@dataclass(frozen=True)
class BlobDigest:
    path: str
    sha256: str


def utc(iso: str) -> str:
    """Normalise git's ISO 8601 date to RFC 3339 UTC (``...Z``)."""
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def model_json(m: ModelId) -> dict[str, Any]:
    return {"provider": m.provider, "model": m.model, "version": m.version, "id": m.id}


def evidence_json(e: Evidence) -> dict[str, Any]:
    return {
        "source": e.source.value,
        "origin": e.origin.value,
        "confidence": round(e.confidence, 3),
        "detail": e.detail[:500],
        "agent": e.agent.slug if e.agent else None,
        "models": [m.slug for m in e.models],
        "session": e.session,
    }


def _typed_params(detection: Detection, session: Session | None) -> dict[str, Any]:
    if session is not None and detection.session == session.id:
        return dict(session.parameters)
    return {k: v for k, v in detection.parameters}


def agent_config_digest(toplevel: Path | None, files: Sequence[str]) -> dict[str, Any] | None:
    """One digest over the agent instruction/config files present in the work tree."""
    if toplevel is None:
        return None
    h = hashlib.sha256()
    present: list[str] = []
    for name in sorted(set(files)):
        try:
            data = (toplevel / name).read_bytes()
        except OSError:
            continue
        present.append(name)
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    if not present:
        return None
    return {"digest": "sha256:" + h.hexdigest(), "files": present}


def build(
    detection: Detection,
    *,
    committed: str,
    session: Session | None,
    blobs: Sequence[BlobDigest] = (),
    agent_config: dict[str, Any] | None = None,
    inferred: bool = False,
) -> Record:
    body: dict[str, Any] = {
        "origin": detection.origin.value,
        "confidence": round(detection.confidence, 3),
        "inferred": inferred,
        "models": [model_json(m) for m in detection.models],
        "agent": (
            {"name": detection.agent.name, "version": detection.agent.version}
            if detection.agent
            else None
        ),
        "session": detection.session,
        "evidence": [evidence_json(e) for e in detection.evidence],
        "timestamps": {"committed": utc(committed)},
        "tool": {"name": "aibom", "version": __version__},
    }
    params = _typed_params(detection, session)
    if params:
        body["parameters"] = params
    own_session = session is not None and detection.session == session.id
    if own_session and session is not None:
        body["timestamps"]["session_start"] = rfc3339(session.started_at)
        if session.prompt:
            body["prompt"] = session.prompt.to_json()
        if session.system_prompt:
            body["system_prompt"] = session.system_prompt.to_json()
        if session.context:
            body["context"] = [{"name": n, "digest": d} for n, d in session.context]
    if detection.origin.is_ai and blobs:
        body["blobs"] = [{"path": b.path, "sha256": b.sha256} for b in blobs]
    if detection.origin.is_ai and agent_config:
        body["agent_config"] = agent_config
    return Record.create("generation", body)
