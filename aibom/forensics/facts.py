"""Commit facts for forensics, read in bulk: one ``git log`` pass that carries each commit's
message and its aibom note (and, when asked, its changed files).

Attribution per commit, strongest first: aibom generation records written by the hooks,
records inferred by backfill, then ``AI-*`` trailers; the model ids, agents and sessions of
the commit's ``attribution`` records (observed, carried by a rewrite, or imported from
git-ai notes and Agent Trace records) are always part of it, and give it its origin when
nothing else does. Records are not schema-validated here (they were on write; forensics
reads tens of thousands): a line that is not a usable record is skipped and counted.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

from aibom._fastjson import loads as json_loads
from aibom._value import Value
from aibom.attribution.gitpath import unquote
from aibom.errors import GitError, UsageError
from aibom.gitutil import NOTES_REF, Repo, _git_env, kill_after, log_mark
from aibom.provenance import trailers as tr
from aibom.provenance.modelid import normalize_model
from aibom.provenance.trailers import parse_kv_lines
from aibom.provenance.types import Origin, combine_origins

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    import threading
    from typing import Any

UNKNOWN = "unknown"
SCAN_TIMEOUT = 3600.0  # seconds for one git log over the whole history
_BLOCK = 1 << 20
_BATCH = 256  # commits handed to diff-tree at a time
_KINDS = ("generation", "rewrite", "dependency", "attribution")
ENTRY_FORMAT, ENTRY_MARK = log_mark("C")  # what starts each log entry (gitutil.log_mark)
_FIELD_FORMAT, _FIELD = log_mark("F")  # between its fields (names and messages hold any bytes)
_SEP_BYTES = ENTRY_MARK.encode()
_FORMAT = ENTRY_FORMAT + _FIELD_FORMAT.join(["%H", "%P", "%an", "%ae", "%ct", "%B", "%N"])


class Attribution(Value):
    """One source's claim about a commit. ``models``: normalised ``provider/model`` ids."""

    __slots__ = ("agent", "models", "origin", "sessions", "source")
    origin: str  # human | ai-assisted | ai-generated | unknown
    models: tuple[str, ...]
    agent: str | None  # name or name/version
    sessions: tuple[str, ...]
    source: str  # record | inferred-record | trailer | git-ai | agent-trace

    def __init__(
        self,
        origin: str,
        models: tuple[str, ...] = (),
        agent: str | None = None,
        sessions: tuple[str, ...] = (),
        source: str = "record",
    ) -> None:
        setter = object.__setattr__
        setter(self, "origin", origin)
        setter(self, "models", models)
        setter(self, "agent", agent)
        setter(self, "sessions", sessions)
        setter(self, "source", source)


class FileChange(Value):
    """A file a commit changed; ``counted`` False when the source gave the path without
    line counts (``added``/``deleted`` are then 0 and mean nothing)."""

    __slots__ = ("added", "counted", "deleted", "path")
    path: str
    added: int
    deleted: int
    counted: bool

    def __init__(self, path: str, added: int, deleted: int, counted: bool = True) -> None:
        setter = object.__setattr__
        setter(self, "path", path)
        setter(self, "added", added)
        setter(self, "deleted", deleted)
        setter(self, "counted", counted)


class CommitFacts(Value):
    __slots__ = (
        "attribution",
        "author_email",
        "author_name",
        "committed",
        "files",
        "parents",
        "repository",
        "sha",
        "skipped_lines",
        "subject",
    )
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    committed: int  # committer time, seconds since the epoch
    subject: str
    attribution: Attribution
    files: tuple[FileChange, ...]
    skipped_lines: int  # note lines that were not usable records
    repository: str  # which repository (set by sources that span several)

    def __init__(
        self,
        sha: str,
        parents: tuple[str, ...],
        author_name: str,
        author_email: str,
        committed: int,
        subject: str,
        attribution: Attribution,
        files: tuple[FileChange, ...] = (),
        skipped_lines: int = 0,
        repository: str = "",
    ) -> None:
        setter = object.__setattr__
        setter(self, "sha", sha)
        setter(self, "parents", parents)
        setter(self, "author_name", author_name)
        setter(self, "author_email", author_email)
        setter(self, "committed", committed)
        setter(self, "subject", subject)
        setter(self, "attribution", attribution)
        setter(self, "files", files)
        setter(self, "skipped_lines", skipped_lines)
        setter(self, "repository", repository)

    @property
    def origin(self) -> str:
        return self.attribution.origin

    @property
    def is_ai(self) -> bool:
        return self.attribution.origin in ("ai-assisted", "ai-generated")


