"""``build``: history + notes + blame + manifests -> a validated CycloneDX AI-BOM.

Stages (each timed, see ``BuildSummary.timings``): history (waiting for one ``git log``
carrying trailers and notes, while a second ``git log --name-status`` lists the touched paths
in a thread), notes (parsing records and attribution, done as the first log's output
arrives), paths (waiting for and parsing the second log), tree (one ``ls-tree`` and one
``cat-file --batch``), blame (one blame per AI-touched file and per manifest whose
dependencies lack a record), manifests, facts (models, files, sessions, reviews and metrics
from what was read), serialisation, validation.
"""

from __future__ import annotations

import functools
import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aibom import __version__
from aibom.bom import dependencies as deps
from aibom.bom import document as doc
from aibom.bom import history as hist
from aibom.bom import lines as ln
from aibom.bom import serialize, validate
from aibom.bom.model import (
    AgentUse,
    BomFacts,
    CommitRef,
    Digest,
    FileEntry,
    ModelUse,
    OutputFormat,
    Release,
    ReviewNote,
    Session,
    Spec,
)
from aibom.bom.tree import Tree, read_tree
from aibom.errors import UsageError
from aibom.gitutil import Repo
from aibom.provenance.modelid import normalize_model
from aibom.provenance.types import ModelId

COMMIT_ORIGIN = {"ai-generated": "ai", "ai-assisted": "mixed", "human": "human"}
ORIGINS = ("ai", "mixed", "human", "unknown")


@dataclass(frozen=True)
class Selection:
    """Which history the BOM covers: HEAD (default), ``range`` A..B, ``all`` refs, or resolved
    ``revs`` with their ``release`` commit (as a BOM records them, for verification)."""

    range: str | None = None
    all: bool = False
    revs: tuple[str, ...] = ()
    release: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class BuildOptions:
    selection: Selection = field(default_factory=Selection)
    spec: Spec = Spec.V1_6
    format: OutputFormat = OutputFormat.JSON
    name: str | None = None  # release name; default: the remote's or the directory's name
    version: str | None = None  # release version; default: git describe --tags of the release
    vcs_url: str | None = (
        None  # default: the origin remote (as a URI, without credentials); "": none
    )
    epoch: int | None = None  # SOURCE_DATE_EPOCH; default: the release commit's time


@dataclass(frozen=True)
class BuildSummary:
    spec: str
    format: str
    release: str
    version: str
    commits: int
    ai_commits: int
    components: int
    models: tuple[str, ...]
    files: int
    dependencies: int
    sessions: int
    reviews: int
    ai_line_share: float
    notes: int
    shallow: bool
    warnings: tuple[str, ...]
    timings: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class BuildResult:
    text: str
    document: Mapping[str, Any]
    summary: BuildSummary


class _Clock:
    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.spent[name] = self.spent.get(name, 0.0) + time.perf_counter() - start

    def move(self, source: str, target: str, seconds: float) -> None:
        """Book ``seconds`` of stage ``source`` under ``target`` (work interleaved in one
        stage, e.g. notes parsed while git log still writes)."""
        self.spent[source] = self.spent.get(source, 0.0) - seconds
        self.spent[target] = self.spent.get(target, 0.0) + seconds


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- selection -----------------------------------------------------------------------------
def _commit_of(repo: Repo, rev: str) -> str:
    proc = repo.git(
        ["rev-parse", "-q", "--verify", "--end-of-options", rev + "^{commit}"], check=False
    )
    sha = proc.stdout.decode().strip()
    if proc.returncode != 0 or not sha:
        raise UsageError(
            f"{rev!r} is not a commit in this repository",
            hint="give --range A..B with two commits, e.g. v1.0..v1.1",
        )
    return sha


