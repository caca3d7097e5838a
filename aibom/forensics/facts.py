"""Commit facts for forensics, read in bulk: one ``git log`` pass that carries each commit's
trailers and its aibom note (and, when asked, its per-file line counts).

Attribution per commit, strongest first: aibom records written by the hooks, records
inferred by backfill, ``AI-*`` trailers, then foreign stores (git-ai notes, Agent Trace
records) merged in by :mod:`aibom.forensics.foreign`. Records are not schema-validated here
(they were on write; forensics reads tens of thousands): a line that is not a usable record
is skipped and counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from aibom.gitutil import NOTES_REF, Repo
from aibom.provenance import trailers as tr
from aibom.provenance.modelid import normalize_model
from aibom.provenance.trailers import parse_kv_lines
from aibom.provenance.types import Origin, combine_origins

UNKNOWN = "unknown"
_KINDS = ("generation", "rewrite", "dependency", "attribution")
_SEP = "\x1eC\x1f"
_FORMAT = "%x1eC%x1f" + "%x1f".join(
    ["%H", "%P", "%an", "%ae", "%ct", "%s", "%(trailers:unfold,only)", "%N"]
)


@dataclass(frozen=True)
class Attribution:
    """One source's claim about a commit. ``models``: normalised ``provider/model`` ids."""

    origin: str  # human | ai-assisted | ai-generated | unknown
    models: tuple[str, ...] = ()
    agent: str | None = None  # name or name/version
    sessions: tuple[str, ...] = ()
    source: str = "record"  # record | inferred-record | trailer | git-ai | agent-trace


@dataclass(frozen=True)
class FileChange:
    path: str
    added: int
    deleted: int


@dataclass(frozen=True)
class CommitFacts:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    committed: int  # committer time, seconds since the epoch
    subject: str
    attribution: Attribution
    files: tuple[FileChange, ...] = field(default=())
    skipped_lines: int = 0  # note lines that were not usable records

    @property
    def origin(self) -> str:
        return self.attribution.origin

    @property
    def is_ai(self) -> bool:
        return self.attribution.origin in ("ai-assisted", "ai-generated")


def scan(
    repo: Repo,
    revs: Sequence[str] = ("HEAD",),
    *,
    with_files: bool = False,
    wanted: Callable[[str], bool] | None = None,
) -> Iterator[CommitFacts]:
    """The commits ``revs`` select (git log arguments), newest first, with their attribution.

    ``wanted(raw)`` may reject a commit from the raw text of its trailers and note before
    anything is parsed (a fast pre-filter for trace queries).
    """
    argv = [
        "-c",
        "log.showSignature=false",
        "-c",
        "core.quotePath=false",
        "log",
        "--encoding=UTF-8",
        f"--notes={NOTES_REF}",
        f"--format={_FORMAT}",
    ]
    if with_files:
        argv += ["--numstat", "--no-renames"]
    proc = repo.git([*argv, *revs, "--"], timeout=3600)
    yield from parse(proc.stdout, with_files=with_files, wanted=wanted)


def parse(
    data: bytes, *, with_files: bool = False, wanted: Callable[[str], bool] | None = None
) -> Iterator[CommitFacts]:
    text = data.decode("utf-8", "surrogateescape")
    for chunk in text.split(_SEP)[1:]:
        fields = chunk.split("\x1f")
        if len(fields) < 8:
            continue
        sha, parents, name, email, when, subject, trailer_text = fields[:7]
        rest = "\x1f".join(fields[7:])
        note, numstat = (rest, "")
        if with_files:
            note, _, numstat = rest.partition("\n\n")
        if with_files and not numstat and "\t" in note:
            note, numstat = "", note  # no note: the numstat follows the format directly
        if wanted is not None and not wanted(trailer_text + "\n" + note):
            continue
        attribution, skipped = attribute(trailer_text, note)
        yield CommitFacts(
            sha=sha,
            parents=tuple(parents.split()),
            author_name=name,
            author_email=email,
            committed=int(when) if when.isdigit() else 0,
            subject=subject,
            attribution=attribution,
            files=_numstat(numstat) if with_files else (),
            skipped_lines=skipped,
        )


def attribute(trailer_text: str, note: str) -> tuple[Attribution, int]:
    """The commit's attribution from its note's generation records, else its trailers."""
    records, skipped = _generation_records(note)
    observed = [r for r in records if not r.get("inferred")]
    chosen = observed or records
    if chosen:
        origin = combine_origins([Origin(r["origin"]) for r in chosen])
        models = _unique(_model_id(m) for r in chosen for m in r.get("models") or ())
        named = [a for a in (_agent(r.get("agent")) for r in chosen) if a]
        sessions = _unique(r.get("session") for r in chosen)
        source = "record" if observed else "inferred-record"
        value = origin.value if origin is not None else UNKNOWN
        return Attribution(value, models, named[-1] if named else None, sessions, source), skipped
    trailers = parse_kv_lines(trailer_text)
    declared = combine_origins(tr.declared_origins(trailers))
    if declared is None:
        return Attribution(UNKNOWN, source="none"), skipped
    models = _unique(normalized(v) for v in tr.values(trailers, tr.MODEL))
    agents = tr.values(trailers, tr.AGENT)
    sessions = _unique(tr.values(trailers, tr.SESSION))
    attribution = Attribution(
        declared.value, models, agents[0] if agents else None, sessions, "trailer"
    )
    return attribution, skipped


def normalized(raw: str) -> str:
    found = normalize_model(raw)
    return found.slug if found is not None else raw.strip().lower()


def _generation_records(note: str) -> tuple[list[dict[str, Any]], int]:
    records: list[dict[str, Any]] = []
    skipped = 0
    for line in note.split("\n"):
        line = line.strip()
        if not line:
            continue
        try:
            data = json.loads(line)
        except ValueError:
            skipped += 1
            continue
        if not isinstance(data, dict) or data.get("kind") not in _KINDS:
            skipped += 1
            continue
        if data.get("kind") != "generation":
            continue
        if data.get("origin") not in Origin._order or not isinstance(data.get("models"), list):
            skipped += 1
            continue
        records.append(data)
    return records, skipped


def _model_id(model: object) -> str | None:
    if not isinstance(model, dict):
        return None
    provider, ident = model.get("provider"), model.get("id") or model.get("model")
    return f"{provider}/{ident}" if provider and ident else None


def _agent(agent: object) -> str | None:
    if not isinstance(agent, dict) or not agent.get("name"):
        return None
    version = agent.get("version")
    return f"{agent['name']}/{version}" if version else str(agent["name"])


def _unique(items: Iterable[object]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(i) for i in items if i))


def _numstat(text: str) -> tuple[FileChange, ...]:
    changes = []
    for line in text.split("\n"):
        parts = line.split("\t", 2)
        if len(parts) != 3:
            continue
        added, deleted, path = parts
        changes.append(
            FileChange(
                path, int(added) if added.isdigit() else 0, int(deleted) if deleted.isdigit() else 0
            )
        )
    return tuple(changes)


def with_foreign(facts: CommitFacts, foreign: Attribution | None) -> CommitFacts:
    """A commit aibom knows nothing about takes a foreign store's attribution."""
    if foreign is None or facts.attribution.source != "none":
        return facts
    return replace(facts, attribution=foreign)
