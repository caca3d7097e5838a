"""The gate's policy: what blocks, what warns, where the registries are, how long to cache.

Built from ``[tool.aibom.deps]`` (already schema-checked by :mod:`aibom.config`) and
``AIBOM_DEPS_<KEY>`` environment variables, which win.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aibom.deps.types import Ecosystem, Severity
from aibom.errors import ConfigError

BLOCK_CHOICES = ("critical", "high", "medium", "low", "never")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class NameSet:
    """Names per ecosystem; an entry without ``ecosystem:`` applies to both."""

    by_ecosystem: Mapping[Ecosystem, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, entries: list[str] | tuple[str, ...]) -> NameSet:
        from aibom.deps.names import fold

        found: dict[Ecosystem, set[str]] = {e: set() for e in Ecosystem}
        for entry in entries:
            prefix, sep, rest = entry.partition(":")
            targets = list(Ecosystem)
            if sep and not prefix.startswith("@"):
                if prefix.lower() not in {e.value for e in Ecosystem}:
                    raise ConfigError(f"{entry!r}: the ecosystem must be pypi or npm")
                targets, entry = [Ecosystem(prefix.lower())], rest
            if not entry.strip():
                raise ConfigError(f"{entry!r}: empty package name in a deps list")
            for eco in targets:
                found[eco].add(fold(eco, entry.strip()))
        return cls({e: frozenset(v) for e, v in found.items()})

    def get(self, ecosystem: Ecosystem) -> frozenset[str]:
        return self.by_ecosystem.get(ecosystem, frozenset())

    def __contains__(self, key: object) -> bool:
        from aibom.deps.names import fold

        if not isinstance(key, tuple) or len(key) != 2:
            return False
        return fold(key[0], key[1]) in self.get(key[0])


@dataclass(frozen=True)
class Policy:
    block: str = "high"  # a severity name, or "never"
    on_unreachable: str = "warn"  # or "block"
    offline: bool = False
    allow: NameSet = field(default_factory=NameSet)
    deny: NameSet = field(default_factory=NameSet)
    hallucinated: NameSet = field(default_factory=NameSet)
    young_project_days: int = 90
    young_release_hours: int = 48
    imports: bool = True
    pypi_index_url: str | None = None
    pypi_extra_index_urls: tuple[str, ...] = ()
    npm_registry: str | None = None
    public_pypi: str | None = None
    public_npm: str | None = None
    cache_hours: float = 24.0
    negative_cache_minutes: float = 60.0
    timeout: float = 10.0

    def blocks(self, severity: Severity) -> bool:
        if self.block == "never":
            return False
        return severity.rank >= Severity(self.block).rank


_LIST_KEYS = ("allow", "deny", "hallucinated", "pypi_extra_index_urls")
_BOOL_KEYS = ("offline", "imports")
_INT_KEYS = ("young_project_days", "young_release_hours")
_FLOAT_KEYS = ("cache_hours", "negative_cache_minutes", "timeout")
_STR_KEYS = (
    "block",
    "on_unreachable",
    "pypi_index_url",
    "npm_registry",
    "public_pypi",
    "public_npm",
)


def load(table: Mapping[str, Any], env: Mapping[str, str]) -> Policy:
    """The policy from the config table and the environment."""
    values: dict[str, Any] = dict(table)
    values.update(_from_env(env))
    if values.get("block", "high") not in BLOCK_CHOICES:
        raise ConfigError(f"deps.block must be one of {', '.join(BLOCK_CHOICES)}")
    if values.get("on_unreachable", "warn") not in ("warn", "block"):
        raise ConfigError("deps.on_unreachable must be warn or block")
    for key in ("allow", "deny", "hallucinated"):
        values[key] = NameSet.parse(tuple(values.get(key, ())))
    values["pypi_extra_index_urls"] = tuple(values.get("pypi_extra_index_urls", ()))
    for key in ("pypi_index_url", "npm_registry", "public_pypi", "public_npm"):
        _check_url(key, values.get(key))
    for url in values["pypi_extra_index_urls"]:
        _check_url("pypi_extra_index_urls", url)
    for key in ("cache_hours", "negative_cache_minutes", "timeout"):
        if key in values and not math.isfinite(float(values[key])):
            raise ConfigError(f"deps.{key} must be a finite number")
    return Policy(**values)


def _check_url(key: str, url: object) -> None:
    if url is None:
        return
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ConfigError(f"deps.{key} = {url!r}: an http(s) URL is needed")


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    keys = (*_LIST_KEYS, *_BOOL_KEYS, *_INT_KEYS, *_FLOAT_KEYS, *_STR_KEYS)
    for key in keys:
        name = "AIBOM_DEPS_" + key.upper()
        raw = env.get(name)
        if raw is None:
            continue
        result[key] = _coerce(name, key, raw)
    return result


def _coerce(name: str, key: str, raw: str) -> Any:
    if key in _STR_KEYS:
        return raw.strip()
    if key in _LIST_KEYS:
        return tuple(p.strip() for p in raw.replace(" ", ",").split(",") if p.strip())
    if key in _BOOL_KEYS:
        low = raw.strip().lower()
        if low not in _TRUE | _FALSE:
            raise ConfigError(f"{name}={raw!r}: expected true or false")
        return low in _TRUE
    whole = key in _INT_KEYS
    try:
        number = int(raw) if whole else float(raw)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"{name}={raw!r}: expected {kind}") from None
    if number < 0 or (key == "timeout" and number == 0):
        raise ConfigError(f"{name}={raw!r}: must be positive")
    return number
