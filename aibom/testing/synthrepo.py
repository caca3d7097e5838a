"""A synthetic repository for tests and benchmarks, built with ONE ``git fast-import`` stream.

The stream writes the commits on ``refs/heads/main`` and, in a final commit on
``refs/notes/aibom``, the notes of the commits that have records: valid ``generation``
records made with :meth:`aibom.notes.records.Record.create` (AI commits of several models,
several snapshots of one family, several agents and sessions, and human commits), some with an
``attribution`` record whose ranges point into the blob the commit really records. Commits
without records are human commits or AI commits known only from their ``AI-*`` trailers.
A few record commits carry only an imported attribution record (``source.type`` git-ai),
as the interop importer writes them.

Everything is a function of ``seed``: the same arguments give the same history and the same
head sha. ``python -m aibom.testing.synthrepo PATH --commits N`` builds one from the shell.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aibom import __version__
from aibom.attribution import model as attr
from aibom.errors import UsageError
from aibom.gitutil import NOTES_REF
from aibom.notes.records import Record
from aibom.provenance.generation import model_json
from aibom.provenance.modelid import normalize_model
from aibom.provenance.session import rfc3339
from aibom.provenance.types import ModelId

__all__ = ["AGENTS", "MODELS", "SynthRepo", "generate", "load_summary", "main"]

# (models.dev slug, weight). gpt-4o has three snapshots: a family query must find them all.
MODELS: tuple[tuple[str, int], ...] = (
    ("anthropic/claude-opus-4-5-20251101", 5),
    ("anthropic/claude-sonnet-4-5-20250929", 4),
    ("anthropic/claude-3-5-sonnet-20241022", 1),
    ("openai/gpt-4o-2024-05-13", 1),
    ("openai/gpt-4o-2024-08-06", 2),
    ("openai/gpt-4o-2024-11-20", 2),
    ("openai/gpt-5-codex", 2),
    ("google/gemini-2.5-pro", 1),
)
AGENTS: tuple[str, ...] = ("claude-code/2.0.14", "codex/0.46.0", "cursor/1.7.2", "aider/0.86.1")
_AGENT_FOR = {"anthropic": 0, "openai": 1, "google": 2}
_HUMANS = tuple((f"Dev {n}", f"dev{n}@example.com") for n in range(1, 9))
_BOT = ("aibom synthrepo", "synthrepo@example.com")
_START = 1_704_067_200  # 2024-01-01T00:00:00Z
_STEP = 600  # seconds between commits
_MAX_LINES = 40
GIT_TIMEOUT = 3600.0
LOCKFILE = "requirements.txt"


@dataclass(frozen=True)
class SynthRepo:
    """What :func:`generate` built. ``model_commits``: (slug, commits attributed to it)."""

    path: Path
    commits: int
    with_records: int
    models: tuple[str, ...]
    head: str
    trailer_only: int = 0
    imported: int = 0
    model_commits: tuple[tuple[str, int], ...] = field(default=())

    def commits_of(self, slug: str) -> int:
        return dict(self.model_commits).get(slug, 0)


@dataclass(frozen=True)
class _Plan:
    """One commit's authorship, decided before its content."""

    kind: str  # human-record | ai-record | imported | trailer | human
    model: str | None
    agent: str | None
    session: str | None
    origin: str  # human | ai-assisted | ai-generated


class _Files:
    """The work tree's text files, edited in memory (blob ids computed as git does)."""

    def __init__(self, count: int, rng: random.Random) -> None:
        self.paths = [f"src/pkg{i % 10}/mod_{i:04d}.py" for i in range(count)]
        self.lines: dict[str, list[str]] = {p: [] for p in self.paths}
        self.rng = rng

    def edit(self, path: str, serial: int) -> tuple[int, ...]:
        """Append or replace a few lines; returns the 1-based lines this commit wrote."""
        lines = self.lines[path]
        size = self.rng.randint(1, 6)
        new = [f"value_{serial}_{k} = {self.rng.randint(0, 10**6)}" for k in range(size)]
        if len(lines) + size <= _MAX_LINES:
            start = len(lines)
            lines.extend(new)
        else:
            start = self.rng.randint(0, len(lines) - size)
            lines[start : start + size] = new
        return tuple(range(start + 1, start + size + 1))

    def content(self, path: str) -> bytes:
        return "".join(line + "\n" for line in self.lines[path]).encode()


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


