"""git-ai authorship logs (``refs/notes/ai``, schema ``authorship/3.0.0``).

A log is one note per commit in two parts divided by a line that is exactly ``---``:

* the attestation section: a file path at the start of a line (in double quotes when it
  holds whitespace), then its entries, each indented by exactly two spaces:
  ``<key> <ranges>`` where ranges are 1-based, comma-separated ``N`` or ``N-M``;
* the metadata section: one JSON object with ``schema_version``, ``base_commit_sha`` and
  the maps the keys point into: ``prompts`` (16- or 7-hex keys), ``sessions`` (``s_...``
  keys, an entry may append ``::t_...``) and ``humans`` (``h_...`` keys). Prompt and
  session records carry ``agent_id`` (``tool``, ``id``, ``model``); prompts also carry the
  conversation's ``messages``.

Human keys become human ranges, every other key AI ranges of that agent, model and session.
A key missing from its note's metadata is looked up in the other notes read (git-ai lets a
log point at a prompt recorded elsewhere). Malformed lines are reported and skipped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aibom.gitutil import Repo
from aibom.interop.convert import (
    ForeignConversation,
    ForeignFile,
    ForeignRange,
    ForeignTrace,
    Problem,
    Reading,
)
from aibom.notes.store import NotesStore

DEFAULT_REF = "refs/notes/ai"
SCHEMA_VERSION = "authorship/3.0.0"
DIVIDER = "---"


@dataclass(frozen=True)
class Entry:
    key: str
    ranges: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class FileEntries:
    path: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Actor:
    """Who a key stands for."""

    human: bool
    tool: str | None = None
    session: str | None = None
    model: str | None = None
    prompt: bytes | None = None


@dataclass(frozen=True)
class AuthorshipLog:
    commit: str
    version: str | None
    files: tuple[FileEntries, ...]
    actors: Mapping[str, Actor]


# -- attestation section -----------------------------------------------------------------------
def parse_ranges(spec: str) -> tuple[tuple[int, int], ...] | None:
    """``1-4,9,12-20`` -> ((1, 4), (9, 9), (12, 20)); None when malformed."""
    result: list[tuple[int, int]] = []
    for piece in spec.split(","):
        first, dash, last = piece.partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            return None
        start, end = int(first), int(last) if dash else int(first)
        if start < 1 or end < start:
            return None
        result.append((start, end))
    return tuple(result)


def _path(line: str) -> str:
    if len(line) >= 2 and line.startswith('"') and line.endswith('"'):
        return line[1:-1]
    return line


def _entry(line: str) -> Entry | str:
    """An indented ``<key> <ranges>`` line, or the reason it is not one."""
    body = line[2:]
    key, sep, spec = body.partition(" ")
    if not sep or not key or not spec or " " in spec:
        return "expected two-space indent, a key, one space and line ranges"
    if not all(c.isalnum() or c in "_:" for c in key):
        return f"key {key[:40]!r} is not a git-ai key"
    ranges = parse_ranges(spec)
    if ranges is None:
        return f"line ranges {spec[:60]!r} are malformed"
    return Entry(key, ranges)


def _attestations(lines: list[str], where: str, problems: list[Problem]) -> tuple[FileEntries, ...]:
    files: list[tuple[str, list[Entry]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if line.startswith("  ") and not line.startswith("   "):
            if not files:
                problems.append(Problem(f"{where}:{number}", "entry before any file path"))
                continue
            parsed = _entry(line)
            if isinstance(parsed, str):
                problems.append(Problem(f"{where}:{number}", parsed + "; skipped"))
            else:
                files[-1][1].append(parsed)
        elif line[0].isspace():
            problems.append(Problem(f"{where}:{number}", "entry not indented by two spaces"))
        else:
            files.append((_path(line), []))
    return tuple(FileEntries(p, tuple(e)) for p, e in files if e)


# -- metadata section --------------------------------------------------------------------------
def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _prompt(messages: Any) -> bytes | None:
    """The human side of the conversation: the user messages, in order."""
    if not isinstance(messages, list):
        return None
    said = [
        m["text"]
        for m in messages
        if isinstance(m, dict) and m.get("type") == "user" and isinstance(m.get("text"), str)
    ]
    return "\n\n".join(said).encode("utf-8", "surrogateescape") if said else None


def _ai_actor(record: Any) -> Actor | None:
    if not isinstance(record, dict):
        return None
    agent_id = record.get("agent_id")
    agent_id = agent_id if isinstance(agent_id, dict) else {}
    return Actor(
        human=False,
        tool=_text(agent_id.get("tool")),
        session=_text(agent_id.get("id")),
        model=_text(agent_id.get("model")),
        prompt=_prompt(record.get("messages")),
    )


def _actors(metadata: Mapping[str, Any]) -> dict[str, Actor]:
    actors: dict[str, Actor] = {}
    for section in ("prompts", "sessions"):
        table = metadata.get(section)
        if isinstance(table, dict):
            for key, record in table.items():
                actor = _ai_actor(record)
                if actor is not None:
                    actors[str(key)] = actor
    humans = metadata.get("humans")
    if isinstance(humans, dict):
        for key in humans:
            actors[str(key)] = Actor(human=True)
    return actors


def _version_problem(version: Any, where: str) -> Problem | None:
    if version == SCHEMA_VERSION:
        return None
    if not isinstance(version, str):
        return Problem(where, f"no schema_version; read as {SCHEMA_VERSION}")
    if version.startswith("authorship/3."):
        return Problem(where, f"schema_version {version!r} is newer than {SCHEMA_VERSION}")
    return Problem(where, f"unknown schema_version {version[:40]!r}; read as {SCHEMA_VERSION}")


def parse(text: str, commit: str, where: str) -> tuple[AuthorshipLog | None, list[Problem]]:
    """One note's text -> its log (None when it is not an authorship log) and problems."""
    problems: list[Problem] = []
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    if DIVIDER not in lines:
        return None, [Problem(where, "no '---' divider: not a git-ai authorship log; skipped")]
    divider = lines.index(DIVIDER)
    files = _attestations(lines[:divider], where, problems)
    try:
        metadata = json.loads("\n".join(lines[divider + 1 :]))
    except ValueError as exc:
        at = f"{where}:{divider + 1 + getattr(exc, 'lineno', 1)}"
        return None, [*problems, Problem(at, f"metadata is not JSON ({exc}); skipped")]
    if not isinstance(metadata, dict):
        return None, [*problems, Problem(where, "metadata is not a JSON object; skipped")]
    version = metadata.get("schema_version")
    warning = _version_problem(version, where)
    if warning is not None:
        problems.append(warning)
    log = AuthorshipLog(
        commit=commit,
        version=version if isinstance(version, str) else None,
        files=files,
        actors=_actors(metadata),
    )
    return log, problems


