"""The index schema and its SQLite backend: versions, damage, locks, errors."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from aibom.errors import ExitCode
from aibom.forensics import index as ix
from aibom.forensics.index import schema, writer
from aibom.forensics.index import sqlite as sqlite_backend
from aibom.forensics.index.base import IndexBusyError, IndexCorruptError, IndexUnavailableError
from aibom.forensics.index.sqlite import SqliteDatabase


def _db(tmp_path: Path) -> SqliteDatabase:
    return SqliteDatabase(str(tmp_path / "i.sqlite3"), create=True)


def test_a_new_database_gets_every_table_and_the_version(tmp_path: Path) -> None:
    db = _db(tmp_path)
    assert writer.stored_version(db) is None
    assert writer.prepare(db, rebuild=False) == ""
    assert writer.tables(db) == set(schema.TABLES)
    assert writer.stored_version(db) == schema.VERSION
    assert writer.prepare(db, rebuild=False) == ""  # idempotent
    db.close()


def test_every_statement_has_a_form_for_each_dialect() -> None:
    for statement in schema.CREATE:
        sqlite_form = statement.format(clustered="WITHOUT ROWID", commit_id="INTEGER")
        postgres_form = statement.format(clustered="", commit_id="BIGINT")
        assert "{" not in sqlite_form and "{" not in postgres_form
        assert "ROWID" not in postgres_form


def test_a_missing_table_is_damage_and_prepare_rebuilds(tmp_path: Path) -> None:
    db = _db(tmp_path)
    writer.prepare(db, rebuild=False)
    db.execute("DROP TABLE aibom_files")
    with pytest.raises(IndexCorruptError, match="aibom_files"):
        writer.stored_version(db)
    assert writer.prepare(db, rebuild=False).startswith("it was damaged")
    assert writer.tables(db) == set(schema.TABLES)
    db.close()


def test_another_version_is_rebuilt_and_refused_by_readers(tmp_path: Path) -> None:
    db = _db(tmp_path)
    writer.prepare(db, rebuild=False)
    db.execute("UPDATE aibom_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(IndexCorruptError, match="schema version 99") as caught:
        ix.IndexSource(db)
    assert caught.value.exit_code == ExitCode.USAGE
    assert "version 99" in writer.prepare(db, rebuild=False)
    assert writer.stored_version(db) == schema.VERSION
    db.close()


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "i.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00garbage" * 1000)  # a damaged index
    with pytest.raises(IndexCorruptError, match="not a database"):
        ix.open_source(str(path))
    db = SqliteDatabase(str(path), create=True)  # opened to be indexed: no error yet
    assert writer.prepare(db, rebuild=False).startswith("it was damaged")
    assert writer.stored_version(db) == schema.VERSION
    db.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_file_that_is_not_sqlite_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_text("# a project\n")
    for create in (True, False):
        with pytest.raises(IndexUnavailableError, match="not an SQLite file") as caught:
            SqliteDatabase(str(path), create=create)
        assert caught.value.exit_code == ExitCode.USAGE
    assert path.read_text() == "# a project\n"
    with pytest.raises(IndexUnavailableError, match="not an SQLite file"):
        SqliteDatabase("/dev/null", create=True)  # a device: never unlinked by a rebuild


def test_a_missing_index_is_not_created_by_readers(tmp_path: Path) -> None:
    path = tmp_path / "none.sqlite3"
    with pytest.raises(IndexUnavailableError, match="no index"):
        ix.open_source(str(path))
    assert not path.exists()
    empty = SqliteDatabase(str(tmp_path / "empty.sqlite3"), create=True)
    empty.close()
    with pytest.raises(IndexUnavailableError, match="no aibom index"):
        ix.open_source(str(tmp_path / "empty.sqlite3"))


def test_indexers_take_turns(tmp_path: Path) -> None:
    first, second = _db(tmp_path), _db(tmp_path)
    with first.writer_lock(), pytest.raises(IndexBusyError), second.writer_lock(timeout=0.2):
        pass
    with second.writer_lock(timeout=0.2):  # released: the other one gets it at once
        pass
    first.close()
    second.close()


def test_an_indexer_that_waited_for_a_rebuild_writes_to_the_new_file(tmp_path: Path) -> None:
    """B opened the index, then waited for A, which rebuilt it (deleted the file, made a new
    one): B's batches go to the new file, not to the deleted one B still had open."""
    waiting = _db(tmp_path)
    writer.prepare(waiting, rebuild=False)
    rebuilding = _db(tmp_path)
    with rebuilding.writer_lock():
        writer.prepare(rebuilding, rebuild=True)
    rebuilding.close()
    with waiting.writer_lock():
        writer.prepare(waiting, rebuild=False)
        waiting.execute("INSERT INTO aibom_meta (key, value) VALUES ('b', 'kept')")
    waiting.close()
    with sqlite3.connect(tmp_path / "i.sqlite3") as conn:
        assert conn.execute("SELECT value FROM aibom_meta WHERE key = 'b'").fetchall() == [
            ("kept",)
        ]


