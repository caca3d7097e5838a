"""in-toto Statement v1 with aibom's AI-provenance predicate, and DSSE's PAE.

The statement's subjects are the BOM and the release artefacts (name + sha256). The
predicate is small and summarises AI provenance of the history the BOM describes: commits by
origin, the ids of the AI commits, models and agents, the BOM's serial number. Commit ids are
in the predicate, never subject digests (a subject is something one can hash and compare).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aibom.errors import UsageError

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_TYPE = "https://aibom.dev/attestation/ai-provenance/v1"
ORIGINS = ("ai-generated", "ai-assisted", "human", "unknown")
AI_ORIGINS = frozenset({"ai-generated", "ai-assisted"})
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Subject:
    name: str
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "digest": {"sha256": self.sha256}}


@dataclass(frozen=True)
class BomInfo:
    """What the attestation says about the BOM document itself (CycloneDX JSON only)."""

    serial_number: str | None = None
    spec_version: str | None = None
    component: str | None = None  # name@version of metadata.component

    def to_json(self) -> dict[str, Any]:
        return {
            "serialNumber": self.serial_number,
            "specVersion": self.spec_version,
            "component": self.component,
        }


@dataclass(frozen=True)
class CommitSummary:
    """One commit, as much as the predicate needs."""

    sha: str
    origin: str
    models: tuple[str, ...] = ()
    agent: str | None = None


@dataclass(frozen=True)
class Provenance:
    """The predicate: AI provenance of the history the BOM covers."""

    generator: str
    bom: BomInfo = BomInfo()
    head: str | None = None
    revisions: tuple[str, ...] = ()
    commits: tuple[CommitSummary, ...] = ()
    shallow: bool = False
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        by_origin = Counter(c.origin for c in self.commits)
        ai = [c for c in self.commits if c.origin in AI_ORIGINS]
        models = Counter(m for c in ai for m in c.models)
        agents = Counter(c.agent for c in ai if c.agent)
        return {
            "generator": self.generator,
            "bom": self.bom.to_json(),
            "repository": {
                "head": self.head,
                "revisions": list(self.revisions),
                "shallow": self.shallow,
            },
            "commits": {
                "total": len(self.commits),
                "byOrigin": {o: by_origin.get(o, 0) for o in ORIGINS},
                "ai": [c.sha for c in ai],
            },
            "models": [{"id": m, "commits": n} for m, n in sorted(models.items())],
            "agents": [{"name": a, "commits": n} for a, n in sorted(agents.items())],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Statement:
    subjects: tuple[Subject, ...]
    predicate_type: str
    predicate: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "_type": STATEMENT_TYPE,
            "subject": [s.to_json() for s in self.subjects],
            "predicateType": self.predicate_type,
            "predicate": dict(self.predicate),
        }

    def to_bytes(self) -> bytes:
        """Canonical bytes: sorted keys, no whitespace (reproducible for the same input)."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")).encode()

    def find(self, sha256: str) -> Subject | None:
        return next((s for s in self.subjects if s.sha256 == sha256), None)


def statement(subjects: Sequence[Subject], provenance: Provenance) -> Statement:
    if not subjects:
        raise UsageError("an in-toto statement needs at least one subject")
    return Statement(tuple(subjects), PREDICATE_TYPE, provenance.to_json())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def subject_for(path: Path, name: str | None = None) -> Subject:
    return Subject(name or path.name, file_sha256(path))


def subjects_for(paths: Iterable[Path]) -> tuple[Subject, ...]:
    """One subject per file; two files of the same name would be ambiguous."""
    subjects = tuple(subject_for(p) for p in paths)
    names = Counter(s.name for s in subjects)
    twice = sorted(n for n, k in names.items() if k > 1)
    if twice:
        raise UsageError(
            f"two subjects named {twice[0]!r}",
            hint="subjects are named by their file names; rename one of the artefacts",
        )
    return subjects


def bom_info(data: bytes) -> BomInfo:
    """Serial number, spec version and component of a CycloneDX JSON BOM (else empty)."""
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return BomInfo()
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        return BomInfo()
    component = (doc.get("metadata") or {}).get("component") or {}
    name = component.get("name") if isinstance(component, dict) else None
    version = component.get("version") if isinstance(component, dict) else None
    label = f"{name}@{version}" if name and version else name
    serial = doc.get("serialNumber")
    spec = doc.get("specVersion")
    return BomInfo(
        serial_number=serial if isinstance(serial, str) else None,
        spec_version=spec if isinstance(spec, str) else None,
        component=label if isinstance(label, str) else None,
    )


def parse_statement(payload: bytes) -> Statement:
    """Read an in-toto Statement v1; ValueError when it is not one."""
    doc = json.loads(payload)
    if not isinstance(doc, dict) or doc.get("_type") != STATEMENT_TYPE:
        raise ValueError(f"not an in-toto Statement v1 (_type {doc.get('_type')!r})")
    subjects = tuple(_subject(s) for s in doc.get("subject") or ())
    if not subjects:
        raise ValueError("the statement has no subjects")
    predicate = doc.get("predicate")
    return Statement(
        subjects, str(doc.get("predicateType")), predicate if isinstance(predicate, dict) else {}
    )


def _subject(raw: object) -> Subject:
    if not isinstance(raw, dict) or not isinstance(raw.get("digest"), dict):
        raise ValueError("a subject without a digest")
    sha = raw["digest"].get("sha256")
    if not isinstance(sha, str):
        raise ValueError("a subject without a sha256 digest")
    return Subject(str(raw.get("name", "")), sha)


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: what the envelope's signature covers."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)
