"""``poetry.lock``: every ``[[package]]`` is LOCKED, ``spec`` = its version.

``[package.source]`` of type ``git``, ``directory``, ``file`` or ``url`` is a direct
reference (``url`` = the source's url); ``legacy`` (a package index) is not.
"""

from __future__ import annotations

from aibom.deps.manifests import ManifestParser
from aibom.deps.manifests._data import expected, load_toml
from aibom.deps.manifests._locate import TomlLocator, strip_bom
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

_DIRECT_TYPES = frozenset({"git", "directory", "file", "url", "hg", "svn"})


class PoetryLockParser(ManifestParser):
    name = "poetry.lock"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        data = load_toml(path, text)
        if isinstance(data, ParseProblem):
            return ParseResult(problems=(data,))
        packages = data.get("package", [])
        if not isinstance(packages, list):
            return ParseResult(problems=(expected(path, 0, "[[package]] tables", packages),))
        locator = TomlLocator(strip_bom(text))
        dependencies: list[Dependency] = []
        problems: list[ParseProblem] = []
        for index, package in enumerate(packages):
            line = locator.line_of_key(("package", "name"), index)
            name = package.get("name") if isinstance(package, dict) else None
            if not isinstance(package, dict) or not isinstance(name, str):
                problems.append(ParseProblem(Location(path, line), "[[package]] without a name"))
                continue
            source = package.get("source")
            url = None
            if isinstance(source, dict) and source.get("type") in _DIRECT_TYPES:
                url = str(source.get("url") or source.get("type"))
            version = package.get("version")
            dependencies.append(
                Dependency(
                    Ecosystem.PYPI,
                    name,
                    Location(path, line),
                    DepKind.LOCKED,
                    spec=version if isinstance(version, str) else "",
                    url=url,
                )
            )
        return ParseResult(tuple(dependencies), tuple(problems))
