"""Value types shared by the dependency gate's modules (manifests, registries, checks, reports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Ecosystem(StrEnum):
    PYPI = "pypi"
    NPM = "npm"


class DepKind(StrEnum):
    """Where in a manifest the dependency was declared."""

    RUNTIME = "runtime"
    DEV = "dev"
    OPTIONAL = "optional"
    PEER = "peer"
    BUILD = "build"
    GROUP = "group"  # PEP 735 dependency group, Poetry group, uv dev-dependencies
    LOCKED = "locked"  # an entry of a lockfile
    COMMAND = "command"  # an install command in a doc, script, Dockerfile or notebook
    IMPORT = "import"  # guessed from an import statement


@dataclass(frozen=True, order=True)
class Location:
    """``path`` is relative to the work tree, with forward slashes; ``line`` is 1-based
    (0 when the whole file is meant)."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Dependency:
    """One declared dependency. ``name`` is as written; ``key`` identifies the project.

    ``url`` is set for direct references (VCS, archive URL, local path, editable): those are
    not looked up in a registry. ``spec`` is the version constraint or pinned version as
    written ("" when none). ``group`` names the extra / group / section when there is one.
    """

    ecosystem: Ecosystem
    name: str
    location: Location
    kind: DepKind = DepKind.RUNTIME
    spec: str = ""
    url: str | None = None
    group: str | None = None

    @property
    def key(self) -> tuple[Ecosystem, str]:
        from aibom.deps.names import normalize

        return (self.ecosystem, normalize(self.ecosystem, self.name))


@dataclass(frozen=True)
class ParseProblem:
    """A part of a file that could not be read; the rest of the file is still parsed."""

    location: Location
    message: str


@dataclass(frozen=True)
class ParseResult:
    dependencies: tuple[Dependency, ...] = ()
    problems: tuple[ParseProblem, ...] = ()


class LookupStatus(StrEnum):
    FOUND = "found"
    NOT_FOUND = "not-found"  # the registry answered 404 twice (a recheck), nothing else
    UNVERIFIED = "unverified"  # 429, 5xx, timeout, network error, bad body: we do not know


@dataclass(frozen=True)
class PackageInfo:
    """What a registry says of one project. Times are timezone-aware UTC."""

    ecosystem: Ecosystem
    name: str  # normalised
    status: LookupStatus
    registry: str  # the endpoint that answered (an URL from configuration)
    private: bool = False  # answered by a configured non-public index
    error: str | None = None  # why it is unverified
    project_status: str | None = None  # PEP 792: active, archived, quarantined, deprecated
    status_reason: str | None = None
    versions: tuple[str, ...] = ()  # versions with at least one file, registry order
    first_upload: datetime | None = None
    latest_upload: datetime | None = None
    has_repository: bool | None = None  # None: the registry does not say
    install_scripts: bool | None = None  # npm: latest version has (pre|post)install scripts
    deprecated: str | None = None  # npm deprecation message of the latest version
    maintainers: int | None = None
    from_cache: bool = False
    public_claimed: bool | None = None  # private names: does the public index have it too?


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


@dataclass(frozen=True)
class Finding:
    """One problem with one dependency: ``rule`` is a stable id (``not-found``, ``typosquat``,
    ...), ``why`` one line citing the evidence, ``hint`` how to fix it."""

    rule: str
    severity: Severity
    dependency: Dependency
    why: str
    hint: str | None = None
    evidence: tuple[tuple[str, str], ...] = field(default=())
