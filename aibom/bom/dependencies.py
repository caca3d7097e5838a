"""Dependency components: what the manifests and lockfiles of the release tree declare (the
dependency gate's parsers), with hashes where a lockfile records them, and who added each one:
the dependency record of the commit that added it, else the blame of its manifest line."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from aibom.bom.history import History
from aibom.bom.lines import LineFact
from aibom.bom.lockhashes import Hashes, read_hashes
from aibom.deps.names import normalize
from aibom.deps.paths import kind_of
from aibom.deps.types import Dependency, DepKind, Ecosystem

RECORD_ORIGIN = {"ai-generated": "ai", "ai-assisted": "mixed", "human": "human"}


@dataclass(frozen=True)
class AddedBy:
    commit: str | None
    origin: str  # ai | mixed | human | unknown
    models: tuple[str, ...]
    source: str  # record | blame | none


@dataclass(frozen=True)
class DepComponent:
    ecosystem: str
    name: str  # normalised
    version: str | None
    spec: str
    purl: str
    scope: str  # required | optional
    hashes: tuple[tuple[str, str], ...]
    locations: tuple[str, ...]  # path:line
    added_by: AddedBy

    @property
    def ref(self) -> str:
        return self.purl


@dataclass(frozen=True)
class Declared:
    dependencies: tuple[Dependency, ...]
    hashes: Hashes
    manifests: tuple[str, ...]
    warnings: tuple[str, ...]


def manifest_paths(paths: Sequence[str]) -> list[str]:
    return sorted(p for p in paths if kind_of(p) in ("manifest", "lockfile"))


def declared(texts: Mapping[str, bytes]) -> Declared:
    """Parse every manifest and lockfile in ``texts`` (path -> content)."""
    from aibom.deps.manifests import parse_file

    decoded: dict[str, str] = {}
    warnings: list[str] = []
    for path, raw in sorted(texts.items()):
        try:
            decoded[path] = raw.decode("utf-8")
        except UnicodeDecodeError:
            warnings.append(f"{path}: not UTF-8 text, not read")
    deps: list[Dependency] = []
    hashes: Hashes = {}
    for path, text in decoded.items():
        result = parse_file(path, text, decoded.get)
        deps += [d for d in result.dependencies if d.url is None]
        warnings += [f"{p.location}: {p.message}" for p in result.problems]
        problem = read_hashes(path, text, hashes)
        if problem:
            warnings.append(problem)
    return Declared(tuple(deps), hashes, tuple(decoded), tuple(warnings))


def recorded_additions(history: History) -> dict[tuple[str, str], AddedBy]:
    """(ecosystem, name) -> the newest dependency record in the history that added it."""
    found: dict[tuple[str, str], AddedBy] = {}
    for commit in history.commits:  # newest first: the first record seen wins
        for record in commit.of_kind("dependency"):
            origin = RECORD_ORIGIN.get(str(record.get("origin")), "unknown")
            models = tuple(str(m) for m in record.get("models") or ())
            for added in record.get("added") or ():
                try:
                    eco = Ecosystem(added["ecosystem"])
                    key = (eco.value, normalize(eco, str(added["name"])))
                except (KeyError, ValueError, TypeError):
                    continue
                found.setdefault(key, AddedBy(commit.sha, origin, models, "record"))
    return found


def _version(dep: Dependency) -> str | None:
    spec = dep.spec.strip()
    if dep.kind is DepKind.LOCKED:
        return spec or None
    for op in ("===", "=="):
        if spec.startswith(op) and "," not in spec and "*" not in spec:
            return spec[len(op) :].strip() or None
    return None


def purl_of(ecosystem: str, name: str, version: str | None) -> str:
    from packageurl import PackageURL, quote

    if ecosystem == "npm":
        # purl-spec's npm type: the scope is the namespace, its @ always percent-encoded;
        # scope and name are case sensitive, kept as written (JSONStream and jsonstream are
        # two packages, see aibom.deps.names.normalize). packageurl-python lowercases npm
        # names, so this one is built here, each part percent-encoded as it would be.
        scope, slash, bare = name.partition("/") if name.startswith("@") else ("", "", name)
        path = f"{quote(scope)}/{quote(bare)}" if slash else quote(name)
        return f"pkg:npm/{path}" + (f"@{quote(version)}" if version else "")
    return str(PackageURL(type=ecosystem, name=name, version=version))


def components(
    found: Declared,
    records: Mapping[tuple[str, str], AddedBy],
    blamed: Callable[[str, int], LineFact | None],
    models_of: Callable[[str], tuple[str, ...]],
) -> tuple[DepComponent, ...]:
    """One component per (ecosystem, name, version); a name declared without a pinned version
    anywhere appears once without a version."""
    groups: dict[tuple[str, str, str | None], list[Dependency]] = {}
    pinned: set[tuple[str, str]] = set()
    for dep in found.dependencies:
        eco, name = dep.key[0].value, dep.key[1]
        version = _version(dep)
        if version:
            pinned.add((eco, name))
        groups.setdefault((eco, name, version), []).append(dep)
    unpinned = {(e, n): deps for (e, n, v), deps in groups.items() if v is None}
    result = []
    for (eco, name, version), deps in sorted(groups.items(), key=lambda kv: _sort_key(kv[0])):
        if version is None and (eco, name) in pinned:
            continue  # a range the pinned entry satisfies: folded into that entry below
        declared = [*deps, *(unpinned.get((eco, name), []) if version else [])]
        added = records.get((eco, name)) or _blamed(deps, blamed, models_of)
        result.append(
            DepComponent(
                ecosystem=eco,
                name=name,
                version=version,
                spec=next(
                    (d.spec for d in declared if d.kind is not DepKind.LOCKED and d.spec), ""
                ),
                purl=purl_of(eco, name, version),
                scope=_scope(declared),
                hashes=found.hashes.get((eco, name, version or ""), ()),
                locations=tuple(sorted({str(d.location) for d in declared})),
                added_by=added,
            )
        )
    return tuple(result)


def _scope(declared: Sequence[Dependency]) -> str:
    """required when a manifest declares it for run time (or only a lockfile names it);
    optional when every declaration is dev, optional, peer, build or a group."""
    kinds = {d.kind for d in declared}
    if DepKind.RUNTIME in kinds or kinds <= {DepKind.LOCKED, DepKind.COMMAND}:
        return "required"
    return "optional"


def _sort_key(key: tuple[str, str, str | None]) -> tuple[str, str, str]:
    return (key[0], key[1], key[2] or "")


def _blamed(
    deps: Sequence[Dependency],
    blamed: Callable[[str, int], LineFact | None],
    models_of: Callable[[str], tuple[str, ...]],
) -> AddedBy:
    for dep in sorted(deps, key=lambda d: (d.kind is not DepKind.LOCKED, d.location)):
        fact = blamed(dep.location.path, max(dep.location.line, 1))
        if fact is not None:
            models = (fact.model,) if fact.model else models_of(fact.commit)
            return AddedBy(fact.commit, fact.origin, models, "blame")
    return AddedBy(None, "unknown", (), "none")
