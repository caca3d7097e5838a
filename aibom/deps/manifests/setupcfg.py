"""``setup.cfg``: ``[options] install_requires`` (RUNTIME), ``setup_requires`` (BUILD),
``tests_require`` (DEV) and ``[options.extras_require]`` (OPTIONAL, group = extra).

Values are dangling lists, one requirement a line; a one-line value that is not a single
requirement is split on ";" as setuptools does. ``file: a.txt, b.txt`` reads requirements
files. Lines are found by searching each value after its key within its section.
"""

from __future__ import annotations

import configparser
import dataclasses
import posixpath
import re

from aibom.deps.manifests import ManifestParser
from aibom.deps.manifests._locate import Cursor, Text, clip, strip_bom
from aibom.deps.manifests._pep508 import parse_requirement
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

_COMMENT = re.compile(r"\s#")
_OPTIONS = (
    ("install_requires", DepKind.RUNTIME),
    ("setup_requires", DepKind.BUILD),
    ("tests_require", DepKind.DEV),
)


class _IniLocator:
    """Sections and keys of an INI text, by line."""

    def __init__(self, text: str) -> None:
        self.text = Text(text)
        self.sections: list[tuple[str, int]] = []  # (name, offset of the header line)
        self.keys: list[tuple[int, str]] = []  # (offset, lower-case key) of unindented keys
        source = text
        for number, start in enumerate(self.text.starts):
            end = self.text.starts[number + 1] if number + 1 < len(self.text.starts) else None
            line = source[start:end].rstrip("\r\n")
            if line.startswith("["):
                self.sections.append((line[1:].split("]", 1)[0].strip(), start))
            elif line and line[0] not in " \t#;":
                for delimiter in ("=", ":"):
                    key, found, _ = line.partition(delimiter)
                    if found:
                        self.keys.append((start, key.strip().lower()))
                        break

    def cursor(self, section: str, key: str) -> Cursor:
        start, end = -1, -1
        for number, (name, offset) in enumerate(self.sections):
            if name == section:
                start = offset
                following = self.sections[number + 1 :]
                end = following[0][1] if following else len(self.text.text)
                break
        for offset, name in self.keys:
            if start <= offset < end and name == key:
                line_end = self.text.line_end(offset)
                equals = self.text.text.find("=", offset, line_end)
                cursor = Cursor(self.text, offset, end, quoted=False)
                cursor.start = equals + 1 if equals >= 0 else offset
                return cursor
        return Cursor(self.text, start, end, quoted=False)


def _items(value: str) -> list[str]:
    value = "\n".join(_COMMENT.split(line, 1)[0] for line in value.split("\n"))
    if "\n" not in value.strip():
        single = value.strip()
        if not single or not isinstance(parse_requirement(single), str):
            return [single] if single else []
        return [part.strip() for part in single.split(";") if part.strip()]
    return [line.strip() for line in value.split("\n") if line.strip()]


class SetupCfgParser(ManifestParser):
    name = "setup.cfg"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        text = strip_bom(text)
        config = configparser.ConfigParser(interpolation=None, strict=False)
        problems: list[ParseProblem] = []
        try:
            config.read_string(text)
        except configparser.MissingSectionHeaderError as exc:
            problems.append(
                ParseProblem(Location(path, exc.lineno), "invalid setup.cfg: no section header")
            )
            return ParseResult(problems=tuple(problems))
        except configparser.ParsingError as exc:
            for number, bad in exc.errors:
                problems.append(
                    ParseProblem(Location(path, number), f"invalid setup.cfg line: {clip(bad)}")
                )
        except configparser.Error as exc:
            message = str(exc).split("\n", 1)[0]
            problems.append(ParseProblem(Location(path, getattr(exc, "lineno", 0) or 0), message))
            return ParseResult(problems=tuple(problems))
        locator = _IniLocator(text)
        dependencies: list[Dependency] = []
        wanted: list[tuple[str, str, DepKind, str | None]] = []
        if config.has_section("options"):
            for key, kind in _OPTIONS:
                for spelling in (key, key.replace("_", "-")):
                    if config.has_option("options", spelling):
                        wanted.append(("options", spelling, kind, None))
        if config.has_section("options.extras_require"):
            for extra in config.options("options.extras_require"):
                wanted.append(("options.extras_require", extra, DepKind.OPTIONAL, extra))
        for section, key, kind, group in wanted:
            value = config.get(section, key)
            if value.strip().startswith("file:"):
                found = self._files(
                    path, value.strip()[5:], read, kind, group, problems, locator, section, key
                )
                dependencies.extend(found)
                continue
            cursor = locator.cursor(section, key)
            for item in _items(value):
                line = cursor.line_of_value(item)
                parsed = parse_requirement(item)
                if isinstance(parsed, str):
                    problems.append(ParseProblem(Location(path, line), f"{parsed}: {clip(item)}"))
                    continue
                dependencies.append(
                    Dependency(
                        Ecosystem.PYPI,
                        parsed.name,
                        Location(path, line),
                        kind,
                        spec=parsed.spec,
                        url=parsed.url,
                        group=group,
                    )
                )
        return ParseResult(tuple(dependencies), tuple(problems))

    @staticmethod
    def _files(
        path: str,
        names: str,
        read: Callable[[str], str | None],
        kind: DepKind,
        group: str | None,
        problems: list[ParseProblem],
        locator: _IniLocator,
        section: str,
        key: str,
    ) -> list[Dependency]:
        from aibom.deps.manifests.requirements import RequirementsParser

        found: list[Dependency] = []
        line = locator.cursor(section, key).fallback
        for name in names.split(","):
            name = name.strip()
            if not name:
                continue
            included = posixpath.normpath(posixpath.join(posixpath.dirname(path), name))
            try:
                content = read(included)
            except Exception:
                content = None
            if content is None:
                problems.append(
                    ParseProblem(Location(path, line), f"file {clip(included)} not found")
                )
                continue
            result = RequirementsParser().parse(included, content, read)
            problems.extend(result.problems)
            found.extend(
                dataclasses.replace(d, kind=kind, group=group) for d in result.dependencies
            )
        return found
