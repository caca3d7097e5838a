"""Agent hook payloads (``aibom checkpoint <agent>``): who is editing, with which model.

Each payload becomes one pending line in ``<git-dir>/aibom/checkpoints.jsonl`` of the worktree;
the post-commit hook consumes them. Unknown payload shapes are kept as ``unknown`` with a
warning, never a crash. Line ranges are added by the attribution layer.
"""

from __future__ import annotations

import os
import time

from aibom import _fastjson as json
from aibom._value import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

PENDING = "checkpoints.jsonl"
CONSUMED = "checkpoints.consumed.jsonl"
STALE_AFTER = 12 * 3600.0  # a checkpoint older than this (a crashed agent) gives no credit
MAX_PAYLOAD = 8 * 1024 * 1024

_SESSION_KEYS = (
    "session_id",
    "sessionId",
    "conversation_id",
    "conversationId",
    "thread-id",
    "thread_id",
    "threadId",
    "chat_id",
)
_MODEL_KEYS = ("model", "model_id", "modelId", "model_name", "modelName")
_VERSION_KEYS = ("version", "agent_version", "cursor_version", "client_version", "cli_version")
_EVENT_KEYS = ("hook_event_name", "hookEventName", "event", "type")
_TOOL_KEYS = ("tool_name", "toolName")
# the C scanner behind _fastjson raises SystemError on an unterminated string when the json
# package is not imported (the hook path): a half-written line must still be skipped
_BAD_JSON = (ValueError, RecursionError, SystemError)


class Checkpoint(Value):
    __slots__ = ("agent", "agent_version", "at", "event", "known_shape", "model", "session")
    agent: str
    at: float
    model: str | None
    session: str | None
    agent_version: str | None
    event: str | None
    known_shape: bool

    def __init__(
        self,
        agent: str,
        at: float,
        model: str | None = None,
        session: str | None = None,
        agent_version: str | None = None,
        event: str | None = None,
        known_shape: bool = True,
    ) -> None:
        self._set(
            agent=agent,
            at=at,
            model=model,
            session=session,
            agent_version=agent_version,
            event=event,
            known_shape=known_shape,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "agent": self.agent,
            "at": self.at,
            "model": self.model,
            "session": self.session,
            "agent_version": self.agent_version,
            "event": self.event,
            "known_shape": self.known_shape,
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Checkpoint:
        return Checkpoint(
            agent=str(data["agent"]),
            at=float(data["at"]),
            model=_str(data.get("model")),
            session=_str(data.get("session")),
            agent_version=_str(data.get("agent_version")),
            event=_str(data.get("event")),
            known_shape=bool(data.get("known_shape", True)),
        )


def _str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:256]
    if isinstance(value, dict):  # e.g. {"model": {"id": "...", "display_name": "..."}}
        for key in ("id", "name", "display_name"):
            if isinstance(value.get(key), str):
                return str(value[key])[:256]
    return None


def _first(payload: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        found = _str(payload.get(key))
        if found:
            return found
    return None


def tool_name(payload: Mapping[str, Any]) -> str | None:
    """The tool a hook payload reports (``tool_name`` / ``toolName``), if any."""
    return _first(payload, _TOOL_KEYS)


def model_from_transcript(path: str, max_bytes: int = 256 * 1024) -> str | None:
    """The newest ``"model"`` named in a JSON Lines transcript (Claude Code, Gemini CLI)."""
    if not os.path.isfile(path):
        return None  # a device or a pipe may never end (or open): the agent's hook would hang
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - max_bytes))
            tail = fh.read(max_bytes)
    except OSError:
        return None
    for raw in reversed(tail.splitlines()):
        try:
            entry = json.loads(raw.decode("utf-8", "replace"))
        except _BAD_JSON:
            continue
        if not isinstance(entry, dict):
            continue
        message = entry.get("message")
        for holder in (message if isinstance(message, dict) else {}, entry):
            found = _str(holder.get("model"))
            if found and not found.startswith("<"):
                return found
    return None