# -- to foreign traces -------------------------------------------------------------------------
def _lookup_key(key: str) -> str:
    return key.split("::", 1)[0] if key.startswith("s_") else key


def _conversation(actor: Actor | None, ranges: list[tuple[int, int]]) -> ForeignConversation:
    spans = tuple(ForeignRange(s, e) for s, e in sorted(set(ranges)))
    if actor is None:  # git-ai only attests AI lines outside ``h_`` keys
        return ForeignConversation("ai", spans)
    if actor.human:
        return ForeignConversation("human", spans)
    return ForeignConversation(
        "ai",
        spans,
        model=actor.model,
        agent=actor.tool,
        session=actor.session,
        prompt=actor.prompt,
    )


def to_trace(
    log: AuthorshipLog, shared: Mapping[str, Actor], where: str, ref: str, problems: list[Problem]
) -> ForeignTrace:
    """The log as a foreign trace; keys unknown to its metadata are looked up in ``shared``."""
    files = []
    for entries in log.files:
        by_key: dict[str, list[tuple[int, int]]] = {}
        for entry in entries.entries:
            by_key.setdefault(_lookup_key(entry.key), []).extend(entry.ranges)
        conversations = []
        for key, ranges in by_key.items():
            actor = log.actors.get(key) or shared.get(key)
            if actor is None and key.startswith("h_"):
                actor = Actor(human=True)
            if actor is None:
                problems.append(
                    Problem(where, f"key {key!r} has no prompt or session record; AI, no model")
                )
            conversations.append(_conversation(actor, ranges))
        files.append(ForeignFile(entries.path, tuple(conversations)))
    return ForeignTrace(revision=log.commit, files=tuple(files), where=where, ref=ref)


def full_ref(ref: str) -> str:
    """``ai`` -> ``refs/notes/ai`` (as ``git notes --ref`` reads a short name)."""
    if ref.startswith("refs/"):
        return ref
    return "refs/notes/" + ref.removeprefix("notes/")


def ref_exists(repo: Repo, ref: str) -> bool:
    proc = repo.git(["rev-parse", "-q", "--verify", ref + "^{commit}"], check=False)
    return proc.returncode == 0


def read(repo: Repo, ref: str = DEFAULT_REF) -> tuple[list[ForeignTrace], list[Problem], int]:
    """Every authorship log on ``ref`` (one bulk read): traces, problems, notes read."""
    texts = NotesStore(repo, ref).read_texts()
    problems: list[Problem] = []
    logs: list[tuple[AuthorshipLog, str]] = []
    for commit in sorted(texts):
        where = f"{ref}:{commit[:12]}"
        log, found = parse(texts[commit], commit, where)
        problems.extend(found)
        if log is not None:
            logs.append((log, where))
    shared: dict[str, Actor] = {}
    for log, _ in logs:
        for key, actor in log.actors.items():
            shared.setdefault(key, actor)
    traces = [to_trace(log, shared, where, ref, problems) for log, where in logs]
    return [t for t in traces if t.files], problems, len(texts)


@dataclass(frozen=True)
class GitAiNotes:
    """git-ai's notes ref as a :class:`aibom.interop.convert.ForeignStore`."""

    ref: str = DEFAULT_REF
    kind: str = "git-ai"

    def label(self) -> str:
        return self.ref

    def read(self, repo: Repo) -> Reading:
        traces, problems, count = read(repo, self.ref)
        return Reading(tuple(traces), tuple(problems), count)