def resolve(repo: Repo, selection: Selection) -> tuple[tuple[str, ...], str, str | None]:
    """(git log arguments, release commit, ref name) for ``selection``."""
    if selection.revs:
        release = selection.release or selection.revs[-1].lstrip("^")
        _all_commits(repo, (*(r.lstrip("^") for r in selection.revs), release))
        return selection.revs, release, selection.ref
    if selection.range is not None:
        if "..." in selection.range or selection.range.count("..") != 1:
            raise UsageError(
                f"--range {selection.range!r}: expected A..B", hint="e.g. --range v1.0..v1.1"
            )
        start, _, end = selection.range.partition("..")
        end_sha = _commit_of(repo, end or "HEAD")
        revs = (f"^{_commit_of(repo, start)}", end_sha) if start else (end_sha,)
        return revs, end_sha, end or _branch(repo)
    head = _commit_of(repo, "HEAD") if _has_head(repo) else None
    if head is not None:
        return (_all_tips(repo) if selection.all else (head,)), head, _branch(repo)
    tips = _all_tips(repo)
    if tips and selection.all:  # HEAD is unborn (git init + fetch, an orphan branch)
        release, ref = _newest_tip(repo, tips)
        return tips, release, ref
    if tips:
        raise UsageError(
            f"the current branch {_branch(repo) or 'HEAD'!r} has no commits yet",
            hint="commit something first, or build from the other refs with --all or --range A..B",
        )
    raise UsageError("this repository has no commits yet", hint="commit something first")


def _all_commits(repo: Repo, shas: Sequence[str]) -> None:
    """A usage error unless every one of ``shas`` (full ids, e.g. a BOM's) is a commit here:
    one ``cat-file --batch-check``."""
    proc = repo.git(
        ["cat-file", "--batch-check=%(objecttype)"], input="".join(f"{s}\n" for s in shas).encode()
    )
    answers = proc.stdout.decode().split("\n")
    missing = [sha for sha, kind in zip(shas, answers, strict=False) if kind != "commit"]
    if missing:
        raise UsageError(
            f"commit {missing[0]} is not in this repository",
            hint="run it in a clone that has the history the BOM covers (git fetch; not shallow)",
        )


def _has_head(repo: Repo) -> bool:
    return repo.git(["rev-parse", "-q", "--verify", "HEAD^{commit}"], check=False).returncode == 0


def _branch(repo: Repo) -> str | None:
    proc = repo.git(["symbolic-ref", "-q", "--short", "HEAD"], check=False)
    return proc.stdout.decode().strip() or None


def _all_tips(repo: Repo) -> tuple[str, ...]:
    """The commits every ref (but the notes refs) points to, tags peeled; a tag of a tree or
    a blob (git.git and linux have some) is not a commit and is left out, as ``git log --all``
    does."""
    proc = repo.git(["for-each-ref", "--format=%(refname) %(objectname)"])
    tips = set()
    for line in proc.stdout.decode("utf-8", "surrogateescape").split("\n"):
        parts = line.split()
        if len(parts) >= 2 and not parts[0].startswith("refs/notes/"):
            tips.add(parts[-1])
    peeled = repo.git(
        ["cat-file", "--batch-check=%(objecttype) %(objectname)"],
        input="".join(f"{tip}^{{}}\n" for tip in sorted(tips)).encode(),
    )
    found = (line.split(" ") for line in peeled.stdout.decode().split("\n"))
    return tuple(sorted({p[1] for p in found if len(p) == 2 and p[0] == "commit"}))


def _newest_tip(repo: Repo, tips: Sequence[str]) -> tuple[str, str | None]:
    """The release for ``--all`` when HEAD has no commit: the tip committed last (ties: the
    lowest id, so the choice is reproducible), and the ref that names it (a branch before a
    remote-tracking branch before a tag, then by name)."""
    proc = repo.git(
        ["log", "--no-walk", "--stdin", "--format=%ct %H"],
        input="".join(f"{tip}\n" for tip in tips).encode(),
    )
    dated = (line.split(" ") for line in proc.stdout.decode().split("\n") if line.strip())
    release = min((-int(when), sha) for when, sha in dated)[1]
    refs = repo.git(
        ["for-each-ref", "--points-at", release, "--format=%(refname) %(refname:short)"]
    )
    kinds = ("refs/heads/", "refs/remotes/", "refs/tags/")
    named = []
    for line in refs.stdout.decode("utf-8", "surrogateescape").split("\n"):
        full, _, short = line.partition(" ")
        kind = next((i for i, k in enumerate(kinds) if full.startswith(k)), None)
        if kind is not None and short:
            named.append((kind, short))
    return release, min(named)[1] if named else None


