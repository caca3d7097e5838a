"""The history a BOM covers, read by two ``git log`` processes at once (commits, trailers and
notes, parsed as they arrive; and the paths each commit touched): each commit's attribution
(the same rules as :mod:`aibom.forensics.facts`), its ``Reviewed-by`` trailers, the records of
its note and the paths it touched.

Note lines are parsed as JSON but not schema-validated (they were on write, and a release of
100,000 commits carries tens of thousands of notes); a line that is not a usable record is
skipped and counted. The raw note text is digested so an edited note is detected later.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aibom.attribution.chains import ancestry_argv, parse_ancestry
from aibom.forensics.facts import Attribution, attribute
from aibom.gitutil import NOTES_REF, Repo, log_mark
from aibom.provenance.trailers import parse_kv_lines

_START_FORMAT, _START = log_mark("C")  # no message or note can spell these (log_mark)
_END_FORMAT, _END = log_mark("E")
_FIELD_FORMAT, _FIELD = log_mark("F")
_FORMAT = (
    _START_FORMAT
    + _FIELD_FORMAT.join(
        ["%H", "%P", "%an", "%ae", "%at", "%ct", "%s", "%(trailers:unfold,only)", "%N"]
    )
    + _END_FORMAT
)
_KINDS = ("generation", "dependency", "attribution", "rewrite")
LOG_TIMEOUT = 3600.0
_AI = frozenset(("ai-assisted", "ai-generated"))


@dataclass(frozen=True)
class Review:
    reviewer: str  # "Name <email>" as written
    name: str
    email: str


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored: int
    committed: int
    subject: str
    attribution: Attribution
    reviews: tuple[Review, ...]
    records: tuple[Mapping[str, Any], ...]  # usable note records (generation, dependency, ...)
    note_digest: str | None  # sha256 of the raw note text; None without a note
    paths: tuple[str, ...]
    added: tuple[str, ...] = ()  # paths the commit created (status A)
    deletes: bool = False  # the commit deleted a path (a rename, without rename detection)
    skipped_lines: int = 0

    @property
    def is_ai(self) -> bool:
        return self.attribution.origin in _AI

    def of_kind(self, kind: str) -> tuple[Mapping[str, Any], ...]:
        return tuple(r for r in self.records if r.get("kind") == kind)


@dataclass(frozen=True)
class History:
    revs: tuple[str, ...]  # the resolved git log arguments
    commits: tuple[Commit, ...]  # newest first
    shallow: bool

    def by_sha(self) -> dict[str, Commit]:
        return {c.sha: c for c in self.commits}


def log_argv(revs: Sequence[str]) -> list[str]:
    """The whole pass as one ``git log`` (commits, trailers, notes and paths): the floor the
    benchmark compares a build with. The build itself runs it as two processes (see
    ``read_history``)."""
    return [*_commits_argv(revs)[:-1], "--name-status", "--no-renames", "-z", "--"]


def _commits_argv(revs: Sequence[str]) -> list[str]:
    return [
        "-c",
        "log.showSignature=false",
        "-c",
        "core.quotePath=false",
        "log",
        "--encoding=UTF-8",
        f"--notes={NOTES_REF}",
        f"--format={_FORMAT}",
        *revs,
        "--",
    ]


def _changes_argv(revs: Sequence[str]) -> list[str]:
    return ancestry_argv(revs)


def log_bytes(repo: Repo, revs: Sequence[str]) -> bytes:
    """The raw ``git log`` output of commits, trailers and notes for ``revs`` (no paths)."""
    return repo.git(_commits_argv(revs), timeout=LOG_TIMEOUT).stdout


def changes_bytes(repo: Repo, revs: Sequence[str]) -> bytes:
    """The raw ``git log --name-status`` output for ``revs`` (see ``parse_changes``)."""
    return repo.git(_changes_argv(revs), timeout=LOG_TIMEOUT).stdout


Changes = tuple[tuple[str, ...], tuple[str, ...], bool]  # paths, paths added, a path deleted
_NO_CHANGES: Changes = ((), (), False)


class Pending:
    """A ``git log --name-status`` running in a thread while the caller reads the commits:
    the second core tree-diffs 100,000 commits while the first parses notes."""

    def __init__(self, repo: Repo, revs: Sequence[str]) -> None:
        import threading

        self._data: bytes | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(repo, tuple(revs)), daemon=True)
        self._thread.start()

    def _run(self, repo: Repo, revs: tuple[str, ...]) -> None:
        try:
            self._data = changes_bytes(repo, revs)
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def result(self) -> bytes:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._data or b""


def read_history(repo: Repo, revs: Sequence[str], *, shallow: bool) -> History:
    pending = Pending(repo, revs)
    heads = parse_heads(log_bytes(repo, revs))
    return History(tuple(revs), tuple(join(heads, parse_changes(pending.result()))), shallow)


def parse_log(data: bytes, changes: bytes) -> Iterator[Commit]:
    """Commits from the two raw outputs (``log_bytes`` and ``changes_bytes``)."""
    return join(parse_heads(data), parse_changes(changes))


def parse_heads(data: bytes) -> list[dict[str, Any]]:
    """Each commit of ``log_bytes`` output: everything of a ``Commit`` but its paths."""
    heads: list[dict[str, Any]] = []
    _parse_into(data.decode("utf-8", "surrogateescape"), heads)
    return heads


_START_BYTES = _START.encode()
_READ_SIZE = 1 << 20


def stream_heads(
    repo: Repo, revs: Sequence[str], parsing: list[float] | None = None
) -> list[dict[str, Any]]:
    """``parse_heads(log_bytes(repo, revs))``, parsed while git still writes: a thread drains
    the pipe (git never waits for the parser) and whole commits are parsed as they arrive.
    The seconds spent parsing (the rest is waiting for git) are appended to ``parsing``."""
    import queue
    import subprocess
    import threading
    import time

    from aibom.errors import GitError
    from aibom.gitutil import _git_env, kill_after

    argv = ["git", "-C", repo.cwd, *_commits_argv(revs)]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_git_env(), bufsize=0
    )
    assert proc.stdout is not None and proc.stderr is not None
    chunks: queue.SimpleQueue[bytes] = queue.SimpleQueue()
    errors: list[bytes] = []
    out, err = proc.stdout, proc.stderr

    def drain() -> None:
        while block := os.read(out.fileno(), _READ_SIZE):
            chunks.put(block)
        chunks.put(b"")

    threads = [threading.Thread(target=drain, daemon=True)]
    threads.append(threading.Thread(target=lambda: errors.append(err.read()), daemon=True))
    for thread in threads:
        thread.start()
    watchdog = kill_after(proc, LOG_TIMEOUT)
    heads: list[dict[str, Any]] = []
    spent = 0.0
    try:
        pending = b""
        while block := chunks.get():
            start = time.perf_counter()
            pending += block
            cut = pending.rfind(_START_BYTES)
            if cut > 0:
                _parse_into(pending[:cut].decode("utf-8", "surrogateescape"), heads)
                pending = pending[cut:]
            spent += time.perf_counter() - start
        start = time.perf_counter()
        _parse_into(pending.decode("utf-8", "surrogateescape"), heads)
        spent += time.perf_counter() - start
        code = proc.wait()
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for thread in threads:
            thread.join()
        out.close()
        err.close()
    if code != 0:
        message = b"".join(errors).decode("utf-8", "replace") or f"killed ({code})"
        raise GitError(argv, code, message)
    if parsing is not None:
        parsing.append(spent)
    return heads


def _parse_into(text: str, heads: list[dict[str, Any]]) -> None:
    for chunk in text.split(_START)[1:]:
        fields = chunk.partition(_END)[0].split(_FIELD)
        if len(fields) != 9:
            continue
        sha, parents, name, email, authored, committed, subject, trailer_text, note = fields
        attribution, skipped = attribute(trailer_text, note)
        records, bad = _records(note)
        heads.append(
            {
                "sha": sha,
                "parents": tuple(parents.split()),
                "author_name": name,
                "author_email": email,
                "authored": _int(authored),
                "committed": _int(committed),
                "subject": subject,
                "attribution": attribution,
                "reviews": _reviews(trailer_text),
                "records": records,
                "note_digest": _note_digest(note),
                "skipped_lines": max(skipped, bad),
            }
        )


def join(heads: Sequence[Mapping[str, Any]], changes: Mapping[str, Changes]) -> Iterator[Commit]:
    """``parse_heads`` output with each commit's paths from ``parse_changes``."""
    for head in heads:
        paths, added, deletes = changes.get(head["sha"], _NO_CHANGES)
        yield Commit(**head, paths=paths, added=added, deletes=deletes)


