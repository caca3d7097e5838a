"""``uv.lock``: every ``[[package]]`` is LOCKED, ``spec`` = its version.

``source = { registry = ... }`` is a registry package; ``git``, ``url``, ``path``,
``directory``, ``editable`` and ``virtual`` sources are direct references (``url`` set). The
project itself (``editable = "."`` or ``virtual = "."``) is skipped.
"""

from __future__ import annotations

from aibom.deps.manifests import ManifestParser
from aibom.deps.manifests._data import toml_lock_packages
from aibom.deps.types import ParseResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

_DIRECT = ("git", "url", "path", "directory", "editable", "virtual")


def _direct(source: object) -> str | bool | None:
    if not isinstance(source, dict):
        return None
    if source.get("editable") == "." or source.get("virtual") == ".":
        return False  # the project itself
    return next((str(source[k]) for k in _DIRECT if k in source), None)


class UvLockParser(ManifestParser):
    name = "uv.lock"

    def parse(self, path: str, text: str, read: Callable[[str], str | None]) -> ParseResult:
        return toml_lock_packages(path, text, _direct)