# -- release -------------------------------------------------------------------------------
def _config(repo: Repo, key: str) -> str | None:
    proc = repo.git(["config", "--get", key], check=False)
    return proc.stdout.decode("utf-8", "replace").strip() or None


def _public_url(url: str, base: str = ".") -> str:
    """A remote as a URI without credentials: ``https://user:token@host/x`` ->
    ``https://host/x``, scp-like ``git@host:org/x.git`` -> ``ssh://git@host/org/x.git``, a
    local path -> ``file://`` URI; characters an IRI cannot hold are percent-encoded."""
    from urllib.parse import quote

    scheme, sep, rest = url.partition("://")
    if sep:
        if "@" in rest.split("/", 1)[0]:
            rest = rest.split("@", 1)[1]
        text = f"{scheme}{sep}{rest}"
    elif ":" in url.split("/", 1)[0] and not url.startswith("/"):
        host, _, path = url.partition(":")
        user, at, name = host.rpartition("@")
        text = f"ssh://{'git@' if at and user == 'git' else ''}{name}/{path.lstrip('/')}"
    else:
        text = "file://" + os.path.abspath(os.path.join(base, url))
    return quote(text, safe=":/@?#[]!$&'()*+,;=%~-._")


def _release_name(repo: Repo, url: str | None) -> str:
    if url:
        tail = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        if tail.endswith(".git"):
            tail = tail[:-4]
        if tail:
            return tail
    base = repo.toplevel or os.path.dirname(os.path.abspath(repo.common_dir))
    return os.path.basename(os.path.abspath(base)) or "repository"


def _version(repo: Repo, commit: str) -> str:
    """The tag of the release (``v1.2``, or ``v1.2-5-g<sha>`` after it), else its short id.
    Without any tag ``git describe`` would walk the whole history to say so: not asked."""
    tags = repo.git(["for-each-ref", "--count=1", "--format=%(refname)", "refs/tags"])
    if not tags.stdout.strip():
        return commit[:12]
    proc = repo.git(["describe", "--tags", "--abbrev=12", "--always", commit], check=False)
    return proc.stdout.decode().strip() or commit[:12]


def _shallow(repo: Repo) -> bool:
    return repo.out(["rev-parse", "--is-shallow-repository"]).strip() == "true"


def release_of(
    repo: Repo,
    options: BuildOptions,
    revs: tuple[str, ...],
    commit: str,
    ref: str | None,
    when: int,
) -> Release:
    url = _config(repo, "remote.origin.url")
    public = (
        options.vcs_url
        if options.vcs_url is not None
        else (_public_url(url, repo.cwd) if url else None)
    )
    return Release(
        name=options.name or _release_name(repo, url),
        version=options.version or _version(repo, commit),
        commit=commit,
        ref=ref,
        vcs_url=public,
        timestamp=iso(options.epoch if options.epoch is not None else when),
        revs=revs,
        shallow=_shallow(repo),
    )


# -- facts ---------------------------------------------------------------------------------
def commit_origin(commit: hist.Commit) -> str:
    return COMMIT_ORIGIN.get(commit.attribution.origin, "unknown")


def ai_touched(
    history: hist.History, tree: Tree, boundary: frozenset[str] = frozenset()
) -> list[str]:
    """Paths of the release tree that an AI commit of the history touched (its attribution
    includes imported records), text files only. A shallow clone's ``boundary`` commits are
    left out: without their parents git lists every path of their tree as changed."""
    touched: set[str] = set()
    for commit in history.commits:
        if commit.is_ai and commit.sha not in boundary:
            touched.update(commit.paths)
    return sorted(p for p in touched if p in tree.blobs and not tree.blobs[p].binary)