def parse_changes(data: bytes) -> dict[str, Changes]:
    """``changes_bytes`` output -> each commit's (paths, paths added, whether it deleted)."""
    return {a.sha: (a.paths, a.added, a.deletes) for a in parse_ancestry(data)}


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _note_digest(note: str) -> str | None:
    body = note.strip("\n")
    if not body:
        return None
    return hashlib.sha256(body.encode("utf-8", "surrogateescape")).hexdigest()


def _records(note: str) -> tuple[tuple[Mapping[str, Any], ...], int]:
    found: list[Mapping[str, Any]] = []
    bad = 0
    for line in note.split("\n"):
        line = line.strip()
        if not line:
            continue
        if not _wanted(line):
            continue
        try:
            data = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if isinstance(data, dict) and data.get("kind") in _KINDS:
            found.append(data)
        else:
            bad += 1
    return tuple(found), bad


def _wanted(line: str) -> bool:
    """Whether the BOM reads this note line: dependency records, and generation records that
    carry parameters or digests (the rest of a generation record is already in the commit's
    attribution). Records are canonical JSON, so the keys appear as written here."""
    if '"kind":"dependency"' in line:
        return True
    return '"kind":"generation"' in line and any(key in line for key in _DETAIL_KEYS)


_DETAIL_KEYS = ('"parameters":', '"prompt":', '"system_prompt":', '"context":', '"agent_config":')


def _reviews(trailer_text: str) -> tuple[Review, ...]:
    if "reviewed-by" not in trailer_text.lower():
        return ()
    reviews = []
    for trailer in parse_kv_lines(trailer_text):
        if trailer.key.lower() != "reviewed-by" or not trailer.value.strip():
            continue
        value = trailer.value.strip()
        name, _, rest = value.partition("<")
        email = rest.partition(">")[0].strip() if rest else ""
        reviews.append(Review(value, name.strip() or value, email))
    return tuple(reviews)


def shallow_boundary(repo: Repo) -> frozenset[str]:
    """The commits a shallow clone has without their parents (``$GIT_COMMON_DIR/shallow``)."""
    try:
        with open(os.path.join(repo.common_dir, "shallow"), encoding="ascii") as handle:
            return frozenset(line.strip() for line in handle if line.strip())
    except (OSError, UnicodeDecodeError):
        return frozenset()


def records_digest(history: History) -> tuple[str, int]:
    """One digest over the note text of every commit in the history, and how many notes."""
    lines = sorted(f"{c.sha} {c.note_digest}" for c in history.commits if c.note_digest)
    body = "\n".join(lines).encode()
    return "sha256:" + hashlib.sha256(body).hexdigest(), len(lines)
