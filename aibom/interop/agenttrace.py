"""Agent Trace v0.1 records (one JSON object a line, conventionally ``.agent-trace/traces.jsonl``).

A trace record names a revision (``vcs``), the files of that revision, and per file its
conversations: a contributor (``human`` / ``ai`` / ``mixed`` / ``unknown`` and a models.dev
``model_id``) and 1-based inclusive line ranges, optionally with a content hash and a per-range
contributor override. Vendor data lives in ``metadata`` under a reverse-domain key; aibom
keeps what Agent Trace has no field for (agent, session, confidence, evidence) under
``dev.aibom``, so an export imports back to the same attribution.

:func:`check_record` is the structural check of the specification's field definitions:
lenient for reading foreign records, strict (no unknown fields, ``MAJOR.MINOR`` version,
UTC timestamps) for what aibom writes. :func:`export` builds records from aibom attribution
records, and from generation records (the lines each commit added) for the files of a commit
that no range covers; :func:`write_jsonl` replaces aibom's earlier records of the same
commits in a file and keeps every other line as it was.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aibom import __version__
from aibom.attribution import model
from aibom.errors import RecordError, UsageError
from aibom.gitutil import Repo
from aibom.interop.convert import (
    IMPORTED_CONFIDENCE,
    ForeignConversation,
    ForeignFile,
    ForeignRange,
    ForeignTrace,
    Problem,
    Reading,
    tree_entries,
)
from aibom.notes.records import Record
from aibom.notes.store import Note, NotesStore
from aibom.outfile import write_file

VERSION = "0.1"
READABLE_VERSIONS = ("0.1", "0.1.0")
VENDOR_KEY = "dev.aibom"
DEFAULT_FILE = os.path.join(".agent-trace", "traces.jsonl")
CONTRIBUTORS = ("human", "ai", "mixed", "unknown")
VCS_TYPES = ("git", "jj", "hg", "svn")
_ID_NAMESPACE = uuid.UUID("677389ea-3db3-46b9-8787-cfa8001b3c5f")
_MAX_MODEL_ID = 250
_ORIGIN_TYPE = {"ai-generated": "ai", "ai-assisted": "mixed", "human": "human"}

_RECORD_KEYS = frozenset({"version", "id", "timestamp", "vcs", "tool", "files", "metadata"})
_FILE_KEYS = frozenset({"path", "conversations"})
_CONVERSATION_KEYS = frozenset({"url", "contributor", "ranges", "related"})
_RANGE_KEYS = frozenset({"start_line", "end_line", "content_hash", "contributor"})
_CONTRIBUTOR_KEYS = frozenset({"type", "model_id"})
_STRICT_VERSION = re.compile(r"[0-9]+\.[0-9]+")
_LOOSE_VERSION = re.compile(r"[0-9]+\.[0-9]+(\.[0-9]+)?")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


# -- the structural check ----------------------------------------------------------------------
class _Check:
    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}" if where else message)

    def keys(self, value: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
        if self.strict:
            for key in sorted(set(value) - allowed):
                self.fail(where, f"unknown field {key!r}")

    def obj(self, value: Any, where: str) -> bool:
        if not isinstance(value, dict):
            self.fail(where, "expected an object")
            return False
        return True

    def string(self, value: Any, where: str, *, max_length: int | None = None) -> bool:
        if not isinstance(value, str):
            self.fail(where, "expected a string")
            return False
        if max_length is not None and len(value) > max_length:
            self.fail(where, f"longer than {max_length} characters")
            return False
        return True

    def array(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(where, "expected an array")
            return []
        return value

    def line(self, value: Any, where: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.fail(where, "expected a line number (an integer >= 1)")


def _check_contributor(check: _Check, value: Any, where: str) -> None:
    if not check.obj(value, where):
        return
    check.keys(value, _CONTRIBUTOR_KEYS, where)
    if value.get("type") not in CONTRIBUTORS:
        check.fail(f"{where}.type", f"expected one of {', '.join(CONTRIBUTORS)}")
    if "model_id" in value:
        check.string(value["model_id"], f"{where}.model_id", max_length=_MAX_MODEL_ID)


def _check_range(check: _Check, value: Any, where: str) -> None:
    if not check.obj(value, where):
        return
    check.keys(value, _RANGE_KEYS, where)
    for key in ("start_line", "end_line"):
        if key not in value:
            check.fail(where, f"{key} is required")
        else:
            check.line(value[key], f"{where}.{key}")
    if "content_hash" in value:
        check.string(value["content_hash"], f"{where}.content_hash")
    if "contributor" in value:
        _check_contributor(check, value["contributor"], f"{where}.contributor")


def _check_conversation(check: _Check, value: Any, where: str) -> None:
    if not check.obj(value, where):
        return
    check.keys(value, _CONVERSATION_KEYS, where)
    if "url" in value:
        check.string(value["url"], f"{where}.url")
    if "contributor" in value:
        _check_contributor(check, value["contributor"], f"{where}.contributor")
    if "ranges" not in value:
        check.fail(where, "ranges is required")
    for i, item in enumerate(check.array(value.get("ranges", []), f"{where}.ranges")):
        _check_range(check, item, f"{where}.ranges[{i}]")
    for i, item in enumerate(check.array(value.get("related", []), f"{where}.related")):
        spot = f"{where}.related[{i}]"
        if check.obj(item, spot):
            check.keys(item, frozenset({"type", "url"}), spot)
            check.string(item.get("type"), f"{spot}.type")
            check.string(item.get("url"), f"{spot}.url")


def _check_file(check: _Check, value: Any, where: str) -> None:
    if not check.obj(value, where):
        return
    check.keys(value, _FILE_KEYS, where)
    check.string(value.get("path"), f"{where}.path")
    if "conversations" not in value:
        check.fail(where, "conversations is required")
    for i, item in enumerate(check.array(value.get("conversations", []), f"{where}.conversations")):
        _check_conversation(check, item, f"{where}.conversations[{i}]")


def _check_header(check: _Check, data: Mapping[str, Any]) -> None:
    version = data.get("version")
    pattern = _STRICT_VERSION if check.strict else _LOOSE_VERSION
    if check.string(version, "version") and not pattern.fullmatch(str(version)):
        check.fail("version", "expected MAJOR.MINOR, e.g. 0.1")
    ident = data.get("id")
    if check.string(ident, "id") and not _UUID.fullmatch(str(ident).lower()):
        check.fail("id", "expected a UUID")
    stamp = data.get("timestamp")
    if check.string(stamp, "timestamp") and not _timestamp_ok(str(stamp), check.strict):
        check.fail("timestamp", "expected an RFC 3339 date-time" + (" in UTC" * check.strict))
    if "vcs" in data and check.obj(data["vcs"], "vcs"):
        vcs = data["vcs"]
        check.keys(vcs, frozenset({"type", "revision"}), "vcs")
        if vcs.get("type") not in VCS_TYPES:
            check.fail("vcs.type", f"expected one of {', '.join(VCS_TYPES)}")
        check.string(vcs.get("revision"), "vcs.revision")
    if "tool" in data and check.obj(data["tool"], "tool"):
        tool = data["tool"]
        check.keys(tool, frozenset({"name", "version"}), "tool")
        for key in ("name", "version"):
            if key in tool or check.strict:
                check.string(tool.get(key), f"tool.{key}")
    if "metadata" in data:
        check.obj(data["metadata"], "metadata")


def check_record(data: Any, *, strict: bool = False) -> list[str]:
    """What is wrong with ``data`` as an Agent Trace record (empty: nothing)."""
    check = _Check(strict)
    if not check.obj(data, ""):
        return check.errors
    check.keys(data, _RECORD_KEYS, "")
    for key in ("version", "id", "timestamp", "files"):
        if key not in data:
            check.fail("", f"{key} is required")
    _check_header(check, data)
    for i, item in enumerate(check.array(data.get("files", []), "files")):
        _check_file(check, item, f"files[{i}]")
    return check.errors


def _timestamp_ok(text: str, strict: bool) -> bool:
    if "T" not in text.upper() or (strict and not text.endswith("Z")):
        return False
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return False
    return parsed.tzinfo is not None


# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Defaults:
    agent: str | None
    session: str | None
    confidence: float


def _vendor(data: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get(VENDOR_KEY), dict):
        found: Mapping[str, Any] = metadata[VENDOR_KEY]
        return found
    return {}


def _confidence(data: Mapping[str, Any], vendor: Mapping[str, Any]) -> float:
    metadata = data.get("metadata")
    for value in (vendor.get("confidence"), (metadata or {}).get("confidence")):
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1:
            return float(value)
    return IMPORTED_CONFIDENCE


def _defaults(data: Mapping[str, Any]) -> _Defaults:
    vendor = _vendor(data)
    agent = vendor.get("agent") if isinstance(vendor.get("agent"), str) else None
    tool = data.get("tool")
    if agent is None and isinstance(tool, dict) and tool.get("name") not in (None, "aibom"):
        name, version = str(tool.get("name")), tool.get("version")
        agent = f"{name}/{version}" if isinstance(version, str) and version else name
    session = vendor.get("session") if isinstance(vendor.get("session"), str) else None
    return _Defaults(agent, session, _confidence(data, vendor))


def _session_url(conversation: Mapping[str, Any]) -> str | None:
    for item in conversation.get("related") or ():
        url = item.get("url")
        if item.get("type") == "session" and isinstance(url, str) and len(url) <= 256:
            return url
    return None


def _conversations(
    conv: Mapping[str, Any], defaults: _Defaults, where: str, problems: list[Problem]
) -> list[ForeignConversation]:
    base = conv.get("contributor") or {"type": "unknown"}
    groups: dict[tuple[str, str | None], list[ForeignRange]] = {}
    for r in conv["ranges"]:
        if r["end_line"] < r["start_line"]:
            problems.append(
                Problem(where, f"range {r['start_line']}-{r['end_line']} ends before it starts")
            )
            continue
        who = r.get("contributor") or base
        key = (who["type"], who.get("model_id"))
        groups.setdefault(key, []).append(
            ForeignRange(r["start_line"], r["end_line"], r.get("content_hash"))
        )
    url = conv.get("url") if isinstance(conv.get("url"), str) else None
    return [
        ForeignConversation(
            kind,
            tuple(spans),
            model=model_id,
            agent=defaults.agent,
            session=defaults.session or _session_url(conv),
            confidence=defaults.confidence,
            url=url,
        )
        for (kind, model_id), spans in groups.items()
    ]


def _trace(data: Mapping[str, Any], where: str, problems: list[Problem]) -> ForeignTrace | None:
    vcs = data.get("vcs")
    if not isinstance(vcs, dict):
        problems.append(Problem(where, "no vcs.revision: which commit it annotates is unknown"))
        return None
    if vcs["type"] != "git":
        problems.append(Problem(where, f"vcs type {vcs['type']!r} is not git; skipped"))
        return None
    defaults = _defaults(data)
    files = []
    for f in data["files"]:
        conversations: list[ForeignConversation] = []
        for conv in f["conversations"]:
            conversations.extend(_conversations(conv, defaults, f"{where}: {f['path']}", problems))
        if not any(c.ranges for c in conversations):
            problems.append(Problem(where, f"{f['path']!r} has no line ranges; nothing to import"))
            continue
        files.append(ForeignFile(f["path"], tuple(c for c in conversations if c.ranges)))
    made_from = _vendor(data).get("record")
    return ForeignTrace(
        revision=vcs["revision"],
        files=tuple(files),
        where=where,
        ref=data["id"],
        made_from=made_from if isinstance(made_from, str) else None,
    )


def _version_problem(version: str, where: str) -> Problem | None:
    if version in READABLE_VERSIONS:
        return None
    return Problem(where, f"Agent Trace version {version!r} is not {VERSION}; read as {VERSION}")


def parse_jsonl(text: str, name: str) -> tuple[list[ForeignTrace], list[Problem], int]:
    """Trace records of a JSONL text: traces, problems (``name:line``), records read."""
    traces: list[ForeignTrace] = []
    problems: list[Problem] = []
    count = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        count += 1
        where = f"{name}:{number}"
        try:
            data = json.loads(line)
        except ValueError as exc:
            problems.append(Problem(where, f"not JSON ({exc}); skipped"))
            continue
        errors = check_record(data)
        if errors:
            problems.append(
                Problem(where, "not an Agent Trace record: " + "; ".join(errors[:3]) + "; skipped")
            )
            continue
        warning = _version_problem(data["version"], where)
        if warning is not None:
            problems.append(warning)
        trace = _trace(data, where, problems)
        if trace is not None and trace.files:
            traces.append(trace)
    return traces, problems, count


@dataclass(frozen=True)
class AgentTraceFile:
    """A JSONL file of trace records as a :class:`aibom.interop.convert.ForeignStore`.

    ``name`` is how problems locate lines (``name:LINE``); a missing file is a usage error.
    """

    path: str
    name: str
    kind: str = "agent-trace"

    def label(self) -> str:
        return self.name

    def read(self, repo: Repo) -> Reading:
        traces, problems, count = parse_jsonl(self._text(), self.name)
        return Reading(tuple(traces), tuple(problems), count)

    def _text(self) -> str:
        try:
            with open(self.path, "rb") as fh:
                return fh.read().decode("utf-8", "surrogateescape")
        except FileNotFoundError:
            raise UsageError(
                f"{self.name}: no such file", hint="pass the file: aibom import agent-trace FILE"
            ) from None
        except OSError as exc:
            raise UsageError(f"{self.name}: cannot read it ({exc.strerror})") from None


# -- export ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportResult:
    records: tuple[dict[str, Any], ...]
    commits: int  # commits scanned
    from_ranges: int  # records made from attribution records
    from_generation: int  # records made from generation records (commits without ranges)
    stale: int  # attribution entries left out: their blob is not the commit's
    problems: tuple[Problem, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "commits": self.commits,
            "records": len(self.records),
            "from_ranges": self.from_ranges,
            "from_generation": self.from_generation,
            "stale_entries": self.stale,
            "problems": [p.to_json() for p in self.problems],
        }


def _utc(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _finish(body: dict[str, Any]) -> dict[str, Any]:
    """Give the record its id (a UUID of its content: the same facts, the same record)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    record = {"id": str(uuid.uuid5(_ID_NAMESPACE, canonical)), **body}
    errors = check_record(record, strict=True)
    if errors:
        raise RecordError(f"built an invalid Agent Trace record: {'; '.join(errors[:3])}")
    return record


