"""Foreign attribution -> aibom ``attribution`` records, written in one batched notes write.

Both readers (git-ai notes, Agent Trace records) produce :class:`ForeignTrace` values: the
revision a foreign record annotates and, per file, who wrote which 1-based line ranges.
:func:`build` resolves every revision with one ``git cat-file --batch-check``, reads every
annotated blob with one ``git cat-file --batch``, clips ranges to the blob's length (and says
so), hashes each range's content the way aibom does, and makes one record per foreign record.
:func:`write` unions the records into ``refs/notes/aibom`` with one ``git fast-import``;
records are content-addressed, so importing the same input twice adds nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aibom import __version__
from aibom.attribution import model
from aibom.gitutil import Repo
from aibom.notes.records import Record, note_lines
from aibom.notes.store import NotesStore
from aibom.provenance.modelid import normalize_model
from aibom.provenance.session import text_ref
from aibom.provenance.sources.declared import parse_agent

# How sure an imported range is: the foreign tool observed it, aibom did not.
IMPORTED_CONFIDENCE = 0.8
_BINARY_PROBE = 8000
_MAX_SESSION = 256
_MAX_URL = 2000
_MAX_PATH = 4096


@dataclass(frozen=True)
class Problem:
    """Something in the input that was skipped, clipped or guessed, and where it is."""

    where: str
    message: str

    def render(self) -> str:
        return f"{self.where}: {self.message}"

    def to_json(self) -> dict[str, str]:
        return {"where": self.where, "message": self.message}


@dataclass(frozen=True)
class ForeignRange:
    start: int
    end: int
    declared_hash: str | None = None  # the foreign record's own content hash, if any


@dataclass(frozen=True)
class ForeignConversation:
    """One contributor's ranges in one file, as the foreign store states them."""

    contributor: str  # human | ai | mixed | unknown
    ranges: tuple[ForeignRange, ...]
    model: str | None = None  # as written by the foreign tool; normalised by build()
    agent: str | None = None
    session: str | None = None
    confidence: float = IMPORTED_CONFIDENCE
    url: str | None = None
    prompt: bytes | None = None  # prompt text; stored as a digest unless opted in


@dataclass(frozen=True)
class ForeignFile:
    path: str
    conversations: tuple[ForeignConversation, ...]


@dataclass(frozen=True)
class ForeignTrace:
    """One foreign record: a git-ai note or one Agent Trace line."""

    revision: str
    files: tuple[ForeignFile, ...]
    where: str  # for problems: "refs/notes/ai:<commit>", "traces.jsonl:3"
    ref: str | None = None  # source.ref of the records made from it
    # the aibom record an aibom export made this trace from: when the commit's note already
    # holds it, the trace is this repository's own export and importing it adds nothing new
    made_from: str | None = None


@dataclass(frozen=True)
class Reading:
    """What a foreign store holds: its records as traces, what was wrong, how many were read."""

    traces: tuple[ForeignTrace, ...]
    problems: tuple[Problem, ...]
    count: int


class ForeignStore(Protocol):
    """One foreign attribution format (git-ai notes, an Agent Trace file)."""

    @property
    def kind(self) -> str:
        """``source.type`` of the records made from it: ``git-ai`` or ``agent-trace``."""
        ...

    def label(self) -> str:
        """Where it was read from, for messages and notes commits."""
        ...

    def read(self, repo: Repo) -> Reading: ...


@dataclass(frozen=True)
class Conversion:
    records: Mapping[str, tuple[Record, ...]]  # commit -> records
    problems: tuple[Problem, ...]
    ranges: int
    lines: int
    new: int = 0  # records not yet in their commits' notes
    own: int = 0  # traces left out: aibom's own export of records already here


@dataclass(frozen=True)
class ImportResult:
    source: str  # git-ai | agent-trace
    origin: str  # the ref or file read
    dry_run: bool
    foreign: int  # foreign records read (notes, JSONL lines)
    commits: int  # commits that get attribution
    records: int  # attribution records made
    new_records: int  # of those, not yet in refs/notes/aibom
    notes_written: int  # notes changed (0 on a dry run)
    ranges: int
    lines: int
    own_exports: int = 0  # aibom's own exports of records already here, left out
    problems: tuple[Problem, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "from": self.origin,
            "dry_run": self.dry_run,
            "foreign_records": self.foreign,
            "commits": self.commits,
            "records": self.records,
            "new_records": self.new_records,
            "notes_written": self.notes_written,
            "ranges": self.ranges,
            "lines": self.lines,
            "own_exports_skipped": self.own_exports,
            "problems": [p.to_json() for p in self.problems],
        }


