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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import unquote

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
        answers: dict[str, list[tuple[Endpoint, PackageInfo]]] = {}
        for key in keys:
            answers[key] = [(e, _answer(e, key, next(responses))) for e in self.endpoints]
        self._enrich(answers)
        return {key: _combine(key, found) for key, found in answers.items()}

    def _enrich(self, answers: dict[str, list[tuple[Endpoint, PackageInfo]]]) -> None:
        """Upload times from the JSON API (``<index root>/pypi/<name>/json``) for projects an
        index listed only in the HTML form, which has none: without them a brand-new
        project would not look young."""
        todo = [
            (key, i, endpoint)
            for key, found in answers.items()
            for i, (endpoint, info) in enumerate(found)
            if info.status is LookupStatus.FOUND
            and info.first_upload is None
            and info.versions
            and endpoint.url.endswith("/simple")
        ]
        if not todo:
            return
        requests = [Request(f"{e.url[: -len('/simple')]}/pypi/{key}/json") for key, _, e in todo]
        for (key, i, endpoint), response in zip(
            todo, self.fetcher.fetch_many(requests), strict=True
        ):
            if response.status is LookupStatus.FOUND:
                info = answers[key][i][1]
                answers[key][i] = (endpoint, with_json_api(info, response.data))


def _answer(endpoint: Endpoint, name: str, response: Response) -> PackageInfo:
    registry = endpoint.display
    private = not endpoint.public
    if response.status is LookupStatus.NOT_FOUND:
        return PackageInfo(Ecosystem.PYPI, name, LookupStatus.NOT_FOUND, registry, private)
    if response.status is LookupStatus.UNVERIFIED:
        if "html" in response.content_type and response.code == 200 and response.body:
            return parse_html_project(response.body, name, registry, private)
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
    files = data.get("files")  # required by PEP 691: without it nothing is known
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
        has_repository=_any_known(i.has_repository for i in found),
        public_claimed=public_claimed,
    )


def _any_known(values: Iterable[bool | None]) -> bool | None:
    known = [v for v in values if v is not None]
    return any(known) if known else None


class _Links(HTMLParser):
    """The anchors of a PEP 503 project page and its PEP 792 ``pypi:project-status`` meta."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[tuple[str, bool]] = []  # (file name, yanked)
        self.meta: dict[str, str] = {}
        self._anchor: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._anchor, self._text = dict(attrs), []
        elif tag == "meta":
            found = dict(attrs)
            if found.get("name") and found.get("content") is not None:
                self.meta[str(found["name"]).lower()] = str(found["content"])

    def handle_data(self, data: str) -> None:
        if self._anchor is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._anchor is not None:
            href = self._anchor.get("href") or ""
            filename = "".join(self._text).strip() or unquote(href.split("#")[0].rsplit("/")[-1])
            self.files.append((filename, "data-yanked" in self._anchor))
            self._anchor = None


def parse_html_project(body: bytes, name: str, registry: str, private: bool) -> PackageInfo:
    """A PEP 503 HTML project page: the project exists, its versions come from file names;
    upload times are unknown (see PyPIRegistry._enrich)."""
    links = _Links()
    try:
        links.feed(body.decode("utf-8", "replace"))
        links.close()
    except Exception as exc:  # html.parser is lenient; a failure here means garbage
        return unverified(Ecosystem.PYPI, name, registry, f"unreadable HTML page ({exc})")
    installable: list[str] = []
    for filename, yanked in links.files:
        version = file_version(filename, name)
        if version is not None and not yanked and version not in installable:
            installable.append(version)
    status = links.meta.get("pypi:project-status")
    reason = links.meta.get("pypi:project-status-reason")
    return PackageInfo(
        Ecosystem.PYPI,
        name,
        LookupStatus.FOUND,
        registry,
        private=private,
        project_status=status.strip().lower() if status else None,
        status_reason=reason,
        versions=tuple(installable),
    )


def with_json_api(info: PackageInfo, data: object) -> PackageInfo:
    """``info`` with upload times and the repository link from a JSON API document."""
    if not isinstance(data, Mapping):
        return info
    releases = data.get("releases")
    times: list[datetime] = []
    if isinstance(releases, Mapping):
        for files in releases.values():
            for entry in files if isinstance(files, list) else []:
                if isinstance(entry, Mapping):
                    when = parse_time(entry.get("upload_time_iso_8601") or entry.get("upload_time"))
                    if when is not None:
                        times.append(when)
    meta = data.get("info")
    urls = meta.get("project_urls") if isinstance(meta, Mapping) else None
    has_repo = None
    if isinstance(urls, Mapping):
        has_repo = any(
            isinstance(u, str) and any(w in (str(k) + u).lower() for w in _REPO_WORDS)
            for k, u in urls.items()
        )
    return replace(
        info,
        first_upload=min(times, default=None),
        latest_upload=max(times, default=None),
        has_repository=has_repo,
    )


_REPO_WORDS = ("source", "repository", "github", "gitlab", "bitbucket", "codeberg", "code")
