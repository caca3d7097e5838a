"""What a forensics question asks for: a model (family or exact snapshot), an agent or a session.

A model query names a family (``anthropic/claude-opus-4-5``: every snapshot of it) or one
snapshot (``anthropic/claude-opus-4-5@20251101``, or the snapshot written into the id).
Display names and aliases (``Claude Opus 4.5``, ``4o``) resolve through
:func:`aibom.provenance.modelid.normalize_model`; case and separators (``-`` ``.`` ``_``
space) never matter.

Each query also offers :meth:`wanted`, a pre-filter over the raw text of a commit's message
and note: it may say yes to a commit that does not match (the parsed facts decide), but never
no to one that does. Its :meth:`~aibom.forensics.facts.Prefilter.grep` patterns let git itself
drop the other commits (``git log --grep`` reads notes too), so a scan formats, diffs and
parses only the candidates; its ``hits`` find them in raw log output for other readers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from aibom.errors import UsageError
from aibom.forensics.facts import CommitFacts, GitGrep, Prefilter
from aibom.provenance.modelid import _ALIASES, normalize_model  # the alias table, read only

__all__ = ["AgentQuery", "ModelQuery", "SessionQuery", "TraceQuery", "canonical_model"]

MODEL_FORM = "PROVIDER/MODEL[@VERSION], e.g. anthropic/claude-opus-4-5@20251101"
_SEPARATORS = re.compile(r"[-._\s]+")
_MAX = 200


def _fold(text: str) -> str:
    """Lower-case, every run of separators one ``-``."""
    return _SEPARATORS.sub("-", text.strip().lower()).strip("-")


def _squash(text: str) -> str:
    """Lower-case without separators (snapshot versions: ``2024-08-06`` is ``20240806``)."""
    return _SEPARATORS.sub("", text.strip().lower())


@lru_cache(maxsize=4096)
def canonical_model(model_id: str) -> tuple[str, str, str] | None:
    """(provider, folded family, squashed version or "") of any model string, or None."""
    found = normalize_model(model_id)
    if found is None:
        return None
    family, version = _latest(_fold(found.model), _squash(found.version or ""))
    return found.provider, family, version


_LATEST = "-latest"


def _latest(family: str, version: str) -> tuple[str, str]:
    """``claude-3-5-sonnet-latest`` (a provider's alias of the family's newest snapshot) is
    the family ``claude-3-5-sonnet`` at version ``latest``: a family query finds it."""
    if not version and family.endswith(_LATEST) and len(family) > len(_LATEST):
        return family[: -len(_LATEST)], "latest"
    return family, version


# Model fields in raw log text, found after ``odel`` (of ``model``/``Model``: one scan with a
# literal prefix, no lower-casing): a JSON ``"model":"X"`` (X without its provider) or
# ``"model_id":"P/X"``, or a trailer ``AI-Model: P/X``.
_LIMIT = 256
_FIELDS = re.compile(b'odel(?:(":"|_id":")([^"\n]{0,%d})|:([^\n]{0,%d}))' % (_LIMIT, _LIMIT))
_BARE = b'":"'


@dataclass(frozen=True)
class ModelQuery:
    """A model family, or one snapshot of it when ``version`` is set."""

    provider: str
    family: str  # folded model id without snapshot, e.g. claude-opus-4-5
    version: str | None = None  # squashed snapshot, e.g. 20251101

    @classmethod
    def parse(cls, text: str) -> ModelQuery:
        """``provider/model[@version]``, a display name or an alias; UsageError otherwise."""
        raw = text.strip()
        if not raw or len(raw) > _MAX or raw.count("@") > 1 or raw.endswith("@"):
            raise _malformed(text)
        base, _, version = raw.partition("@")
        found = normalize_model(base)
        if found is None or found.provider == "unknown" or ("@" in raw and not version.strip()):
            raise _malformed(text)
        snapshot = _squash(version) if version else _squash(found.version or "")
        if version and not snapshot:
            raise _malformed(text)
        family, snapshot = _latest(_fold(found.model), snapshot)
        return cls(found.provider, family, snapshot or None)

    @property
    def label(self) -> str:
        base = f"{self.provider}/{self.family}"
        return f"{base}@{self.version}" if self.version else base

    def matches(self, model_id: str) -> bool:
        found = canonical_model(model_id)
        if found is None:
            return False
        provider, family, version = found
        if provider != self.provider or family != self.family:
            return False
        return self.version is None or version == self.version

    def matches_any(self, model_ids: Iterable[str]) -> bool:
        return any(self.matches(m) for m in model_ids)

    def wanted(self) -> Prefilter:
        return _ModelPrefilter(self)


class _ModelPrefilter(Prefilter):
    """Candidates of a model query: every commit with a model field of the query's family
    (any snapshot: the parsed facts check the version): an ``AI-Model`` trailer, an
    attribution record's ``model_id``, a generation record's ``model`` (read with the
    query's provider, as the record's own sits beside it). A field that is escaped or cut
    off counts as a hit (the parser decides)."""

    __slots__ = ("family", "query", "seen")

    def __init__(self, query: ModelQuery) -> None:
        self.query = query
        self.family = ModelQuery(query.provider, query.family)
        self.seen: dict[bytes, bool] = {}

    def __call__(self, raw: str) -> bool:
        return next(self.hits(raw.encode("utf-8", "surrogateescape")), None) is not None

    def hits(self, block: bytes) -> Iterator[int]:
        for lead, value, trailer in set(_FIELDS.findall(block)):
            text = value or trailer
            if self._matches(text, lead != _BARE):
                yield from _occurrences(block, b"odel" + (lead or b":") + text)

    def grep(self) -> GitGrep:
        return GitGrep(model_patterns(self.query), ignore_case=True)

    def _matches(self, value: bytes, full: bool) -> bool:
        if b"\\" in value or len(value) >= _LIMIT:
            return True  # escaped or cut off: the parser decides
        key = value.split(b"\x1f", 1)[0].split(b"\x1e", 1)[0].strip().lower()  # to the next field
        if not full:
            key = self.query.provider.encode() + b"/" + key
        found = self.seen.get(key)
        if found is None:
            found = self.seen[key] = self.family.matches(key.decode("utf-8", "replace"))
        return found


_SEP = "[-._[:space:]]*"  # any run of separators, in POSIX ERE and PCRE alike
_CLAUDE = ("opus", "sonnet", "haiku")


def _escape(text: str) -> str:
    return "".join(f"\\{c}" if c in ".^$*+?()[]{}|\\" else c for c in text)


def model_patterns(query: ModelQuery) -> tuple[str, ...]:
    """``git log --grep`` patterns that every spelling of a model of ``query``'s family
    matches, as :func:`~aibom.provenance.modelid.normalize_model` reads spellings: its
    tokens with any separators (display names, gateway and Bedrock ids contain them),
    Claude ids in both word orders and without ``claude`` (``sonnet-4.5``), and the short
    aliases that name the family (``4o``) as a whole trailer or attribution value."""
    tokens = [_escape(t) for t in query.family.split("-") if t]
    found = [_SEP.join(tokens)]
    if query.provider == "anthropic" and len(tokens) > 2 and tokens[0] == "claude":
        rest = tokens[1:]
        if rest[0] in _CLAUDE:
            family, version = rest[0], rest[1:]
        elif rest[-1] in _CLAUDE:
            family, version = rest[-1], rest[:-1]
        else:
            family, version = "", []
        if family:
            found = [
                f"(claude{_SEP})?" + _SEP.join([family, *version]),
                _SEP.join(["claude", *version, family]),
            ]
    for alias, target in _ALIASES.items():
        model = normalize_model(target)
        if model is not None and ModelQuery(query.provider, query.family).matches(model.slug):
            word = _escape(alias)
            found.append(f"ai-model:[[:space:]]*{word}[[:space:]]*$")
            found.append(f'"model_id":"{word}"')
    return tuple(found)


def _occurrences(text: bytes, needle: bytes) -> Iterator[int]:
    pos = text.find(needle)
    while pos != -1:
        yield pos
        pos = text.find(needle, pos + len(needle))


class _LiteralPrefilter(Prefilter):
    """Candidates of an agent (any case) or session (exact) query: its text appears."""

    __slots__ = ("fold", "needle", "query")

    def __init__(self, query: AgentQuery | SessionQuery, needle: str, *, fold: bool) -> None:
        self.query = query
        self.fold = fold
        self.needle = (needle.lower() if fold else needle).encode("utf-8", "surrogateescape")

    def __call__(self, raw: str) -> bool:
        return next(self.hits(raw.encode("utf-8", "surrogateescape")), None) is not None

    def hits(self, block: bytes) -> Iterator[int]:
        return _occurrences(block.lower() if self.fold else block, self.needle)

    def grep(self) -> GitGrep:
        text = self.needle.decode("utf-8", "surrogateescape")
        return GitGrep((_escape(text),), ignore_case=self.fold)


def _malformed(text: str) -> UsageError:
    return UsageError(
        f"malformed model id {text.strip()[:80]!r}",
        hint=f"expected {MODEL_FORM} (a display name such as 'Claude Opus 4.5' also works)",
    )


@dataclass(frozen=True)
class AgentQuery:
    """An agent by name (every version) or ``name/version``; case-insensitive."""

    name: str
    version: str | None = None

    @classmethod
    def parse(cls, text: str) -> AgentQuery:
        raw = text.strip().lower()
        name, _, version = raw.partition("/")
        if not name or len(raw) > _MAX or any(c.isspace() for c in raw):
            raise UsageError(
                f"malformed agent {text.strip()[:80]!r}",
                hint="expected AGENT[/VERSION], e.g. claude-code or claude-code/2.0.14",
            )
        return cls(name, version or None)

    @property
    def label(self) -> str:
        return f"{self.name}/{self.version}" if self.version else self.name

    def matches(self, agent: str | None) -> bool:
        if not agent:
            return False
        name, _, version = agent.strip().lower().partition("/")
        return name == self.name and (self.version is None or version == self.version)

    def wanted(self) -> Prefilter:
        return _LiteralPrefilter(self, self.name, fold=True)


@dataclass(frozen=True)
class SessionQuery:
    session: str

    @classmethod
    def parse(cls, text: str) -> SessionQuery:
        raw = text.strip()
        if not raw or len(raw) > 256 or not raw.isprintable():  # a trailer value: one line
            raise UsageError("malformed session id", hint="expected the AI-Session value")
        return cls(raw)

    @property
    def label(self) -> str:
        return self.session

    def matches(self, sessions: Sequence[str]) -> bool:
        return self.session in sessions

    def wanted(self) -> Prefilter:
        return _LiteralPrefilter(self, self.session, fold=False)


@dataclass(frozen=True)
class TraceQuery:
    """Exactly one of ``model`` / ``agent`` / ``session``, over the commits ``revs`` select
    (git log arguments; ``None``: HEAD)."""

    model: ModelQuery | None = None
    agent: AgentQuery | None = None
    session: SessionQuery | None = None
    revs: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        given = [q for q in (self.model, self.agent, self.session) if q is not None]
        if len(given) != 1:
            raise UsageError(
                "give exactly one of --model, --agent or --session",
                hint="e.g. aibom trace --model anthropic/claude-opus-4-5",
            )

    @classmethod
    def build(
        cls,
        *,
        model: str | None = None,
        agent: str | None = None,
        session: str | None = None,
        revs: Sequence[str] | None = None,
    ) -> TraceQuery:
        return cls(
            model=ModelQuery.parse(model) if model is not None else None,
            agent=AgentQuery.parse(agent) if agent is not None else None,
            session=SessionQuery.parse(session) if session is not None else None,
            revs=tuple(revs) if revs is not None else None,
        )

    @property
    def label(self) -> str:
        if self.model is not None:
            return f"model {self.model.label}"
        if self.agent is not None:
            return f"agent {self.agent.label}"
        assert self.session is not None
        return f"session {self.session.label}"

    def prefilter(self) -> Prefilter:
        """The raw-text pre-filter for :meth:`aibom.forensics.source.FactsSource.commits`;
        its ``query`` attribute is the model, agent or session query it stands for."""
        if self.model is not None:
            return self.model.wanted()
        if self.agent is not None:
            return self.agent.wanted()
        assert self.session is not None
        return self.session.wanted()

    def matcher(self) -> Callable[[CommitFacts], bool]:
        """:meth:`matches` with a memo: commits share their models, agent or sessions, so a
        long history asks the same few questions again and again."""
        memo: dict[object, bool] = {}

        def key(facts: CommitFacts) -> object:
            a = facts.attribution
            return a.models if self.model is not None else (a.agent, a.sessions)

        def matches(facts: CommitFacts) -> bool:
            k = key(facts)
            found = memo.get(k)
            if found is None:
                found = memo[k] = self.matches(facts)
            return found

        return matches

    def matches(self, facts: CommitFacts) -> bool:
        attribution = facts.attribution
        if self.model is not None:
            return self.model.matches_any(attribution.models)
        if self.agent is not None:
            return self.agent.matches(attribution.agent)
        assert self.session is not None
        return self.session.matches(attribution.sessions)