def _envelope(
    commit: str, epoch: int, files: list[dict[str, Any]], vendor: dict[str, Any]
) -> dict[str, Any]:
    return _finish(
        {
            "version": VERSION,
            "timestamp": _utc(epoch),
            "vcs": {"type": "git", "revision": commit},
            "tool": {"name": "aibom", "version": __version__},
            "files": files,
            "metadata": {"confidence": vendor["confidence"], VENDOR_KEY: vendor},
        }
    )


def _contributor(kind: str, model_id: str | None) -> dict[str, Any]:
    who: dict[str, Any] = {"type": kind}
    if model_id:
        who["model_id"] = model_id[:_MAX_MODEL_ID]
    return who


def _range_json(r: model.LineRange) -> dict[str, Any]:
    body: dict[str, Any] = {"start_line": r.start, "end_line": r.end}
    if r.content_hash:
        body["content_hash"] = r.content_hash
    return body


def _group_key(c: model.Conversation) -> tuple[str | None, str | None, float, str]:
    return (c.agent, c.session, round(c.confidence, 4), c.evidence)


def _from_attribution(
    commit: str,
    epoch: int,
    record: Record,
    files: Sequence[model.FileAttribution],
) -> list[dict[str, Any]]:
    """One trace record per (agent, session, confidence, evidence) of one attribution record."""
    groups: dict[tuple[str | None, str | None, float, str], dict[str, list[dict[str, Any]]]] = {}
    raw = {f["path"]: f["conversations"] for f in record.data["files"]}
    for f in files:
        for c, stored in zip(f.conversations, raw[f.path], strict=True):
            conv: dict[str, Any] = {
                "contributor": _contributor(c.contributor, c.model_id),
                "ranges": [_range_json(r) for r in c.ranges],
            }
            if isinstance(stored.get("url"), str):
                conv["url"] = stored["url"]  # an imported conversation's link travels on
            groups.setdefault(_group_key(c), {}).setdefault(f.path, []).append(conv)
    traces = []
    for (agent, session, confidence, evidence), by_path in groups.items():
        vendor: dict[str, Any] = {
            "basis": "ranges",
            "record": record.id,
            "confidence": confidence,
            "evidence": evidence,
        }
        if agent:
            vendor["agent"] = agent
        if session:
            vendor["session"] = session
        file_list = [{"path": p, "conversations": c} for p, c in sorted(by_path.items())]
        traces.append(_envelope(commit, epoch, file_list, vendor))
    return traces


