"""The attribution record (``schemas/record.attribution.json``) as value objects.

Shared by checkpoints (which write ranges at commit), rewrites (which carry ranges to new
commits), blame and the interop formats (which read them). Slot classes, not dataclasses:
the post-commit hook builds these (DESIGN.md §4).

Line numbers are 1-based and inclusive, in the blob the annotated commit records at ``path``.
"""

from __future__ import annotations

from aibom._hash import sha256
from aibom._value import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any

CONTRIBUTORS = ("human", "ai", "mixed", "unknown")
EVIDENCE = ("hook-observed", "inferred", "identity", "imported", "rewrite")
SOURCES = ("checkpoint", "rewrite", "git-ai", "agent-trace")


class LineRange(Value):
    __slots__ = ("content_hash", "end", "start")
    start: int
    end: int
    content_hash: str | None

    def __init__(self, start: int, end: int, content_hash: str | None = None) -> None:
        if start < 1 or end < start:
            raise ValueError(f"bad line range {start}-{end}")
        self._set(start=start, end=end, content_hash=content_hash)

    def __contains__(self, line: object) -> bool:
        return isinstance(line, int) and self.start <= line <= self.end

    @property
    def size(self) -> int:
        return self.end - self.start + 1


class Conversation(Value):
    """One contributor's lines in one file (an Agent Trace conversation)."""

    __slots__ = ("agent", "confidence", "contributor", "evidence", "model_id", "ranges", "session")
    contributor: str
    model_id: str | None
    agent: str | None
    session: str | None
    ranges: tuple[LineRange, ...]
    confidence: float
    evidence: str

    def __init__(
        self,
        contributor: str,
        ranges: Iterable[LineRange],
        *,
        model_id: str | None = None,
        agent: str | None = None,
        session: str | None = None,
        confidence: float = 0.9,
        evidence: str = "hook-observed",
    ) -> None:
        if contributor not in CONTRIBUTORS:
            raise ValueError(f"unknown contributor type {contributor!r}")
        if evidence not in EVIDENCE:
            raise ValueError(f"unknown evidence {evidence!r}")
        self._set(
            contributor=contributor,
            model_id=model_id,
            agent=agent,
            session=session,
            ranges=tuple(sorted(ranges, key=lambda r: r.start)),
            confidence=float(confidence),
            evidence=evidence,
        )

    def covers(self, line: int) -> bool:
        return any(line in r for r in self.ranges)

    @property
    def lines(self) -> int:
        return sum(r.size for r in self.ranges)


class FileAttribution(Value):
    __slots__ = ("blob", "conversations", "path")
    path: str
    blob: str
    conversations: tuple[Conversation, ...]

    def __init__(self, path: str, blob: str, conversations: Iterable[Conversation]) -> None:
        self._set(path=path, blob=blob, conversations=tuple(conversations))

    def owner(self, line: int) -> Conversation | None:
        """The conversation that wrote ``line``; the later one wins where ranges overlap."""
        found = None
        for conversation in self.conversations:
            if conversation.covers(line):
                found = conversation
        return found


# -- record bodies ---------------------------------------------------------------------------
def _range_body(r: LineRange) -> dict[str, Any]:
    body: dict[str, Any] = {"start_line": r.start, "end_line": r.end}
    if r.content_hash:
        body["content_hash"] = r.content_hash
    return body


def _conversation_body(c: Conversation) -> dict[str, Any]:
    contributor: dict[str, Any] = {"type": c.contributor}
    if c.model_id:
        contributor["model_id"] = c.model_id
    body: dict[str, Any] = {
        "contributor": contributor,
        "ranges": [_range_body(r) for r in c.ranges],
        "confidence": round(c.confidence, 4),
        "evidence": c.evidence,
    }
    if c.agent:
        body["agent"] = c.agent
    if c.session:
        body["session"] = c.session
    return body


def to_body(
    files: Iterable[FileAttribution],
    tool_version: str,
    source: tuple[str, str | None] | None = None,
) -> dict[str, Any]:
    """The body of an ``attribution`` record, for ``Record.create("attribution", body)``.

    Files without conversations are dropped; files are sorted by path so identical facts give
    identical records.
    """
    kept = sorted((f for f in files if f.conversations), key=lambda f: f.path)
    body: dict[str, Any] = {
        "files": [
            {
                "path": f.path,
                "blob": f.blob,
                "conversations": [_conversation_body(c) for c in f.conversations],
            }
            for f in kept
        ],
        "tool": {"name": "aibom", "version": tool_version},
    }
    if source is not None:
        kind, ref = source
        body["source"] = {"type": kind, "ref": ref} if ref else {"type": kind}
    return body


def from_data(data: Mapping[str, Any]) -> tuple[FileAttribution, ...]:
    """The files of a (schema-valid) attribution record's JSON object."""
    files = []
    for f in data.get("files") or ():
        conversations = []
        for c in f.get("conversations") or ():
            contributor = c.get("contributor") or {}
            conversations.append(
                Conversation(
                    contributor.get("type", "unknown"),
                    (
                        LineRange(r["start_line"], r["end_line"], r.get("content_hash"))
                        for r in c.get("ranges") or ()
                    ),
                    model_id=contributor.get("model_id"),
                    agent=c.get("agent"),
                    session=c.get("session"),
                    confidence=c.get("confidence", 0.0),
                    evidence=c.get("evidence", "inferred"),
                )
            )
        files.append(FileAttribution(f["path"], f["blob"], conversations))
    return tuple(files)


# -- helpers ---------------------------------------------------------------------------------
def compress(lines: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted 1-based line numbers -> inclusive ``(start, end)`` runs."""
    runs: list[tuple[int, int]] = []
    for line in sorted(set(lines)):
        if runs and line == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], line)
        else:
            runs.append((line, line))
    return runs


def normalize_line(line: str) -> str:
    """A line with all whitespace removed: re-indenting or re-spacing keeps its identity."""
    return "".join(line.split())


def content_hash(lines: Sequence[str]) -> str:
    """``sha256:`` of the whitespace-normalised lines joined by LF (the range's identity)."""
    text = "\n".join(normalize_line(line) for line in lines)
    return "sha256:" + sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def ranges_for(lines: Iterable[int], text_lines: Sequence[str]) -> tuple[LineRange, ...]:
    """Ranges (with content hashes) for 1-based ``lines`` of a blob whose lines are given."""
    return tuple(
        LineRange(start, end, content_hash(text_lines[start - 1 : end]))
        for start, end in compress(lines)
        if end <= len(text_lines)
    )
