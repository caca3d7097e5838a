"""``package-lock.json`` / ``npm-shrinkwrap.json``: every installed package is LOCKED.

Lockfile v2/v3: the ``packages`` map; ``node_modules/a/node_modules/b`` is ``b`` (or the
entry's ``name`` when present: aliases); the root ``""``, ``link: true`` entries and the
folders of workspace packages are skipped; a ``resolved`` that is not a registry tarball (git,
file, other URLs) is a direct reference. v1 (only a ``dependencies`` tree) is read as a
fallback: ``"version": "npm:real@1.0.0"`` is an alias, a URL-like version a direct reference.
"""

from __future__ import annotations

from aibom.deps.manifests import ManifestParser
from aibom.deps.manifests._data import expected, load_json
from aibom.deps.manifests._locate import JsonLines, strip_bom
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

    from aibom.deps.manifests._locate import Path

_MODULES = "node_modules/"


def _wanted(path: Path) -> bool:
    if len(path) == 2 and path[0] == "packages":
        return True
    return len(path) % 2 == 0 and all(path[i] == "dependencies" for i in range(0, len(path), 2))


def _direct(resolved: object) -> str | None:
    if isinstance(resolved, str) and resolved and not registry_tarball(resolved):
        return resolved
    return None


class NpmLockParser(ManifestParser):
    name = "package-lock"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        data = load_json(path, text)
        if isinstance(data, ParseProblem):
            return ParseResult(problems=(data,))
        if not isinstance(data, dict):
            return ParseResult(problems=(expected(path, 1, "a JSON object", data),))
        lines = JsonLines(strip_bom(text), _wanted)
        out: list[Dependency] = []
        problems: list[ParseProblem] = []
        packages = data.get("packages")
        if isinstance(packages, dict):
            self._packages(path, packages, lines, out, problems)
        elif isinstance(data.get("dependencies"), dict):
            self._tree(path, data["dependencies"], lines, out, problems)
        return ParseResult(tuple(out), tuple(problems))

    @staticmethod
    def _packages(
        path: str,
        packages: dict[str, object],
        lines: JsonLines,
        out: list[Dependency],
        problems: list[ParseProblem],
    ) -> None:
        for key, entry in packages.items():
            if key == "":
                continue
            line = lines.line("packages", key)
            if not isinstance(entry, dict):
                problems.append(expected(path, line, "an object", entry))
                continue
            if entry.get("link") is True or _MODULES not in key:
                continue  # a symlink to, or the folder of, a workspace package
            declared = entry.get("name")
            name = declared if isinstance(declared, str) else key.rpartition(_MODULES)[2]
            version = entry.get("version")
            out.append(
                Dependency(
                    Ecosystem.NPM,
                    name,
                    Location(path, line),
                    DepKind.LOCKED,
                    spec=version if isinstance(version, str) else "",
                    url=_direct(entry.get("resolved")),
                )
            )

    @staticmethod
    def _tree(
        path: str,
        tree: dict[str, object],
        lines: JsonLines,
        out: list[Dependency],
        problems: list[ParseProblem],
    ) -> None:
        pending: list[tuple[tuple[str, ...], dict[str, object]]] = [(("dependencies",), tree)]
        for prefix, members in pending:  # grows while it is walked: breadth first
            for key, entry in members.items():
                line = lines.line(*prefix, key)
                if not isinstance(entry, dict):
                    problems.append(expected(path, line, "an object", entry))
                    continue
                name, version = key, entry.get("version")
                version = version if isinstance(version, str) else ""
                url = _direct(entry.get("resolved"))
                if version.startswith("npm:"):
                    name, version = split_name(version[4:])
                elif is_reference(version):
                    url, version = version, ""
                out.append(
                    Dependency(
                        Ecosystem.NPM,
                        name,
                        Location(path, line),
                        DepKind.LOCKED,
                        spec=version,
                        url=url,
                    )
                )
                nested = entry.get("dependencies")
                if isinstance(nested, dict):
                    pending.append(((*prefix, key, "dependencies"), nested))
