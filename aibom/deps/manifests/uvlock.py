"""``uv.lock``: every ``[[package]]`` is LOCKED, ``spec`` = its version.

``source = { registry = ... }`` is a registry package; ``git``, ``url``, ``path``,
``directory``, ``editable`` and ``virtual`` sources are direct references (``url`` set). The
project itself (``editable = "."`` or ``virtual = "."``) is skipped.
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

_DIRECT = ("git", "url", "path", "directory", "editable", "virtual")


class UvLockParser(ManifestParser):
    name = "uv.lock"

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
            if isinstance(source, dict):
                if source.get("editable") == "." or source.get("virtual") == ".":
                    continue  # the project itself
                url = next((str(source[k]) for k in _DIRECT if k in source), None)
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
