"""``pyproject.toml``: PEP 621, PEP 735, build-system, Poetry, uv (and PDM dev groups).

Kinds: ``[project] dependencies`` RUNTIME; ``optional-dependencies`` OPTIONAL (group = extra);
``[dependency-groups]`` GROUP (``{include-group = ...}`` skipped); ``[build-system] requires``
BUILD; Poetry ``dependencies`` RUNTIME (``python`` skipped; OPTIONAL when ``optional = true``),
``dev-dependencies`` GROUP "dev", ``group.<g>.dependencies`` GROUP <g>; uv ``dev-dependencies``
GROUP "dev", ``constraint-dependencies`` / ``override-dependencies`` RUNTIME with that key as
group; PDM ``dev-dependencies`` GROUP. A ``[tool.uv.sources]`` entry with ``git``, ``path``,
``url`` or ``workspace`` makes the same-named dependencies direct references (``url`` set).
"""

from __future__ import annotations

import dataclasses

from aibom.deps.manifests import ManifestParser
from aibom.deps.manifests._data import expected, load_toml, table
from aibom.deps.manifests._locate import TomlLocator, clip
from aibom.deps.manifests._pep508 import parse_requirement
from aibom.deps.names import normalize
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
    from typing import Any

_DIRECT_KEYS = ("git", "path", "url", "file")