@functools.lru_cache(maxsize=4096)
def _normalized(slug: str) -> ModelId | None:
    return normalize_model(slug)


def _model_use(slug: str, commits: int, lines: int) -> ModelUse:
    found = _normalized(slug)
    if found is None:
        provider, _, name = slug.partition("/")
        return ModelUse(slug, provider or "unknown", name or slug, None, commits, lines)
    return ModelUse(found.slug, found.provider, found.model, found.version, commits, lines)


def models_of(history: hist.History, files: Mapping[str, ln.FileLines]) -> tuple[ModelUse, ...]:
    commits = Counter(m for c in history.commits if c.is_ai for m in c.attribution.models)
    lines: Counter[str] = Counter()
    for entry in files.values():
        lines.update(dict(entry.by_model))
    slugs = sorted(set(commits) | set(lines))
    return tuple(_model_use(s, commits.get(s, 0), lines.get(s, 0)) for s in slugs)


def _split_agent(agent: str) -> tuple[str, str | None]:
    name, _, version = agent.partition("/")
    return name, version or None


def agents_of(history: hist.History) -> tuple[AgentUse, ...]:
    counts = Counter(
        c.attribution.agent for c in history.commits if c.is_ai and c.attribution.agent
    )
    return tuple(AgentUse(*_split_agent(agent), commits=n) for agent, n in sorted(counts.items()))


def _commit_ref(sha: str, known: Mapping[str, hist.Commit]) -> CommitRef:
    commit = known.get(sha)
    if commit is None:
        return CommitRef(sha, "", "", "", "")
    return CommitRef(
        sha, commit.author_name, commit.author_email, iso(commit.authored), commit.subject
    )


def files_of(
    tree: Tree,
    paths: Sequence[str],
    blamed: Mapping[str, ln.FileLines],
    known: Mapping[str, hist.Commit],
) -> tuple[FileEntry, ...]:
    entries = []
    for path in paths:
        lines = blamed.get(path) or ln.summarize(path, ())
        pedigree = tuple(_commit_ref(sha, known) for sha in sorted(lines.commits))
        models = tuple(slug for slug, _ in lines.by_model)
        entries.append(FileEntry(tree.blobs[path], lines, models, pedigree))
    return tuple(entries)


def _sha256(item: object) -> str | None:
    """The hex of a ``{"digest": "sha256:<64 hex>"}`` item, else None (a note is shared
    data: a malformed digest is left out, it must not make the BOM invalid)."""
    digest = item.get("digest") if isinstance(item, dict) else None
    if not isinstance(digest, str) or not digest.startswith("sha256:"):
        return None
    value = digest[7:]
    return value if len(value) == 64 and all(c in _HEX for c in value) else None


_HEX = frozenset("0123456789abcdefABCDEF")


def _digests(record: Mapping[str, Any]) -> list[Digest]:
    found = []
    for key, name in (("prompt", "prompt"), ("system_prompt", "system-prompt")):
        if (value := _sha256(record.get(key))) is not None:
            found.append(Digest(name, value))
    context = record.get("context")
    for item in context if isinstance(context, list) else ():
        if (value := _sha256(item)) is not None:
            found.append(Digest(f"context:{item.get('name')}", value))
    if (value := _sha256(record.get("agent_config"))) is not None:
        found.append(Digest("agent-config", value))
    return found


def sessions_of(
    history: hist.History, files: Sequence[FileEntry], agents: Sequence[AgentUse]
) -> tuple[Session, ...]:
    by_id: dict[str, list[hist.Commit]] = defaultdict(list)
    for commit in history.commits:
        if commit.is_ai:
            for session in commit.attribution.sessions:
                by_id[session].append(commit)
    outputs: dict[str, list[str]] = defaultdict(list)
    for entry in files:
        for session in entry.lines.sessions:
            outputs[session].append(entry.ref)
    agent_refs = {a.ref.removeprefix("agent:"): a.ref for a in agents}
    return tuple(
        _session(sid, commits, outputs.get(sid, []), agent_refs)
        for sid, commits in sorted(by_id.items())
    )


