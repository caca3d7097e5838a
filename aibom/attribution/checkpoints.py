"""The per-worktree checkpoint store: before/after states of the files agents edit (hook path).

Layout under ``<git-dir>/aibom/attribution/`` (per worktree, never shared):

- ``events.jsonl``: one event per line, appended with ``O_APPEND`` and framed by newlines on
  both sides, so a line a crashed writer left half-written never glues onto the next one
  (half lines are skipped on read).
- ``snapshots/<sha256>``: the file's content at that event, written once (temp file +
  rename) and checked against its digest when read, so at commit time the diffs human ->
  AI -> human -> committed blob can be replayed.

An event says who (agent, model, session), when (``seq``: nanoseconds), which phase (``pre``:
the state before the agent's edit, i.e. the person's; ``post``: the agent's result), which
file (work-tree relative) and its state: ``text`` with digest and line count, or ``binary``,
``missing`` (deleted / not yet created), ``symlink``, ``large`` (no content kept) - the last
four never give line credit. ``changed`` holds the 1-based ranges a post event changed.
Consuming (at commit) renames the log aside under a lock, so appends made meanwhile are
kept, and a lock or a set-aside log left by a crashed process is recovered.
"""

from __future__ import annotations

import os
import stat
import time

from aibom import _fastjson as json
from aibom._hash import sha256
from aibom._value import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any

STORE = "attribution"
EVENTS = "events.jsonl"
SNAPSHOTS = "snapshots"
LOCK = "consume.lock"
TAKEN_PREFIX = "events.taken."
MAX_FILE = 4 * 1024 * 1024  # larger files are recorded as "large": no content, no credit
KEEP_FOR = 7 * 24 * 3600.0  # events older than this are dropped (a session long abandoned)
LOCK_STALE = 30.0  # a consume lock older than this was left by a crashed process
TEXT_STATES = ("text",)
STATES = ("text", "binary", "missing", "symlink", "large")
PHASES = ("pre", "post")


def store_dir(state_dir: str) -> str:
    return os.path.join(state_dir, STORE)


class Event(Value):
    __slots__ = (
        "agent",
        "agent_version",
        "at",
        "changed",
        "digest",
        "known",
        "lines",
        "model",
        "path",
        "phase",
        "seq",
        "session",
        "state",
        "synthetic",
    )
    seq: int
    at: float
    agent: str
    agent_version: str | None
    model: str | None
    session: str | None
    phase: str
    path: str
    state: str
    digest: str | None
    lines: int
    changed: tuple[tuple[int, int], ...]
    known: bool
    synthetic: bool

    def __init__(
        self,
        seq: int,
        at: float,
        agent: str,
        phase: str,
        path: str,
        state: str,
        *,
        agent_version: str | None = None,
        model: str | None = None,
        session: str | None = None,
        digest: str | None = None,
        lines: int = 0,
        changed: Iterable[tuple[int, int]] = (),
        known: bool = True,
        synthetic: bool = False,
    ) -> None:
        if phase not in PHASES:
            raise ValueError(f"bad phase {phase!r}")
        if state not in STATES:
            raise ValueError(f"bad state {state!r}")
        self._set(
            seq=int(seq),
            at=float(at),
            agent=agent,
            agent_version=agent_version,
            model=model,
            session=session,
            phase=phase,
            path=path,
            state=state,
            digest=digest,
            lines=int(lines),
            changed=tuple((int(s), int(e)) for s, e in changed),
            known=bool(known),
            synthetic=bool(synthetic),
        )

    @property
    def has_text(self) -> bool:
        return self.state in TEXT_STATES and self.digest is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "v": 1,
            "seq": self.seq,
            "at": self.at,
            "agent": self.agent,
            "agent_version": self.agent_version,
            "model": self.model,
            "session": self.session,
            "phase": self.phase,
            "path": self.path,
            "state": self.state,
            "digest": self.digest,
            "lines": self.lines,
            "changed": [list(r) for r in self.changed],
            "known": self.known,
            "synthetic": self.synthetic,
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Event:
        return Event(
            seq=data["seq"],
            at=data["at"],
            agent=str(data["agent"]),
            phase=str(data["phase"]),
            path=str(data["path"]),
            state=str(data["state"]),
            agent_version=_opt(data.get("agent_version")),
            model=_opt(data.get("model")),
            session=_opt(data.get("session")),
            digest=_opt(data.get("digest")),
            lines=data.get("lines") or 0,
            changed=[(r[0], r[1]) for r in data.get("changed") or ()],
            known=bool(data.get("known", True)),
            synthetic=bool(data.get("synthetic", False)),
        )


