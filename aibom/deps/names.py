"""Package names: normalisation (PEP 503 for PyPI) and validation before any URL is built.

A name that fails validation never reaches a registry client; it becomes an ``invalid-name``
finding instead. Names are checked on their exact code points, so confusable Unicode (a
Cyrillic ``а`` in ``reqаests``) is invalid on both registries.
"""

from __future__ import annotations

import re

from aibom.deps.types import Ecosystem

_PYPI_VALID = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])\Z")
_PYPI_SEPARATORS = re.compile(r"[-_.]+")
_NPM_PART = re.compile(r"^[a-z0-9~-][a-z0-9._~-]*\Z")
NPM_MAX_LENGTH = 214


def normalize(ecosystem: Ecosystem, name: str) -> str:
    """The registry's canonical form: PEP 503 for PyPI. npm names are case-sensitive
    (``JSONStream`` and ``jsonstream`` are two packages): kept as written."""
    if ecosystem is Ecosystem.PYPI:
        return _PYPI_SEPARATORS.sub("-", name).lower()
    return name


def fold(ecosystem: Ecosystem, name: str) -> str:
    """The key names are compared by in lists and look-alike checks: ``normalize`` and lower
    case (npm names differing only in case are different packages, but look the same)."""
    return normalize(ecosystem, name).lower()


def invalid_reason(ecosystem: Ecosystem, name: str) -> str | None:
    """Why ``name`` cannot be a package name of ``ecosystem``; None when it can."""
    if not name:
        return "empty name"
    bad = next((c for c in name if not c.isascii() or not c.isprintable()), None)
    if bad is not None:
        return f"contains {_describe(bad)}"
    if ecosystem is Ecosystem.PYPI:
        if _PYPI_VALID.match(name) is None:
            return "not a valid Python project name (letters, digits, '.', '_', '-'; PEP 508)"
        return None
    return _npm_invalid(name)


def _npm_invalid(name: str) -> str | None:
    if len(name) > NPM_MAX_LENGTH:
        return f"longer than {NPM_MAX_LENGTH} characters"
    parts = name.split("/")
    if name.startswith("@"):
        if len(parts) != 2 or len(parts[0]) < 2:
            return "a scoped npm name is @scope/name"
        parts = [parts[0][1:], parts[1]]
    elif len(parts) != 1:
        return "contains '/' (a path or URL, not an npm name)"
    for part in parts:
        if part.startswith((".", "_")):
            return "an npm name cannot start with '.' or '_'"
        if _NPM_PART.match(part.lower()) is None:
            return "not a valid npm name (lower-case letters, digits, '-', '.', '_', '~')"
    return None


def _describe(char: str) -> str:
    import unicodedata

    label = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"{code} {label}".rstrip() if label else f"control character {code}"