def _session(
    sid: str, commits: list[hist.Commit], outputs: list[str], agent_refs: Mapping[str, str]
) -> Session:
    params: dict[str, str] = {}
    digests: dict[tuple[str, str], Digest] = {}
    starts: list[str] = []
    for commit in commits:
        for record in commit.of_kind("generation") if commit.records else ():
            if record.get("session") not in (sid, None):
                continue
            parameters = record.get("parameters")
            for key, value in parameters.items() if isinstance(parameters, dict) else ():
                params.setdefault(str(key), _param(value))
            for digest in _digests(record):
                digests.setdefault((digest.name, digest.sha256), digest)
            stamps = record.get("timestamps")
            start = stamps.get("session_start") if isinstance(stamps, dict) else None
            if isinstance(start, str) and (when := _iso_text(start)) is not None:
                starts.append(when)
    times = sorted(c.committed for c in commits)
    models = sorted(
        {f"model:{_model_use(m, 0, 0).slug}" for c in commits for m in c.attribution.models}
    )
    agents = sorted(
        {agent_refs[a] for c in commits if (a := c.attribution.agent) and a in agent_refs}
    )
    return Session(
        id=sid,
        models=tuple(models),
        agents=tuple(agents),
        commits=tuple(sorted(c.sha for c in commits)),
        parameters=tuple(sorted(params.items())),
        digests=tuple(sorted(digests.values(), key=lambda d: (d.name, d.sha256))),
        outputs=tuple(sorted(outputs)),
        start=min(starts) if starts else iso(times[0]),
        end=iso(times[-1]),
    )


