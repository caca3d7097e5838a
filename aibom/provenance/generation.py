"""Build the ``generation`` record of a commit from a detection and its context."""

from __future__ import annotations

import os

from aibom import __version__
from aibom._hash import sha256
from aibom._value import Value
from aibom.notes.records import Record
from aibom.provenance.session import Session, rfc3339

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from aibom.provenance.types import Detection, Evidence, ModelId


class BlobDigest(Value):
    __slots__ = ("path", "sha256")
    path: str
    sha256: str

    def __init__(self, path: str, sha256: str) -> None:
        self._set(path=path, sha256=sha256)


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
    return dict(detection.parameters)


def agent_config_digest(toplevel: str | None, files: Sequence[str]) -> dict[str, Any] | None:
    """One digest over the agent instruction/config files present in the work tree."""
    if toplevel is None:
        return None
    h = sha256()
    present: list[str] = []
    for name in sorted(set(files)):
        try:
            with open(os.path.join(toplevel, name), "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        present.append(name)
        h.update(name.encode() + b"\0" + sha256(data).digest())
    if not present:
        return None
    return {"digest": "sha256:" + h.hexdigest(), "files": present}


def build(
    detection: Detection,
    *,
    committed: int,
    session: Session | None,
    blobs: Sequence[BlobDigest] = (),
    agent_config: dict[str, Any] | None = None,
    inferred: bool = False,
) -> Record:
    """The record; ``committed`` is the commit's committer time (seconds since the epoch)."""
    timestamps: dict[str, Any] = {"committed": rfc3339(committed)}
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
        "timestamps": timestamps,
        "tool": {"name": "aibom", "version": __version__},
    }
    params = _typed_params(detection, session)
    if params:
        body["parameters"] = params
    if session is not None and detection.session == session.id:
        timestamps["session_start"] = rfc3339(session.started_at)
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
