"""Manifest parsers of the dependency gate: one parser per file format, one interface.

``parse_file(path, text, read)`` finds the parser for ``path`` and returns what it declares
(``ParseResult``); it never raises on bad input. ``read(relpath)`` gives another file of the
same revision (requirements includes) or None.

Which parser reads a file is decided by ``aibom.deps.paths`` (plain string operations, used on
the git hook path). This package imports nothing heavy when it is loaded: the parser modules
are imported the first time ``PARSERS``, ``parser_for`` or ``parse_file`` is used.
"""

from __future__ import annotations

import abc

from aibom.deps.paths import format_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from aibom.deps.types import ParseResult

__all__ = ["PARSERS", "ManifestParser", "parse_file", "parser_for"]


class ManifestParser(abc.ABC):
    """Reads one file format. ``name`` is the format's id (see ``aibom.deps.paths.format_of``)."""

    name: str

    def matches(self, path: str) -> bool:
        """Whether this parser reads ``path`` (relative, forward slashes)."""
        return format_of(path) == self.name

    @abc.abstractmethod
    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        """The dependencies ``text`` (the content of ``path``) declares, and what could not be
        read. Locations carry ``path`` (or the path of an included file)."""


PARSERS: tuple[ManifestParser, ...]  # built on first use, see __getattr__


def _parsers() -> tuple[ManifestParser, ...]:
    cached = globals().get("PARSERS")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from aibom.deps.manifests.commands import (
        DockerfileParser,
        MarkdownParser,
        NotebookParser,
        ShellParser,
    )
    from aibom.deps.manifests.npmlock import NpmLockParser
    from aibom.deps.manifests.packagejson import PackageJsonParser
    from aibom.deps.manifests.pipfile import PipfileLockParser, PipfileParser
    from aibom.deps.manifests.pnpmlock import PnpmLockParser
    from aibom.deps.manifests.poetrylock import PoetryLockParser
    from aibom.deps.manifests.pyproject import PyprojectParser
    from aibom.deps.manifests.requirements import RequirementsParser
    from aibom.deps.manifests.setupcfg import SetupCfgParser
    from aibom.deps.manifests.uvlock import UvLockParser
    from aibom.deps.manifests.yarnlock import YarnLockParser

    built: tuple[ManifestParser, ...] = (
        RequirementsParser(),
        PyprojectParser(),
        SetupCfgParser(),
        PipfileParser(),
        PipfileLockParser(),
        PackageJsonParser(),
        UvLockParser(),
        PoetryLockParser(),
        NpmLockParser(),
        PnpmLockParser(),
        YarnLockParser(),
        MarkdownParser(),
        DockerfileParser(),
        ShellParser(),
        NotebookParser(),
    )
    globals()["PARSERS"] = built
    return built


def __getattr__(name: str) -> object:
    if name == "PARSERS":
        return _parsers()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parser_for(path: str) -> ManifestParser | None:
    """The parser that reads ``path``, or None."""
    for parser in _parsers():
        if parser.matches(path):
            return parser
    return None


def parse_file(path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
    """Parse ``text`` as the file ``path``. Never raises: a failure inside a parser (a bug)
    becomes a ``ParseProblem`` at line 0 naming the parser, so one file cannot stop a check."""
    from aibom.deps.types import Location, ParseProblem, ParseResult

    parser = parser_for(path)
    if parser is None:
        return ParseResult()

    def safe_read(relpath: str) -> str | None:
        try:
            return read(relpath)
        except Exception:
            return None

    try:
        return parser.parse(path, text, safe_read)
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}"
        if len(detail) > 200:
            detail = detail[:200] + "..."
        message = f"internal error in the {parser.name} parser ({detail}); file not checked"
        return ParseResult(problems=(ParseProblem(Location(path, 0), message),))
