"""Build and update the index: only what changed since the last run is read from git.

Per repository: the commits reachable from the refs now but not from the tips the last run
stored (``git log NEW --not OLD``), the commits whose notes changed (``git diff-tree`` of the
two notes commits), and the commits history rewrites dropped (``git rev-list OLD --not NEW``).
Rows are written in batches, one transaction each; the tips are stored last. With each
batch of a walk goes where the walk stands (:class:`_Resume`): an interrupted run is resumed
by the next one, which walks only the commits the first did not reach, then carries on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from aibom.errors import AibomError
from aibom.forensics.facts import CommitFacts, scan
from aibom.forensics.index import numstat, repos, schema
from aibom.forensics.index.base import Database, IndexCorruptError, stored_version, tables
from aibom.gitutil import Repo

__all__ = ["IndexResult", "RepoResult", "build", "prepare", "stored_version", "tables"]

BATCH = 5000
_CHUNK = 500  # shas per IN (...) query
ID_GAP = 1 << 40  # ids one walk may take (see _Ids)
_SCAN_CHUNK = 5000  # shas per git log --no-walk

Progress = Callable[[str], None]
_Entry = tuple[CommitFacts, Sequence[numstat.Count]]  # a commit and its files' line counts


@dataclass(frozen=True)
class RepoResult:
    label: str
    identity: str
    path: str
    added: int  # commits new to the index
    updated: int  # commits read again because their notes changed
    removed: int  # commits no ref reaches any more
    total: int  # commits of this repository in the index now
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class IndexResult:
    location: str
    kind: str
    rebuilt: str  # why the index was rebuilt ("" when it was not)
    repositories: tuple[RepoResult, ...]


def build(
    db: Database,
    targets: Sequence[Repo],
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IndexResult:
    """Index ``targets`` into ``db``: create, update, or (corrupt, outdated, asked) rebuild."""
    with db.writer_lock():
        reason = prepare(db, rebuild=rebuild)
        try:
            results = tuple(index_repo(db, repo, progress) for repo in targets)
        except IndexCorruptError as exc:
            if reason:
                raise
            reason = f"it was damaged ({exc.detail})"
            db.reset()
            prepare(db, rebuild=False)
            results = tuple(index_repo(db, repo, progress) for repo in targets)
    return IndexResult(db.location, db.kind, reason, results)


def prepare(db: Database, *, rebuild: bool) -> str:
    """Make the schema current; the reason for a rebuild, or "" when none was needed."""
    reason = "asked to rebuild" if rebuild else ""
    if not rebuild:
        try:
            found = stored_version(db)
        except IndexCorruptError as exc:
            found, reason = None, f"it was damaged ({exc.detail})"
        if found is not None and found != schema.VERSION:
            reason = f"it had schema version {found}, this aibom writes {schema.VERSION}"
    if reason:
        db.reset()
    with db.transaction():
        for statement in schema.CREATE:
            db.execute(statement.format(clustered=db.clustered, commit_id=db.commit_id))
        if not db.query("SELECT value FROM aibom_meta WHERE key = ?", ("schema_version",)):
            db.execute(
                "INSERT INTO aibom_meta (key, value) VALUES (?, ?)",
                ("schema_version", str(schema.VERSION)),
            )
    return reason


@dataclass(frozen=True)
class _State:
    repo_id: int
    tips: dict[str, str]
    notes: str
    known: bool  # the repository was indexed before
    resume: _Resume | None = None  # an interrupted walk to finish first


@dataclass(frozen=True)
class _Resume:
    """Where an interrupted walk stands. It walked from ``refs`` (with the notes at
    ``notes``) and wrote every commit it listed so far; what it did not reach is reachable
    from ``frontier`` (the walk's tips and the parents of its commits that it has not
    written yet); ``next_id`` is the id its next commit takes (ids follow the walk)."""

    refs: dict[str, str]
    notes: str
    frontier: tuple[str, ...]
    next_id: int

    def dump(self) -> str:
        data = {"refs": self.refs, "notes": self.notes, "frontier": list(self.frontier)}
        return json.dumps({**data, "next_id": self.next_id}, sort_keys=True)

    @classmethod
    def load(cls, text: str) -> _Resume | None:
        """None for a state this code cannot read (the walk is then done again)."""
        try:
            data = json.loads(text)
            refs = {str(k): str(v) for k, v in dict(data["refs"]).items()}
            frontier = tuple(str(sha) for sha in data["frontier"])
            return cls(refs, str(data["notes"]), frontier, int(data["next_id"]))
        except (ValueError, TypeError, KeyError):
            return None


class _Walk:
    """The state of one walk while it writes, saved with each batch (see :class:`_Resume`)."""

    def __init__(self, refs: dict[str, str], notes: str, starts: Iterable[str], ids: _Ids):
        self.refs = refs
        self.notes = notes
        self.frontier = set(starts)
        self.ids = ids
        self.written: set[str] = set()

    def wrote(self, batch: Sequence[_Entry]) -> None:
        for facts, _ in batch:
            self.written.add(facts.sha)
            self.frontier.discard(facts.sha)
        for facts, _ in batch:
            self.frontier.update(p for p in facts.parents if p not in self.written)

    def save(self, db: Database, repo_id: int) -> None:
        state = _Resume(self.refs, self.notes, tuple(sorted(self.frontier)), self.ids.peek())
        db.execute(schema.SAVE_RESUME, (repo_id, state.dump()))


def index_repo(db: Database, repo: Repo, progress: Progress | None = None) -> RepoResult:
    ident = repos.identify(repo)
    state = _state(db, ident)
    added: set[str] = set()
    removed: list[str] = []
    if state.resume is not None:
        added, removed = _finish(db, repo, ident, state, progress)
        state = _state(db, ident)
    now = repos.tips(repo)
    warnings = _warnings(ident)
    gone = repos.missing(repo, state.tips.values())
    old = sorted(set(state.tips.values()) - gone)
    new = sorted(set(now.refs.values()))
    dropped = repos.unreachable(repo, old, new)
    if set(new) != set(old):
        walk = _Walk(now.refs, now.notes, new, _Ids(db))
        added |= _walk(db, repo, state, [*new, "--not", *old] if old else new, walk, progress)
    updated = _renoted(db, repo, state, now.notes, added, progress)
    if gone:
        warnings += (_not_here(ident, gone),)
    with db.transaction():
        _delete(db, state.repo_id, dropped)
        _save_state(db, state.repo_id, ident, now)
    total = db.query("SELECT COUNT(*) FROM aibom_commits WHERE repo = ?", (state.repo_id,))[0][0]
    return RepoResult(
        ident.label,
        ident.identity,
        ident.path,
        len(added),
        updated,
        len(removed) + len(dropped),
        int(total),
        warnings,
    )


def _finish(
    db: Database,
    repo: Repo,
    ident: repos.Identity,
    state: _State,
    progress: Progress | None,
) -> tuple[set[str], list[str]]:
    """Finish the walk an earlier run left (see :class:`_Resume`), then store its tips as a
    complete run would have: what it added, what it dropped. A walk whose commits this clone
    does not have (another clone's walk, or history pruned since) is left: the walk of this
    run takes in what this clone has."""
    resume = state.resume
    assert resume is not None
    starts = [*resume.frontier]
    if repos.missing(repo, [*resume.refs.values(), *starts]):
        with db.transaction():
            db.execute("DELETE FROM aibom_resume WHERE repo = ?", (state.repo_id,))
        return set(), []
    gone = repos.missing(repo, state.tips.values())
    old = sorted(set(state.tips.values()) - gone)
    walk = _Walk(resume.refs, resume.notes, starts, _Ids(db, resume.next_id))
    added = set()
    if starts:
        added = _walk(db, repo, state, [*starts, "--not", *old] if old else starts, walk, progress)
    dropped = repos.unreachable(repo, old, sorted(set(resume.refs.values())))
    with db.transaction():
        _delete(db, state.repo_id, dropped)
        _save_state(db, state.repo_id, ident, repos.Tips(resume.refs, resume.notes))
    return added, dropped


def _not_here(ident: repos.Identity, gone: set[str]) -> str:
    """Another clone of the project indexed commits this one lacks, or its history was
    rewritten and pruned: aibom cannot tell, so it keeps what the index holds."""
    return (
        f"{ident.path} lacks {len(gone)} tip(s) the last run indexed (another clone of "
        "this project, or history rewritten and pruned): their commits are kept "
        "(after a rewrite, aibom index --rebuild drops them)"
    )


def _warnings(ident: repos.Identity) -> tuple[str, ...]:
    if ident.shallow:
        return (
            f"{ident.path} is a shallow clone: only the commits it has are indexed, and its "
            "identity follows its oldest commit (fetch --unshallow for the whole history)",
        )
    return ()


def _state(db: Database, ident: repos.Identity) -> _State:
    rows = db.query(
        "SELECT id, notes_tip FROM aibom_repositories WHERE identity = ?", (ident.identity,)
    )
    if not rows:
        with db.transaction():
            next_id = db.query("SELECT COALESCE(MAX(id), 0) + 1 FROM aibom_repositories")[0][0]
            db.execute(
                "INSERT INTO aibom_repositories (id, identity, label, root, remote, path,"
                " notes_tip, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    int(next_id),
                    ident.identity,
                    ident.label,
                    ident.root,
                    ident.remote,
                    ident.path,
                    "",
                    0,
                ),
            )
        return _State(int(next_id), {}, "", False)
    repo_id = int(rows[0][0])
    found = db.query("SELECT ref, sha FROM aibom_tips WHERE repo = ?", (repo_id,))
    saved = db.query("SELECT state FROM aibom_resume WHERE repo = ?", (repo_id,))
    resume = _Resume.load(str(saved[0][0])) if saved else None
    return _State(repo_id, {str(r): str(s) for r, s in found}, str(rows[0][1]), True, resume)


def _walk(
    db: Database,
    repo: Repo,
    state: _State,
    revs: list[str],
    walk: _Walk,
    progress: Progress | None,
) -> set[str]:
    """Write the commits ``revs`` select (git log arguments); their shas.

    The notes and the line counts come from two ``git log`` processes that run at the same
    time (git's diffs are the slow part; they overlap with the parsing of the notes here).
    """
    facts = _with_numstat(scan(repo, revs), numstat.stream(repo, revs))
    return _write(
        db, state.repo_id, facts, replace=state.known, progress=progress, what="new", walk=walk
    )


def _with_numstat(
    facts: Iterator[CommitFacts], counts: Iterator[tuple[str, list[numstat.Count]]]
) -> Iterator[_Entry]:
    for commit in facts:
        sha, files = next(counts, ("", []))
        if sha != commit.sha:  # the two walks disagree: never guess, fail loudly
            raise AibomError(
                f"the numstat walk gave {sha or 'nothing'} where the log gave {commit.sha}"
            )
        yield commit, files


def _renoted(
    db: Database,
    repo: Repo,
    state: _State,
    notes: str,
    done: set[str],
    progress: Progress | None,
) -> int:
    """Read again the indexed commits whose notes changed since the last run."""
    if not state.known or notes == state.notes:
        return 0
    changed = repos.annotated(repo, state.notes, notes)
    if changed is None:  # the old notes commit is gone: every noted or attributed commit
        changed = repos.noted(repo, notes) if notes else []
        changed += [
            str(r[0])
            for r in db.query(
                "SELECT sha FROM aibom_commits WHERE repo = ? AND source <> 'none'",
                (state.repo_id,),
            )
        ]
    candidates = [s for s in dict.fromkeys(changed) if s not in done]
    indexed = _present(db, state.repo_id, candidates)
    indexed -= repos.missing(repo, indexed)  # pruned since: dropped, not read
    if not indexed:
        return 0
    facts = _scan_many(repo, sorted(indexed))
    return len(_write(db, state.repo_id, facts, replace=True, progress=progress, what="updated"))


def _scan_many(repo: Repo, shas: list[str]) -> Iterator[_Entry]:
    for start in range(0, len(shas), _SCAN_CHUNK):
        chunk = ["--no-walk", *shas[start : start + _SCAN_CHUNK]]
        for f in scan(repo, chunk, with_files=True):
            yield f, [(c.path, c.added, c.deleted) for c in f.files]


def _present(db: Database, repo_id: int, shas: Sequence[str]) -> set[str]:
    return set(_known(db, repo_id, shas))


@dataclass(frozen=True)
class _Known:
    """A commit row already in the index: its id and the lookup rows that hang off it."""

    id: int
    models: tuple[str, ...]
    sessions: tuple[str, ...]


def _known(db: Database, repo_id: int, shas: Sequence[str]) -> dict[str, _Known]:
    """The ``shas`` the index holds for this repository."""
    found: dict[str, _Known] = {}
    sep = schema.SEPARATOR
    for start in range(0, len(shas), _CHUNK):
        chunk = shas[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        rows = db.query(
            "SELECT sha, id, models, sessions FROM aibom_commits"
            f" WHERE repo = ? AND sha IN ({marks})",
            (repo_id, *chunk),
        )
        for sha, ident, models, sessions in rows:
            found[str(sha)] = _Known(
                int(ident),
                tuple(models.split(sep)) if models else (),
                tuple(sessions.split(sep)) if sessions else (),
            )
    return found


def _write(
    db: Database,
    repo_id: int,
    entries: Iterable[_Entry],
    *,
    replace: bool,
    progress: Progress | None,
    what: str,
    walk: _Walk | None = None,
) -> set[str]:
    """Write the commits in batches; ``replace``: some may be in the index already. A
    ``walk`` is saved with each batch, so that an interrupted run can be resumed."""
    written: set[str] = set()
    ids = walk.ids if walk is not None else _Ids(db)
    stream = iter(entries)
    while batch := list(islice(stream, BATCH)):
        with db.transaction():
            known = _known(db, repo_id, [f.sha for f, _ in batch]) if replace else {}
            if known:
                _clear_children(db, list(known.values()))
            _insert(db, repo_id, batch, {sha: k.id for sha, k in known.items()}, ids)
            if walk is not None:
                walk.wrote(batch)
                walk.save(db, repo_id)
        written.update(f.sha for f, _ in batch)
        if progress is not None:
            progress(f"{len(written)} commits {what}")
    return written


class _Ids:
    """Commit ids in walk order: ``ORDER BY committed DESC, id`` is then git log's own order,
    ties in one second included.

    A walk lists the newest commits first and takes ascending ids; a later walk (commits
    newer than every indexed one) starts :data:`ID_GAP` below the smallest id in use, so
    its commits sort before their parents. 64-bit ids leave room for millions of runs.
    """

    def __init__(self, db: Database, start: int | None = None) -> None:
        self._db = db
        self._next = start  # None: chosen on first use; a resumed walk goes on from its own

    def peek(self) -> int:
        """The id the next commit takes."""
        if self._next is None:
            row = self._db.query("SELECT MIN(id) FROM aibom_commits")[0][0]
            self._next = 0 if row is None else int(row) - ID_GAP
        return self._next

    def take(self) -> int:
        taken = self.peek()
        self._next = taken + 1
        return taken


def _insert(
    db: Database, repo_id: int, batch: Sequence[_Entry], known: dict[str, int], ids: _Ids
) -> None:
    rows: list[tuple[int, _Entry]] = []
    for entry in batch:
        found = known.get(entry[0].sha)
        rows.append((ids.take() if found is None else found, entry))
    db.executemany(schema.UPSERT_COMMIT, [_commit_row(i, repo_id, f) for i, (f, _) in rows])
    db.executemany(
        schema.INSERT_MODEL, [(_text(m), i) for i, (f, _) in rows for m in f.attribution.models]
    )
    db.executemany(
        schema.INSERT_SESSION,
        [(_text(s), i) for i, (f, _) in rows for s in f.attribution.sessions],
    )
    db.executemany(
        schema.INSERT_FILE,
        [(i, pos, _text(p), a, d) for i, (_, fs) in rows for pos, (p, a, d) in enumerate(fs)],
    )


def _text(value: str) -> str:
    """``value`` as the database can store it: git's bytes that are not UTF-8 (a file or
    author name, a message), kept by the readers as surrogate escapes, become U+FFFD."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return value


def _commit_row(ident: int, repo_id: int, f: CommitFacts) -> tuple[object, ...]:
    a = f.attribution
    return (
        ident,
        repo_id,
        f.sha,
        " ".join(f.parents),
        _text(f.author_name),
        _text(f.author_email),
        f.committed,
        _text(f.subject),
        a.origin,
        None if a.agent is None else _text(a.agent),
        a.source,
        f.skipped_lines,
        _text(schema.SEPARATOR.join(a.models)),
        _text(schema.SEPARATOR.join(a.sessions)),
    )


def _clear_children(db: Database, known: Sequence[_Known]) -> None:
    """Delete the lookup and file rows of commits about to be rewritten (by primary key)."""
    db.executemany(
        "DELETE FROM aibom_models WHERE model = ? AND commit_id = ?",
        [(m, k.id) for k in known for m in k.models],
    )
    db.executemany(
        "DELETE FROM aibom_sessions WHERE session = ? AND commit_id = ?",
        [(s, k.id) for k in known for s in k.sessions],
    )
    db.executemany("DELETE FROM aibom_files WHERE commit_id = ?", [(k.id,) for k in known])


def _delete(db: Database, repo_id: int, shas: Sequence[str]) -> None:
    known = list(_known(db, repo_id, shas).values())
    if not known:
        return
    _clear_children(db, known)
    db.executemany("DELETE FROM aibom_commits WHERE id = ?", [(k.id,) for k in known])


def _save_state(db: Database, repo_id: int, ident: repos.Identity, now: repos.Tips) -> None:
    db.execute(
        "UPDATE aibom_repositories SET label = ?, remote = ?, path = ?, notes_tip = ?,"
        " indexed_at = ? WHERE id = ?",
        (ident.label, ident.remote, ident.path, now.notes, int(time.time()), repo_id),
    )
    db.execute("DELETE FROM aibom_tips WHERE repo = ?", (repo_id,))
    db.execute("DELETE FROM aibom_resume WHERE repo = ?", (repo_id,))
    db.executemany(
        "INSERT INTO aibom_tips (repo, ref, sha) VALUES (?, ?, ?)",
        [(repo_id, ref, sha) for ref, sha in sorted(now.refs.items())],
    )