def _log(repo: Repo, revs: Sequence[str]) -> list[tuple[str, int]]:
    proc = repo.git(["log", "--format=%H %ct", *revs, "--"], check=False)
    if proc.returncode != 0:
        said = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(
            f"git log {' '.join(revs)}: {said[0] if said else 'failed'}",
            hint="RANGE is revisions, ranges or git log options, e.g. HEAD~10..HEAD or --all",
        )
    commits = []
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        sha, _, stamp = line.partition(" ")
        if sha and stamp.isdigit():
            commits.append((sha, int(stamp)))
    return commits


def _attributions(note: Note) -> list[Record]:
    return [r for r in note.records if r.kind == "attribution"]


def _observed(note: Note) -> frozenset[str] | None:
    """The paths line-level capture (agent edit hooks) recorded here; None: no such record."""
    records = [
        r
        for r in _attributions(note)
        if not isinstance(r.data.get("source"), dict)
        or r.data["source"].get("type") == "checkpoint"
    ]
    if not records:
        return None
    return frozenset(f["path"] for r in records for f in r.data.get("files") or ())


def _best_generation(note: Note) -> Record | None:
    generations = [r for r in note.records if r.kind == "generation"]
    if not generations:
        return None
    return max(generations, key=lambda r: (not r.data.get("inferred"), r.data["confidence"]))