def test_a_failed_batch_is_rolled_back(tmp_path: Path) -> None:
    db = _db(tmp_path)
    writer.prepare(db, rebuild=False)
    with pytest.raises(KeyboardInterrupt), db.transaction():
        db.execute("INSERT INTO aibom_meta (key, value) VALUES ('x', 'y')")
        raise KeyboardInterrupt
    assert db.query("SELECT value FROM aibom_meta WHERE key = 'x'") == []
    db.close()


def test_rebuild_on_request(tmp_path: Path) -> None:
    db = _db(tmp_path)
    writer.prepare(db, rebuild=False)
    db.execute("INSERT INTO aibom_meta (key, value) VALUES ('x', 'y')")
    assert writer.prepare(db, rebuild=True) == "asked to rebuild"
    assert db.query("SELECT value FROM aibom_meta WHERE key = 'x'") == []
    db.close()


def test_a_read_only_index_is_a_usage_error(tmp_path: Path) -> None:
    """A file or mount this user may not write to is a place to change (exit 2), not an
    internal error (exit 3). (chmod does not stop root, so SQLite's own answer is used.)"""
    error = sqlite_backend._translate(
        "i.sqlite3", sqlite3.OperationalError("attempt to write a readonly database")
    )
    assert isinstance(error, IndexUnavailableError) and error.exit_code == ExitCode.USAGE
    assert error.hint and "writable" in error.hint


def test_an_index_in_a_folder_nobody_may_write_is_read(tmp_path: Path) -> None:
    """trace/stats/show --db of an index on a read-only folder or mount: SQLite cannot make
    the WAL's -shm file there, so the reader opens the file read-only (it failed, exit 2)."""
    import shutil
    import subprocess

    folder = tmp_path / "shared"
    folder.mkdir()
    db = SqliteDatabase(str(folder / "i.sqlite3"), create=True)
    writer.prepare(db, rebuild=False)
    db.close()
    assert sorted(p.name for p in folder.iterdir()) == ["i.sqlite3"]
    if os.geteuid() == 0:  # root writes through permissions: make the folder immutable
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(folder)]).returncode != 0:
            pytest.skip("running as root and the folder cannot be made immutable here")
    else:
        folder.chmod(0o555)
    try:
        with pytest.raises(OSError):
            (folder / "probe").touch()
        source = ix.open_source(str(folder / "i.sqlite3"))
        assert list(source.commits(None)) == []
        source.close()
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def test_postgres_urls_are_told_apart_from_paths() -> None:
    assert ix.is_postgres("postgresql://u@h/db") and ix.is_postgres("postgres://h/db")
    assert not ix.is_postgres("fleet.sqlite3") and not ix.is_postgres("/tmp/postgresql.db")


def test_an_unwritable_place_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(IndexUnavailableError, match="cannot create") as caught:
        SqliteDatabase(str(blocker / "sub" / "i.sqlite3"), create=True)
    assert caught.value.exit_code == ExitCode.USAGE
    with pytest.raises(IndexUnavailableError, match="cannot open"):
        SqliteDatabase(str(tmp_path), create=True)  # a directory
