"""in-toto Statement v1 with aibom's AI-provenance predicate, and DSSE's PAE.

The statement's subjects are the BOM and the release artefacts (name + sha256). Commit ids are
in the predicate, never subject digests (a subject is something one can hash and compare).

The predicate (``PREDICATE_TYPE``, v2) is small and bounded whatever the size of the history:

* ``repository``: the HEAD at signing, the revisions as given, and the range's endpoints
  (``git rev-parse`` of them: ``include`` and ``exclude`` commit ids, at most
  ``MAX_ENDPOINTS``; beyond that only their count);
* ``commits``: the total, counts by origin, the AI share, and the AI commits (origin
  ai-generated or ai-assisted) as a count plus one digest of their ids (``AI_IDS_FORM``):
  a verifier who has the repository recomputes it (``aibom verify`` does, in the repository);
* ``models`` and ``agents``: how many distinct ones, and the ``MAX_LISTED`` with the most AI
  commits (most first, then by name);
* ``lines``: the AI share of the release's lines, as the BOM's own metrics state it;
* the BOM's serial number, spec version and component, and notes (shallow clone, no records).

v1 listed every AI commit id: about 2 MB for 47,325 AI commits.
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
PREDICATE_BASE = "https://aibom.dev/attestation/ai-provenance/"
PREDICATE_TYPE = PREDICATE_BASE + "v2"
PREDICATE_V1 = PREDICATE_BASE + "v1"
ORIGINS = ("ai-generated", "ai-assisted", "human", "unknown")
AI_ORIGINS = frozenset({"ai-generated", "ai-assisted"})
MAX_LISTED = 32  # models and agents named in the predicate
MAX_ENDPOINTS = 32  # include + exclude commit ids of the range
AI_IDS_FORM = (
    "sha256 of the AI commit ids (lowercase hex), sorted ascending, each followed by a newline"
)
# the BOM's line metrics (aibom build) by the origin names of the predicate
_BOM_LINE_ORIGINS = {
    "ai-generated": "ai",
    "ai-assisted": "mixed",
    "human": "human",
    "unknown": "unknown",
}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Subject:
    name: str
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "digest": {"sha256": self.sha256}}


@dataclass(frozen=True)
class Lines:
    """The release's lines by origin, as the BOM's metrics state them."""

    release: int
    by_origin: tuple[tuple[str, int], ...]
    ai_share: float

    def to_json(self) -> dict[str, Any]:
        return {
            "source": "bom",
            "release": self.release,
            "byOrigin": dict(self.by_origin),
            "aiShare": self.ai_share,
        }


@dataclass(frozen=True)
class BomInfo:
    """What the attestation says about the BOM document itself (CycloneDX JSON only)."""

    serial_number: str | None = None
    spec_version: str | None = None
    component: str | None = None  # name@version of metadata.component
    lines: Lines | None = None  # from an aibom BOM's metrics

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
class Endpoints:
    """The commits a range starts from (``include``) and stops at (``exclude``)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def revs(self) -> list[str]:
        """git log arguments that select the same commits."""
        return [*self.include, *(f"^{sha}" for sha in self.exclude)]

    def to_json(self) -> dict[str, Any]:
        count = len(self.include) + len(self.exclude)
        listed = count <= MAX_ENDPOINTS
        return {
            "count": count,
            "include": list(self.include) if listed else None,
            "exclude": list(self.exclude) if listed else None,
        }


def ai_ids_digest(shas: Iterable[str]) -> str:
    """The digest ``AI_IDS_FORM`` describes (duplicates counted once)."""
    digest = hashlib.sha256()
    for sha in sorted({s.lower() for s in shas}):
        digest.update(sha.encode("ascii") + b"\n")
    return digest.hexdigest()


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _listed(counts: Counter[str], key: str) -> dict[str, Any]:
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MAX_LISTED]
    return {
        "distinct": len(counts),
        "limit": MAX_LISTED,
        "listed": [{key: name, "commits": n} for name, n in top],
    }


@dataclass(frozen=True)
class Provenance:
    """The predicate: AI provenance of the history the BOM covers."""

    generator: str
    bom: BomInfo = BomInfo()
    head: str | None = None
    revisions: tuple[str, ...] = ()
    endpoints: Endpoints | None = None
    commits: tuple[CommitSummary, ...] = ()
    shallow: bool = False
    notes: tuple[str, ...] = field(default=())

    def ai_commits(self) -> list[CommitSummary]:
        return [c for c in self.commits if c.origin in AI_ORIGINS]

    def to_json(self) -> dict[str, Any]:
        return {
            "generator": self.generator,
            "bom": self.bom.to_json(),
            "repository": {
                "head": self.head,
                "revisions": list(self.revisions),
                "endpoints": self.endpoints.to_json() if self.endpoints else None,
                "shallow": self.shallow,
            },
            **self.history_json(),
            "lines": self.bom.lines.to_json() if self.bom.lines else None,
            "notes": list(self.notes),
        }

    def history_json(self) -> dict[str, Any]:
        """The parts a verifier with the repository recomputes: commits, models, agents."""
        by_origin = Counter(c.origin for c in self.commits)
        ai = self.ai_commits()
        return {
            "commits": {
                "total": len(self.commits),
                "byOrigin": {o: by_origin.get(o, 0) for o in ORIGINS},
                "aiShare": _share(len(ai), len(self.commits)),
                "ai": {
                    "count": len(ai),
                    "sha256": ai_ids_digest(c.sha for c in ai),
                    "form": AI_IDS_FORM,
                },
            },
            "models": _listed(Counter(m for c in ai for m in c.models), "id"),
            "agents": _listed(Counter(c.agent for c in ai if c.agent), "name"),
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
    """Serial number, spec version, component and (an aibom BOM's) line metrics of a
    CycloneDX JSON BOM (else empty)."""
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return BomInfo()
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        return BomInfo()
    metadata = doc.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    component = metadata.get("component")
    component = component if isinstance(component, dict) else {}
    name = component.get("name")
    version = component.get("version")
    label = f"{name}@{version}" if name and version else name
    serial = doc.get("serialNumber")
    spec = doc.get("specVersion")
    return BomInfo(
        serial_number=serial if isinstance(serial, str) else None,
        spec_version=spec if isinstance(spec, str) else None,
        component=label if isinstance(label, str) else None,
        lines=_bom_lines(metadata.get("properties")),
    )


def _bom_lines(properties: object) -> Lines | None:
    """``aibom:metrics:lines:*`` of the BOM's metadata (what ``aibom build`` writes)."""
    if not isinstance(properties, list):
        return None
    values = {
        p["name"]: p["value"]
        for p in properties
        if isinstance(p, dict) and isinstance(p.get("name"), str) and "value" in p
    }
    prefix = "aibom:metrics:lines:"
    try:
        release = int(values[prefix + "release"])
        by_origin = tuple(
            (origin, int(values.get(f"{prefix}origin:{key}", 0)))
            for origin, key in _BOM_LINE_ORIGINS.items()
        )
        share = round(float(values[prefix + "share:ai"]), 4)
    except (KeyError, TypeError, ValueError):
        return None
    if release < 0 or not 0.0 <= share <= 1.0:
        return None
    return Lines(release, by_origin, share)


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