def _opt(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# -- snapshots -------------------------------------------------------------------------------
def write_snapshot(store: str, data: bytes) -> str:
    """Keep ``data`` under its sha256; returns the hex digest (written once).

    Stored as is: compressing costs more time on the agent's hook than the disk it saves
    (snapshots live until the commit that uses them).
    """
    digest = sha256(data).hexdigest()
    folder = os.path.join(store, SNAPSHOTS)
    path = os.path.join(folder, digest)
    if os.path.exists(path):
        return digest
    os.makedirs(folder, exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return digest


def read_snapshot(store: str, digest: str) -> bytes | None:
    """The content kept under ``digest``; None when missing or corrupt (never trusted blind)."""
    if not digest or "/" in digest or digest.startswith("."):
        return None
    try:
        with open(os.path.join(store, SNAPSHOTS, digest), "rb") as fh:
            data = fh.read(MAX_FILE + 1)
    except OSError:
        return None
    return data if sha256(data).hexdigest() == digest else None


class FileState(Value):
    __slots__ = ("data", "digest", "lines", "state")
    state: str
    digest: str | None
    lines: int
    data: bytes | None

    def __init__(
        self, state: str, digest: str | None = None, lines: int = 0, data: bytes | None = None
    ) -> None:
        self._set(state=state, digest=digest, lines=lines, data=data)


def read_state(path: str) -> FileState:
    """The state of a work-tree file; content only for regular, small, non-binary files."""
    from aibom.attribution.linediff import is_binary

    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            return FileState("symlink")
        if not stat.S_ISREG(mode):  # a directory, a FIFO (opening it would block), a device
            return FileState("missing")
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE + 1)
    except FileNotFoundError:
        return FileState("missing")
    except OSError:  # no permission, ...
        return FileState("missing")
    if len(data) > MAX_FILE:
        return FileState("large")
    if is_binary(data):
        return FileState("binary")
    lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return FileState("text", None, lines, data)


# -- the event log ---------------------------------------------------------------------------
def append(store: str, events: Sequence[Event]) -> None:
    """Append events under a shared lock on the log, into the file the log's name holds.

    A consumer renames the log aside and holds an exclusive lock on it while it reads; a
    writer that opened the log before the rename finds, once it has its lock, that the name
    now holds another file, and writes there instead: no event lands in a log already read.
    """
    if not events:
        return
    os.makedirs(store, exist_ok=True)
    payload = "".join("\n" + json.dumps(e.to_json()) + "\n" for e in events).encode("utf-8")
    append_locked(os.path.join(store, EVENTS), payload)


def append_locked(path: str, payload: bytes) -> None:
    """Append ``payload`` to the file ``path`` names now (see :func:`append`)."""
    for _ in range(20):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            _lock(fd, shared=True)
            if _same_file(fd, path):
                os.write(fd, payload)
                return
        finally:
            os.close(fd)
    raise OSError(f"{path} keeps being replaced")


def take_locked(path: str, aside: str) -> bytes | None:
    """Rename ``path`` to ``aside`` and read it once no writer holds it; None if absent.

    The caller unlinks ``aside`` when done with the bytes.
    """
    try:
        os.replace(path, aside)
    except OSError:
        return None
    fd = os.open(aside, os.O_RDONLY)
    try:
        _lock(fd, shared=False)
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _lock(fd: int, *, shared: bool) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: the rename alone must do
        return
    fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)


def _same_file(fd: int, path: str) -> bool:
    try:
        named = os.stat(path)
    except OSError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino)


def _parse(raw: bytes) -> list[Event]:
    found: list[Event] = []
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            data = json.loads(line.decode("utf-8", "surrogateescape"))
            found.append(Event.from_json(data))
        except (
            ValueError,
            SystemError,
            RecursionError,
            KeyError,
            TypeError,
            AttributeError,
            IndexError,
        ):
            continue  # a half-written line, or a line of a future format
    return found


