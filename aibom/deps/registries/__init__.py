"""Registry clients behind one interface: :class:`Registry`.

``open_registries`` builds one client per ecosystem from the resolved endpoints
(:mod:`aibom.deps.registries.endpoints`), sharing one HTTP fetcher, and wraps them in the
on-disk cache (:mod:`aibom.deps.cache`) so that callers never know where an answer came from.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from aibom.deps.names import invalid_reason, normalize
from aibom.deps.types import Ecosystem, LookupStatus, PackageInfo

if TYPE_CHECKING:
    from aibom.deps.cache import RegistryCache
    from aibom.deps.registries.endpoints import Endpoints
    from aibom.deps.registries.http import Limits


class Registry(ABC):
    """Looks projects up in one ecosystem's registries."""

    ecosystem: Ecosystem

    @abstractmethod
    def lookup(self, names: Sequence[str]) -> dict[str, PackageInfo]:
        """What the registries say of each name, keyed by normalised name. Names are looked up
        concurrently; network problems give UNVERIFIED entries, never exceptions. Raises
        ValueError for a name that ``names.invalid_reason`` rejects (no URL is built)."""

    def endpoint_key(self, name: str) -> str:
        """Identifies the registries asked for ``name`` (the cache keys on it)."""
        return ""

    def describe(self, name: str) -> str:
        """The registry asked for ``name``, safe to show (no credentials)."""
        return ""

    def close(self) -> None:
        """Release connections and threads."""
        return None


def checked_names(ecosystem: Ecosystem, names: Sequence[str]) -> dict[str, str]:
    """Normalised name -> the name as first written; ValueError for an invalid name."""
    out: dict[str, str] = {}
    for name in names:
        reason = invalid_reason(ecosystem, name)
        if reason is not None:
            raise ValueError(f"invalid {ecosystem.value} name {name!r}: {reason}")
        out.setdefault(normalize(ecosystem, name), name)
    return out


def unverified(ecosystem: Ecosystem, name: str, registry: str, error: str) -> PackageInfo:
    return PackageInfo(ecosystem, name, LookupStatus.UNVERIFIED, registry, error=error)


def open_registries(
    endpoints: Endpoints,
    cache: RegistryCache | None,
    offline: bool,
    *,
    limits: Limits | None = None,
) -> Mapping[Ecosystem, Registry]:
    """One registry per ecosystem, sharing one fetcher, behind the cache when there is one.
    ``offline``: answer from the cache only (a miss is UNVERIFIED)."""
    from aibom.deps.cache import CachedRegistry
    from aibom.deps.registries.http import Fetcher
    from aibom.deps.registries.npm import NpmRegistry
    from aibom.deps.registries.pypi import PyPIRegistry

    fetcher = Fetcher(limits)
    clients: list[Registry] = [
        PyPIRegistry(endpoints.pypi, fetcher, endpoints.problems.get(Ecosystem.PYPI)),
        NpmRegistry(
            endpoints.npm[0] if endpoints.npm else None,
            endpoints.scopes,
            fetcher,
            endpoints.problems.get(Ecosystem.NPM),
        ),
    ]
    if cache is None and not offline:
        return {client.ecosystem: client for client in clients}
    return {client.ecosystem: CachedRegistry(client, cache, offline=offline) for client in clients}
