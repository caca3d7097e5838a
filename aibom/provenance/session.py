"""Explicit sessions: ``aibom session start`` / ``end``, stored per worktree in the git dir."""

from __future__ import annotations

import os
import time

from aibom import _fastjson as fastjson
from aibom._hash import digest
from aibom._value import Value
from aibom.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    ParamValue = str | int | float | bool

SESSION_FILE = "session.json"
ENDED_FILE = "sessions-ended.jsonl"
INT_PARAMS = frozenset({"seed", "max_tokens", "top_k"})
FLOAT_PARAMS = frozenset({"temperature", "top_p", "frequency_penalty", "presence_penalty"})


def sha256_digest(data: bytes) -> str:
    return digest(data)


def rfc3339(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class TextRef(Value):
    """A prompt or system prompt: its digest, and its redacted text only when opted in."""

    __slots__ = ("digest", "redacted_kinds", "redactions", "text")
    digest: str
    text: str | None
    redactions: int
    redacted_kinds: tuple[str, ...]

    def __init__(
        self,
        digest: str,
        text: str | None = None,
        redactions: int = 0,
        redacted_kinds: tuple[str, ...] = (),
    ) -> None:
        self._set(
            digest=digest, text=text, redactions=redactions, redacted_kinds=tuple(redacted_kinds)
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"digest": self.digest}
        if self.text is not None:
            data["text"] = self.text
            data["redactions"] = self.redactions
            data["redacted_kinds"] = list(self.redacted_kinds)
        return data

    @staticmethod
    def from_json(data: Any) -> TextRef | None:
        if not isinstance(data, dict) or not isinstance(data.get("digest"), str):
            return None
        return TextRef(
            digest=data["digest"],
            text=data.get("text"),
            redactions=int(data.get("redactions", 0)),
            redacted_kinds=tuple(data.get("redacted_kinds", ())),
        )


class Session(Value):
    __slots__ = (
        "agent",
        "agent_version",
        "context",
        "id",
        "models",
        "origin",
        "parameters",
        "prompt",
        "started_at",
        "system_prompt",
    )
    id: str
    agent: str
    agent_version: str | None
    models: tuple[str, ...]
    origin: str
    started_at: float
    parameters: Mapping[str, ParamValue]
    prompt: TextRef | None
    system_prompt: TextRef | None
    context: tuple[tuple[str, str], ...]

    def __init__(
        self,
        id: str,
        agent: str,
        agent_version: str | None,
        models: tuple[str, ...],
        origin: str,
        started_at: float,
        parameters: Mapping[str, ParamValue] | None = None,
        prompt: TextRef | None = None,
        system_prompt: TextRef | None = None,
        context: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self._set(
            id=id,
            agent=agent,
            agent_version=agent_version,
            models=tuple(models),
            origin=origin,
            started_at=started_at,
            parameters=dict(parameters or {}),
            prompt=prompt,
            system_prompt=system_prompt,
            context=tuple(context),
        )

    def __hash__(self) -> int:
        return hash(self.id)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "agent": self.agent,
            "agent_version": self.agent_version,
            "models": list(self.models),
            "origin": self.origin,
            "started_at": self.started_at,
            "parameters": dict(self.parameters),
            "prompt": self.prompt.to_json() if self.prompt else None,
            "system_prompt": self.system_prompt.to_json() if self.system_prompt else None,
            "context": [list(c) for c in self.context],
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Session:
        return Session(
            id=str(data["id"]),
            agent=str(data["agent"]),
            agent_version=data.get("agent_version"),
            models=tuple(str(m) for m in data.get("models", ())),
            origin=str(data.get("origin", "ai-assisted")),
            started_at=float(data["started_at"]),
            parameters=dict(data.get("parameters") or {}),
            prompt=TextRef.from_json(data.get("prompt")),
            system_prompt=TextRef.from_json(data.get("system_prompt")),
            context=tuple((str(n), str(d)) for n, d in data.get("context", ())),
        )


def parse_param(spec: str) -> tuple[str, ParamValue]:
    """``temperature=0.2`` -> ("temperature", 0.2); typed for the known parameters."""
    key, sep, raw = spec.partition("=")
    key = key.strip().lower().replace("-", "_")
    if not sep or not key or not all(c.isascii() and (c.isalnum() or c == "_") for c in key):
        raise UsageError(f"--param {spec!r}: expected NAME=VALUE, e.g. temperature=0.2")
    raw = raw.strip()
    try:
        if key in INT_PARAMS:
            return key, int(raw)
        if key in FLOAT_PARAMS:
            value = float(raw)
            if value != value or value in (float("inf"), float("-inf")) or value < 0:
                raise ValueError
            return key, value
    except ValueError:
        raise UsageError(f"--param {spec!r}: {key} must be a non-negative number") from None
    if raw.lower() in {"true", "false"}:
        return key, raw.lower() == "true"
    return key, raw


def text_ref(data: bytes, keep_text: bool) -> TextRef:
    ref = digest(data)
    if not keep_text:
        return TextRef(ref)
    from aibom.provenance.redact import redact

    red = redact(data.decode("utf-8", "replace"))
    return TextRef(ref, red.text, red.count, tuple(red.kinds))


def session_path(state_dir: str) -> str:
    return os.path.join(state_dir, SESSION_FILE)


def load(state_dir: str) -> Session | None:
    """The open session of this worktree, or None. A corrupt file reads as no session."""
    try:
        with open(session_path(state_dir), "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    try:
        return Session.from_json(fastjson.loads(raw.decode("utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def start(
    state_dir: str,
    *,
    agent: str,
    agent_version: str | None,
    models: Sequence[str],
    origin: str,
    parameters: Mapping[str, ParamValue],
    prompt: bytes | None,
    system_prompt: bytes | None,
    context: Sequence[tuple[str, bytes]],
    keep_text: bool,
    now: float | None = None,
) -> Session:
    session = Session(
        id=os.urandom(16).hex(),
        agent=agent,
        agent_version=agent_version,
        models=tuple(models),
        origin=origin,
        started_at=time.time() if now is None else now,
        parameters=dict(parameters),
        prompt=text_ref(prompt, keep_text) if prompt is not None else None,
        system_prompt=text_ref(system_prompt, False) if system_prompt is not None else None,
        context=tuple((name, digest(data)) for name, data in context),
    )
    write_atomic(session_path(state_dir), fastjson.dumps(session.to_json()))
    return session


def end(state_dir: str) -> Session | None:
    """Close the open session; it is appended to the worktree's ended-sessions log."""
    current = load(state_dir)
    if current is not None:
        ended = dict(current.to_json(), ended_at=time.time())
        with open(os.path.join(state_dir, ENDED_FILE), "a", encoding="utf-8") as fh:
            fh.write(fastjson.dumps(ended) + "\n")
    try:
        os.unlink(session_path(state_dir))
    except FileNotFoundError:
        pass
    return current


def write_atomic(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)
