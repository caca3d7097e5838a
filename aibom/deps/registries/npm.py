"""npm registries: the full package document (``Accept: application/json``).

Read per package: ``time`` (``created`` and one entry per version), ``versions`` (ordered by
their ``time``), ``maintainers``, ``repository``, and of the latest version (the ``latest``
dist-tag) its ``deprecated`` message and whether ``scripts`` has ``preinstall``, ``install``
or ``postinstall``. A document without versions (registered, never released, or unpublished)
is FOUND with no versions. Scoped names (``@scope/name``) go to the scope's registry when
``.npmrc`` names one, escaped as ``@scope%2fname``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from aibom.deps.registries import Registry, checked_names, unverified
from aibom.deps.registries.endpoints import Endpoint
from aibom.deps.registries.http import Fetcher, Request, Response
from aibom.deps.registries.pypi import parse_time
from aibom.deps.types import Ecosystem, LookupStatus, PackageInfo

INSTALL_SCRIPTS = ("preinstall", "install", "postinstall")


class NpmRegistry(Registry):
    ecosystem = Ecosystem.NPM

    def __init__(
        self,
        default: Endpoint | None,
        scopes: Mapping[str, Endpoint],
        fetcher: Fetcher,
        problem: str | None = None,
    ) -> None:
        self.default = default
        self.scopes = {scope.lower(): endpoint for scope, endpoint in scopes.items()}
        self.fetcher = fetcher
        self.problem = problem or "no npm registry is configured"

    def endpoint_for(self, name: str) -> Endpoint | None:
        if name.startswith("@"):
            scoped = self.scopes.get(name.partition("/")[0].lower())
            if scoped is not None:
                return scoped
        return self.default

    def endpoint_key(self, name: str) -> str:
        endpoint = self.endpoint_for(name)
        return endpoint.url if endpoint else ""

    def describe(self, name: str) -> str:
        endpoint = self.endpoint_for(name)
        return endpoint.display if endpoint else ""

    def close(self) -> None:
        self.fetcher.close()

    def lookup(self, names: Sequence[str]) -> dict[str, PackageInfo]:
        written = checked_names(Ecosystem.NPM, names)
        out: dict[str, PackageInfo] = {}
        asked: list[tuple[str, Endpoint]] = []
        for key in written:
            endpoint = self.endpoint_for(key)
            if endpoint is None:
                out[key] = unverified(Ecosystem.NPM, key, "", self.problem)
            else:
                asked.append((key, endpoint))
        requests = [Request(f"{e.url}/{escape(written[key])}") for key, e in asked]
        for (key, endpoint), response in zip(asked, self.fetcher.fetch_many(requests), strict=True):
            out[key] = _answer(endpoint, key, response)
        return {key: out[key] for key in written}


def escape(name: str) -> str:
    """The registry path of a (valid) npm name: ``@scope/name`` → ``@scope%2fname``."""
    return name.replace("/", "%2f")


def _answer(endpoint: Endpoint, name: str, response: Response) -> PackageInfo:
    registry = endpoint.display
    private = not endpoint.public
    if response.status is LookupStatus.NOT_FOUND:
        return PackageInfo(Ecosystem.NPM, name, LookupStatus.NOT_FOUND, registry, private)
    if response.status is LookupStatus.UNVERIFIED:
        return unverified(Ecosystem.NPM, name, registry, response.error or "unverified")
    try:
        return parse_document(response.data, name, registry, private)
    except ValueError as exc:
        return unverified(Ecosystem.NPM, name, registry, str(exc))


def parse_document(data: object, name: str, registry: str, private: bool) -> PackageInfo:
    """A full npm package document as a FOUND PackageInfo; ValueError for a foreign shape."""
    if not isinstance(data, Mapping):
        raise ValueError("unexpected document (not a JSON object)")
    times = data.get("time") or {}
    unpublished = isinstance(times, Mapping) and "unpublished" in times
    if not isinstance(data.get("versions"), Mapping) and not unpublished:
        # a registry answer without versions is not evidence of "never released"
        raise ValueError("unexpected document (no 'versions' object)")
    versions = data.get("versions") or {}
    if not isinstance(versions, Mapping) or not isinstance(times, Mapping):
        raise ValueError("unexpected document ('versions' or 'time' is not an object)")
    released: dict[str, datetime | None] = {str(v): parse_time(times.get(v)) for v in versions}
    order = {v: i for i, v in enumerate(released)}
    ordered = sorted(
        released, key=lambda v: (released[v] is None, released[v] or datetime.min, order[v])
    )
    stamps = [t for t in released.values() if t is not None]
    created = parse_time(times.get("created"))
    first = min([*stamps, created] if created else stamps, default=None)

    tags = data.get("dist-tags")
    latest_tag = tags.get("latest") if isinstance(tags, Mapping) else None
    latest = latest_tag if latest_tag in released else (ordered[-1] if ordered else None)
    manifest = versions.get(latest) if latest is not None else None
    manifest = manifest if isinstance(manifest, Mapping) else None

    maintainers = data.get("maintainers")
    return PackageInfo(
        Ecosystem.NPM,
        name,
        LookupStatus.FOUND,
        registry,
        private=private,
        versions=tuple(ordered),
        first_upload=first,
        latest_upload=max(stamps, default=None),
        has_repository=_has_repository(data.get("repository"))
        or (manifest is not None and _has_repository(manifest.get("repository"))),
        install_scripts=_install_scripts(manifest) if manifest is not None else None,
        deprecated=_deprecated(manifest),
        maintainers=len(maintainers) if isinstance(maintainers, list) else None,
    )


def _has_repository(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Mapping):
        url = value.get("url")
        return isinstance(url, str) and bool(url.strip())
    return False


def _install_scripts(manifest: Mapping[str, object]) -> bool:
    scripts = manifest.get("scripts")
    if isinstance(scripts, Mapping) and any(scripts.get(s) for s in INSTALL_SCRIPTS):
        return True
    return manifest.get("hasInstallScript") is True


def _deprecated(manifest: Mapping[str, object] | None) -> str | None:
    message = manifest.get("deprecated") if manifest is not None else None
    return message if isinstance(message, str) and message else None