def _param(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _iso_text(text: str) -> str | None:
    """An RFC 3339 time of a record in the BOM's form, or None when it is not one."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        epoch = int(parsed.timestamp())
    except (ValueError, OverflowError, OSError):
        return None
    return iso(epoch) if epoch >= 0 else None  # strftime writes year 999 as "999"


def reviews_of(
    history: hist.History, files: Sequence[FileEntry], sessions: Sequence[Session]
) -> tuple[ReviewNote, ...]:
    by_commit: dict[str, list[str]] = defaultdict(list)
    for entry in files:
        for ref in entry.pedigree:
            by_commit[ref.sha].append(entry.ref)
    for session in sessions:
        for sha in session.commits:
            by_commit[sha].append(session.ref)
    notes = []
    reviewed = [c for c in history.commits if c.reviews]
    for commit in sorted(reviewed, key=lambda c: (c.committed, c.sha)):
        for index, review in enumerate(commit.reviews):
            subjects = tuple(sorted(set(by_commit.get(commit.sha, ())))) or (doc.RELEASE_REF,)
            notes.append(
                ReviewNote(
                    commit.sha,
                    review.reviewer,
                    review.name,
                    review.email,
                    iso(commit.committed),
                    commit.subject,
                    subjects,
                    index,
                )
            )
    return tuple(notes)


def metrics_of(
    history: hist.History, tree: Tree, blamed: Mapping[str, ln.FileLines]
) -> tuple[tuple[str, str], ...]:
    origins = Counter(commit_origin(c) for c in history.commits)
    total = len(history.commits)
    models = Counter(m for c in history.commits if c.is_ai for m in c.attribution.models)
    pairs: list[tuple[str, str]] = [("metrics:commits:total", str(total))]
    pairs += [(f"metrics:commits:origin:{o}", str(origins.get(o, 0))) for o in ORIGINS]
    pairs += [(f"metrics:commits:model:{m}", str(n)) for m, n in sorted(models.items())]
    ai_commits = origins.get("ai", 0) + origins.get("mixed", 0)
    pairs.append(("metrics:commits:share:ai", _ratio(ai_commits, total)))
    release_lines = sum(b.lines for b in tree.blobs.values() if not b.binary)
    line_origins: Counter[str] = Counter()
    line_models: Counter[str] = Counter()
    for entry in blamed.values():
        line_origins.update(dict(entry.by_origin))
        line_models.update(dict(entry.by_model))
    pairs.append(("metrics:lines:release", str(release_lines)))
    pairs.append(("metrics:lines:blamed", str(sum(line_origins.values()))))
    pairs += [(f"metrics:lines:origin:{o}", str(line_origins.get(o, 0))) for o in ORIGINS]
    pairs += [(f"metrics:lines:model:{m}", str(n)) for m, n in sorted(line_models.items())]
    ai_lines = line_origins.get("ai", 0) + line_origins.get("mixed", 0)
    pairs.append(("metrics:lines:share:ai", _ratio(ai_lines, release_lines)))
    return tuple(pairs)


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.4f}" if whole else "0.0000"


# -- build ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Gathered:
    facts: BomFacts
    warnings: tuple[str, ...]
    history: hist.History
    ai_line_share: float


@dataclass(frozen=True)
class _Read:
    """What the build read from git before it assembles the BOM."""

    revs: tuple[str, ...]
    release: str
    ref: str | None
    history: hist.History
    tree: Tree
    paths: tuple[str, ...]  # AI-touched files of the release tree
    declared: deps.Declared
    recorded: Mapping[tuple[str, str], deps.AddedBy]
    blamed: Mapping[str, tuple[ln.LineFact, ...]]
    boundary: frozenset[str] = frozenset()  # a shallow clone's commits without parents


def read(repo: Repo, options: BuildOptions, clock: _Clock) -> _Read:
    revs, release_sha, ref = resolve(repo, options.selection)
    shallow = _shallow(repo)
    parsing: list[float] = []
    with clock.stage("history"):
        pending = hist.Pending(repo, revs)  # the paths, in a second git process meanwhile
        heads = hist.stream_heads(repo, revs, parsing)  # parsed while git writes
    clock.move("history", "notes", sum(parsing))
    with clock.stage("paths"):
        changes = hist.parse_changes(pending.result())
        history = hist.History(revs, tuple(hist.join(heads, changes)), shallow)
    del heads, changes
    boundary = hist.shallow_boundary(repo) if shallow else frozenset()
    with clock.stage("tree"):
        tree = read_tree(repo, release_sha)
        paths = ai_touched(history, tree, boundary)
        texts = tree.text(repo, deps.manifest_paths(list(tree.blobs)))
    with clock.stage("manifests"):
        declared = deps.declared(texts)
        recorded = deps.recorded_additions(history)
        unrecorded = {
            d.location.path
            for d in declared.dependencies
            if (d.key[0].value, d.key[1]) not in recorded and d.location.path in tree.blobs
        }
    with clock.stage("blame"):
        chains = ln.chains_for(repo, history, release_sha) if paths or unrecorded else {}
        wanted = sorted(set(paths) | unrecorded)
        blamed = ln.unknown_at(ln.blame(repo, release_sha, wanted, chains), boundary)
    return _Read(
        revs, release_sha, ref, history, tree, tuple(paths), declared, recorded, blamed, boundary
    )


def _warnings(got: _Read, notes_count: int) -> list[str]:
    warnings = list(got.declared.warnings)
    if notes_count == 0:
        warnings.append(
            "no aibom notes in this history: every commit is human or unknown by its trailers"
        )
    if got.history.shallow:
        warnings.append("shallow clone: history before the shallow boundary is not covered")
    skipped = sum(c.skipped_lines for c in got.history.commits)
    if skipped:
        warnings.append(f"{skipped} note line(s) were not usable records and were skipped")
    return warnings


def assemble(repo: Repo, options: BuildOptions, got: _Read) -> _Gathered:
    history, tree = got.history, got.tree
    known = history.by_sha()
    blamed = ln.summarize_all({p: got.blamed.get(p, ()) for p in got.paths})
    by_line = {(p, f.line): f for p, facts in got.blamed.items() for f in facts}

    def commit_models(sha: str) -> tuple[str, ...]:
        commit = known.get(sha)
        return commit.attribution.models if commit is not None else ()

    def line_fact(path: str, line: int) -> ln.LineFact | None:
        """Who wrote a manifest line; not known past a shallow clone's boundary."""
        fact = by_line.get((path, line))
        return None if fact is None or fact.commit in got.boundary else fact

    dep_components = deps.components(got.declared, got.recorded, line_fact, commit_models)
    files = files_of(tree, got.paths, blamed, known)
    agents = agents_of(history)
    sessions = sessions_of(history, files, agents)
    release_commit = known.get(got.release)
    when = release_commit.committed if release_commit else _commit_time(repo, got.release)
    release = release_of(repo, options, got.revs, got.release, got.ref, when)
    notes_digest, notes_count = hist.records_digest(history)
    warnings = _warnings(got, notes_count)
    build_notes: list[tuple[str, str]] = [
        ("records:digest", notes_digest),
        ("records:notes", str(notes_count)),
        ("notes", "present" if notes_count else "none"),
        ("history:shallow", "true" if history.shallow else "false"),
        ("history:commits", str(len(history.commits))),
        ("manifests", str(len(got.declared.manifests))),
    ]
    build_notes += [("warning", w) for w in warnings]
    metrics = metrics_of(history, tree, blamed)
    facts = BomFacts(
        release=release,
        tool_version=__version__,
        models=models_of(history, blamed),
        agents=agents,
        files=files,
        dependencies=dep_components,
        sessions=sessions,
        reviews=reviews_of(history, files, sessions),
        metrics=metrics,
        notes=tuple(build_notes),
    )
    share = float(dict(metrics)["metrics:lines:share:ai"])
    return _Gathered(facts, tuple(warnings), history, share)


def gather(repo: Repo, options: BuildOptions, clock: _Clock) -> _Gathered:
    got = read(repo, options, clock)
    with clock.stage("facts"):
        return assemble(repo, options, got)


def _commit_time(repo: Repo, sha: str) -> int:
    text = repo.out(["show", "-s", "--format=%ct", sha]).strip()
    return int(text) if text.isdigit() else 0


@contextmanager
def _no_collection() -> Iterator[None]:
    """The cyclic garbage collector off while a build runs: the build makes millions of
    acyclic objects (100,000 commits, their records, the document), and every full
    collection walks all of them (measured: serialisation 1.1 s with it, 0.25 s without)."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(repo: Repo, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Build, serialise and validate the BOM. Nothing is written: the caller writes
    ``result.text`` once this returned."""
    with _no_collection():
        return _build(repo, options)


def _build(repo: Repo, options: BuildOptions) -> BuildResult:
    clock = _Clock()
    gathered = gather(repo, options, clock)
    with clock.stage("serialisation"):
        document = doc.document(gathered.facts, options.spec)
        text = serialize.to_json(document)  # also sets the serial number, for XML too
        if options.format is OutputFormat.XML:
            from aibom.bom import xml

            text = xml.to_xml(document, options.spec)
    with clock.stage("validation"):
        validate.check(document, options.spec)
        if options.format is OutputFormat.XML:
            from aibom.bom import xml

            xml.check(text, options.spec)
    return BuildResult(text, document, _summary(gathered, options, document, clock))


def _summary(
    gathered: _Gathered, options: BuildOptions, document: Mapping[str, Any], clock: _Clock
) -> BuildSummary:
    facts = gathered.facts
    commits = gathered.history.commits
    return BuildSummary(
        spec=options.spec.value,
        format=options.format.value,
        release=facts.release.name,
        version=facts.release.version,
        commits=len(commits),
        ai_commits=sum(1 for c in commits if c.is_ai),
        components=len(document.get("components", ())),
        models=tuple(m.slug for m in facts.models),
        files=len(facts.files),
        dependencies=len(facts.dependencies),
        sessions=len(facts.sessions),
        reviews=len(facts.reviews),
        ai_line_share=gathered.ai_line_share,
        notes=int(dict(facts.notes)["records:notes"]),
        shallow=facts.release.shallow,
        warnings=gathered.warnings,
        timings=tuple((k, round(v, 4)) for k, v in clock.spent.items()),
    )
