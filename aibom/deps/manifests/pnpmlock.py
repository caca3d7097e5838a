"""``pnpm-lock.yaml``: every entry of ``packages`` (``snapshots`` when there is no
``packages``) is LOCKED, ``spec`` = its version.

Key forms: v5 ``/name/1.0.0`` and ``/@s/n/1.0.0_peer@1.0.0``; v6 ``/name@1.0.0(peer@1.0.0)``;
v9 ``name@1.0.0``, ``'@s/n@1.0.0'``. A version that is not a version (``file:``, ``link:``,
a URL, ``git+...``), a key without the leading "/" in v5/v6 (``host/user/repo/sha``), or a
``resolution`` of type git / directory / a non-registry tarball is a direct reference. The
entry's ``name`` field wins over the key (direct references, aliases).
"""

from __future__ import annotations

from aibom.deps.manifests import ManifestParser
from aibom.deps.manifests._data import load_yaml
from aibom.deps.manifests._npm import is_reference, registry_tarball, split_name
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

    import yaml


def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value of ``key`` in a mapping node."""
    from yaml import MappingNode, ScalarNode

    if not isinstance(node, MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return value_node  # type: ignore[no-any-return]
    return None


def scalar(node: yaml.Node | None) -> str | None:
    from yaml import ScalarNode

    return node.value if isinstance(node, ScalarNode) else None


def _major(node: yaml.Node | None) -> int:
    text = scalar(get(node, "lockfileVersion")) or ""
    head = text.strip("'\"").split(".", 1)[0]
    return int(head) if head.isdigit() else 9


def parse_key(key: str, major: int) -> tuple[str, str, str | None]:
    """(name, version, url) of a ``packages`` key."""
    if major < 9 and not key.startswith("/"):
        return key, "", key  # a direct reference (a git host path, file:...)
    bare = key[1:] if key.startswith("/") else key
    if major < 6:
        name, _, version = bare.rpartition("/")
        version = version.split("_", 1)[0]
    else:
        paren = bare.find("(", 1)
        if paren > 0:
            bare = bare[:paren]
        name, version = split_name(bare)
    if not name:
        return key, "", key
    if version.startswith("npm:"):
        name, version = split_name(version[4:])
    if is_reference(version) or (version and not version[0].isdigit()):
        return name, "", version
    return name, version, None


def _resolution_url(entry: yaml.Node | None) -> str | None:
    resolution = get(entry, "resolution")
    kind = scalar(get(resolution, "type"))
    if kind == "git":
        return scalar(get(resolution, "repo")) or "git"
    directory = scalar(get(resolution, "directory"))
    if directory is not None:
        return directory
    tarball = scalar(get(resolution, "tarball"))
    if tarball and not registry_tarball(tarball):
        return tarball
    return None


class PnpmLockParser(ManifestParser):
    name = "pnpm-lock"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        from yaml import MappingNode, ScalarNode

        root = load_yaml(path, text)
        if isinstance(root, ParseProblem):
            return ParseResult(problems=(root,))
        if root is None:
            return ParseResult()
        if not isinstance(root, MappingNode):
            line = root.start_mark.line + 1
            return ParseResult(problems=(ParseProblem(Location(path, line), "expected a mapping"),))
        major = _major(root)
        packages = get(root, "packages")
        if not isinstance(packages, MappingNode):
            packages = get(root, "snapshots")
        if not isinstance(packages, MappingNode):
            return ParseResult()
        dependencies: list[Dependency] = []
        problems: list[ParseProblem] = []
        for key_node, entry in packages.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                problems.append(ParseProblem(Location(path, line), "expected a package key"))
                continue
            name, version, url = parse_key(key_node.value, major)
            declared = scalar(get(entry, "name"))
            if declared:
                name = declared
                version = scalar(get(entry, "version")) or version
            url = url or _resolution_url(entry)
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
