"""Value types shared by detection, trailers and records.

Immutable, standard library only, and cheap to import: these are on the hook path, so they
are :class:`aibom._value.Value` classes rather than dataclasses, and the two closed sets
(:class:`Origin`, :class:`SourceKind`) are validated ``str`` subclasses rather than ``Enum``.
"""

from __future__ import annotations

from aibom._value import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from typing import ClassVar, Protocol
else:
    Protocol = object


class _Closed(str):
    """A string from a closed set; ``Cls("x")`` raises ValueError for anything else."""

    __slots__ = ()
    _members: ClassVar[dict[str, _Closed]]
    _order: ClassVar[tuple[str, ...]]

    def __new__(cls, value: str) -> _Closed:
        members = cls.__dict__.get("_members")
        if members is not None and value in members:
            found: _Closed = members[value]
            return found
        if value not in cls._order:
            raise ValueError(f"{value!r} is not a valid {cls.__name__}")
        return str.__new__(cls, value)

    @property
    def value(self) -> str:
        return str(self)

    @classmethod
    def all(cls) -> Iterator[_Closed]:
        return (cls(v) for v in cls._order)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


def _close(cls: type[_Closed]) -> None:
    cls._members = {}
    cls._members.update({v: cls(v) for v in cls._order})


class Origin(_Closed):
    __slots__ = ()
    _order = ("human", "ai-assisted", "ai-generated")
    HUMAN: ClassVar[Origin]
    AI_ASSISTED: ClassVar[Origin]
    AI_GENERATED: ClassVar[Origin]

    def __new__(cls, value: str) -> Origin:
        return super().__new__(cls, value)  # type: ignore[return-value]

    @property
    def is_ai(self) -> bool:
        return self != "human"


_close(Origin)
Origin.HUMAN = Origin("human")
Origin.AI_ASSISTED = Origin("ai-assisted")
Origin.AI_GENERATED = Origin("ai-generated")


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


class SourceKind(_Closed):
    """Detection layers, strongest first. The order is the tie-break."""

    __slots__ = ()
    _order = (
        "declared-trailer",  # AI-* trailers already in the message (a person or aibom wrote them)
        "session",  # aibom session start
        "agent-hook",  # aibom checkpoint payloads
        "foreign-trailer",  # Co-authored-by, Made-with, Assisted-by, footers
        "environment",  # variables agents set in their shells
        "process-ancestry",  # an agent binary among the parents of git
        "identity",  # bot / noreply author or committer
    )
    DECLARED: ClassVar[SourceKind]
    SESSION: ClassVar[SourceKind]
    AGENT_HOOK: ClassVar[SourceKind]
    TRAILER: ClassVar[SourceKind]
    ENVIRONMENT: ClassVar[SourceKind]
    ANCESTRY: ClassVar[SourceKind]
    IDENTITY: ClassVar[SourceKind]

    def __new__(cls, value: str) -> SourceKind:
        return super().__new__(cls, value)  # type: ignore[return-value]

    @property
    def rank(self) -> int:
        return self._order.index(str(self))


_close(SourceKind)
SourceKind.DECLARED = SourceKind("declared-trailer")
SourceKind.SESSION = SourceKind("session")
SourceKind.AGENT_HOOK = SourceKind("agent-hook")
SourceKind.TRAILER = SourceKind("foreign-trailer")
SourceKind.ENVIRONMENT = SourceKind("environment")
SourceKind.ANCESTRY = SourceKind("process-ancestry")
SourceKind.IDENTITY = SourceKind("identity")

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