class TomlCollector:
    """Collects dependencies of a TOML manifest, with line numbers from a ``TomlLocator``."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.locator = TomlLocator(text)
        self.dependencies: list[Dependency] = []
        self.problems: list[ParseProblem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(ParseProblem(Location(self.path, line), message))

    def requirement_list(
        self, key: tuple[str, ...], values: object, kind: DepKind, group: str | None = None
    ) -> None:
        """A list of PEP 508 strings at ``key``; tables in it (PEP 735 includes) are skipped."""
        if values is None:
            return
        if not isinstance(values, list):
            self.problems.append(
                expected(self.path, self.locator.line_of_key(key), "a list", values)
            )
            return
        cursor = self.locator.cursor(key)
        for item in values:
            if isinstance(item, dict):
                continue  # {include-group = "..."}
            if not isinstance(item, str):
                self.problems.append(expected(self.path, cursor.fallback, "a string", item))
                continue
            line = cursor.line_of_value(item)
            parsed = parse_requirement(item)
            if isinstance(parsed, str):
                self.problem(line, f"{parsed}: {clip(item)}")
                continue
            self.dependencies.append(
                Dependency(
                    Ecosystem.PYPI,
                    parsed.name,
                    Location(self.path, line),
                    kind,
                    spec=parsed.spec,
                    url=parsed.url,
                    group=group,
                )
            )

    def named(
        self,
        key: tuple[str, ...],
        name: str,
        spec: str,
        url: str | None,
        kind: DepKind,
        group: str | None = None,
    ) -> None:
        """A dependency given as ``name = value`` (Poetry, Pipfile)."""
        line = self.locator.line_of_key((*key, name))
        self.dependencies.append(
            Dependency(
                Ecosystem.PYPI,
                name,
                Location(self.path, line),
                kind,
                spec=spec,
                url=url,
                group=group,
            )
        )


def table_value(
    value: object, direct_keys: tuple[str, ...] = _DIRECT_KEYS
) -> tuple[str, str | None]:
    """(spec, url) of a Poetry / Pipfile dependency value: ``"^1.0"``, ``"*"``,
    ``{version = "..."}``, ``{git = "..."}``, ``{path = "..."}``..., or a list of tables."""
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict):
        url = next(
            (str(value[k]) for k in direct_keys if isinstance(value.get(k), str) and value[k]),
            None,
        )
        version = value.get("version")
        return (version if isinstance(version, str) else ""), url
    if isinstance(value, list):
        specs: list[str] = []
        url = None
        for item in value:
            spec, item_url = table_value(item, direct_keys)
            if spec and spec not in specs:
                specs.append(spec)
            url = url or item_url
        return " || ".join(specs), url
    raise TypeError(type(value).__name__)


class PyprojectParser(ManifestParser):
    name = "pyproject"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        data = load_toml(path, text)
        if isinstance(data, ParseProblem):
            return ParseResult(problems=(data,))
        out = TomlCollector(path, text)
        self._pep621(out, data)
        self._uv(out, data)
        out.dependencies = self._sources(out, data)  # uv sources: not for Poetry's tables
        self._poetry(out, data)
        return ParseResult(tuple(out.dependencies), tuple(out.problems))

    @staticmethod
    def _pep621(out: TomlCollector, data: dict[str, Any]) -> None:
        project = table(data, "project") or {}
        out.requirement_list(
            ("project", "dependencies"), project.get("dependencies"), DepKind.RUNTIME
        )
        extras = project.get("optional-dependencies")
        for extra, values in (extras or {}).items() if isinstance(extras, dict) else ():
            out.requirement_list(
                ("project", "optional-dependencies", extra), values, DepKind.OPTIONAL, extra
            )
        for name, values in (table(data, "dependency-groups") or {}).items():
            out.requirement_list(("dependency-groups", name), values, DepKind.GROUP, name)
        build = table(data, "build-system") or {}
        out.requirement_list(("build-system", "requires"), build.get("requires"), DepKind.BUILD)
        for name, values in (table(data, "tool", "pdm", "dev-dependencies") or {}).items():
            pdm = ("tool", "pdm", "dev-dependencies", name)
            out.requirement_list(pdm, values, DepKind.GROUP, name)

    @staticmethod
    def _poetry(out: TomlCollector, data: dict[str, Any]) -> None:
        poetry = table(data, "tool", "poetry")
        if poetry is None:
            return
        extras: dict[str, str] = {}
        for extra, names in (table(poetry, "extras") or {}).items():
            for name in names if isinstance(names, list) else ():
                if isinstance(name, str):
                    extras.setdefault(normalize(Ecosystem.PYPI, name), extra)
        sections: list[tuple[tuple[str, ...], DepKind, str | None]] = [
            (("dependencies",), DepKind.RUNTIME, None),
            (("dev-dependencies",), DepKind.GROUP, "dev"),
        ]
        for group_name in table(poetry, "group") or {}:
            sections.append((("group", group_name, "dependencies"), DepKind.GROUP, group_name))
        for keys, kind, group in sections:
            deps = table(poetry, *keys)
            key = ("tool", "poetry", *keys)
            for name, value in (deps or {}).items():
                if name.lower() == "python":
                    continue
                try:
                    spec, url = table_value(value)
                except TypeError:
                    line = out.locator.line_of_key((*key, name))
                    out.problems.append(expected(out.path, line, "a version or a table", value))
                    continue
                this_kind, this_group = kind, group
                if kind is DepKind.RUNTIME and _optional(value):
                    this_kind = DepKind.OPTIONAL
                    this_group = extras.get(normalize(Ecosystem.PYPI, name))
                out.named(key, name, spec, url, this_kind, this_group)

    @staticmethod
    def _uv(out: TomlCollector, data: dict[str, Any]) -> None:
        uv = table(data, "tool", "uv") or {}
        out.requirement_list(
            ("tool", "uv", "dev-dependencies"), uv.get("dev-dependencies"), DepKind.GROUP, "dev"
        )
        for name in ("constraint-dependencies", "override-dependencies"):
            out.requirement_list(("tool", "uv", name), uv.get(name), DepKind.RUNTIME, name)

    @staticmethod
    def _sources(out: TomlCollector, data: dict[str, Any]) -> list[Dependency]:
        """Dependencies with ``[tool.uv.sources]`` direct references applied."""
        direct: dict[str, str] = {}
        for name, source in (table(data, "tool", "uv", "sources") or {}).items():
            entries = source if isinstance(source, list) else [source]
            for entry in entries:
                if not isinstance(entry, dict):
                    continue
                if entry.get("workspace") is True:
                    direct.setdefault(normalize(Ecosystem.PYPI, name), "workspace")
                for key in ("git", "path", "url"):
                    value = entry.get(key)
                    if isinstance(value, str) and value:
                        direct.setdefault(normalize(Ecosystem.PYPI, name), value)
        if not direct:
            return out.dependencies
        return [
            dataclasses.replace(dep, url=direct[dep.key[1]])
            if dep.url is None and dep.key[1] in direct
            else dep
            for dep in out.dependencies
        ]


def _optional(value: object) -> bool:
    if isinstance(value, dict):
        return value.get("optional") is True
    if isinstance(value, list):
        return any(_optional(item) for item in value)
    return False
