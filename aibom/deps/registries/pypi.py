"""PyPI-compatible indexes through the Simple API's JSON form (PEP 691).

Read per project: PEP 700 ``versions`` and per-file ``upload-time``, PEP 592 ``yanked``, and
PEP 792 ``project-status``. ``versions`` of the result lists the versions that have at least
one file that is not yanked (what an unpinned install could pick), in the index's order.

Every configured index is asked for every name at once: that is what pip does, so no name goes
anywhere pip would not send it. Private (non-public) indexes take precedence: a name they know
is FOUND there, and when the public index is configured too, ``public_claimed`` tells whether
it also claims the name (the dependency-confusion case).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from aibom.deps.registries import Registry, checked_names, unverified
from aibom.deps.registries.endpoints import Endpoint
from aibom.deps.registries.http import Fetcher, Request, Response
from aibom.deps.types import Ecosystem, LookupStatus, PackageInfo

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
ACCEPT = f"{SIMPLE_JSON}, application/vnd.pypi.simple.v1+html;q=0.1, text/html;q=0.01"
NO_JSON = "index does not serve the JSON form (PEP 691)"
_ARCHIVES = (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip", ".egg", ".exe", ".msi", ".rpm")
_SEPARATORS = re.compile(r"[-_.]+")


class PyPIRegistry(Registry):
    ecosystem = Ecosystem.PYPI

    def __init__(
        self, endpoints: Sequence[Endpoint], fetcher: Fetcher, problem: str | None = None
    ) -> None:
        self.endpoints = tuple(endpoints)
        self.fetcher = fetcher
        self.problem = problem or "no package index is configured"

    def endpoint_key(self, name: str) -> str:
        return "\n".join(e.url for e in self.endpoints)

    def describe(self, name: str) -> str:
        return self.endpoints[0].display if self.endpoints else ""

    def close(self) -> None:
        self.fetcher.close()

    def lookup(self, names: Sequence[str]) -> dict[str, PackageInfo]:
        keys = list(checked_names(Ecosystem.PYPI, names))
        if not self.endpoints:
            return {key: unverified(Ecosystem.PYPI, key, "", self.problem) for key in keys}
        requests = [
            Request(f"{endpoint.url}/{key}/", accept=ACCEPT)
            for key in keys
            for endpoint in self.endpoints
        ]
        responses = iter(self.fetcher.fetch_many(requests))
        out = {}
        for key in keys:
            answers = [(e, _answer(e, key, next(responses))) for e in self.endpoints]
            out[key] = _combine(key, answers)
        return out


def _answer(endpoint: Endpoint, name: str, response: Response) -> PackageInfo:
    registry = endpoint.display
    private = not endpoint.public
    if response.status is LookupStatus.NOT_FOUND:
        return PackageInfo(Ecosystem.PYPI, name, LookupStatus.NOT_FOUND, registry, private)
    if response.status is LookupStatus.UNVERIFIED:
        error = response.error or "unverified"
        if "html" in response.content_type or response.code == 406:
            error = NO_JSON
        return unverified(Ecosystem.PYPI, name, registry, error)
    try:
        return parse_project(response.data, name, registry, private)
    except ValueError as exc:
        return unverified(Ecosystem.PYPI, name, registry, str(exc))


def parse_project(data: object, name: str, registry: str, private: bool) -> PackageInfo:
    """A PEP 691 project document as a FOUND PackageInfo; ValueError for a foreign shape."""
    if not isinstance(data, Mapping):
        raise ValueError("unexpected document (not a JSON object)")
    files = data.get("files", [])
    listed = data.get("versions", [])
    if not isinstance(files, list) or not isinstance(listed, list):
        raise ValueError("unexpected document ('files' or 'versions' is not a list)")
    meta = data.get("meta")
    status = data.get("project-status")
    if status is None and isinstance(meta, Mapping):
        status = meta.get("project-status")
    project_status, reason = _project_status(status)

    known = [str(v) for v in listed]
    installable: set[str] = set()
    times: list[datetime] = []
    for entry in files:
        if not isinstance(entry, Mapping):
            continue
        uploaded = parse_time(entry.get("upload-time"))
        if uploaded is not None:
            times.append(uploaded)
        yanked = entry.get("yanked", False)
        version = file_version(str(entry.get("filename", "")), name, known)
        if version is not None and (yanked is False or yanked is None):
            installable.add(version)
    ordered = [v for v in known if v in installable]
    ordered += sorted(installable.difference(known))
    return PackageInfo(
        Ecosystem.PYPI,
        name,
        LookupStatus.FOUND,
        registry,
        private=private,
        project_status=project_status,
        status_reason=reason,
        versions=tuple(ordered),
        first_upload=min(times, default=None),
        latest_upload=max(times, default=None),
    )


def _project_status(value: object) -> tuple[str | None, str | None]:
    if isinstance(value, str):
        return value.strip().lower() or None, None
    if not isinstance(value, Mapping):
        return None, None
    status = value.get("status")
    reason = value.get("reason")
    return (
        status.strip().lower() or None if isinstance(status, str) else None,
        reason if isinstance(reason, str) and reason else None,
    )


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 time as aware UTC; None when missing or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def file_version(filename: str, name: str, known: Sequence[str] = ()) -> str | None:
    """The version a distribution file belongs to, or None when it cannot be told."""
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        if filename.endswith((".tar.gz", ".zip")):
            return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename):
        pass
    stem = filename
    for ext in _ARCHIVES:
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
            break
    else:
        return None
    parts = stem.split("-")
    for i in range(1, len(parts)):  # the name may hold '-': find where it ends
        if _SEPARATORS.sub("-", "-".join(parts[:i])).lower() == name:
            rest = parts[i:]
            for candidate in ("-".join(rest), rest[0]):
                if candidate in known:
                    return candidate
            return rest[0] or None
    return None


def _combine(name: str, answers: list[tuple[Endpoint, PackageInfo]]) -> PackageInfo:
    private = [info for e, info in answers if not e.public]
    public = [info for e, info in answers if e.public]
    private_found = [info for info in private if info.status is LookupStatus.FOUND]
    public_found = [info for info in public if info.status is LookupStatus.FOUND]
    if private_found:
        claimed: bool | None = None
        if public_found:
            claimed = True
        elif public and all(info.status is LookupStatus.NOT_FOUND for info in public):
            claimed = False
        return _merge(private_found, public_claimed=claimed)
    if public_found:
        return _merge(public_found, public_claimed=None)
    failed = [info for _, info in answers if info.status is LookupStatus.UNVERIFIED]
    if not failed:
        return answers[0][1]
    error = "; ".join(f"{info.registry}: {info.error}" for info in failed)
    if len(answers) == 1:
        error = failed[0].error or error
    return unverified(Ecosystem.PYPI, name, failed[0].registry, error)


def _merge(found: list[PackageInfo], *, public_claimed: bool | None) -> PackageInfo:
    """The indexes that have the project, merged as pip merges their files."""
    first = found[0]
    versions = list(first.versions)
    for info in found[1:]:
        versions += [v for v in info.versions if v not in versions]
    firsts = [i.first_upload for i in found if i.first_upload is not None]
    latests = [i.latest_upload for i in found if i.latest_upload is not None]
    status = next((i for i in found if i.project_status is not None), first)
    return PackageInfo(
        Ecosystem.PYPI,
        first.name,
        LookupStatus.FOUND,
        first.registry,
        private=first.private,
        project_status=status.project_status,
        status_reason=status.status_reason,
        versions=tuple(versions),
        first_upload=min(firsts, default=None),
        latest_upload=max(latests, default=None),
        public_claimed=public_claimed,
    )
