"""``yarn.lock``: every entry is LOCKED, ``spec`` = its version.

Classic (v1) has its own format: an unindented header of comma-separated descriptors
(``"@scope/a@^1.0.0", a@^1.1.0:``), then indented ``version "1.2.3"`` / ``resolved "..."``.
Berry (v2+) is YAML with a ``__metadata`` entry and ``name@npm:range`` descriptors; its
``resolution`` field says where the package came from: ``npm:`` the registry, ``patch:`` a
patched copy of another entry (skipped), ``workspace:`` a local package (the root ``.`` is
skipped), anything else (git, file, link, URL) a direct reference.
"""

from __future__ import annotations

from aibom.deps.manifests import ManifestParser
from aibom.deps.manifests._data import load_yaml
from aibom.deps.manifests._locate import clip, strip_bom
from aibom.deps.manifests._npm import is_reference, registry_tarball, split_name
from aibom.deps.manifests.pnpmlock import get, scalar
from aibom.deps.types import (
    Dependency,
    DepKind,
    Ecosystem,
    Location,
    ParseProblem,
    ParseResult,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _descriptor(text: str) -> tuple[str, str]:
    """(name, range) of ``a@^1``, ``"@s/a@^1"``, ``alias@npm:real@^1`` (the real name)."""
    name, spec = split_name(_unquote(text))
    if spec.startswith("npm:") and "@" in spec[5:]:
        name, spec = split_name(spec[4:])
    return name, spec


class _Entry:
    __slots__ = ("line", "name", "range", "resolved", "version")

    def __init__(self, line: int, name: str, range_: str) -> None:
        self.line = line
        self.name = name
        self.range = range_
        self.version = ""
        self.resolved = ""


def _classic(path: str, text: str) -> ParseResult:
    entries: list[_Entry] = []
    problems: list[ParseProblem] = []
    current: _Entry | None = None
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line[0].isspace():
            current = None
            if not stripped.endswith(":"):
                problems.append(
                    ParseProblem(Location(path, number), f"unexpected line {clip(stripped)}")
                )
                continue
            first = stripped[:-1].split(",", 1)[0]
            name, range_ = _descriptor(first)
            if not name:
                problems.append(
                    ParseProblem(Location(path, number), f"no package name in {clip(first)}")
                )
                continue
            current = _Entry(number, name, range_)
            entries.append(current)
        elif current is not None and line[:2] == "  " and line[2:3] != " ":
            field, _, value = stripped.partition(" ")
            if field == "version":
                current.version = _unquote(value)
            elif field == "resolved":
                current.resolved = _unquote(value)
    dependencies = []
    for entry in entries:
        url = None
        if is_reference(entry.range):
            url = entry.range
        elif entry.resolved and not registry_tarball(entry.resolved):
            url = entry.resolved
        dependencies.append(
            Dependency(
                Ecosystem.NPM,
                entry.name,
                Location(path, entry.line),
                DepKind.LOCKED,
                spec=entry.version,
                url=url,
            )
        )
    return ParseResult(tuple(dependencies), tuple(problems))


def _berry(path: str, text: str) -> ParseResult:
    from yaml import MappingNode, ScalarNode

    root = load_yaml(path, text)
    if isinstance(root, ParseProblem):
        return ParseResult(problems=(root,))
    if not isinstance(root, MappingNode):
        return ParseResult()
    dependencies: list[Dependency] = []
    problems: list[ParseProblem] = []
    for key_node, entry in root.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, ScalarNode):
            problems.append(ParseProblem(Location(path, line), "expected a package key"))
            continue
        if key_node.value == "__metadata":
            continue
        resolution = scalar(get(entry, "resolution")) or key_node.value.split(",", 1)[0].strip()
        name, source = split_name(resolution)
        protocol, colon, _ = source.partition(":")
        protocol = protocol if colon else ""
        if protocol == "patch" or resolution.endswith("@workspace:."):
            continue
        url = None if protocol == "npm" else source
        if protocol == "npm" and source.startswith("npm:") and "@" in source[5:]:
            name, _ = split_name(source[4:])  # an alias resolved to another package
        version = scalar(get(entry, "version")) or ""
        dependencies.append(
            Dependency(
                Ecosystem.NPM,
                name,
                Location(path, line),
                DepKind.LOCKED,
                spec=version,
                url=url,
            )
        )
    return ParseResult(tuple(dependencies), tuple(problems))


class YarnLockParser(ManifestParser):
    name = "yarn.lock"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        text = strip_bom(text)
        berry = any(
            line.startswith(("__metadata:", '"__metadata":')) for line in text.split("\n", 50)[:50]
        )
        return _berry(path, text) if berry else _classic(path, text)