class ModelId(Value):
    """A model in models.dev form: ``provider/id`` where id may carry a snapshot.

    ``model`` is the id without snapshot (``claude-opus-4-5``), ``version`` the snapshot
    (``20251101``) or None when not known (never invented), ``id`` the full provider id
    (``claude-opus-4-5-20251101``).
    """

    __slots__ = ("id", "model", "provider", "version")
    provider: str
    model: str
    version: str | None
    id: str

    def __init__(self, provider: str, model: str, version: str | None = None, id: str = "") -> None:
        full = id or (model + (f"-{version}" if version else ""))
        self._set(provider=provider, model=model, version=version, id=full)

    def __lt__(self, other: ModelId) -> bool:
        return self._astuple() < other._astuple()

    @property
    def slug(self) -> str:
        return f"{self.provider}/{self.id}"

    @property
    def key(self) -> str:
        """``provider/model@version`` (or without ``@version``): the form ``trace`` accepts."""
        base = f"{self.provider}/{self.model}"
        return f"{base}@{self.version}" if self.version else base


class Agent(Value):
    __slots__ = ("name", "version")
    name: str
    version: str | None

    def __init__(self, name: str, version: str | None = None) -> None:
        self._set(name=name, version=version)

    @property
    def slug(self) -> str:
        return f"{self.name}/{self.version}" if self.version else self.name


class Ident(Value):
    __slots__ = ("email", "name")
    name: str
    email: str

    def __init__(self, name: str, email: str) -> None:
        self._set(name=name, email=email)


class Trailer(Value):
    """One trailer as git parses it (unfolded)."""

    __slots__ = ("key", "value")
    key: str
    value: str

    def __init__(self, key: str, value: str) -> None:
        self._set(key=key, value=value)


class Evidence(Value):
    __slots__ = (
        "agent",
        "confidence",
        "detail",
        "models",
        "origin",
        "parameters",
        "session",
        "source",
    )
    source: SourceKind
    origin: Origin
    confidence: float
    detail: str
    agent: Agent | None
    models: tuple[ModelId, ...]
    session: str | None
    parameters: tuple[tuple[str, str], ...]

    def __init__(
        self,
        source: SourceKind,
        origin: Origin,
        confidence: float,
        detail: str,
        agent: Agent | None = None,
        models: tuple[ModelId, ...] = (),
        session: str | None = None,
        parameters: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self._set(
            source=source,
            origin=origin,
            confidence=confidence,
            detail=detail,
            agent=agent,
            models=tuple(models),
            session=session,
            parameters=tuple(parameters),
        )


class DetectionContext(Value):
    """Everything a source may look at. Built once per hook run; sources never run git."""

    __slots__ = ("author", "committer", "env", "git_dir", "message", "now", "pid", "trailers")
    git_dir: str | None
    env: Mapping[str, str]
    trailers: tuple[Trailer, ...]
    message: str
    author: Ident | None
    committer: Ident | None
    pid: int | None  # start of the process-ancestry walk; None disables it
    now: float

    def __init__(
        self,
        git_dir: str | None,
        env: Mapping[str, str],
        trailers: tuple[Trailer, ...] = (),
        message: str = "",
        author: Ident | None = None,
        committer: Ident | None = None,
        pid: int | None = None,
        now: float = 0.0,
    ) -> None:
        self._set(
            git_dir=git_dir,
            env=env,
            trailers=tuple(trailers),
            message=message,
            author=author,
            committer=committer,
            pid=pid,
            now=now,
        )

    def __hash__(self) -> int:
        return id(self)


class Source(Protocol):
    """One detection layer. Returns zero or more pieces of evidence; never raises for bad data."""

    kind: SourceKind

    def detect(self, ctx: DetectionContext) -> Sequence[Evidence]: ...


class Detection(Value):
    __slots__ = ("agent", "confidence", "evidence", "models", "origin", "parameters", "session")
    origin: Origin
    confidence: float
    agent: Agent | None
    models: tuple[ModelId, ...]
    session: str | None
    evidence: tuple[Evidence, ...]
    parameters: tuple[tuple[str, str], ...]

    def __init__(
        self,
        origin: Origin,
        confidence: float,
        agent: Agent | None,
        models: tuple[ModelId, ...],
        session: str | None,
        evidence: tuple[Evidence, ...] = (),
        parameters: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self._set(
            origin=origin,
            confidence=confidence,
            agent=agent,
            models=tuple(models),
            session=session,
            evidence=tuple(evidence),
            parameters=tuple(parameters),
        )