def _log_files(store: str) -> list[str]:
    try:
        names = os.listdir(store)
    except OSError:
        return []
    files = [os.path.join(store, n) for n in names if n.startswith(TAKEN_PREFIX)]
    files.append(os.path.join(store, EVENTS))
    return files


def load(store: str, now: float | None = None) -> list[Event]:
    """All live events, oldest first (set-aside logs of a crashed consumer included)."""
    limit = (time.time() if now is None else now) - KEEP_FOR
    events: list[Event] = []
    for path in _log_files(store):
        try:
            with open(path, "rb") as fh:
                events.extend(_parse(fh.read()))
        except OSError:
            continue
    unique = {(e.seq, e.path, e.phase, e.digest): e for e in events if e.at >= limit}
    return sorted(unique.values(), key=lambda e: e.seq)


def has_events(state_dir: str) -> bool:
    """Cheap check (no read) used by post-commit before anything else."""
    store = store_dir(state_dir)
    return any(os.path.exists(p) for p in _log_files(store))


def last_for(events: Sequence[Event], path: str) -> Event | None:
    for event in reversed(events):
        if event.path == path:
            return event
    return None


# -- consuming -------------------------------------------------------------------------------
def _take_lock(store: str) -> bool:
    path = os.path.join(store, LOCK)
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if not _stale(path):
                return False
            try:
                os.unlink(path)
            except OSError:
                return False
            continue
        except OSError:
            return False
        os.write(fd, f"{os.getpid()} {time.time()}\n".encode())
        os.close(fd)
        return True
    return False


def _stale(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            pid_text, _, at_text = fh.read(100).decode("ascii", "replace").partition(" ")
        pid, at = int(pid_text), float(at_text)
    except (OSError, ValueError):
        return True  # unreadable or half-written: its writer died
    if time.time() - at > LOCK_STALE:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def consume(store: str, paths: Iterable[str], now: float | None = None) -> int:
    """Drop the events of ``paths`` (and stale ones); returns how many were dropped.

    The log is renamed aside first, so events appended meanwhile land in a fresh log and are
    kept. Without the lock (another process is consuming) nothing is dropped: events left
    behind only make a later replay start from a newer base, never give wrong credit.
    """
    drop = set(paths)
    if not os.path.isdir(store) or not _take_lock(store):
        return 0
    try:
        taken = os.path.join(store, f"{TAKEN_PREFIX}{os.getpid()}")
        try:
            os.replace(os.path.join(store, EVENTS), taken)
        except FileNotFoundError:
            pass
        limit = (time.time() if now is None else now) - KEEP_FOR
        aside = [p for p in _log_files(store) if os.path.basename(p) != EVENTS]
        events: dict[tuple[int, str, str, str | None], Event] = {}
        held: list[int] = []  # exclusive locks: writers still holding the old log finish first
        try:
            for path in aside:
                try:
                    fd = os.open(path, os.O_RDONLY)
                except OSError:
                    continue
                held.append(fd)
                _lock(fd, shared=False)
                with os.fdopen(os.dup(fd), "rb") as fh:
                    for e in _parse(fh.read()):
                        events[(e.seq, e.path, e.phase, e.digest)] = e
            kept = sorted(
                (e for e in events.values() if e.path not in drop and e.at >= limit),
                key=lambda e: e.seq,
            )
            append(store, kept)
            for path in aside:
                try:
                    os.unlink(path)
                except OSError:
                    pass
        finally:
            for fd in held:
                os.close(fd)
        _prune_snapshots(store)
        return len(events) - len(kept)
    finally:
        try:
            os.unlink(os.path.join(store, LOCK))
        except OSError:
            pass


def _prune_snapshots(store: str) -> None:
    """Remove snapshots no live event names any more."""
    wanted = {e.digest for e in load(store) if e.digest}
    folder = os.path.join(store, SNAPSHOTS)
    try:
        names = os.listdir(folder)
    except OSError:
        return
    young = time.time() - LOCK_STALE  # a checkpoint may be writing its event right now
    for name in names:
        path = os.path.join(folder, name)
        try:
            if name not in wanted and os.stat(path).st_mtime < young:
                os.unlink(path)
        except OSError:
            pass