def parse(
    agent: str,
    raw: bytes,
    *,
    model: str | None = None,
    session: str | None = None,
    now: float | None = None,
) -> tuple[Checkpoint, Mapping[str, Any], list[str]]:
    """Turn an agent's hook JSON into (checkpoint, the payload object, warnings)."""
    warnings: list[str] = []
    payload: Mapping[str, Any] = {}
    if raw.strip():
        try:
            decoded = json.loads(raw[:MAX_PAYLOAD].decode("utf-8", "replace"))
        except _BAD_JSON as exc:
            warnings.append(f"payload is not JSON ({type(exc).__name__}); recorded as unknown")
        else:
            if isinstance(decoded, dict):
                payload = decoded
            else:  # null, a list, a string, a number
                warnings.append("payload is not a JSON object; recorded as unknown")
    found_model = model or _first(payload, _MODEL_KEYS)
    transcript = payload.get("transcript_path")
    if not found_model and isinstance(transcript, str):
        found_model = model_from_transcript(transcript)
    found_session = session or _first(payload, _SESSION_KEYS)
    known = bool(payload) and bool(
        found_session or found_model or _first(payload, (*_EVENT_KEYS, *_TOOL_KEYS))
    )
    if payload and not known:
        warnings.append("unrecognised payload shape; recorded as unknown")
    checkpoint = Checkpoint(
        agent=agent,
        at=time.time() if now is None else now,
        model=found_model,
        session=found_session,
        agent_version=_first(payload, _VERSION_KEYS),
        event=_first(payload, _EVENT_KEYS),
        known_shape=known or bool(model or session),
    )
    return checkpoint, payload, warnings


def parse_payload(
    agent: str,
    raw: bytes,
    *,
    model: str | None = None,
    session: str | None = None,
    now: float | None = None,
) -> tuple[Checkpoint, list[str]]:
    """Turn an agent's hook JSON into a checkpoint; returns (checkpoint, warnings)."""
    point, _, warnings = parse(agent, raw, model=model, session=session, now=now)
    return point, warnings


def take(
    state_dir: str,
    agent: str,
    raw: bytes,
    *,
    model: str | None = None,
    session: str | None = None,
    toplevel: str | None = None,
    files: Sequence[str] = (),
    phase: str | None = None,
) -> tuple[Checkpoint, list[str]]:
    """Validate the agent name, parse its payload and record the checkpoint.

    With ``toplevel`` (a work tree), the state of every file the payload (or ``files``)
    names is recorded too, for line-level attribution at commit time. Returns (checkpoint,
    warnings); an agent name aibom cannot record is a usage error.
    """
    from aibom.errors import UsageError
    from aibom.provenance.sources.declared import parse_agent

    parsed = parse_agent(agent)
    if parsed is None:
        raise UsageError(f"{agent!r} is not an agent name", hint="e.g. claude-code, codex, aider")
    if phase is not None and phase not in ("pre", "post"):
        raise UsageError(f"--phase {phase!r} is not pre or post", hint="--phase pre|post")
    point, payload, warnings = parse(parsed.name, raw, model=model, session=session)
    record(state_dir, point)
    if toplevel is not None:
        from aibom.attribution.observe import observe

        _, more = observe(toplevel, state_dir, point, payload, files=files, phase=phase)
        warnings += more
    return point, warnings


def record(state_dir: str, checkpoint: Checkpoint) -> None:
    """Append one pending checkpoint.

    O_APPEND under a shared lock: concurrent writers never interleave a line, and a line is
    never written into a log a commit has already consumed.
    """
    from aibom.attribution.checkpoints import append_locked

    os.makedirs(state_dir, exist_ok=True)
    line = (json.dumps(checkpoint.to_json()) + "\n").encode("utf-8")
    append_locked(os.path.join(state_dir, PENDING), line)


def pending(state_dir: str, now: float | None = None) -> list[Checkpoint]:
    """Pending, non-stale checkpoints; lines a crashed writer left half-written are skipped."""
    try:
        with open(os.path.join(state_dir, PENDING), "rb") as fh:
            raw = fh.read()
    except OSError:
        return []
    limit = (time.time() if now is None else now) - STALE_AFTER
    found: list[Checkpoint] = []
    for line in raw.splitlines():
        if not line.strip():
            continue  # (an empty line would send the parser to its slow fallback)
        try:
            cp = Checkpoint.from_json(json.loads(line.decode("utf-8", "replace")))
        except (*_BAD_JSON, KeyError, TypeError, AttributeError):
            continue
        if cp.at >= limit:
            found.append(cp)
    return found


def consume(state_dir: str) -> None:
    """Move pending checkpoints to the consumed log after a commit recorded them.

    The pending file is renamed first, so a checkpoint appended meanwhile starts a new file.
    """
    from aibom.attribution.checkpoints import take_locked

    taken = os.path.join(state_dir, f".{PENDING}.{os.getpid()}")
    data = take_locked(os.path.join(state_dir, PENDING), taken)
    if data is None:
        return
    with open(os.path.join(state_dir, CONSUMED), "ab") as fh:
        fh.write(data)
    os.unlink(taken)
