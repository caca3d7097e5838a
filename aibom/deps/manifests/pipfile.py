"""Pipenv: ``Pipfile`` (TOML) and ``Pipfile.lock`` (JSON).

Pipfile: ``[packages]`` RUNTIME, ``[dev-packages]`` DEV, any other category table GROUP (group
= the table name); ``[source]``, ``[requires]``, ``[pipenv]`` and ``[scripts]`` are not
dependencies. Values: ``"*"``, ``">=1"`` (spec as written) or tables, where ``git``, ``path``,
``file``, ``hg``, ``svn`` or ``url`` make a direct reference. Pipfile.lock: every entry of
``default`` (group None) and of the other categories (group = its name) is LOCKED.
"""

from __future__ import annotations

from aibom.deps.manifests import ManifestParser
from aibom.deps.manifests._data import expected, load_json, load_toml
from aibom.deps.manifests._locate import JsonLines, strip_bom
from aibom.deps.manifests.pyproject import TomlCollector, table_value
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

_NOT_PACKAGES = frozenset({"source", "requires", "pipenv", "scripts"})
_DIRECT_KEYS = ("git", "path", "file", "hg", "svn", "bzr", "url")


class PipfileParser(ManifestParser):
    name = "pipfile"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        data = load_toml(path, text)
        if isinstance(data, ParseProblem):
            return ParseResult(problems=(data,))
        out = TomlCollector(path, strip_bom(text))
        for section, packages in data.items():
            if section in _NOT_PACKAGES or not isinstance(packages, dict):
                continue
            if section == "packages":
                kind, group = DepKind.RUNTIME, None
            elif section == "dev-packages":
                kind, group = DepKind.DEV, None
            else:
                kind, group = DepKind.GROUP, section
            for name, value in packages.items():
                try:
                    spec, url = table_value(value, _DIRECT_KEYS)
                except TypeError:
                    line = out.locator.line_of_key((section, name))
                    out.problems.append(expected(path, line, "a version or a table", value))
                    continue
                out.named((section,), name, spec, url, kind, group)
        return ParseResult(tuple(out.dependencies), tuple(out.problems))


class PipfileLockParser(ManifestParser):
    name = "pipfile.lock"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        data = load_json(path, text)
        if isinstance(data, ParseProblem):
            return ParseResult(problems=(data,))
        if not isinstance(data, dict):
            return ParseResult(problems=(expected(path, 1, "a JSON object", data),))
        lines = JsonLines(strip_bom(text), lambda key: len(key) == 2)
        dependencies: list[Dependency] = []
        problems: list[ParseProblem] = []
        for section, packages in data.items():
            if section.startswith("_") or not isinstance(packages, dict):
                continue
            group = None if section == "default" else section
            for name, entry in packages.items():
                line = lines.line(section, name)
                if not isinstance(entry, dict):
                    problems.append(expected(path, line, "a table", entry))
                    continue
                version = entry.get("version")
                url = next(
                    (str(entry[k]) for k in _DIRECT_KEYS if isinstance(entry.get(k), str)), None
                )
                dependencies.append(
                    Dependency(
                        Ecosystem.PYPI,
                        name,
                        Location(path, line),
                        DepKind.LOCKED,
                        spec=version if isinstance(version, str) else "",
                        url=url,
                        group=group,
                    )
                )
        return ParseResult(tuple(dependencies), tuple(problems))
