"""pip requirements files (``requirements*.txt``, ``constraints*.txt``, pip-tools ``*.in``).

Follows pip's file format: ``\\`` continuations, ``#`` comments (at the start of a line or
after whitespace), ``-r``/``--requirement`` and ``-c``/``--constraint`` includes (resolved
relative to the including file, each file read once, cycles reported), ``-e``/``--editable``,
per-requirement options such as ``--hash`` (ignored) and global option lines such as
``--index-url`` (skipped). A line that cannot be read becomes a ``ParseProblem``; the next
lines are still read.
"""

from __future__ import annotations

import posixpath
import re

from aibom.deps.manifests import ManifestParser
from aibom.deps.manifests._locate import clip, strip_bom
from aibom.deps.manifests._pep508 import Parsed, parse_requirement, reference_name
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
    from collections.abc import Callable, Iterator

_COMMENT = re.compile(r"(?:^|\s)#")
_LINE_OPTION = re.compile(r"\s--?[A-Za-z]")
_INCLUDES = {"-r": "-r", "--requirement": "-r", "-c": "-c", "--constraint": "-c"}
_EDITABLE = ("-e", "--editable")
MAX_INCLUDE_DEPTH = 32


def logical_lines(text: str) -> Iterator[list[tuple[int, str]]]:
    """The logical lines of a requirements file: the physical lines (1-based number, text
    without the trailing backslash or "\\r") that ``\\`` continuations join."""
    pending: list[tuple[int, str]] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw[:-1] if raw.endswith("\r") else raw
        is_comment = line.lstrip().startswith("#")
        if line.endswith("\\") and not is_comment:
            pending.append((number, line[:-1]))
            continue
        if pending:
            if not is_comment:
                pending.append((number, line))
            yield pending
            pending = []
        else:
            yield [(number, line)]
    if pending:
        yield pending


def _option(line: str) -> tuple[str, str]:
    """``("-r", "base.txt")`` from ``-r base.txt``, ``-rbase.txt`` or ``--requirement=base.txt``
    (long options are returned as written)."""
    pieces = line.split(None, 1)
    head = pieces[0]
    tail = pieces[1].strip() if len(pieces) > 1 else ""
    if head.startswith("--"):
        option, equals, value = head.partition("=")
        return option, value if equals else tail
    if len(head) > 2:
        return head[:2], (head[2:] + " " + tail).strip()
    return head, tail


class _Reader:
    def __init__(self, read: Callable[[str], str | None]) -> None:
        self.read = read
        self.dependencies: list[Dependency] = []
        self.problems: list[ParseProblem] = []
        self.done: set[str] = set()

    def problem(self, path: str, line: int, message: str) -> None:
        self.problems.append(ParseProblem(Location(path, line), message))

    def parse(self, path: str, text: str, stack: tuple[str, ...]) -> None:
        for parts in logical_lines(strip_bom(text)):
            joined = "".join(part for _, part in parts)
            comment = _COMMENT.search(joined)
            line = (joined[: comment.start()] if comment else joined).strip()
            if not line:
                continue
            if line.startswith("-"):
                self.option(path, parts, line, stack)
                continue
            extra = _LINE_OPTION.search(line)
            requirement = line[: extra.start()] if extra else line
            self.requirement(path, parts, requirement)

    def add(self, path: str, parts: list[tuple[int, str]], parsed: Parsed) -> None:
        number = parts[0][0]
        for candidate, text in parts:
            if parsed.name in text:
                number = candidate
                break
        self.dependencies.append(
            Dependency(
                Ecosystem.PYPI,
                parsed.name,
                Location(path, number),
                DepKind.RUNTIME,
                spec=parsed.spec,
                url=parsed.url,
            )
        )

    def requirement(self, path: str, parts: list[tuple[int, str]], text: str) -> None:
        parsed = parse_requirement(text)
        if isinstance(parsed, str):
            self.problem(path, parts[0][0], f"{parsed}: {clip(text)}")
        else:
            self.add(path, parts, parsed)

    def option(
        self, path: str, parts: list[tuple[int, str]], line: str, stack: tuple[str, ...]
    ) -> None:
        option, value = _option(line)
        value = value.split()[0] if value.split() else ""
        if option in _EDITABLE:
            if not value:
                self.problem(path, parts[0][0], f"{option} without a path or URL")
                return
            url = value
            if url.endswith("]") and "[" in url:
                url = url[: url.rindex("[")]  # "-e .[dev]"
            self.add(path, parts, Parsed(reference_name(url), "", url))
        elif option in _INCLUDES:
            self.include(path, parts[0][0], option, value, stack)
        # any other option (--index-url, --hash, --pre, ...) declares no dependency

    def include(
        self, path: str, number: int, option: str, target: str, stack: tuple[str, ...]
    ) -> None:
        if not target:
            self.problem(path, number, f"{option} without a file name")
            return
        if "://" in target or target.startswith("/"):
            self.problem(
                path, number, f"include {clip(target)} not followed: not in the repository"
            )
            return
        relative = target.replace("\\", "/")
        included = posixpath.normpath(posixpath.join(posixpath.dirname(path), relative))
        if included in stack:
            chain = " -> ".join((*stack, included))
            self.problem(path, number, f"include cycle: {chain}")
            return
        if included in self.done:
            return  # already read through another include
        if len(stack) > MAX_INCLUDE_DEPTH:
            self.problem(path, number, f"includes nested deeper than {MAX_INCLUDE_DEPTH}")
            return
        try:
            content = self.read(included)
        except Exception:
            content = None
        if content is None:
            self.problem(path, number, f"included file {clip(included)} not found")
            return
        self.done.add(included)
        self.parse(included, content, (*stack, included))


class RequirementsParser(ManifestParser):
    name = "requirements"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        reader = _Reader(read)
        start = posixpath.normpath(path)
        reader.done.add(start)
        reader.parse(path, text, (start,))
        return ParseResult(tuple(reader.dependencies), tuple(reader.problems))
