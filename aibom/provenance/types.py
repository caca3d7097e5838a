"""Value types shared by detection, trailers and records. Frozen, standard library only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol


class Origin(str, Enum):
    HUMAN = "human"
    AI_ASSISTED = "ai-assisted"
    AI_GENERATED = "ai-generated"

    @property
    def is_ai(self) -> bool:
        return self is not Origin.HUMAN

    @property
    def agent_trace(self) -> str:
        """The Agent Trace contributor type: human / mixed / ai."""
        return {"human": "human", "ai-assisted": "mixed", "ai-generated": "ai"}[self.value]


def combine_origins(origins: Sequence[Origin]) -> Origin | None:
    """Several declared origins on one commit: human together with AI reads as ai-assisted."""
    if not origins:
        return None
    kinds = set(origins)
    if Origin.HUMAN in kinds and len(kinds) > 1:
        return Origin.AI_ASSISTED
    if Origin.AI_GENERATED in kinds and Origin.AI_ASSISTED in kinds:
        return Origin.AI_ASSISTED
    return origins[-1]


@dataclass(frozen=True, order=True)
class ModelId:
    """A model in models.dev form: ``provider/id`` where id may carry a snapshot.

    ``model`` is the id without snapshot (``claude-opus-4-5``), ``version`` the snapshot
    (``20251101``) or None when not known (never invented), ``id`` the full provider id
    (``claude-opus-4-5-20251101``).
    """

    provider: str
    model: str
    version: str | None = None
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", self.model + (f"-{self.version}" if self.version else ""))

    @property
    def slug(self) -> str:
        return f"{self.provider}/{self.id}"

    @property
    def key(self) -> str:
        """``provider/model@version`` (or without ``@version``): the form ``trace`` accepts."""
        base = f"{self.provider}/{self.model}"
        return f"{base}@{self.version}" if self.version else base


@dataclass(frozen=True)
class Agent:
    name: str
    version: str | None = None

    @property
    def slug(self) -> str:
        return f"{self.name}/{self.version}" if self.version else self.name


@dataclass(frozen=True)
class Ident:
    name: str
    email: str


@dataclass(frozen=True)
class Trailer:
    """One trailer as git parses it (unfolded)."""

    key: str
    value: str


class SourceKind(str, Enum):
    """Detection layers, strongest first. The order is the tie-break."""

    DECLARED = "declared-trailer"  # AI-* trailers already in the message (a person or aibom wrote them)
    SESSION = "session"  # aibom session start
    AGENT_HOOK = "agent-hook"  # aibom checkpoint payloads
    TRAILER = "foreign-trailer"  # Co-authored-by, Made-with, Assisted-by, footers
    ENVIRONMENT = "environment"  # variables agents set in their shells
    ANCESTRY = "process-ancestry"  # an agent binary among the parents of git
    IDENTITY = "identity"  # bot / noreply author or committer

    @property
    def rank(self) -> int:
        return list(SourceKind).index(self)


BASE_CONFIDENCE: Mapping[SourceKind, float] = {
    SourceKind.DECLARED: 1.0,
    SourceKind.SESSION: 0.95,
    SourceKind.AGENT_HOOK: 0.9,
    SourceKind.TRAILER: 0.85,
    SourceKind.ENVIRONMENT: 0.8,
    SourceKind.ANCESTRY: 0.7,
    SourceKind.IDENTITY: 0.6,
}

INFERRED_FACTOR = 0.75  # backfill: evidence read after the fact
HUMAN_DEFAULT_CONFIDENCE = 0.5  # no AI evidence at all


@dataclass(frozen=True)
class Evidence:
    source: SourceKind
    origin: Origin
    confidence: float
    detail: str
    agent: Agent | None = None
    models: tuple[ModelId, ...] = ()
    session: str | None = None
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DetectionContext:
    """Everything a source may look at. Built once per hook run; sources never run git."""

    git_dir: str | None
    env: Mapping[str, str]
    trailers: tuple[Trailer, ...] = ()
    message: str = ""
    author: Ident | None = None
    committer: Ident | None = None
    pid: int | None = None  # start of the process-ancestry walk; None disables it
    now: float = 0.0


class Source(Protocol):
    """One detection layer. Returns zero or more pieces of evidence; never raises for bad data."""

    kind: SourceKind

    def detect(self, ctx: DetectionContext) -> Sequence[Evidence]: ...


@dataclass(frozen=True)
class Detection:
    origin: Origin
    confidence: float
    agent: Agent | None
    models: tuple[ModelId, ...]
    session: str | None
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    parameters: tuple[tuple[str, str], ...] = ()