# -- git batches -----------------------------------------------------------------------------
def _is_hex(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _batch_header(line: bytes) -> tuple[str, str, int] | None:
    """``<oid> <type> <size>``, or None for ``<name> missing`` / ``ambiguous``."""
    parts = line.decode("utf-8", "surrogateescape").split(" ")
    if len(parts) == 3 and _is_hex(parts[0]) and parts[2].isdigit():
        return parts[0], parts[1], int(parts[2])
    return None


def resolve_commits(repo: Repo, revisions: Iterable[str]) -> dict[str, str]:
    """Revision -> full commit id, for those that name a commit here (one git call)."""
    wanted = [r for r in dict.fromkeys(revisions) if r and "\n" not in r and r.strip() == r]
    if not wanted:
        return {}
    query = "".join(f"{r}^{{commit}}\n" for r in wanted).encode("utf-8", "surrogateescape")
    proc = repo.git(["cat-file", "--batch-check"], input=query, check=False)
    answers = proc.stdout.split(b"\n")
    found: dict[str, str] = {}
    for rev, line in zip(wanted, answers, strict=False):
        header = _batch_header(line)
        if header is not None and header[1] == "commit":
            found[rev] = header[0]
    return found


def tree_entries(
    repo: Repo, specs: Sequence[tuple[str, str]], *, contents: bool
) -> dict[tuple[str, str], tuple[str, bytes]]:
    """(commit, path) -> (blob id, content or b"") for paths that are blobs, in one call."""
    usable = [s for s in dict.fromkeys(specs) if "\n" not in s[1]]
    if not usable:
        return {}
    mode = "--batch" if contents else "--batch-check"
    query = "".join(f"{c}:{p}\n" for c, p in usable).encode("utf-8", "surrogateescape")
    data = repo.git(["cat-file", mode], input=query, check=False).stdout
    result: dict[tuple[str, str], tuple[str, bytes]] = {}
    pos = 0
    for spec in usable:
        end = data.find(b"\n", pos)
        if end < 0:
            break
        header = _batch_header(data[pos:end])
        pos = end + 1
        if header is None:
            continue
        oid, kind, size = header
        body = b""
        if contents:
            body = data[pos : pos + size]
            pos += size + 1
        if kind == "blob":
            result[spec] = (oid, body)
    return result


# -- building records --------------------------------------------------------------------------
def safe_path(path: str) -> bool:
    """A repository-relative path git can name (no absolute paths, no ``..``, no NUL)."""
    if not path or len(path) > _MAX_PATH or path.startswith("/") or "\x00" in path:
        return False
    if "\n" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def blob_lines(data: bytes) -> list[str] | None:
    """The lines of a text blob (LF-split, CR kept as git blame keeps it); None if binary."""
    if b"\x00" in data[:_BINARY_PROBE]:
        return None
    text = data.decode("utf-8", "surrogateescape")
    if not text:
        return []
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return lines


def _clip(
    ranges: Sequence[ForeignRange], length: int, where: str, problems: list[Problem]
) -> list[ForeignRange]:
    kept: list[ForeignRange] = []
    for r in ranges:
        if r.start > length:
            problems.append(
                Problem(where, f"lines {r.start}-{r.end} are beyond the blob's {length} lines")
            )
        elif r.end > length:
            problems.append(
                Problem(where, f"lines {r.start}-{r.end} clipped to {r.start}-{length}")
            )
            kept.append(ForeignRange(r.start, length))
        else:
            kept.append(r)
    return _merged(kept)


def _merged(ranges: list[ForeignRange]) -> list[ForeignRange]:
    """Overlapping ranges as one (a line is counted once); a merged range loses its hash."""
    out: list[ForeignRange] = []
    for r in sorted(ranges, key=lambda x: (x.start, x.end)):
        if out and r.start <= out[-1].end:
            if r.end > out[-1].end or r.declared_hash != out[-1].declared_hash:
                out[-1] = ForeignRange(out[-1].start, max(r.end, out[-1].end))
        else:
            out.append(r)
    return out


@functools.lru_cache(maxsize=4096)
def _model_slug(raw: str) -> str | None:
    found = normalize_model(raw)
    return found.slug if found is not None else None


def _normalised_model(raw: str | None, where: str, problems: list[Problem]) -> str | None:
    if not raw:
        return None
    found = _model_slug(raw)
    if found is None:
        problems.append(Problem(where, f"model {raw[:80]!r} is not a model id; left out"))
    return found


def _agent(raw: str | None) -> str | None:
    parsed = parse_agent(raw) if raw else None
    return parsed.slug[:200] if parsed else None


def _conversation(
    conv: ForeignConversation,
    lines: Sequence[str],
    where: str,
    problems: list[Problem],
) -> model.Conversation | None:
    kept = _clip(conv.ranges, len(lines), where, problems)
    ranges: list[model.LineRange] = []
    for r in kept:
        digest = model.content_hash(lines[r.start - 1 : r.end])
        declared = r.declared_hash
        if declared and declared.startswith("sha256:") and declared != digest:
            problems.append(
                Problem(where, f"lines {r.start}-{r.end}: content hash differs from the blob's")
            )
        ranges.append(model.LineRange(r.start, r.end, digest))
    if not ranges:
        return None
    return model.Conversation(
        conv.contributor,
        ranges,
        model_id=_normalised_model(conv.model, where, problems),
        agent=_agent(conv.agent),
        session=conv.session[:_MAX_SESSION] if conv.session else None,
        confidence=min(1.0, max(0.0, conv.confidence)),
        evidence="imported",
    )


def _extras(conv: ForeignConversation, keep_text: bool) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if conv.url:
        extra["url"] = conv.url[:_MAX_URL]
    if conv.prompt:
        extra["prompt"] = text_ref(conv.prompt, keep_text).to_json()
    return extra


def _record(
    files: Sequence[tuple[model.FileAttribution, list[dict[str, Any]]]],
    source: str,
    ref: str | None,
) -> Record:
    body = model.to_body([f for f, _ in files], __version__, (source, ref))
    extras = {f.path: e for f, e in files}
    for file_body in body["files"]:
        for conv_body, extra in zip(
            file_body["conversations"], extras[file_body["path"]], strict=True
        ):
            conv_body.update(extra)
    return Record.create("attribution", body)


def _file(
    foreign: ForeignFile,
    entry: tuple[str, bytes] | None,
    where: str,
    keep_text: bool,
    problems: list[Problem],
) -> tuple[model.FileAttribution, list[dict[str, Any]]] | None:
    here = f"{where}: {foreign.path}"
    if entry is None:
        problems.append(Problem(where, f"{foreign.path!r} is not a file in that commit; skipped"))
        return None
    blob, data = entry
    lines = blob_lines(data)
    if lines is None:
        problems.append(Problem(where, f"{foreign.path!r} is binary; skipped"))
        return None
    conversations: list[model.Conversation] = []
    extras: list[dict[str, Any]] = []
    for conv in foreign.conversations:
        built = _conversation(conv, lines, here, problems)
        if built is not None:
            conversations.append(built)
            extras.append(_extras(conv, keep_text))
    if not conversations:
        return None
    return model.FileAttribution(foreign.path, blob, conversations), extras


def _merged_files(trace: ForeignTrace) -> list[ForeignFile]:
    """One entry per path (a foreign record may name a path twice)."""
    by_path: dict[str, list[ForeignConversation]] = {}
    for f in trace.files:
        by_path.setdefault(f.path, []).extend(f.conversations)
    return [ForeignFile(p, tuple(c)) for p, c in by_path.items()]


def _targets(
    repo: Repo, traces: Sequence[ForeignTrace], problems: list[Problem]
) -> tuple[dict[str, str], dict[tuple[str, str], tuple[str, bytes]]]:
    """Every revision resolved (one git call) and every named blob read (one more)."""
    commits = resolve_commits(repo, (t.revision for t in traces))
    specs: list[tuple[str, str]] = []
    for trace in traces:
        commit = commits.get(trace.revision)
        if commit is None:
            problems.append(
                Problem(trace.where, f"{trace.revision[:40]!r} is not a commit here; skipped")
            )
            continue
        for f in trace.files:
            if safe_path(f.path):
                specs.append((commit, f.path))
            else:
                problems.append(Problem(trace.where, f"path {f.path[:200]!r} is not usable"))
    return commits, tree_entries(repo, specs, contents=True)


def _trace_files(
    trace: ForeignTrace,
    commit: str,
    entries: Mapping[tuple[str, str], tuple[str, bytes]],
    keep_text: bool,
    problems: list[Problem],
) -> list[tuple[model.FileAttribution, list[dict[str, Any]]]]:
    files = []
    for foreign in _merged_files(trace):
        if safe_path(foreign.path):
            entry = entries.get((commit, foreign.path))
            built = _file(foreign, entry, trace.where, keep_text, problems)
            if built is not None:
                files.append(built)
    return files


def build(
    repo: Repo, traces: Sequence[ForeignTrace], source: str, *, keep_text: bool = False
) -> Conversion:
    """aibom attribution records for ``traces``: one per foreign record that has usable lines."""
    problems: list[Problem] = []
    commits, entries = _targets(repo, traces, problems)
    existing = NotesStore(repo).read_texts(set(commits.values()))
    records: dict[str, list[Record]] = {}
    ranges = lines = own = 0
    for trace in traces:
        commit = commits.get(trace.revision)
        if commit is not None and _already_here(trace, existing.get(commit, "")):
            own += 1
            continue
        files = _trace_files(trace, commit, entries, keep_text, problems) if commit else []
        if commit is None or not files:
            continue
        conversations = [c for f, _ in files for c in f.conversations]
        ranges += sum(len(c.ranges) for c in conversations)
        lines += sum(c.lines for c in conversations)
        record = _record(files, source, trace.ref)
        if record not in records.get(commit, ()):
            records.setdefault(commit, []).append(record)
    return Conversion(
        records={c: tuple(r) for c, r in records.items()},
        problems=tuple(problems),
        ranges=ranges,
        lines=lines,
        new=_new(records, existing),
        own=own,
    )


def _already_here(trace: ForeignTrace, note: str) -> bool:
    return bool(trace.made_from) and f'"id":"{trace.made_from}"' in note


def _new(records: Mapping[str, Sequence[Record]], existing: Mapping[str, str]) -> int:
    count = 0
    for commit, recs in records.items():
        have = set(note_lines(existing.get(commit, "")))
        count += sum(1 for r in recs if r.line not in have)
    return count


def count_new(repo: Repo, records: Mapping[str, Sequence[Record]]) -> int:
    """How many of ``records`` are not yet in their commits' notes (one bulk read)."""
    return _new(records, NotesStore(repo).read_texts(records.keys()))


def write(repo: Repo, records: Mapping[str, Sequence[Record]], message: str) -> int:
    """Union the records into their commits' notes in one fast-import; notes changed."""
    additions = {commit: [r.line for r in recs] for commit, recs in records.items()}
    return NotesStore(repo).append_many(additions, message)


def run_import(repo: Repo, store: ForeignStore, *, dry_run: bool, keep_text: bool) -> ImportResult:
    """Read ``store``, build the records and (unless ``dry_run``) write them."""
    reading = store.read(repo)
    conversion = build(repo, reading.traces, store.kind, keep_text=keep_text)
    new = conversion.new
    written = 0
    if not dry_run and new:
        written = write(repo, conversion.records, f"aibom import {store.kind} from {store.label()}")
    return ImportResult(
        source=store.kind,
        origin=store.label(),
        dry_run=dry_run,
        foreign=reading.count,
        commits=len(conversion.records),
        records=sum(len(r) for r in conversion.records.values()),
        new_records=new,
        notes_written=written,
        ranges=conversion.ranges,
        lines=conversion.lines,
        own_exports=conversion.own,
        problems=(*reading.problems, *conversion.problems),
    )
