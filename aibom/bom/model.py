"""What a BOM says, as value objects gathered from history, notes, blame and manifests before
anything is serialised. :mod:`aibom.bom.document` turns a ``BomFacts`` into CycloneDX."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from aibom.bom.dependencies import DepComponent
from aibom.bom.lines import FileLines
from aibom.bom.tree import Blob

NS = "aibom:"  # property namespace; ``cdx:`` is reserved for the official taxonomy


class Spec(StrEnum):
    V1_6 = "1.6"
    V1_7 = "1.7"


class OutputFormat(StrEnum):
    JSON = "json"
    XML = "xml"


@dataclass(frozen=True)
class Release:
    name: str
    version: str
    commit: str
    ref: str | None  # branch or tag name, when known
    vcs_url: str | None
    timestamp: str  # ISO 8601 UTC, seconds
    revs: tuple[str, ...]  # resolved git log arguments the BOM covers
    shallow: bool


@dataclass(frozen=True)
class CommitRef:
    sha: str
    author_name: str
    author_email: str
    authored: str  # ISO 8601
    subject: str


@dataclass(frozen=True)
class ModelUse:
    slug: str  # provider/id
    provider: str
    model: str
    version: str | None
    commits: int
    lines: int

    @property
    def ref(self) -> str:
        return f"model:{self.slug}"


@dataclass(frozen=True)
class AgentUse:
    name: str
    version: str | None
    commits: int

    @property
    def ref(self) -> str:
        return f"agent:{self.name}" + (f"/{self.version}" if self.version else "")


@dataclass(frozen=True)
class FileEntry:
    blob: Blob
    lines: FileLines
    models: tuple[str, ...]  # slugs
    pedigree: tuple[CommitRef, ...]

    @property
    def ref(self) -> str:
        return f"file:{self.blob.path}"


@dataclass(frozen=True)
class Digest:
    name: str  # prompt | system-prompt | context:<name> | agent-config
    sha256: str  # hex


@dataclass(frozen=True)
class Session:
    id: str
    models: tuple[str, ...]
    agents: tuple[str, ...]  # agent component refs
    commits: tuple[str, ...]
    parameters: tuple[tuple[str, str], ...]
    digests: tuple[Digest, ...]
    outputs: tuple[str, ...]  # file component refs
    start: str | None
    end: str | None

    @property
    def ref(self) -> str:
        return f"session:{self.id}"


@dataclass(frozen=True)
class ReviewNote:
    commit: str
    reviewer: str
    name: str
    email: str
    timestamp: str
    subject: str
    subjects: tuple[str, ...]  # bom-refs the review is bound to
    index: int

    @property
    def ref(self) -> str:
        return f"review:{self.commit}:{self.index}"


@dataclass(frozen=True)
class BomFacts:
    release: Release
    tool_version: str
    models: tuple[ModelUse, ...]
    agents: tuple[AgentUse, ...]
    files: tuple[FileEntry, ...]
    dependencies: tuple[DepComponent, ...]
    sessions: tuple[Session, ...]
    reviews: tuple[ReviewNote, ...]
    metrics: tuple[tuple[str, str], ...]  # property name (without namespace) -> value
    notes: tuple[tuple[str, str], ...]  # facts about the build itself (records, shallow, ...)