def scan(
    repo: Repo,
    revs: Sequence[str] = ("HEAD",),
    *,
    with_files: bool = False,
    wanted: Callable[[str], bool] | None = None,
    repository: str = "",
) -> Iterator[CommitFacts]:
    """The commits ``revs`` select (git log arguments), newest first, with their attribution.

    ``wanted(raw)`` may reject a commit from its raw text before anything is parsed (a fast
    pre-filter for trace queries): ``raw`` holds its message and note (and, around them,
    the other fields of the log line, so a pre-filter may only ever say yes too often). A
    :class:`Prefilter` with :meth:`~Prefilter.grep` patterns has git select the candidates
    (and, with ``with_files``, list only their paths, without line counts).
    """
    argv = [
        "-c",
        "log.showSignature=false",
        "-c",
        "core.quotePath=false",
        "log",
        "--encoding=UTF-8",
        f"--notes={NOTES_REF}",
        f"--format={_FORMAT}",
    ]
    grep = wanted.grep() if isinstance(wanted, Prefilter) else None
    if grep is not None:  # git itself picks the candidates (and diffs only those)
        yield from _grep_scan(repo, argv, revs, grep, with_files, repository)
        return
    if wanted is not None and with_files:  # few commits wanted: diff only those
        yield from _with_names(repo, [*argv, *revs, "--"], repository, wanted)
        return
    if with_files:
        argv += ["--numstat", "--no-renames"]
    for block in stream_log(repo, [*argv, *revs, "--"]):
        for chunk in _chunks(block, wanted):
            facts = _facts(chunk, with_files, _per_commit(wanted), repository)
            if facts is not None:
                yield facts


_ENGINES = ("--perl-regexp", "--extended-regexp")  # PCRE is faster; not every git has it


class GitGrep(Value):
    """``git log --grep`` patterns (POSIX ERE, which PCRE reads the same) that together match
    the message or note of every commit a query can match: with ``--notes``, git greps the
    notes too, so git drops all other commits before formatting or diffing them."""

    __slots__ = ("ignore_case", "patterns")
    patterns: tuple[str, ...]
    ignore_case: bool

    def __init__(self, patterns: tuple[str, ...], ignore_case: bool = True) -> None:
        setter = object.__setattr__
        setter(self, "patterns", patterns)
        setter(self, "ignore_case", ignore_case)


def _grep_scan(
    repo: Repo,
    argv: Sequence[str],
    revs: Sequence[str],
    grep: GitGrep,
    with_files: bool,
    repository: str,
) -> Iterator[CommitFacts]:
    flags = ["-i"] if grep.ignore_case else []
    joined = "|".join(f"({p})" for p in grep.patterns)  # one pattern: one regex pass per line
    patterns = [f"--grep={joined}"]
    for engine in _ENGINES:
        yielded = False
        try:
            args = [*argv, engine, *flags, *patterns, *revs, "--"]
            if with_files:  # the paths from a second git working beside the log
                yield from _with_names(repo, args, repository)
                return
            for block in stream_log(repo, args):
                for chunk in _chunks(block, None):
                    facts = _facts(chunk, False, None, repository)
                    if facts is not None:
                        yielded = True
                        yield facts
            return
        except GitError as exc:
            if yielded or engine != _ENGINES[0] or "perl" not in exc.stderr.lower():
                raise
            # git built without PCRE: the same patterns as POSIX extended regexps


