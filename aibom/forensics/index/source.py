"""Reading the index: :class:`IndexSource`, a ``FactsSource`` over every indexed repository.

A trace query's pre-filter (``TraceQuery.prefilter()``) names the model, agent or session
asked for; the index answers it in SQL (the distinct model ids and agents it holds are
matched in Python, which is exact and cheap, then only matching commits are read). Any other
pre-filter is ignored: the caller checks every result, as the protocol allows.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from aibom.errors import UsageError
from aibom.forensics.facts import Attribution, CommitFacts, FileChange
from aibom.forensics.index import schema
from aibom.forensics.index.base import (
    Database,
    IndexCorruptError,
    IndexUnavailableError,
    Row,
    stored_version,
)
from aibom.forensics.query import AgentQuery, ModelQuery, SessionQuery

_ALL_REVS = ((), ("--all",), ("HEAD",))
_COLUMNS = (
    "c.id, c.repo, c.sha, c.parents, c.author_name, c.author_email, c.committed, c.subject,"
    " c.skipped, c.origin, c.agent, c.source, c.models, c.sessions"
)


@dataclass(frozen=True)
class Repository:
    id: int
    label: str
    identity: str
    path: str
    remote: str
    indexed_at: int
    commits: int


@dataclass(frozen=True)
class _Filter:
    """The commit ids a query selects, as a subquery ("": every commit)."""

    keys: str = ""
    params: tuple[object, ...] = ()
    empty: bool = False  # nothing can match: skip the queries

    def where(self, column: str) -> str:
        return f" WHERE {column} IN ({self.keys})" if self.keys else ""


class IndexSource:
    """Commit facts from an index (SQLite or PostgreSQL), across all its repositories."""

    def __init__(self, db: Database) -> None:
        self.db = db
        check_readable(db)
        rows = db.query("SELECT id, label FROM aibom_repositories")
        self._labels: dict[int, str] = {int(i): str(label) for i, label in rows}

    def label(self) -> str:
        return f"index {self.db.location}"

    def close(self) -> None:
        self.db.close()

    def repositories(self) -> tuple[Repository, ...]:
        rows = self.db.query(
            "SELECT r.id, r.label, r.identity, r.path, r.remote, r.indexed_at,"
            " (SELECT COUNT(*) FROM aibom_commits c WHERE c.repo = r.id)"
            " FROM aibom_repositories r ORDER BY r.id"
        )
        return tuple(
            Repository(int(i), str(lb), str(ident), str(p), str(rm), int(t), int(n))
            for i, lb, ident, p, rm, t, n in rows
        )

    def commits(
        self,
        revs: Sequence[str] | None,
        *,
        with_files: bool = False,
        wanted: Callable[[str], bool] | None = None,
    ) -> Iterator[CommitFacts]:
        if revs is not None and tuple(revs) not in _ALL_REVS:
            raise UsageError(
                "an index answers over every commit it holds; it cannot select " + " ".join(revs),
                hint="leave out --range with --db, or query the repository itself without --db",
            )
        chosen = self._filter(wanted)
        if chosen.empty:
            return iter(())
        return iter(self._load(chosen, with_files))

    def find(self, prefix: str) -> tuple[CommitFacts, ...]:
        """Commits whose sha starts with ``prefix`` (4+ hex digits), in any repository."""
        text = prefix.strip().lower()
        if len(text) < 4 or any(c not in "0123456789abcdef" for c in text):
            raise UsageError(
                f"{prefix!r} is not a commit id",
                hint="with --db give a commit id (at least 4 hex digits), e.g. 3f2a9c1",
            )
        chosen = _Filter(
            "SELECT p.id FROM aibom_commits p WHERE p.sha >= ? AND p.sha < ?",
            (text, text + "g"),
        )
        return tuple(self._load(chosen, with_files=True))

    # -- filters ---------------------------------------------------------------------------
    def _filter(self, wanted: Callable[[str], bool] | None) -> _Filter:
        asked = structured(wanted)
        if isinstance(asked, ModelQuery):
            return self._model_filter(asked)
        if isinstance(asked, AgentQuery):
            return self._agent_filter(asked)
        if isinstance(asked, SessionQuery):
            return _Filter(
                "SELECT s.commit_id FROM aibom_sessions s WHERE s.session = ?",
                (asked.session,),
            )
        return _Filter()

    def _model_filter(self, query: ModelQuery) -> _Filter:
        known = [str(r[0]) for r in self.db.query("SELECT DISTINCT model FROM aibom_models")]
        chosen = [m for m in known if query.matches(m)]
        if not chosen:
            return _Filter(empty=True)
        marks = ", ".join("?" * len(chosen))
        return _Filter(
            f"SELECT m.commit_id FROM aibom_models m WHERE m.model IN ({marks})",
            tuple(chosen),
        )

    def _agent_filter(self, query: AgentQuery) -> _Filter:
        rows = self.db.query("SELECT DISTINCT agent FROM aibom_commits WHERE agent IS NOT NULL")
        chosen = [str(r[0]) for r in rows if query.matches(str(r[0]))]
        if not chosen:
            return _Filter(empty=True)
        marks = ", ".join("?" * len(chosen))
        return _Filter(
            f"SELECT a.id FROM aibom_commits a WHERE a.agent IN ({marks})",
            tuple(chosen),
        )

    # -- loading ---------------------------------------------------------------------------
    def _load(self, chosen: _Filter, with_files: bool) -> list[CommitFacts]:
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM aibom_commits c{chosen.where('c.id')}"
            " ORDER BY c.committed DESC, c.repo, c.id",
            chosen.params,
        )
        with _collector_paused():
            files = self._files(chosen) if with_files and rows else {}
            return self._facts(rows, files)

    def _facts(
        self, rows: list[Row], files: dict[int, tuple[FileChange, ...]]
    ) -> list[CommitFacts]:
        labels = self._labels
        attributions: dict[tuple[object, ...], Attribution] = {}  # commits share their claims
        found = []
        for row in rows:
            ident, repo, sha, parents, name, email, committed, subject, skipped = row[:9]
            claim = row[9:]  # origin, agent, source, models, sessions
            attribution = attributions.get(claim)
            if attribution is None:
                attribution = attributions[claim] = _attribution(*claim)
            found.append(
                CommitFacts(
                    sha,
                    tuple(parents.split()),
                    name,
                    email,
                    committed,
                    subject,
                    attribution,
                    files.get(ident, ()),
                    skipped,
                    labels.get(repo, str(repo)),
                )
            )
        return found

    def _files(self, chosen: _Filter) -> dict[int, tuple[FileChange, ...]]:
        rows = self.db.query(
            "SELECT x.commit_id, x.path, x.added, x.deleted FROM aibom_files x"
            f"{chosen.where('x.commit_id')} ORDER BY x.commit_id, x.pos",
            chosen.params,
        )
        found: dict[int, tuple[FileChange, ...]] = {}
        shared: dict[tuple[str, int, int], FileChange] = {}  # equal changes: one frozen object
        current: list[FileChange] = []
        last = -1  # commit ids start at 1
        for ident, path, added, deleted in rows:
            if ident != last:
                if current:
                    found[last] = tuple(current)
                current, last = [], ident
            key = (path, added, deleted)
            change = shared.get(key)
            if change is None:
                change = shared[key] = FileChange(path, added, deleted)
            current.append(change)
        if current:
            found[last] = tuple(current)
        return found


def _attribution(
    origin: str, agent: str | None, source: str, models: str, sessions: str
) -> Attribution:
    sep = schema.SEPARATOR
    return Attribution(
        origin,
        tuple(models.split(sep)) if models else (),
        agent,
        tuple(sessions.split(sep)) if sessions else (),
        source,
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building thousands of small acyclic objects: the cycle collector would only walk them
    again and again (measured: about a third of a large query's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def structured(
    wanted: Callable[[str], bool] | None,
) -> ModelQuery | AgentQuery | SessionQuery | None:
    """The query behind a ``TraceQuery.prefilter()`` (a model pre-filter carries its query;
    the agent and session ones are bound methods of theirs); None for any other callable."""
    if wanted is None:
        return None
    owner = getattr(wanted, "query", None) or getattr(wanted, "__self__", None)
    if isinstance(owner, (ModelQuery, AgentQuery, SessionQuery)):
        return owner
    return None


def check_readable(db: Database) -> None:
    """Raise the right error for a missing, damaged or other-version index."""
    version = stored_version(db)
    if version is None:
        raise IndexUnavailableError(
            f"there is no aibom index in {db.location}",
            hint="build one first: aibom index --db " + db.location,
        )
    if version != schema.VERSION:
        raise IndexCorruptError(
            db.location, f"schema version {version}, this aibom reads {schema.VERSION}"
        )
