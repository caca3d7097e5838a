"""The index in PostgreSQL, for an organisation's fleet (psycopg 3, imported only here).

Same schema as the SQLite file; one transaction per batch; indexers take turns through a
session-level advisory lock. Connection and statement timeouts on every call.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from aibom.errors import AibomError, UsageError
from aibom.forensics.index import schema
from aibom.forensics.index.base import (
    LOCK_TIMEOUT,
    Database,
    IndexBusyError,
    IndexCorruptError,
    IndexUnavailableError,
    Row,
)

CONNECT_TIMEOUT = 10
STATEMENT_TIMEOUT_MS = 600_000
LOCK_KEY = 0x6169626F6D  # "aibom": the advisory lock indexers share
_PASSWORD = re.compile(r"(://[^:/@]+:)[^@]*@")
_PASSWORD_PARAM = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)


def redact(dsn: str) -> str:
    """The DSN without its password, in the user part or a ``password=`` parameter (for
    messages)."""
    return _PASSWORD_PARAM.sub(r"\1***", _PASSWORD.sub(r"\1***@", dsn))


class PostgresDatabase(Database):
    kind = "postgresql"

    def __init__(self, dsn: str) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - the postgres extra is not installed
            raise UsageError(
                "a PostgreSQL index needs psycopg",
                hint="pip install 'aibom[postgres]'",
            ) from exc
        self._psycopg = psycopg
        self.location = redact(dsn)
        try:
            self._conn: Any = psycopg.connect(
                dsn,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT,
                options=f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
            )
        except psycopg.Error as exc:
            raise IndexUnavailableError(
                f"cannot connect to the index at {self.location}: {_first_line(exc)}",
                hint="check the URL, that the server runs and that the user may log in",
            ) from exc

    def query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        try:
            with self._conn.cursor() as cur:
                cur.execute(_pg(sql), tuple(params))
                return [tuple(r) for r in cur.fetchall()]
        except self._psycopg.Error as exc:
            raise self._translate(exc) from exc

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        try:
            self._conn.execute(_pg(sql), tuple(params))
        except self._psycopg.Error as exc:
            raise self._translate(exc) from exc

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        if not rows:
            return
        try:
            with self._conn.cursor() as cur:
                cur.executemany(_pg(sql), rows)
        except self._psycopg.Error as exc:
            raise self._translate(exc) from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._conn.transaction():
            yield

    @contextmanager
    def writer_lock(self, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
        deadline = time.monotonic() + timeout
        while not self.query("SELECT pg_try_advisory_lock(?)", (LOCK_KEY,))[0][0]:
            if time.monotonic() > deadline:
                raise IndexBusyError(
                    f"another indexer has held {self.location} for more than {timeout:.0f}s",
                    hint="wait for it to finish, then run aibom index again",
                )
            time.sleep(0.1)
        try:
            yield
        finally:
            if not self._conn.closed:
                self.query("SELECT pg_advisory_unlock(?)", (LOCK_KEY,))

    def reset(self) -> None:
        with self.transaction():
            for table in schema.TABLES:
                self.execute(f"DROP TABLE IF EXISTS {table}")

    def close(self) -> None:
        self._conn.close()

    def _translate(self, exc: Exception) -> Exception:
        errors = self._psycopg.errors
        if isinstance(exc, (errors.UndefinedTable, errors.UndefinedColumn)):
            return IndexCorruptError(self.location, _first_line(exc))
        if isinstance(exc, (errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction)):
            return IndexUnavailableError(
                f"the index at {self.location} refused this user: {_first_line(exc)}",
                hint="grant it rights on the aibom_* tables (and CREATE on the schema to "
                "index), or give --db another database",
            )
        if isinstance(exc, self._psycopg.OperationalError):
            return IndexUnavailableError(
                f"lost the index at {self.location}: {_first_line(exc)}",
                hint="check that the server is running, then try again",
            )
        return AibomError(f"the index at {self.location} failed: {_first_line(exc)}")


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