def _current(
    repo: Repo, notes: Mapping[str, Note]
) -> tuple[dict[tuple[str, str], str], list[tuple[str, Record, model.FileAttribution]]]:
    """The blob each attributed (commit, path) really has, and every attributed file."""
    entries: list[tuple[str, Record, model.FileAttribution]] = []
    for commit, note in notes.items():
        for record in _attributions(note):
            entries.extend((commit, record, f) for f in model.from_data(record.data))
    blobs = tree_entries(repo, [(c, f.path) for c, _, f in entries], contents=False)
    return {spec: oid for spec, (oid, _) in blobs.items()}, entries


def export(repo: Repo, revs: Sequence[str]) -> ExportResult:
    """Agent Trace records for the commits ``revs`` select (git log arguments)."""
    commits = _log(repo, revs)
    epochs = dict(commits)
    notes = NotesStore(repo).read_all(epochs)
    blobs, entries = _current(repo, notes)
    per_record: dict[tuple[str, str], tuple[Record, list[model.FileAttribution]]] = {}
    stale = 0
    for commit, record, f in entries:
        if blobs.get((commit, f.path)) != f.blob:
            stale += 1
            continue
        per_record.setdefault((commit, record.id), (record, []))[1].append(f)
    records: list[dict[str, Any]] = []
    covered: dict[str, set[str]] = {}  # commit -> paths with line ranges
    for (commit, _), (record, files) in per_record.items():
        records.extend(_from_attribution(commit, epochs[commit], record, files))
        covered.setdefault(commit, set()).update(f.path for f in files)
    from_ranges = len(records)
    pending = {c: g for c, note in notes.items() if (g := _best_generation(note)) is not None}
    observed = {c: seen for c, note in notes.items() if (seen := _observed(note)) is not None}
    records.extend(_from_generations(repo, pending, epochs, covered, observed))
    order = {sha: i for i, (sha, _) in enumerate(reversed(commits))}
    records.sort(key=lambda r: (order[r["vcs"]["revision"]], r["id"]))
    return ExportResult(
        records=tuple(records),
        commits=len(commits),
        from_ranges=from_ranges,
        from_generation=len(records) - from_ranges,
        stale=stale,
    )


