"""One interface for the index databases (SQLite file, PostgreSQL server) and the index's errors."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from aibom.errors import AibomError, UsageError
from aibom.forensics.index import schema

Row = tuple[Any, ...]
LOCK_TIMEOUT = 600.0  # seconds an indexer waits for another one to finish


class IndexCorruptError(UsageError):
    """The index cannot be read as an aibom index (damaged, foreign, or another version)."""

    def __init__(self, location: str, detail: str) -> None:
        super().__init__(
            f"the index at {location} is unusable: {detail}",
            hint="rebuild it: aibom index --rebuild --db " + location,
        )
        self.detail = detail


class IndexUnavailableError(UsageError):
    """There is no index at the location given, or its server cannot be reached."""


class IndexBusyError(AibomError):
    """Another indexer held the index for longer than the lock timeout."""


class Database(ABC):
    """An open index database. ``?`` placeholders; rows come back as tuples.

    ``transaction()`` commits on success and rolls back on any exception (a Ctrl-C keeps
    the batches committed before it). ``writer_lock()`` makes indexers take turns.
    """

    location: str
    kind: str  # sqlite | postgresql
    clustered: str = ""  # table option that stores rows in primary-key order
    commit_id: str = "BIGINT"  # column type of commit ids

    @abstractmethod
    def query(self, sql: str, params: Sequence[object] = ()) -> list[Row]: ...

    @abstractmethod
    def execute(self, sql: str, params: Sequence[object] = ()) -> None: ...

    @abstractmethod
    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None: ...

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]: ...

    @abstractmethod
    def writer_lock(self, timeout: float = LOCK_TIMEOUT) -> AbstractContextManager[None]: ...

    @abstractmethod
    def reset(self) -> None:
        """Remove the whole index (a rebuild starts from nothing)."""

    @abstractmethod
    def close(self) -> None: ...


def stored_version(db: Database) -> int | None:
    """The schema version of the index; None for an empty database (nothing there yet).

    A database that has some of the tables but not the others, or a version that is not a
    number, is damaged (IndexCorruptError).
    """
    present = tables(db)
    if not present:
        return None
    if "aibom_meta" not in present:
        raise IndexCorruptError(db.location, "the aibom_meta table is missing")
    rows = db.query("SELECT value FROM aibom_meta WHERE key = ?", ("schema_version",))
    if not rows or not str(rows[0][0]).isdigit():
        raise IndexCorruptError(db.location, "it records no schema version")
    version = int(rows[0][0])
    if version == schema.VERSION and set(schema.TABLES) - present:
        missing = ", ".join(sorted(set(schema.TABLES) - present))
        raise IndexCorruptError(db.location, f"tables missing: {missing}")
    return version


def tables(db: Database) -> set[str]:
    if db.kind == "sqlite":
        rows = db.query("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        rows = db.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    return {str(r[0]) for r in rows if str(r[0]).startswith("aibom_")}
