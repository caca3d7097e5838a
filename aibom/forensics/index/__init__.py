"""The forensics index: commit facts of one or many repositories in SQLite or PostgreSQL.

``aibom index`` fills it (:func:`build`, incremental); ``trace``/``stats``/``show --db``
read it through :func:`open_source`, a ``FactsSource`` like the index-free ``GitSource``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from aibom.forensics.index.base import (
    Database,
    IndexBusyError,
    IndexCorruptError,
    IndexUnavailableError,
)
from aibom.forensics.index.source import IndexSource, Repository
from aibom.gitutil import Repo

if TYPE_CHECKING:  # the writer (and its git walks) loads only when an index is built
    from aibom.forensics.index.writer import IndexResult, RepoResult

__all__ = [
    "Database",
    "IndexBusyError",
    "IndexCorruptError",
    "IndexResult",
    "IndexSource",
    "IndexUnavailableError",
    "RepoResult",
    "Repository",
    "build",
    "default_location",
    "is_postgres",
    "open_database",
    "open_source",
]

FILE_NAME = "index.sqlite3"


def build(
    db: Database,
    targets: Sequence[Repo],
    *,
    rebuild: bool = False,
    progress: Callable[[str], None] | None = None,
) -> IndexResult:
    """Index ``targets`` into ``db`` (see :func:`aibom.forensics.index.writer.build`)."""
    from aibom.forensics.index import writer

    return writer.build(db, targets, rebuild=rebuild, progress=progress)


def __getattr__(name: str) -> object:
    if name in ("IndexResult", "RepoResult"):
        from aibom.forensics.index import writer

        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_location(repo: Repo) -> str:
    """``<git-common-dir>/aibom/index.sqlite3``: shared by worktrees, never committed."""
    return os.path.join(repo.shared_dir, FILE_NAME)


def is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def open_database(db: str, *, create: bool) -> Database:
    """An SQLite file (a path) or a PostgreSQL database (a ``postgresql://`` URL)."""
    if is_postgres(db):
        from aibom.forensics.index.postgres import PostgresDatabase

        return PostgresDatabase(db)
    from aibom.forensics.index.sqlite import SqliteDatabase

    return SqliteDatabase(os.path.expanduser(db), create=create)


def open_source(db: str) -> IndexSource:
    """The ``FactsSource`` over an existing index (``--db`` of trace, stats and show)."""
    database = open_database(db, create=False)
    try:
        return IndexSource(database)
    except BaseException:
        database.close()
        raise