# -- commit-level facts: the lines each commit added -------------------------------------------
def _unquote(text: str) -> str:
    """A path as git prints it: C-style quoted (``"a\\tb\\303\\251"``) when unusual."""
    if not (len(text) >= 2 and text.startswith('"') and text.endswith('"')):
        return text
    out = bytearray()
    body = text[1:-1].encode("utf-8", "surrogateescape")
    escapes = {ord("n"): 10, ord("t"): 9, ord('"'): 34, ord("\\"): 92, ord("a"): 7}
    escapes |= {ord("b"): 8, ord("f"): 12, ord("r"): 13, ord("v"): 11}
    i = 0
    while i < len(body):
        byte = body[i]
        if byte == 92 and i + 1 < len(body):
            nxt = body[i + 1]
            octal = body[i + 1 : i + 4]
            if len(octal) == 3 and all(48 <= b <= 55 for b in octal):
                out.append(int(octal, 8) & 0xFF)
                i += 4
                continue
            out.append(escapes.get(nxt, nxt))
            i += 2
            continue
        out.append(byte)
        i += 1
    return out.decode("utf-8", "surrogateescape")


def _hunk_lines(header: str) -> range:
    """``@@ -a,b +c,d @@`` -> the new-side lines c..c+d-1."""
    new = header.split(" ")[2]  # "+c,d"
    start, _, count = new[1:].partition(",")
    size = int(count) if count else 1
    return range(int(start), int(start) + size)


