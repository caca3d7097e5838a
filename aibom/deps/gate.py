"""The gate: which dependencies a change adds, and what is wrong with them.

Three scopes: ``staged`` (the index against HEAD: the pre-commit hook), ``base`` (HEAD
against its merge base with a ref: CI) and ``all`` (every tracked file). File contents come
from git in one ``cat-file --batch``; registries are asked once per distinct name, all
names at once.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aibom.deps import checks, imports
from aibom.deps.manifests import parse_file
from aibom.deps.paths import kind_of
from aibom.deps.policy import Policy
from aibom.deps.types import (
    Dependency,
    DepKind,
    Ecosystem,
    Finding,
    Location,
    LookupStatus,
    PackageInfo,
    ParseProblem,
)
from aibom.errors import UsageError
from aibom.gitutil import Repo
from aibom.notes.store import cat_blobs

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


@dataclass(frozen=True)
class Scope:
    mode: str = "staged"  # staged | base | all
    base: str | None = None
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sides:
    """Object-name prefixes for the new and the old content (``:`` is the index), the paths
    that changed on each side, and where each new path was before (renames)."""

    new: str
    old: str | None
    files: tuple[str, ...]  # new side
    old_files: tuple[str, ...] = ()
    origin: Mapping[str, str] = field(default_factory=dict)  # new path -> old path


@dataclass(frozen=True)
class Result:
    added: tuple[Dependency, ...]
    findings: tuple[Finding, ...]
    problems: tuple[ParseProblem, ...]
    files: tuple[str, ...]
    policy: Policy
    lookups: int = 0
    from_cache: int = 0
    infos: Mapping[tuple[Ecosystem, str], PackageInfo] = field(default_factory=dict)

    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if is_blocking(f, self.policy)]

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking() else 0


def is_blocking(finding: Finding, policy: Policy) -> bool:
    if finding.rule == "unverified":
        return policy.on_unreachable == "block"
    return policy.blocks(finding.severity)


Lookup = Callable[[Ecosystem, Sequence[str]], Mapping[str, PackageInfo]]


def run(
    repo: Repo,
    scope: Scope,
    policy: Policy,
    lookup: Lookup,
    *,
    typosquat: checks.TyposquatFinder,
    hallucinated: Mapping[Ecosystem, frozenset[str]],
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> Result:
    sides = _sides(repo, scope)
    relevant = [p for p in sides.files if kind_of(p) is not None]
    contents = _read(repo, sides)
    added, problems = _added(repo, sides, relevant, contents)
    ctx = checks.Context(
        policy, now or datetime.now(UTC), hallucinated=hallucinated, typosquat=typosquat
    )
    extra: list[Finding] = []
    if policy.imports:
        found, extra = _imports(repo, sides, relevant, contents, added)
        added.extend(found)
    findings, infos = _check(added, ctx, lookup, progress or (lambda _: None))
    findings = extra + findings
    findings.sort(key=lambda f: (-f.severity.rank, f.dependency.location, f.rule))
    return Result(
        added=tuple(added),
        findings=tuple(findings),
        problems=tuple(problems),
        files=tuple(relevant),
        policy=policy,
        lookups=len(infos),
        from_cache=sum(1 for i in infos.values() if i.from_cache),
        infos=infos,
    )


# -- which files, which sides ----------------------------------------------------------------
def _has_head(repo: Repo) -> bool:
    return repo.git(["rev-parse", "-q", "--verify", "HEAD^{commit}"], check=False).returncode == 0


def _sides(repo: Repo, scope: Scope) -> Sides:
    pathspec = ["--", *scope.paths] if scope.paths else []
    if scope.mode == "all":
        files = _z(repo.git(["ls-files", "-z", *pathspec]).stdout)
        return Sides(":", None, files)
    diff = ["diff", "--name-status", "-z", "-M", "--diff-filter=ACDMRT"]
    if scope.mode == "base":
        if scope.base is None:
            raise UsageError("--base needs a revision")
        base = _merge_base(repo, scope.base)
        return _changes(repo.git([*diff, base, "HEAD", *pathspec]).stdout, "HEAD:", f"{base}:")
    if not _has_head(repo):
        files = _z(repo.git(["ls-files", "-z", *pathspec]).stdout)
        return Sides(":", None, files)
    return _changes(repo.git([*diff, "--cached", "HEAD", *pathspec]).stdout, ":", "HEAD:")


def _changes(data: bytes, new: str, old: str) -> Sides:
    """Parse ``git diff --name-status -z -M``: a deleted or renamed-away file still counts on
    the old side, so a dependency that moved between files is not new."""
    fields = _z(data)
    files: list[str] = []
    old_files: list[str] = []
    origin: dict[str, str] = {}
    i = 0
    while i < len(fields):
        status = fields[i][:1]
        if status in ("R", "C"):
            before, after = fields[i + 1], fields[i + 2]
            i += 3
            files.append(after)
            old_files.append(before)
            origin[after] = before
            continue
        path = fields[i + 1]
        i += 2
        if status != "A":
            old_files.append(path)
        if status != "D":
            files.append(path)
            if status != "A":
                origin[path] = path
    return Sides(new, old, tuple(files), tuple(old_files), origin)


def _merge_base(repo: Repo, ref: str) -> str:
    if ref.startswith("-"):
        raise UsageError(f"--base {ref!r}: not a revision")
    proc = repo.git(["rev-parse", "-q", "--verify", f"{ref}^{{commit}}"], check=False)
    if proc.returncode != 0:
        raise UsageError(f"--base {ref!r}: no such commit", hint="fetch it first in CI")
    if not _has_head(repo):
        raise UsageError("--base needs a HEAD commit to compare with")
    mb = repo.git(["merge-base", proc.stdout.decode().strip(), "HEAD"], check=False)
    if mb.returncode != 0:
        raise UsageError(f"--base {ref!r}: no common history with HEAD")
    return mb.stdout.decode().strip()


def _z(data: bytes) -> tuple[str, ...]:
    return tuple(p.decode("utf-8", "surrogateescape") for p in data.split(b"\0") if p)


def _read(repo: Repo, sides: Sides) -> dict[str, str]:
    names = [sides.new + p for p in sides.files if kind_of(p) is not None]
    if sides.old is not None:
        names += [sides.old + p for p in sides.old_files if kind_of(p) is not None]
    blobs = cat_blobs(repo, [n for n in names if "\n" not in n])
    return {name: _text(data) for name, data in blobs.items()}


def _text(data: bytes) -> str:
    text = data.decode("utf-8", "surrogateescape")
    return text[1:] if text.startswith("\ufeff") else text


def _reader(repo: Repo, prefix: str, contents: dict[str, str]) -> Callable[[str], str | None]:
    def read(path: str) -> str | None:
        path = posixpath.normpath(path)
        if path.startswith("../") or path == "..":
            return None
        name = prefix + path
        if name not in contents:
            blobs = cat_blobs(repo, [name]) if "\n" not in name else {}
            contents[name] = _text(blobs[name]) if name in blobs else None  # type: ignore[assignment]
        return contents[name]

    return read


# -- what was added --------------------------------------------------------------------------
def _added(
    repo: Repo, sides: Sides, paths: Sequence[str], contents: dict[str, str]
) -> tuple[list[Dependency], list[ParseProblem]]:
    old_keys: set[tuple[Ecosystem, str]] = set()
    old_problems: set[tuple[str, str]] = set()
    if sides.old is not None:
        for path in sides.old_files:
            old_text = contents.get(sides.old + path)
            if old_text is None or kind_of(path) in (None, "python"):
                continue
            old = parse_file(path, old_text, _reader(repo, sides.old, contents))
            old_keys.update(d.key for d in old.dependencies)
            old_problems.update((path, p.message) for p in old.problems)
    added: list[Dependency] = []
    problems: list[ParseProblem] = []
    for path in paths:
        if kind_of(path) == "python":
            continue
        if "\n" in path:
            problems.append(ParseProblem(Location(path), "not read: the path holds a newline"))
            continue
        new_text = contents.get(sides.new + path)
        if new_text is None:
            continue
        new = parse_file(path, new_text, _reader(repo, sides.new, contents))
        added.extend(d for d in new.dependencies if d.key not in old_keys)
        before = sides.origin.get(path, path)
        problems.extend(p for p in new.problems if (before, p.message) not in old_problems)
    return added, problems


def _imports(
    repo: Repo,
    sides: Sides,
    paths: Sequence[str],
    contents: dict[str, str],
    added: Sequence[Dependency],
) -> tuple[list[Dependency], list[Finding]]:
    candidates: list[tuple[str, imports.AddedImport]] = []
    for path in paths:
        if kind_of(path) != "python":
            continue
        new = contents.get(sides.new + path)
        if new is None:
            continue
        before = sides.origin.get(path)
        old = contents.get(sides.old + before) if sides.old and before else None
        candidates.extend((path, imp) for imp in imports.added_imports(new, old))
    if not candidates:
        return [], []
    tracked = _z(repo.git(["ls-files", "-z"]).stdout)
    local = imports.local_modules(tracked)
    declared = {d.key[1] for d in added if d.ecosystem is Ecosystem.PYPI}
    declared |= _declared(repo, tracked, sides.new)
    deps: list[Dependency] = []
    findings: list[Finding] = []
    seen: set[str] = set()
    for path, imp in candidates:
        provided = not imports.unprovided([imp], local, frozenset(declared), repo.toplevel)
        if imp.module in seen or provided:
            continue
        seen.add(imp.module)
        dep = Dependency(
            Ecosystem.PYPI,
            imports.guess_distribution(imp.module),
            Location(path, imp.line),
            kind=DepKind.IMPORT,
        )
        deps.append(dep)
        findings.append(checks.undeclared_import(dep, imp.module))
    return deps, findings


def _declared(repo: Repo, tracked: Iterable[str], prefix: str) -> set[str]:
    """Normalised names declared by every Python manifest of the new side."""
    manifests = [p for p in tracked if kind_of(p) in ("manifest", "lockfile")]
    contents = {k: _text(v) for k, v in cat_blobs(repo, [prefix + p for p in manifests]).items()}
    names: set[str] = set()
    for path in manifests:
        text = contents.get(prefix + path)
        if text is None:
            continue
        parsed = parse_file(path, text, _reader(repo, prefix, dict(contents)))
        names.update(d.key[1] for d in parsed.dependencies if d.ecosystem is Ecosystem.PYPI)
    return names


# -- the checks ------------------------------------------------------------------------------
def _check(
    added: Sequence[Dependency],
    ctx: checks.Context,
    lookup: Lookup,
    progress: Callable[[str], None],
) -> tuple[list[Finding], dict[tuple[Ecosystem, str], PackageInfo]]:
    findings: list[Finding] = []
    pending: dict[tuple[Ecosystem, str], list[tuple[Dependency, tuple[Finding, ...]]]] = {}
    for dep in added:
        pre = checks.before_lookup(dep, ctx)
        findings.extend(pre.findings)
        if pre.lookup:
            pending.setdefault(dep.key, []).append((dep, pre.findings))
    infos: dict[tuple[Ecosystem, str], PackageInfo] = {}
    for eco in Ecosystem:
        names = sorted(name for e, name in pending if e is eco)
        if names:
            progress(f"checking {len(names)} {eco.value} name(s) on the registries")
            answers = lookup(eco, names)
            for name in names:
                infos[(eco, name)] = answers.get(name) or _missing(eco, name)
    for key, uses in pending.items():
        for dep, prior in uses:
            findings.extend(checks.after_lookup(dep, infos[key], ctx, prior))
    return findings, infos


def _missing(eco: Ecosystem, name: str) -> PackageInfo:
    return PackageInfo(eco, name, LookupStatus.UNVERIFIED, "", error="no answer")


def cwd_relative(paths: Iterable[str], repo: Repo) -> tuple[str, ...]:
    """PATHS given on the command line, made relative to the work tree."""
    top = repo.toplevel or repo.cwd
    result = []
    for p in paths:
        full = os.path.abspath(p)
        if not os.path.lexists(full):
            raise UsageError(f"{p}: no such file or directory")
        rel = os.path.relpath(full, top)
        if rel.startswith(".."):
            raise UsageError(f"{p}: outside the repository")
        result.append(rel.replace(os.sep, "/"))
    return tuple(result)
