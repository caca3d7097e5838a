"""The index in an SQLite file (the default: ``<git-common-dir>/aibom/index.sqlite3``).

WAL journal (readers never wait for the indexer), a busy timeout, one ``BEGIN IMMEDIATE``
transaction per batch, and a lock file next to the database so indexers take turns.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import stat
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO

from aibom.errors import AibomError
from aibom.forensics.index.base import (
    LOCK_TIMEOUT,
    Database,
    IndexBusyError,
    IndexCorruptError,
    IndexUnavailableError,
    Row,
)

BUSY_TIMEOUT = 30.0
_HEADER = b"SQLite format 3\x00"  # the first bytes of every SQLite database file


class SqliteDatabase(Database):
    kind = "sqlite"
    clustered = "WITHOUT ROWID"
    commit_id = "INTEGER"  # INTEGER PRIMARY KEY is the row id: one B-tree, not two
    _file: tuple[int, int] | None  # (device, inode) of the file the connection opened

    def __init__(self, path: str, *, create: bool) -> None:
        self.location = path
        self._create = create
        if not create and not os.path.isfile(path):
            raise IndexUnavailableError(
                f"there is no index at {path}",
                hint="build one first: aibom index --db " + path,
            )
        _check_sqlite_file(path)
        if create:
            try:
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            except OSError as exc:
                raise IndexUnavailableError(
                    f"cannot create the index at {path}: {exc.strerror}",
                    hint="give a writable place with --db PATH",
                ) from exc
        self._conn = self._connect()

    def _connect(self) -> sqlite3.Connection:
        self._file = _file_id(self.location)  # before opening: a swap after it is caught later
        mode = "rwc" if self._create else "rw"
        uri = "file:" + _quote(os.path.abspath(self.location)) + f"?mode={mode}"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
        except sqlite3.DatabaseError as exc:
            raise _translate(self.location, exc) from exc
        except OSError as exc:  # pragma: no cover - sqlite reports most of these itself
            raise IndexUnavailableError(f"cannot open {self.location}: {exc}") from exc
        try:
            _set_up(conn)
        except sqlite3.DatabaseError as exc:
            error = _translate(self.location, exc)
            if not self._create and isinstance(error, IndexUnavailableError):
                conn.close()
                return self._read_only(error)
            if not (self._create and isinstance(error, IndexCorruptError)):
                conn.close()
                raise error from exc
            # a damaged file opened to be indexed: the writer finds out and rebuilds it
        return conn

    def _read_only(self, error: Exception) -> sqlite3.Connection:
        """A reader of an index in a folder it may not write to (WAL needs its -shm file
        there): read-only, else the file as it is, without WAL or locks; else ``error``."""
        base = "file:" + _quote(os.path.abspath(self.location))
        for mode in ("?mode=ro", "?mode=ro&immutable=1"):
            try:
                conn = sqlite3.connect(base + mode, uri=True, isolation_level=None)
            except sqlite3.DatabaseError:
                continue
            try:
                conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
                return conn
            except sqlite3.DatabaseError:
                conn.close()
        raise error

    def query(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        try:
            return list(self._conn.execute(sql, tuple(params)).fetchall())
        except sqlite3.DatabaseError as exc:
            raise _translate(self.location, exc) from exc

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        try:
            self._conn.execute(sql, tuple(params))
        except sqlite3.DatabaseError as exc:
            raise _translate(self.location, exc) from exc

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.DatabaseError as exc:
            raise _translate(self.location, exc) from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self._conn.in_transaction:
                self._conn.rollback()
            raise
        self.execute("COMMIT")

    @contextmanager
    def writer_lock(self, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
        with open(self.location + ".lock", "a+b") as handle:
            _flock(handle, timeout, self.location)
            try:
                if _file_id(self.location) != self._file:
                    # the indexer we waited for rebuilt the index (a new file): write to
                    # that one, not to the deleted file this connection still has open
                    self._conn.close()
                    self._conn = self._connect()
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def reset(self) -> None:
        """Delete the file (a damaged file cannot be repaired in place) and start afresh."""
        self._conn.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(self.location + suffix)
            except FileNotFoundError:
                pass
        self._create = True
        self._conn = self._connect()

    def close(self) -> None:
        self._conn.close()


def _file_id(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _check_sqlite_file(path: str) -> None:
    """``path`` is absent, empty or an SQLite file: anything else (--db naming a source file
    or a device by mistake) is refused, never taken for a damaged index and replaced."""
    try:
        info = os.stat(path)
        head = b""
        if stat.S_ISREG(info.st_mode) and info.st_size:
            with open(path, "rb") as fh:
                head = fh.read(len(_HEADER))
    except (FileNotFoundError, NotADirectoryError):
        return  # a new index (a parent that is not a folder is reported on creation)
    except OSError as exc:
        raise IndexUnavailableError(
            f"cannot open the index at {path}: {exc.strerror}",
            hint="give a readable place with --db PATH",
        ) from exc
    if stat.S_ISDIR(info.st_mode):
        raise IndexUnavailableError(
            f"cannot open the index at {path}: it is a folder",
            hint="give --db the path of a file, e.g. " + os.path.join(path, "index.sqlite3"),
        )
    if not stat.S_ISREG(info.st_mode) or (head and head != _HEADER):
        raise IndexUnavailableError(
            f"{path} is not an SQLite file: aibom will not use or replace it as an index",
            hint="give --db an aibom index or a new file (a damaged index: delete it first)",
        )


def _set_up(conn: sqlite3.Connection) -> None:
    """WAL and the connection's settings. Two processes opening a new file at once may both
    try to switch it to WAL; SQLite then answers "locked" at once, without waiting for the
    busy timeout, so that case is retried here until the timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-65536")


def _flock(handle: IO[bytes], timeout: float, location: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise IndexBusyError(
                    f"another indexer has held {location} for more than {timeout:.0f}s",
                    hint="wait for it to finish, then run aibom index again",
                ) from None
            time.sleep(0.05)


def _translate(location: str, exc: sqlite3.DatabaseError) -> Exception:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return IndexBusyError(
            f"the index at {location} stayed locked for {BUSY_TIMEOUT:.0f}s: {text}",
            hint="another indexer is writing; try again when it is done",
        )
    if "readonly" in text:  # a file, folder or mount this user may not write to
        return IndexUnavailableError(
            f"the index at {location} cannot be written: {text}",
            hint="give a writable place with --db PATH",
        )
    if "syntax error" in text or "disk is full" in text:
        return AibomError(f"the index at {location} cannot be written: {text}")
    if "unable to open" in text:
        return IndexUnavailableError(
            f"cannot open the index at {location}: {text}",
            hint="give a writable place with --db PATH",
        )
    return IndexCorruptError(location, text)


def _quote(path: str) -> str:
    return path.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