def added_lines(diff: str, commits: Iterable[str]) -> dict[str, dict[str, list[int]]]:
    """Parse ``git diff-tree --stdin -p -U0`` output: commit -> path -> lines it added."""
    wanted = set(commits)
    result: dict[str, dict[str, list[int]]] = {}
    commit: str | None = None
    path: str | None = None
    in_hunk = False
    for line in diff.split("\n"):
        if in_hunk and line[:1] in ("+", "-", " ", "\\"):
            continue
        in_hunk = False
        if line in wanted:
            commit, path = line, None
        elif line.startswith("diff --git "):
            path = None
        elif line.startswith("+++ ") and commit is not None:
            # git ends the name with a TAB when it holds a space (GNU diff's convention)
            target = _unquote(line[4:].removesuffix("\t"))
            path = target[2:] if target.startswith("b/") else None
        elif line.startswith("@@ ") and commit is not None and path is not None:
            in_hunk = True
            result.setdefault(commit, {}).setdefault(path, []).extend(_hunk_lines(line))
    return result


def _diff(repo: Repo, commits: Sequence[str]) -> str:
    if not commits:
        return ""
    args = [
        "-c",
        "core.quotePath=true",
        "diff-tree",
        "--stdin",
        "-r",
        "-p",
        "-U0",
        "-M",
        "--root",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--src-prefix=a/",
        "--dst-prefix=b/",
    ]
    data = "".join(c + "\n" for c in commits).encode()
    return repo.git(args, input=data).stdout.decode("utf-8", "surrogateescape")