def _with_names(
    repo: Repo,
    argv: Sequence[str],
    repository: str,
    wanted: Callable[[str], bool] | None = None,
) -> list[CommitFacts]:
    """The (wanted) commits of the log ``argv`` selects, with the paths they changed (no line
    counts: a tree diff is cheap, a blob diff is not): the log is read while a
    ``git diff-tree --stdin`` (another core) lists the paths of each commit read."""
    found: list[CommitFacts] = []
    with DiffTree(repo) as differ:
        for block in stream_log(repo, argv):
            for chunk in _chunks(block, wanted):
                facts = _facts(chunk, False, _per_commit(wanted), repository)
                if facts is not None:
                    differ.add(facts.sha)
                    found.append(facts)
        files = differ.result()
    return [f.replace(files=files.get(f.sha, ())) for f in found]


class DiffTree:
    """``git diff-tree --stdin -r --name-only``: commits in (fed from a writer thread, so a
    busy git never stalls the caller), the paths they changed out."""

    def __init__(self, repo: Repo, timeout: float = SCAN_TIMEOUT) -> None:
        import queue
        import subprocess
        import threading

        argv = ["git", "-c", "core.quotePath=false", "diff-tree", "--stdin", "-r", "--root"]
        self.proc = subprocess.Popen(
            [*argv, "--name-only", "--no-renames", "-z"],
            cwd=repo.cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_git_env(),
        )
        self.timer = kill_after(self.proc, timeout)
        self.asked: set[str] = set()
        self.pending: list[str] = []
        self.output = b""
        self.queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.threads = [
            threading.Thread(target=self._read, daemon=True),
            threading.Thread(target=self._write, daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        self.output = self.proc.stdout.read()

    def _write(self) -> None:
        assert self.proc.stdin is not None
        try:
            while (item := self.queue.get()) is not None:
                self.proc.stdin.write(item)
            self.proc.stdin.close()
        except (BrokenPipeError, ValueError):  # git died or was stopped: result() reports it
            pass

    def add(self, sha: str) -> None:
        self.asked.add(sha)
        self.pending.append(sha)
        if len(self.pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.queue.put("".join(f"{sha}\n" for sha in self.pending).encode())
            self.pending = []

    def result(self) -> dict[str, tuple[FileChange, ...]]:
        self._flush()
        self.queue.put(None)
        for thread in self.threads:
            thread.join()
        code = self.proc.wait()
        if code != 0:
            raise GitError(["git", "diff-tree", "--stdin"], code, "git diff-tree failed")
        return _parse_names(self.output.decode("utf-8", "surrogateescape"), self.asked)

    def __enter__(self) -> DiffTree:
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        self.queue.put(None)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for pipe in (self.proc.stdout,):
            if pipe is not None and not pipe.closed:
                pipe.close()


def _parse_names(text: str, asked: set[str]) -> dict[str, tuple[FileChange, ...]]:
    """``sha NUL path NUL path NUL sha NUL ...`` (a commit id is one that was asked for)."""
    files: dict[str, list[FileChange]] = {}
    current: list[FileChange] = []
    for item in text.split("\0"):
        if item in asked:
            current = files.setdefault(item, [])
        elif item:
            current.append(FileChange(item.lstrip("\n"), 0, 0, counted=False))
    return {sha: tuple(changes) for sha, changes in files.items()}


def _change(path: str, added: str, deleted: str) -> FileChange:
    plus = int(added) if added.isdigit() else 0  # "-" for a binary file
    minus = int(deleted) if deleted.isdigit() else 0
    return FileChange(unquote(path) if path[:1] == '"' else path, plus, minus)


class Prefilter(abc.ABC):
    """A pre-filter that can also find its candidates in a whole block of ``git log``
    output at once (C-speed searches instead of a Python call per commit)."""

    @abc.abstractmethod
    def __call__(self, raw: str) -> bool:
        """May ``raw`` (one commit's text) match? Never False for a commit that does."""

    @abc.abstractmethod
    def hits(self, block: bytes) -> Iterator[int]:
        """Offsets in ``block`` (raw ``git log`` output) inside every commit that may
        match; commits without a hit are skipped unparsed."""

    def grep(self) -> GitGrep | None:
        """Patterns for git to select the candidates itself (None: read everything)."""
        return None


def _per_commit(wanted: Callable[[str], bool] | None) -> Callable[[str], bool] | None:
    """The per-commit check still to make once :func:`_chunks` selected the commits."""
    return None if isinstance(wanted, Prefilter) else wanted


def _chunks(block: bytes, wanted: Callable[[str], bool] | None) -> Iterator[str]:
    """The commits of ``block`` (a run of whole log entries), decoded; with a
    :class:`Prefilter`, only the entries it hits."""
    sep = _SEP_BYTES
    if not isinstance(wanted, Prefilter):
        text = block.decode("utf-8", "surrogateescape")
        yield from (part for part in text.split(ENTRY_MARK) if part)
        return
    starts = sorted({block.rfind(sep, 0, hit + 1) for hit in wanted.hits(block)})
    for start in starts:
        end = block.find(sep, start + len(sep))
        part = block[start + len(sep) : end if end != -1 else len(block)]
        yield part.decode("utf-8", "surrogateescape")


def stream_log(
    repo: Repo,
    argv: Sequence[str],
    timeout: float = SCAN_TIMEOUT,
    *,
    mark: bytes = _SEP_BYTES,
) -> Iterator[bytes]:
    """The output of a ``git log`` whose format starts each entry with ``mark``, in blocks
    of whole entries, read while git still writes (a large pipe lets git run ahead while
    the caller parses). A bad revision is a usage error; a repository without commits
    yields nothing; git killed by the ``timeout`` watchdog or failing is a GitError."""
    import subprocess

    proc = subprocess.Popen(
        ["git", *argv],
        cwd=repo.cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_git_env(),
    )
    timer = kill_after(proc, timeout)
    try:
        assert proc.stdout is not None
        _widen(proc.stdout.fileno())
        pending = b""
        while block := proc.stdout.read(_BLOCK):
            pending += block
            cut = pending.rfind(mark)
            if cut > 0:
                yield pending[:cut]
                pending = pending[cut:]
        if pending:
            yield pending
        _finish(proc, argv, timer)
    finally:
        timer.cancel()
        if proc.poll() is None:  # the caller stopped early (or Ctrl-C): stop git too
            proc.kill()
            proc.wait()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def _widen(fd: int) -> None:
    """Grow the pipe (Linux) so git keeps writing while a block is parsed."""
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if setsize is None:
        return
    for size in (_BLOCK * 4, _BLOCK):
        try:
            fcntl.fcntl(fd, setsize, size)
            return
        except OSError:
            continue


def _finish(proc: subprocess.Popen[bytes], argv: Sequence[str], timer: threading.Timer) -> None:
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    code = proc.wait()
    if code == 0:
        return
    if not timer.is_alive():
        raise GitError(["git", *argv], code, "timed out")
    if "does not have any commits yet" in err:
        return
    if "bad revision" in err or "unknown revision" in err or "ambiguous argument" in err:
        raise UsageError(
            f"bad revision range: {err.strip().splitlines()[0]}",
            hint="give a range git understands, e.g. --range main~50..main or v1.0..HEAD",
        )
    raise GitError(["git", *argv], code, err)


def parse(
    data: bytes, *, with_files: bool = False, wanted: Callable[[str], bool] | None = None
) -> Iterator[CommitFacts]:
    text = data.decode("utf-8", "surrogateescape")
    for chunk in text.split(ENTRY_MARK)[1:]:
        facts = _facts(chunk, with_files, wanted)
        if facts is not None:
            yield facts


def _facts(
    chunk: str,
    with_files: bool,
    wanted: Callable[[str], bool] | None,
    repository: str = "",
) -> CommitFacts | None:
    if wanted is not None and not wanted(chunk):
        return None  # the whole chunk: a superset of trailers and note, never a miss
    fields = chunk.split(_FIELD)
    if len(fields) != 7:
        return None
    sha, parents, name, email, when, body, rest = fields
    note, numstat = (rest, "")
    if with_files:
        note, _, numstat = rest.partition("\n\n")
        if not numstat and "\t" in note:
            note, numstat = "", note  # no note: the numstat follows the format directly
    attribution, skipped = attribute(lambda: trailer_block(body), note)
    return CommitFacts(
        sha=sha,
        parents=tuple(parents.split()),
        author_name=name,
        author_email=email,
        committed=int(when) if when.isdigit() else 0,
        subject=subject_of(body),
        attribution=attribution,
        files=_numstat(numstat) if with_files else (),
        skipped_lines=skipped,
        repository=repository,
    )


def attribute(trailer_text: str | Callable[[], str], note: str) -> tuple[Attribution, int]:
    """The commit's attribution from its note's generation records, else its trailers; the
    model ids, agents and sessions of its attribution records (observed or imported) are
    part of it either way."""
    generation, ranges, skipped = _note_records(note)
    base = _from_generation(generation)
    if base is None:  # only now are the trailers needed (``trailer_text`` may be lazy)
        base = _from_trailers(trailer_text if isinstance(trailer_text, str) else trailer_text())
    if ranges:
        base = _with_ranges(base, ranges)
    return base, skipped


def _from_generation(records: list[dict[str, Any]]) -> Attribution | None:
    if len(records) == 1:
        return _one_generation(records[0])
    observed = [r for r in records if not r.get("inferred")]
    chosen = observed or records
    if not chosen:
        return None
    origin = combine_origins([Origin(r["origin"]) for r in chosen])
    models = _unique(_model_id(m) for r in chosen for m in r.get("models") or ())
    named = [a for a in (_agent(r.get("agent")) for r in chosen) if a]
    sessions = _unique(r.get("session") for r in chosen)
    source = "record" if observed else "inferred-record"
    value = origin.value if origin is not None else UNKNOWN
    return Attribution(value, models, named[-1] if named else None, sessions, source)


def _one_generation(record: dict[str, Any]) -> Attribution:
    """The common case, one record, without the merging."""
    models = tuple(m for m in map(_model_id, record.get("models") or ()) if m)
    session = record.get("session")
    return Attribution(
        record["origin"],
        models if len(models) < 2 else _unique(models),
        _agent(record.get("agent")),
        (str(session),) if session else (),
        "inferred-record" if record.get("inferred") else "record",
    )


def _from_trailers(trailer_text: str) -> Attribution:
    trailers = parse_kv_lines(trailer_text)
    declared = combine_origins(tr.declared_origins(trailers))
    if declared is None:
        return Attribution(UNKNOWN, source="none")
    models = _unique(normalized(v) for v in tr.values(trailers, tr.MODEL))
    agents = tr.values(trailers, tr.AGENT)
    sessions = _unique(tr.values(trailers, tr.SESSION))
    return Attribution(declared.value, models, agents[0] if agents else None, sessions, "trailer")


_CONTRIBUTOR_ORIGIN = {"ai": Origin("ai-generated"), "mixed": Origin("ai-assisted")}
_CONTRIBUTOR_ORIGIN["human"] = Origin("human")


def from_attribution_records(records: list[dict[str, Any]]) -> Attribution:
    """What attribution records alone (observed line ranges, imported git-ai or Agent Trace
    records) say of a commit that has no generation record and no AI-* trailers."""
    return _with_ranges(Attribution(UNKNOWN, source="none"), records)


def _with_ranges(base: Attribution, records: list[dict[str, Any]]) -> Attribution:
    """Fold attribution records in: their models, agent and sessions always; their origin
    (and source, e.g. git-ai) only when nothing else attributed the commit."""
    conversations = [
        c
        for r in records
        for f in r.get("files") or ()
        if isinstance(f, dict)
        for c in f.get("conversations") or ()
        if isinstance(c, dict)
    ]
    contributors = [c.get("contributor") or {} for c in conversations]
    models = _unique(
        [*base.models, *(normalized(m) for m in (k.get("model_id") for k in contributors) if m)]
    )
    sessions = _unique([*base.sessions, *(c.get("session") for c in conversations)])
    agents = [a for a in (c.get("agent") for c in conversations) if isinstance(a, str) and a]
    agent = base.agent or (agents[0] if agents else None)
    if base.source != "none":
        return Attribution(base.origin, models, agent, sessions, base.source)
    origins = [
        _CONTRIBUTOR_ORIGIN[k["type"]] for k in contributors if k.get("type") in _CONTRIBUTOR_ORIGIN
    ]
    combined = combine_origins(origins)
    kinds = [str((r.get("source") or {}).get("type") or "record") for r in records]
    source = next((k for k in kinds if k in ("git-ai", "agent-trace")), "record")
    origin = combined.value if combined is not None else UNKNOWN
    return Attribution(origin, models, agent, sessions, source)


def subject_of(body: str) -> str:
    """``%s``: the first paragraph of the message on one line."""
    head = body.lstrip("\n").split("\n\n", 1)[0]
    return " ".join(line.strip() for line in head.split("\n") if line.strip())


_TOKEN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
_GIT_PREFIXES = ("signed-off-by:", "(cherry picked from commit ")


def trailer_block(body: str) -> str:
    """What ``%(trailers:unfold,only)`` prints, from the message (git's rules without
    trailer.* configuration): the last paragraph, not the title, when all its lines are
    ``Token: value`` trailers (or continuations), or a git-generated trailer is among them
    and trailers are at least a quarter of its lines."""
    lines = [line.rstrip() for line in body.split("\n") if not line.startswith("#")]
    while lines and not lines[-1].strip():
        lines.pop()
    start = len(lines)
    while start > 0 and lines[start - 1].strip():
        start -= 1
    if start == 0 or not any(line.strip() for line in lines[:start]):
        return ""  # a one-paragraph message: its title is never a trailer block
    found: list[str] = []
    others = 0
    recognized = False
    for line in lines[start:]:
        if line[:1] in (" ", "\t") and found and found[-1]:
            found[-1] += " " + line.strip()
            continue
        recognized = recognized or line.lower().startswith(_GIT_PREFIXES)
        key, sep, value = line.partition(":")
        token = key.rstrip()
        if sep and token and not (set(token) - _TOKEN) and not token.startswith("-"):
            found.append(f"{token}: {value.strip()}")
        else:
            others += 1
            found.append("")  # a continuation of a non-trailer line is not a trailer
    count = sum(1 for f in found if f)
    if count and (not others or (recognized and count * 3 >= others)):
        return "".join(f + "\n" for f in found if f)
    return ""


@lru_cache(maxsize=4096)
def normalized(raw: str) -> str:
    found = normalize_model(raw)
    return found.slug if found is not None else raw.strip().lower()


def _note_records(note: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """The note's usable (generation records, attribution records, lines skipped)."""
    generation: list[dict[str, Any]] = []
    ranges: list[dict[str, Any]] = []
    skipped = 0
    for line in note.split("\n"):
        line = line.strip()
        if not line:
            continue
        try:
            data = json_loads(line)
        except ValueError:
            skipped += 1
            continue
        kind = data.get("kind") if isinstance(data, dict) else None
        if kind not in _KINDS:
            skipped += 1
        elif kind == "attribution":
            if isinstance(data.get("files"), list):
                ranges.append(data)
            else:
                skipped += 1
        elif kind == "generation":
            if data.get("origin") not in Origin._order or not isinstance(data.get("models"), list):
                skipped += 1
            else:
                generation.append(data)
    return generation, ranges, skipped


def _model_id(model: object) -> str | None:
    if not isinstance(model, dict):
        return None
    provider, ident = model.get("provider"), model.get("id") or model.get("model")
    return f"{provider}/{ident}" if provider and ident else None


def _agent(agent: object) -> str | None:
    if not isinstance(agent, dict) or not agent.get("name"):
        return None
    version = agent.get("version")
    return f"{agent['name']}/{version}" if version else str(agent["name"])


def _unique(items: Iterable[object]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(i) for i in items if i))


def _numstat(text: str) -> tuple[FileChange, ...]:
    changes = []
    for line in text.split("\n"):
        parts = line.split("\t", 2)
        if len(parts) != 3:
            continue
        added, deleted, path = parts
        changes.append(_change(path, added, deleted))
    return tuple(changes)
