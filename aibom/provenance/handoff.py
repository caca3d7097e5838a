"""Hand the commit-msg hook's detection to the post-commit hook of the same commit.

Both hooks run in the same process tree, one after the other, and see the same session,
checkpoints and environment. Re-running every detection layer in post-commit would cost
most of its time budget, so commit-msg leaves its result in the worktree's git dir, tagged
with the HEAD it saw and the git process that ran it; post-commit takes it only when it runs
under that same ``git commit`` process (pid and start time) and its reflog entry says the new
commit's parent is that HEAD. Otherwise (the commit-msg hook was skipped or belonged to a
commit that was aborted) post-commit detects by itself.
"""

from __future__ import annotations

import os
import time

from aibom import _fastjson
from aibom.gitutil import ZERO_OID, last_reflog_entry
from aibom.provenance.types import Agent, Detection, Evidence, ModelId, Origin, SourceKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from aibom.gitutil import Repo

FILE = "handoff.json"
MAX_AGE = 600.0


def _model(m: ModelId) -> list[str | None]:
    return [m.provider, m.model, m.version, m.id]


def _agent(a: Agent | None) -> list[str | None] | None:
    return [a.name, a.version] if a else None


def to_json(d: Detection) -> dict[str, Any]:
    return {
        "origin": d.origin.value,
        "confidence": d.confidence,
        "agent": _agent(d.agent),
        "models": [_model(m) for m in d.models],
        "session": d.session,
        "parameters": [list(p) for p in d.parameters],
        "evidence": [
            {
                "source": e.source.value,
                "origin": e.origin.value,
                "confidence": e.confidence,
                "detail": e.detail,
                "agent": _agent(e.agent),
                "models": [_model(m) for m in e.models],
                "session": e.session,
                "parameters": [list(p) for p in e.parameters],
            }
            for e in d.evidence
        ],
    }


def _to_agent(raw: Any) -> Agent | None:
    return Agent(str(raw[0]), raw[1]) if raw else None


def _to_models(raw: Any) -> tuple[ModelId, ...]:
    return tuple(ModelId(str(p), str(m), v, str(i)) for p, m, v, i in raw)


def _to_params(raw: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in raw)


def from_json(data: Any) -> Detection:
    evidence = tuple(
        Evidence(
            source=SourceKind(e["source"]),
            origin=Origin(e["origin"]),
            confidence=float(e["confidence"]),
            detail=str(e["detail"]),
            agent=_to_agent(e["agent"]),
            models=_to_models(e["models"]),
            session=e["session"],
            parameters=_to_params(e["parameters"]),
        )
        for e in data["evidence"]
    )
    return Detection(
        origin=Origin(data["origin"]),
        confidence=float(data["confidence"]),
        agent=_to_agent(data["agent"]),
        models=_to_models(data["models"]),
        session=data["session"],
        evidence=evidence,
        parameters=_to_params(data["parameters"]),
    )


def current_head(repo: Repo) -> str:
    """HEAD as the reflog knows it; the zero oid on an unborn branch or without a reflog."""
    entry = last_reflog_entry(repo)
    return entry[1] if entry else ZERO_OID


def process_key() -> str:
    """The git process that runs this hook: its pid and, where /proc exists, its start time."""
    ppid = os.getppid()
    try:
        with open(f"/proc/{ppid}/stat", "rb") as fh:
            stat = fh.read()
        start = stat[stat.rindex(b")") + 2 :].split()[19].decode()
    except (OSError, ValueError, IndexError):
        start = "?"
    return f"{ppid}:{start}"


def give(repo: Repo, detection: Detection) -> None:
    payload = {
        "parent": current_head(repo),
        "process": process_key(),
        "at": time.time(),
        "detection": to_json(detection),
    }
    path = os.path.join(repo.state_dir, FILE)
    os.makedirs(repo.state_dir, exist_ok=True)
    tmp = f"{path}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(_fastjson.dumps(payload))
    os.replace(tmp, path)


def take(repo: Repo, parent: str) -> Detection | None:
    """The hand-off left for a commit whose parent is ``parent``; consumed either way."""
    path = os.path.join(repo.state_dir, FILE)
    try:
        with open(path, encoding="utf-8") as fh:
            raw = fh.read()
        os.unlink(path)
    except OSError:
        return None
    try:
        data = _fastjson.loads(raw)
        if (
            data["parent"] != parent
            or data["process"] != process_key()
            or time.time() - float(data["at"]) > MAX_AGE
        ):
            return None
        return from_json(data["detection"])
    except (ValueError, KeyError, TypeError, IndexError):
        return None
