"""``package.json``: ``dependencies`` (RUNTIME), ``devDependencies`` (DEV),
``optionalDependencies`` (OPTIONAL), ``peerDependencies`` (PEER).

An alias ``"x": "npm:real@^1"`` yields the real name (what is installed). URLs, ``git+...``,
``github:user/repo``, ``user/repo``, ``file:``, ``link:``, ``workspace:`` values are direct
references (``url`` set). The line is that of the member's key in its section.
"""

from __future__ import annotations

from aibom.deps.manifests import ManifestParser
from aibom.deps.manifests._data import expected, load_json
from aibom.deps.manifests._locate import JsonLines, strip_bom
from aibom.deps.manifests._npm import resolve
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

SECTIONS = {
    "dependencies": DepKind.RUNTIME,
    "devDependencies": DepKind.DEV,
    "optionalDependencies": DepKind.OPTIONAL,
    "peerDependencies": DepKind.PEER,
}


class PackageJsonParser(ManifestParser):
    name = "package.json"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        data = load_json(path, text)
        if isinstance(data, ParseProblem):
            return ParseResult(problems=(data,))
        if not isinstance(data, dict):
            return ParseResult(problems=(expected(path, 1, "a JSON object", data),))
        lines = JsonLines(strip_bom(text), lambda key: len(key) <= 2 and key[0] in SECTIONS)
        dependencies: list[Dependency] = []
        problems: list[ParseProblem] = []
        for section, kind in SECTIONS.items():
            members = data.get(section)
            if members is None:
                continue
            if not isinstance(members, dict):
                problems.append(expected(path, lines.line(section), "an object", members))
                continue
            for key, value in members.items():
                line = lines.line(section, key)
                if not isinstance(value, str):
                    problems.append(expected(path, line, "a version string", value))
                    continue
                name, spec, url = resolve(key, value.strip())
                dependencies.append(
                    Dependency(Ecosystem.NPM, name, Location(path, line), kind, spec=spec, url=url)
                )
        return ParseResult(tuple(dependencies), tuple(problems))