def _generation_vendor(record: Record) -> dict[str, Any]:
    data = record.data
    vendor: dict[str, Any] = {
        "basis": "generation",
        "record": record.id,
        "confidence": round(float(data["confidence"]), 4),
        "evidence": "inferred" if data.get("inferred") else "generation",
        "models": [f"{m['provider']}/{m['id']}" for m in data.get("models") or ()],
    }
    agent = data.get("agent")
    if isinstance(agent, dict):
        vendor["agent"] = (
            f"{agent['name']}/{agent['version']}" if agent.get("version") else agent["name"]
        )
    if data.get("session"):
        vendor["session"] = data["session"]
    return vendor


def _unobserved_vendor(record: Record) -> dict[str, Any]:
    from aibom.attribution.resolve import UNOBSERVED

    return {
        "basis": "unobserved",
        "record": record.id,
        "confidence": UNOBSERVED.confidence,
        "evidence": UNOBSERVED.evidence,
        "models": [],
    }


def _from_generations(
    repo: Repo,
    pending: Mapping[str, Record],
    epochs: Mapping[str, int],
    covered: Mapping[str, set[str]],
    observed: Mapping[str, frozenset[str]],
) -> list[dict[str, Any]]:
    """The lines each commit added, in the files no line range of it covers, credited to the
    commit's generation record (what blame falls back to for those lines) - except that in a
    commit whose agents' edits were observed line by line (``observed``: the paths of its
    checkpoint records), the lines of files those records leave out were not written by an
    agent a hook saw: human, never the commit's AI origin (as in blame)."""
    added = added_lines(_diff(repo, list(pending)), pending)
    traces = []
    for commit, record in pending.items():
        kind = _ORIGIN_TYPE.get(record.data["origin"], "unknown")
        paths = [
            (path, lines)
            for path, lines in sorted(added.get(commit, {}).items())
            if lines and path not in covered.get(commit, ())
        ]
        seen = observed.get(commit) if kind in ("ai", "mixed") else None
        hidden = [p for p in paths if seen is not None and p[0] not in seen]
        groups = (
            ([p for p in paths if p not in hidden], kind, _generation_vendor(record)),
            (hidden, "human", _unobserved_vendor(record)),
        )
        for group, group_kind, vendor in groups:
            if group:
                files = _generation_files(group, group_kind, vendor)
                traces.append(_envelope(commit, epochs[commit], files, vendor))
    return traces


def _generation_files(
    paths: Sequence[tuple[str, Sequence[int]]], kind: str, vendor: Mapping[str, Any]
) -> list[dict[str, Any]]:
    model_id = vendor["models"][0] if vendor["models"] else None
    return [
        {
            "path": path,
            "conversations": [
                {
                    "contributor": _contributor(kind, model_id),
                    "ranges": [{"start_line": s, "end_line": e} for s, e in model.compress(lines)],
                }
            ],
        }
        for path, lines in paths
    ]


# -- writing a JSONL file ----------------------------------------------------------------------
def _replaced(line: str, revisions: set[str]) -> bool:
    """True for an earlier aibom export of one of ``revisions`` (other lines are kept)."""
    try:
        data = json.loads(line)
    except ValueError:
        return False
    if not isinstance(data, dict):
        return False
    tool, vcs = data.get("tool"), data.get("vcs")
    return (
        isinstance(tool, dict)
        and tool.get("name") == "aibom"
        and isinstance(vcs, dict)
        and vcs.get("revision") in revisions
    )


def render_jsonl(records: Iterable[Mapping[str, Any]]) -> str:
    return "".join(
        json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
        for r in records
    )


def write_jsonl(path: str, records: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """Write ``records`` into ``path`` atomically; returns (written, other lines kept)."""
    revisions = {r["vcs"]["revision"] for r in records}
    kept: list[str] = []
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            kept = [
                line
                for line in fh.read().split("\n")
                if line.strip() and not _replaced(line, revisions)
            ]
    text = "".join(line + "\n" for line in kept) + render_jsonl(records)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    write_file(Path(path), text, "surrogateescape")  # whole, with the mode it keeps or gets
    return len(records), len(kept)
