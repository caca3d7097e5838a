"""A throwaway PostgreSQL server on loopback for tests: ``initdb`` + ``pg_ctl`` in a temp dir.

PostgreSQL refuses to run as root; as root the server runs as ``nobody`` (``runuser``).
:func:`start` raises :class:`PostgresUnavailable` with the reason when no server can be
started (no binaries, no way to drop root): tests skip loudly with that reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 60.0
USER = "aibom"


class PostgresUnavailable(Exception):
    """No PostgreSQL server can be started here; the message says why."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    data_dir: Path

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)


def find_bin() -> Path | None:
    """The directory of ``initdb`` and ``pg_ctl``: PATH first, then Debian's layout."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return Path(candidate)
    return None


@contextmanager
def start() -> Iterator[PostgresServer]:
    """Start a server, yield it, stop it and remove its files."""
    bindir = find_bin()
    if bindir is None:
        raise PostgresUnavailable("no initdb/pg_ctl (install the postgresql package)")
    prefix = _drop_root()
    root = Path(tempfile.mkdtemp(prefix="aibom-pg-"))
    data = root / "data"
    if prefix:
        info = pwd.getpwnam(prefix[2])
        os.chown(root, info.pw_uid, info.pw_gid)
    port = _free_port()
    try:
        _run(
            [
                *prefix,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                USER,
                "--no-sync",
                "-E",
                "UTF8",
            ]
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
        _run(
            [
                *prefix,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-t",
                str(int(START_TIMEOUT)),
                "-l",
                str(root / "log"),
                "start",
            ]
        )
        try:
            yield PostgresServer("127.0.0.1", port, USER, data)
        finally:
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=START_TIMEOUT,
                check=False,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _drop_root() -> list[str]:
    """The command prefix that runs the server as an unprivileged user (none when not root)."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailable("running as root and runuser is missing")
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        raise PostgresUnavailable("running as root and there is no user 'nobody'") from None
    return [runuser, "-u", "nobody", "--"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(argv: list[str]) -> None:
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=START_TIMEOUT * 2, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PostgresUnavailable(f"{Path(argv[0]).name} failed: {exc}") from exc
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise PostgresUnavailable(f"{' '.join(argv[-2:])} failed: {' / '.join(tail)}")