def _weighted_models(rng: random.Random) -> str:
    slugs = [s for s, _ in MODELS]
    return rng.choices(slugs, weights=[w for _, w in MODELS])[0]


def _plan(rng: random.Random, record_share: float, session: str) -> _Plan:
    if rng.random() < record_share:
        roll = rng.random()
        if roll < 0.25:
            return _Plan("human-record", None, None, None, "human")
        model = _weighted_models(rng)
        kind = "imported" if roll > 0.95 else "ai-record"
        origin = "ai-generated" if rng.random() < 0.6 else "ai-assisted"
        return _Plan(kind, model, _agent_of(model, rng), session, origin)
    if rng.random() < 0.2:
        model = _weighted_models(rng)
        return _Plan("trailer", model, _agent_of(model, rng), session, "ai-assisted")
    return _Plan("human", None, None, None, "human")


def _agent_of(slug: str, rng: random.Random) -> str:
    index = _AGENT_FOR.get(slug.split("/", 1)[0], 3)
    return AGENTS[3] if rng.random() < 0.1 else AGENTS[index]


def _model_id(slug: str) -> ModelId:
    found = normalize_model(slug)
    if found is None:  # the table above holds only ids the normaliser knows
        raise AssertionError(f"synthrepo model {slug!r} does not normalise")
    return found


def _trailers(plan: _Plan) -> str:
    if plan.model is None:
        return ""
    lines = [f"AI-Origin: {plan.origin}", f"AI-Model: {plan.model}", f"AI-Agent: {plan.agent}"]
    if plan.session:
        lines.append(f"AI-Session: {plan.session}")
    return "\n\n" + "\n".join(lines)


def _generation(plan: _Plan, committed: int) -> Record:
    models = [_model_id(plan.model)] if plan.model else []
    agent = None
    if plan.agent:
        name, _, version = plan.agent.partition("/")
        agent = {"name": name, "version": version or None}
    source = "agent-hook" if plan.model else "identity"
    evidence = {
        "source": source,
        "origin": plan.origin,
        "confidence": 0.95 if plan.model else 0.6,
        "detail": "synthetic" if plan.model else "no agent observed",
        "agent": plan.agent,
        "models": [m.slug for m in models],
        "session": plan.session,
    }
    body = {
        "origin": plan.origin,
        "confidence": evidence["confidence"],
        "inferred": False,
        "models": [model_json(m) for m in models],
        "agent": agent,
        "session": plan.session,
        "evidence": [evidence],
        "timestamps": {"committed": rfc3339(committed)},
        "tool": {"name": "aibom", "version": __version__},
    }
    return Record.create("generation", body)


def _attribution(
    plan: _Plan, written: dict[str, tuple[int, ...]], files: _Files, *, imported: bool
) -> Record:
    entries = []
    for path, lines in sorted(written.items()):
        text = files.lines[path]
        conversation = attr.Conversation(
            "ai" if plan.origin == "ai-generated" else "mixed",
            attr.ranges_for(lines, text),
            model_id=plan.model,
            agent=plan.agent,
            session=plan.session,
            confidence=0.9,
            evidence="imported" if imported else "hook-observed",
        )
        entries.append(attr.FileAttribution(path, blob_id(files.content(path)), [conversation]))
    source = ("git-ai", "refs/notes/ai") if imported else ("checkpoint", None)
    return Record.create("attribution", attr.to_body(entries, __version__, source))


