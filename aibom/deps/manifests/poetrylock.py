"""``poetry.lock``: every ``[[package]]`` is LOCKED, ``spec`` = its version.

``[package.source]`` of type ``git``, ``directory``, ``file`` or ``url`` is a direct
reference (``url`` = the source's url); ``legacy`` (a package index) is not.
"""

from __future__ import annotations

from aibom.deps.manifests import ManifestParser
from aibom.deps.manifests._data import toml_lock_packages
from aibom.deps.types import ParseResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

_DIRECT_TYPES = frozenset({"git", "directory", "file", "url", "hg", "svn"})


def _direct(source: object) -> str | None:
    if isinstance(source, dict) and source.get("type") in _DIRECT_TYPES:
        return str(source.get("url") or source.get("type"))
    return None


class PoetryLockParser(ManifestParser):
    name = "poetry.lock"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        return toml_lock_packages(path, text, _direct)