def _lockfile(count: int) -> bytes:
    lines = []
    for i in range(count):
        name = f"synthpkg-{i:05d}"
        digest = hashlib.sha256(name.encode()).hexdigest()
        lines.append(f"{name}=={1 + i % 3}.{i % 10}.{i % 7} \\\n    --hash=sha256:{digest}\n")
    return "".join(lines).encode()


class _Stream:
    """Builds the fast-import stream into a file (it can be hundreds of megabytes)."""

    def __init__(self, out: Path) -> None:
        self.fh = out.open("wb")
        self.marks = 0

    def commit(
        self,
        ident: tuple[str, str],
        when: int,
        message: str,
        changes: Sequence[tuple[str, bytes]],
    ) -> int:
        self.marks += 1
        who = f"{ident[0]} <{ident[1]}> {when} +0000".encode()
        head = b"commit refs/heads/main\nmark :%d\nauthor %s\ncommitter %s\n" % (
            self.marks,
            who,
            who,
        )
        parts = [head, _data(message.encode())]
        if self.marks > 1:
            parts.append(b"from :%d\n" % (self.marks - 1))
        for path, content in changes:
            parts.append(b"M 100644 inline %s\n" % path.encode())
            parts.append(_data(content))
        self.fh.write(b"".join(parts) + b"\n")
        return self.marks

    def notes(self, when: int, notes: Sequence[tuple[int, str]]) -> None:
        who = f"{_BOT[0]} <{_BOT[1]}> {when} +0000".encode()
        self.fh.write(b"commit %s\ncommitter %s\n" % (NOTES_REF.encode(), who))
        self.fh.write(_data(b"synthrepo notes"))
        for mark, text in notes:
            self.fh.write(b"N inline :%d\n" % mark + _data(text.encode()))
        self.fh.write(b"\n")

    def close(self) -> None:
        self.fh.close()


def _git(path: Path, args: Sequence[str], stdin_path: Path | None = None) -> str:
    stdin = stdin_path.open("rb") if stdin_path is not None else subprocess.DEVNULL
    try:
        proc = subprocess.run(
            ["git", "-C", str(path), *args],
            stdin=stdin,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    finally:
        if stdin_path is not None and not isinstance(stdin, int):
            stdin.close()
    if proc.returncode != 0:
        raise UsageError(
            f"git {args[0]} failed in {path}: {proc.stderr.decode(errors='replace').strip()}"
        )
    return proc.stdout.decode().strip()


def _check(path: Path, commits: int, record_share: float, files: int) -> None:
    if commits < 1 or files < 1:
        raise UsageError("commits and files must be at least 1")
    if not 0.0 <= record_share <= 1.0:
        raise UsageError(f"record_share must be within 0..1, not {record_share}")
    if path.exists() and any(path.iterdir()):
        raise UsageError(f"{path} is not empty", hint="generate into a new directory")


def generate(
    path: Path,
    *,
    commits: int,
    record_share: float = 0.5,
    files: int = 200,
    locked_dependencies: int = 0,
    seed: int = 0,
) -> SynthRepo:
    """Build a repository of ``commits`` commits at ``path`` (a new or empty directory)."""
    _check(path, commits, record_share, files)
    path.mkdir(parents=True, exist_ok=True)
    _git(path, ["init", "--quiet", "--initial-branch=main"])
    rng = random.Random(seed)
    tree = _Files(files, rng)
    with tempfile.TemporaryDirectory(prefix="synthrepo-") as tmp:
        stream_path = Path(tmp) / "stream"
        stream = _Stream(stream_path)
        counts = _write_history(stream, tree, rng, commits, record_share, locked_dependencies)
        stream.close()
        _git(path, ["fast-import", "--quiet"], stream_path)
    _git(path, ["read-tree", "-u", "--reset", "HEAD"])
    head = _git(path, ["rev-parse", "HEAD"])
    built = SynthRepo(
        path=path,
        commits=commits,
        with_records=counts["records"],
        models=tuple(sorted(s for s in counts if "/" in s)),
        head=head,
        trailer_only=counts["trailer"],
        imported=counts["imported"],
        model_commits=tuple(sorted((s, n) for s, n in counts.items() if "/" in s)),
    )
    _save(built)
    return built


SUMMARY = "aibom-synthrepo.json"  # in the git dir: what was generated, for benchmarks


def _save(repo: SynthRepo) -> None:
    data = {
        "commits": repo.commits,
        "with_records": repo.with_records,
        "head": repo.head,
        "model_commits": dict(repo.model_commits),
    }
    (repo.path / ".git" / SUMMARY).write_text(json.dumps(data, indent=2, sort_keys=True))


def load_summary(path: Path) -> dict[str, object] | None:
    """What :func:`generate` wrote into ``path`` (None when it did not build it)."""
    try:
        data: dict[str, object] = json.loads((path / ".git" / SUMMARY).read_text())
    except (OSError, ValueError):
        return None
    return data


def _write_history(
    stream: _Stream,
    tree: _Files,
    rng: random.Random,
    commits: int,
    record_share: float,
    locked: int,
) -> Counter[str]:
    counts: Counter[str] = Counter()
    notes: list[tuple[int, str]] = []
    session = _session(rng, 0)
    for serial in range(commits):
        if serial % 8 == 0:
            session = _session(rng, serial)
        when = _START + serial * _STEP
        plan = _plan(rng, record_share, session)
        touched = rng.sample(tree.paths, k=min(len(tree.paths), rng.choice((1, 1, 1, 2, 3))))
        written = {p: tree.edit(p, serial) for p in touched}
        changes = [(p, tree.content(p)) for p in touched]
        if serial == 0 and locked:
            changes.append((LOCKFILE, _lockfile(locked)))
        human = _HUMANS[rng.randrange(len(_HUMANS))]
        stamped = plan.kind in ("trailer", "ai-record")
        message = f"change {serial}: edit {touched[0]}{_trailers(plan) if stamped else ''}\n"
        mark = stream.commit(human, when, message, changes)
        note = _note(plan, when, written, tree, rng)
        if note:
            notes.append((mark, note))
            counts["records"] += 1
        counts[plan.kind] += 1
        if plan.model:
            counts[plan.model] += 1
    stream.notes(_START + commits * _STEP, notes)
    return counts


def _note(
    plan: _Plan, when: int, written: dict[str, tuple[int, ...]], tree: _Files, rng: random.Random
) -> str:
    if plan.kind in ("human", "trailer"):
        return ""
    if plan.kind == "imported":
        return _attribution(plan, written, tree, imported=True).line + "\n"
    lines = [_generation(plan, when).line]
    if plan.kind == "ai-record" and rng.random() < 0.5:
        lines.append(_attribution(plan, written, tree, imported=False).line)
    return "".join(line + "\n" for line in sorted(lines))


def _session(rng: random.Random, serial: int) -> str:
    return f"synth-{serial:07d}-{rng.getrandbits(32):08x}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aibom.testing.synthrepo",
        description="Build a synthetic repository with aibom notes (one git fast-import).",
        epilog="example: python -m aibom.testing.synthrepo /tmp/synth --commits 100000",
    )
    parser.add_argument("path", type=Path)
    parser.add_argument("--commits", type=int, required=True)
    parser.add_argument("--record-share", type=float, default=0.5)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--locked-dependencies", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        repo = generate(
            args.path,
            commits=args.commits,
            record_share=args.record_share,
            files=args.files,
            locked_dependencies=args.locked_dependencies,
            seed=args.seed,
        )
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{repo.path}: {repo.commits} commits, {repo.with_records} with records, head {repo.head}"
    )
    for slug, count in repo.model_commits:
        print(f"  {slug}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
