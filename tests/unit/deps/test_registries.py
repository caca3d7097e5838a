"""Registry clients, the fetcher and the cache against a real LoopbackRegistry over loopback
HTTP. Faults must give UNVERIFIED, never NOT_FOUND; only a 404 seen twice is NOT_FOUND."""

from __future__ import annotations

import base64
import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path

import pytest
import requests

from aibom.deps.cache import OFFLINE_MISS, CachedRegistry, RegistryCache, decode, encode
from aibom.deps.cache import default_directory as cache_directory
from aibom.deps.registries import Registry, open_registries
from aibom.deps.registries.endpoints import Endpoint, EndpointOverrides, Endpoints, resolve
from aibom.deps.registries.http import Fetcher, Limits, Request, parse_retry_after
from aibom.deps.registries.npm import NpmRegistry
from aibom.deps.registries.pypi import ACCEPT, PyPIRegistry, file_version, parse_project
from aibom.deps.types import Ecosystem, LookupStatus, PackageInfo
from aibom.testing import LoopbackRegistry

FAST = Limits(connect_timeout=1.0, read_timeout=0.5, recheck_delay=0.05, retry_delay=0.01)
PUBLICS = EndpointOverrides(
    public_pypi="https://public-index.example.invalid/simple",
    public_npm="https://public-npm.example.invalid",
)
T1 = "2020-01-02T03:04:05Z"
T2 = "2021-06-07T08:09:10.123456Z"
FOUND, NOT_FOUND, UNVERIFIED = LookupStatus.FOUND, LookupStatus.NOT_FOUND, LookupStatus.UNVERIFIED


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def reg() -> Iterator[LoopbackRegistry]:
    with LoopbackRegistry(hang_seconds=5) as registry:
        registry.add_pypi("demo", versions={"1.0": T1, "2.0": T2})
        registry.add_npm("demo", versions={"1.0.0": T1, "2.0.0": T2})
        yield registry


def endpoints_for(
    reg: LoopbackRegistry, home: Path, overrides: EndpointOverrides = PUBLICS, **env: str
) -> Endpoints:
    """As a user would configure it: PIP_INDEX_URL and NPM_CONFIG_REGISTRY, in a temp HOME."""
    environ = {
        "HOME": str(home),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_INDEX_URL": reg.pypi_url,
        "NPM_CONFIG_REGISTRY": reg.npm_url,
        **env,
    }
    return resolve(None, environ, overrides, system_config_dir=str(home / "etc"))


def clients(
    reg: LoopbackRegistry, home: Path, sleep: Callable[[float], None] = time.sleep
) -> tuple[PyPIRegistry, NpmRegistry]:
    found = endpoints_for(reg, home)
    fetcher = Fetcher(FAST, sleep=sleep)
    return PyPIRegistry(found.pypi, fetcher), NpmRegistry(found.npm[0], found.scopes, fetcher)


def pick(pair: tuple[PyPIRegistry, NpmRegistry], ecosystem: str) -> Registry:
    return pair[0] if ecosystem == "pypi" else pair[1]


def path_of(reg: LoopbackRegistry, ecosystem: str, name: str) -> str:
    return f"/simple/{name}/" if ecosystem == "pypi" else f"/npm/{name}"


BOTH = pytest.mark.parametrize("ecosystem", ["pypi", "npm"])


# --- parsing ------------------------------------------------------------------------------


def test_pypi_pep700_and_pep792_fields(reg: LoopbackRegistry, tmp_path: Path) -> None:
    reg.add_pypi(
        "Old.Tool",
        versions={"0.9": None, "1.0": T1, "1.1": T2, "2.0": "2022-01-01T00:00:00+02:00"},
        status="archived",
        reason="unmaintained",
        yanked={"1.1": "broken"},
        files_per_version=3,
    )
    pypi, _ = clients(reg, tmp_path)
    info = pypi.lookup(["old_tool"])["old-tool"]
    assert info.status is FOUND and info.error is None
    assert info.versions == ("0.9", "1.0", "2.0")  # 1.1 is yanked
    assert info.first_upload == utc(T1)
    assert info.latest_upload == datetime(2021, 12, 31, 22, tzinfo=UTC)
    assert (info.project_status, info.status_reason) == ("archived", "unmaintained")
    assert info.private and info.public_claimed is None and not info.from_cache
    assert info.registry == reg.pypi_url


def test_pypi_versions_need_files(reg: LoopbackRegistry, tmp_path: Path) -> None:
    reg.add_pypi("placeholder", versions={"0.0.1": T1}, files_per_version=0)
    info = clients(reg, tmp_path)[0].lookup(["placeholder"])["placeholder"]
    assert info.status is FOUND
    assert info.versions == () and info.first_upload is None and info.project_status is None


def test_project_status_also_under_meta() -> None:
    doc = {
        "meta": {"api-version": "1.4", "project-status": {"status": "Quarantined"}},
        "versions": ["1"],
        "files": [{"filename": "x-1.tar.gz", "upload-time": "garbage"}, "not a file"],
    }
    info = parse_project(doc, "x", "r", private=False)
    assert info.project_status == "quarantined" and info.status_reason is None
    assert info.versions == ("1",) and info.first_upload is None
    with pytest.raises(ValueError):
        parse_project({"files": {}}, "x", "r", private=False)


def test_file_versions() -> None:
    assert file_version("foo_bar-1.0-py3-none-any.whl", "foo-bar") == "1.0"
    assert file_version("foo-bar-1.0.tar.gz", "foo-bar") == "1.0"
    assert file_version("Foo.Bar-2.0b1.zip", "foo-bar") == "2.0b1"
    assert file_version("foo-bar-0.3.tar.bz2", "foo-bar") == "0.3"
    assert file_version("foo_bar-0.4-py2.7.egg", "foo-bar") == "0.4"
    assert file_version("foo-bar-1.0-1.tar.bz2", "foo-bar", ["1.0-1"]) == "1.0-1"
    assert file_version("README", "foo-bar") is None


def test_pypi_html_only_index_is_read_and_enriched(reg: LoopbackRegistry, tmp_path: Path) -> None:
    """An index that serves only the HTML form (PEP 503) still proves the project exists;
    the upload times come from the JSON API next to it."""
    reg.inject("demo", html_only=True)
    info = clients(reg, tmp_path)[0].lookup(["demo"])["demo"]
    assert info.status is FOUND
    assert set(info.versions) == set(reg._pypi["demo"]["versions"])
    assert info.first_upload is not None and info.has_repository is True
    assert reg.hits["/pypi/demo/json"] == 1


def test_pypi_html_page_without_json_api(tmp_path: Path) -> None:
    from aibom.deps.registries.pypi import parse_html_project

    page = (
        b'<html><head><meta name="pypi:project-status" content="Archived">'
        b'<meta name="pypi:project-status-reason" content="moved"></head><body>'
        b'<a href="../../f/demo-1.0.tar.gz#sha256=00">demo-1.0.tar.gz</a>'
        b'<a href="../../f/demo-2.0-py3-none-any.whl" data-yanked="">demo-2.0-py3-none-any.whl</a>'
        b"</body></html>"
    )
    info = parse_html_project(page, "demo", "http://127.0.0.1/simple", private=False)
    assert info.status is FOUND and info.versions == ("1.0",)
    assert info.project_status == "archived" and info.status_reason == "moved"
    assert info.first_upload is None


def test_npm_fields(reg: LoopbackRegistry, tmp_path: Path) -> None:
    reg.add_npm(
        "risky",
        versions={"1.0.0": T1, "0.9.0": "2019-01-01T00:00:00Z", "1.1.0": T2},
        created="2018-05-05T00:00:00Z",
        maintainers=3,
        repository=False,
        install_scripts=True,
        deprecated="use safe instead",
    )
    info = clients(reg, tmp_path)[1].lookup(["risky"])["risky"]
    assert info.status is FOUND
    assert info.versions == ("0.9.0", "1.0.0", "1.1.0")  # in the order of `time`
    assert info.first_upload == utc("2018-05-05T00:00:00Z")
    assert info.latest_upload == utc(T2)
    assert info.maintainers == 3 and info.has_repository is False
    assert info.install_scripts is True and info.deprecated == "use safe instead"

    plain = clients(reg, tmp_path)[1].lookup(["demo"])["demo"]
    assert plain.has_repository is True and plain.install_scripts is False
    assert plain.deprecated is None and plain.maintainers == 1


def test_npm_unpublished_is_found_without_versions(reg: LoopbackRegistry, tmp_path: Path) -> None:
    reg.add_npm("gone", versions={}, created=T1)
    info = clients(reg, tmp_path)[1].lookup(["gone"])["gone"]
    assert info.status is FOUND and info.versions == ()
    assert info.first_upload == utc(T1) and info.latest_upload is None
    assert info.install_scripts is None and info.deprecated is None


def test_npm_scoped_names_use_their_registry(reg: LoopbackRegistry, tmp_path: Path) -> None:
    with LoopbackRegistry() as corp:
        corp.add_npm("@corp/lib")
        reg.add_npm("@other/lib")
        (tmp_path / ".npmrc").write_text(f"@corp:registry={corp.npm_url}/\n")
        found = endpoints_for(reg, tmp_path)
        npm = NpmRegistry(found.npm[0], found.scopes, Fetcher(FAST))
        out = npm.lookup(["@corp/lib", "@other/lib", "@corp/missing"])
        assert [out[k].status for k in out] == [FOUND, FOUND, NOT_FOUND]
        assert out["@corp/lib"].registry == corp.npm_url
        assert out["@other/lib"].registry == reg.npm_url
        assert corp.hits["/npm/@corp%2Flib"] == 1 and reg.hits["/npm/@other%2Flib"] == 1
        assert npm.endpoint_key("@corp/x") != npm.endpoint_key("x")


def test_invalid_names_never_reach_the_network(reg: LoopbackRegistry, tmp_path: Path) -> None:
    pypi, npm = clients(reg, tmp_path)
    with pytest.raises(ValueError):
        pypi.lookup(["demo", "../etc/passwd"])
    with pytest.raises(ValueError):
        npm.lookup(["req\u03c5ests"])  # a Greek upsilon
    assert not reg.hits


# --- faults -------------------------------------------------------------------------------


@BOTH
def test_404_then_200_is_found(reg: LoopbackRegistry, tmp_path: Path, ecosystem: str) -> None:
    reg.inject("demo", flaky_404=True)
    info = pick(clients(reg, tmp_path), ecosystem).lookup(["demo"])["demo"]
    assert info.status is FOUND
    assert reg.hits[path_of(reg, ecosystem, "demo")] == 2


@BOTH
def test_404_twice_is_not_found(reg: LoopbackRegistry, tmp_path: Path, ecosystem: str) -> None:
    info = pick(clients(reg, tmp_path), ecosystem).lookup(["nosuch"])["nosuch"]
    assert info.status is NOT_FOUND and info.error is None
    assert reg.hits[path_of(reg, ecosystem, "nosuch")] == 2


def test_429_waits_retry_after_then_found(reg: LoopbackRegistry, tmp_path: Path) -> None:
    reg.inject("demo", status_429=2, retry_after="1")
    waits: list[float] = []
    pypi, _ = clients(reg, tmp_path, sleep=waits.append)
    assert pypi.lookup(["demo"])["demo"].status is FOUND
    assert waits == [1.0, 1.0] and reg.hits["/simple/demo/"] == 3

    # an HTTP date, really waited for
    reg.inject("demo", status_429=1, retry_after=formatdate(time.time() + 1.5, usegmt=True))
    start = time.monotonic()
    assert clients(reg, tmp_path)[1].lookup(["demo"])["demo"].status is FOUND
    assert 0.4 <= time.monotonic() - start < 4
    assert reg.hits["/npm/demo"] == 2


def test_429_that_never_clears_is_unverified(reg: LoopbackRegistry, tmp_path: Path) -> None:
    reg.inject("demo", status_429=-1, retry_after="0")
    info = clients(reg, tmp_path)[0].lookup(["demo"])["demo"]
    assert info.status is UNVERIFIED and "429" in (info.error or "")
    assert reg.hits["/simple/demo/"] == 3  # the first try and two retries

    reg.inject("demo", status_429=-1, retry_after="3600")
    start = time.monotonic()
    info = clients(reg, tmp_path)[1].lookup(["demo"])["demo"]
    assert info.status is UNVERIFIED and "beyond" in (info.error or "")
    assert time.monotonic() - start < 1 and reg.hits["/npm/demo"] == 1


def test_retry_after_values() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now) == pytest.approx(30, abs=1)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now) == 0.0
    for bad in (None, "", "soon", "-3", "nan"):
        assert parse_retry_after(bad, now) is None


@BOTH
def test_500_once_is_retried(reg: LoopbackRegistry, tmp_path: Path, ecosystem: str) -> None:
    reg.inject("demo", status_500=1)
    assert pick(clients(reg, tmp_path), ecosystem).lookup(["demo"])["demo"].status is FOUND


@BOTH
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"status_500": -1}, "server error (HTTP 500, twice)"),
        ({"hang": True}, "timed out waiting for an answer (0.5 s)"),
        ({"malformed_json": True}, "malformed JSON"),
        ({"huge_body": True}, "response larger than 20 MB"),
        ({"redirect_other_host": True}, "redirected to another host (localhost)"),
    ],
)
def test_faults_are_unverified_never_not_found(
    reg: LoopbackRegistry,
    tmp_path: Path,
    ecosystem: str,
    fault: dict[str, object],
    error: str,
) -> None:
    reg.inject("demo", **fault)
    start = time.monotonic()
    info = pick(clients(reg, tmp_path), ecosystem).lookup(["demo", "nosuch"])
    assert time.monotonic() - start < 5
    assert info["demo"].status is UNVERIFIED
    assert info["demo"].error == error
    assert info["nosuch"].status is NOT_FOUND  # the fault is for one name only
    if "redirect_other_host" in fault:  # the other host serves it: it was not followed
        assert reg.hits[path_of(reg, ecosystem, "demo")] == 1


def test_same_host_redirects_are_followed(reg: LoopbackRegistry) -> None:
    with Fetcher(FAST) as fetcher:
        response = fetcher.fetch(Request(f"{reg.pypi_url}/Demo_/", accept=ACCEPT))
        assert response.status is NOT_FOUND  # redirected to /simple/demo-/ , then a 404
        response = fetcher.fetch(Request(f"{reg.pypi_url}/DEMO/", accept=ACCEPT))
        assert response.status is FOUND and reg.hits["/simple/demo/"] == 1


def test_declared_oversize_body_is_not_read(reg: LoopbackRegistry) -> None:
    with Fetcher(Limits(max_body=100)) as fetcher:
        response = fetcher.fetch(Request(f"{reg.npm_url}/demo"))
    assert response.status is UNVERIFIED and response.error == "response larger than 100 bytes"


def test_network_errors_are_unverified(tmp_path: Path) -> None:
    with LoopbackRegistry() as gone:
        url = gone.pypi_url
    endpoint = Endpoint(Ecosystem.PYPI, url, False, "test")
    info = PyPIRegistry([endpoint], Fetcher(FAST)).lookup(["demo"])["demo"]
    assert info.status is UNVERIFIED and (info.error or "").startswith("connection failed")
    bad = Endpoint(Ecosystem.NPM, "https://127.0.0.1:1", False, "test")
    info = NpmRegistry(bad, {}, Fetcher(FAST)).lookup(["demo"])["demo"]
    assert info.status is UNVERIFIED


def test_no_endpoint_is_unverified_with_the_problem() -> None:
    fetcher = Fetcher(FAST)
    info = PyPIRegistry([], fetcher, "pip is not importable").lookup(["x"])["x"]
    assert (info.status, info.error) == (UNVERIFIED, "pip is not importable")
    info = NpmRegistry(None, {}, fetcher, "npm is not installed").lookup(["x"])["x"]
    assert (info.status, info.error) == (UNVERIFIED, "npm is not installed")


def test_credentials_are_sent_but_never_shown(reg: LoopbackRegistry, tmp_path: Path) -> None:
    url = reg.pypi_url.replace("http://", "http://alice:s3cret@")
    found = endpoints_for(reg, tmp_path, PIP_INDEX_URL=url)
    info = PyPIRegistry(found.pypi, Fetcher(FAST)).lookup(["demo"])["demo"]
    assert info.status is FOUND and "s3cret" not in repr(info)
    assert info.registry == reg.pypi_url.replace("http://", "http://***@")
    assert reg.authorizations == ["Basic " + base64.b64encode(b"alice:s3cret").decode()]


# --- several indexes ----------------------------------------------------------------------


@pytest.fixture
def two_indexes(tmp_path: Path) -> Iterator[tuple[LoopbackRegistry, LoopbackRegistry]]:
    with LoopbackRegistry() as private, LoopbackRegistry() as public:
        private.add_pypi("internal-tool")
        private.add_pypi("shadowed")
        public.add_pypi("shadowed")
        public.add_pypi("common")
        yield private, public


def test_private_index_first_and_public_claimed(
    two_indexes: tuple[LoopbackRegistry, LoopbackRegistry], tmp_path: Path
) -> None:
    private, public = two_indexes
    overrides = EndpointOverrides(public_pypi=public.pypi_url, public_npm="http://127.0.0.1:9")
    found = endpoints_for(
        public, tmp_path, overrides, PIP_EXTRA_INDEX_URL=private.pypi_url
    )  # pip asks the public index as well: checking it there leaks nothing
    assert [e.public for e in found.pypi] == [True, False]
    out = PyPIRegistry(found.pypi, Fetcher(FAST)).lookup(
        ["internal-tool", "shadowed", "common", "ghost"]
    )
    assert (out["internal-tool"].private, out["internal-tool"].public_claimed) == (True, False)
    assert out["internal-tool"].registry == private.pypi_url
    assert (out["shadowed"].private, out["shadowed"].public_claimed) == (True, True)
    assert out["shadowed"].registry == private.pypi_url
    assert (out["common"].private, out["common"].public_claimed) == (False, None)
    assert out["common"].registry == public.pypi_url
    assert out["ghost"].status is NOT_FOUND

    public.inject("internal-tool", status_500=-1)
    private.inject("ghost", status_500=-1)
    out = PyPIRegistry(found.pypi, Fetcher(FAST)).lookup(["internal-tool", "ghost"])
    assert out["internal-tool"].status is FOUND and out["internal-tool"].public_claimed is None
    assert out["ghost"].status is UNVERIFIED  # one index could not say
    assert (out["ghost"].error or "").startswith(f"{private.pypi_url}: server error")


def test_unconfigured_public_index_is_never_asked(
    two_indexes: tuple[LoopbackRegistry, LoopbackRegistry], tmp_path: Path
) -> None:
    private, public = two_indexes
    overrides = EndpointOverrides(public_pypi=public.pypi_url, public_npm="http://127.0.0.1:9")
    found = endpoints_for(private, tmp_path, overrides)
    out = PyPIRegistry(found.pypi, Fetcher(FAST)).lookup(["internal-tool", "common"])
    assert out["internal-tool"].status is FOUND and out["internal-tool"].public_claimed is None
    assert out["common"].status is NOT_FOUND
    assert not public.hits


def test_lookups_are_concurrent(reg: LoopbackRegistry, tmp_path: Path) -> None:
    names = [f"pkg{i}" for i in range(100)]
    for name in names:
        reg.add_pypi(name)
    pypi, _ = clients(reg, tmp_path)
    pypi.lookup(["demo"])  # a warm connection pool
    reg.inject(latency=0.05)
    start = time.monotonic()
    out = pypi.lookup(names)
    elapsed = time.monotonic() - start
    assert all(info.status is FOUND for info in out.values()) and list(out) == names
    assert elapsed < 0.4 * 100 * 0.05, elapsed


# --- open_registries and the cache ---------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_open_registries_and_cache_ttls(reg: LoopbackRegistry, tmp_path: Path) -> None:
    clock = Clock()
    cache = RegistryCache(tmp_path / "cache", clock=clock)
    registries = open_registries(endpoints_for(reg, tmp_path), cache, False, limits=FAST)
    pypi = registries[Ecosystem.PYPI]
    assert pypi.ecosystem is Ecosystem.PYPI and isinstance(pypi, CachedRegistry)
    reg.inject("flaky", status_500=-1)

    first = pypi.lookup(["Demo", "nosuch", "flaky"])
    assert [i.status for i in first.values()] == [FOUND, NOT_FOUND, UNVERIFIED]
    assert not any(i.from_cache for i in first.values())
    assert len(list((tmp_path / "cache").glob("*.json"))) == 2  # UNVERIFIED is not stored

    def hits() -> tuple[int, ...]:
        return tuple(reg.hits[f"/simple/{n}/"] for n in ("demo", "nosuch", "flaky"))

    assert hits() == (1, 2, 2)
    clock.now += 30 * 60
    again = pypi.lookup(["demo", "nosuch", "flaky"])
    assert again["demo"].from_cache and again["nosuch"].from_cache
    assert again["demo"] == PackageInfo(**{**first["demo"].__dict__, "from_cache": True})
    assert hits() == (1, 2, 4)
    clock.now += 31 * 60  # past the negative TTL (1 h)
    pypi.lookup(["demo", "nosuch"])
    assert hits() == (1, 4, 4)
    clock.now += 23 * 3600  # past the positive TTL (24 h)
    assert not pypi.lookup(["demo"])["demo"].from_cache
    assert hits() == (2, 4, 4)

    npm = registries[Ecosystem.NPM]
    assert npm.lookup(["demo"])["demo"].status is FOUND
    assert npm.lookup(["demo"])["demo"].from_cache
    (tmp_path / "cache" / "package.json").write_text("{}")  # not ours: kept
    assert cache.clear() == 3
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["package.json"]


def test_offline_mode(reg: LoopbackRegistry, tmp_path: Path) -> None:
    cache = RegistryCache(tmp_path / "cache")
    found = endpoints_for(reg, tmp_path)
    open_registries(found, cache, False, limits=FAST)[Ecosystem.NPM].lookup(["demo"])
    reg.hits.clear()
    offline = open_registries(found, cache, True, limits=FAST)
    out = offline[Ecosystem.NPM].lookup(["demo", "other"])
    assert out["demo"].status is FOUND and out["demo"].from_cache
    assert (out["other"].status, out["other"].error) == (UNVERIFIED, OFFLINE_MISS)
    assert out["other"].registry == reg.npm_url
    no_cache = open_registries(found, None, True, limits=FAST)[Ecosystem.PYPI]
    assert no_cache.lookup(["demo"])["demo"].error == OFFLINE_MISS
    assert not reg.hits


def test_corrupt_and_foreign_entries_are_misses(reg: LoopbackRegistry, tmp_path: Path) -> None:
    cache = RegistryCache(tmp_path / "cache")
    pypi = open_registries(endpoints_for(reg, tmp_path), cache, False, limits=FAST)[Ecosystem.PYPI]
    pypi.lookup(["demo"])
    (entry,) = (tmp_path / "cache").glob("*.json")
    good = json.loads(entry.read_text())
    spoiled = [
        b"\x00\xff not json",
        b"[]",
        json.dumps({**good, "format": 999}).encode(),
        json.dumps({**good, "key": "0" * 64}).encode(),
        json.dumps({**good, "info": {**good["info"], "status": "maybe"}}).encode(),
        json.dumps({**good, "info": {**good["info"], "name": "other"}}).encode(),
        json.dumps({**good, "info": {**good["info"], "versions": [1]}}).encode(),
        json.dumps({**good, "info": {**good["info"], "extra": 1}}).encode(),
        json.dumps({**good, "stored": "yesterday"}).encode(),
    ]
    for n, data in enumerate(spoiled, start=1):
        entry.write_bytes(data)
        info = pypi.lookup(["demo"])["demo"]
        assert info.status is FOUND and not info.from_cache, data
        assert reg.hits["/simple/demo/"] == 1 + n
        assert json.loads(entry.read_text())["info"] == good["info"]  # overwritten


def test_encode_decode_round_trip() -> None:
    info = PackageInfo(
        Ecosystem.NPM,
        "x",
        FOUND,
        "http://127.0.0.1:1/npm",
        private=True,
        versions=("1", "2"),
        first_upload=utc(T1),
        latest_upload=utc(T2),
        has_repository=False,
        install_scripts=True,
        deprecated="no",
        maintainers=2,
        public_claimed=False,
    )
    assert decode(json.loads(json.dumps(encode(info)))) == info


def test_cache_directory(tmp_path: Path) -> None:
    assert cache_directory({"AIBOM_CACHE_DIR": "/c", "XDG_CACHE_HOME": "/x"}) == Path("/c")
    assert cache_directory({"XDG_CACHE_HOME": "/x", "HOME": "/h"}) == Path("/x/aibom/registry")
    assert cache_directory({"HOME": "/h"}) == Path("/h/.cache/aibom/registry")
    assert RegistryCache(env={"AIBOM_CACHE_DIR": str(tmp_path)}).directory == tmp_path


def _write_entries(directory: str, rounds: int) -> None:
    cache = RegistryCache(directory)
    for r in range(rounds):
        for i in range(40):
            info = PackageInfo(Ecosystem.PYPI, f"p{i}", FOUND, "r", versions=(str(r),) * 50)
            assert cache.put("endpoints", info)


def test_concurrent_writers(tmp_path: Path) -> None:
    directory = str(tmp_path / "cache")
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_entries, args=(directory, 5)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    cache = RegistryCache(directory)
    for i in range(40):
        info = cache.get(Ecosystem.PYPI, "endpoints", f"p{i}")
        assert info is not None and info.from_cache and len(info.versions) == 50
    assert sorted(p.suffix for p in Path(directory).iterdir()) == [".json"] * 40
    assert cache.clear() == 40


def test_standalone_server(tmp_path: Path) -> None:
    fixture = tmp_path / "fixture.json"
    fixture.write_text(json.dumps({"npm": {"left-pad": {"versions": {"1.3.0": T1}}}}))
    proc = subprocess.Popen(
        [sys.executable, "-m", "aibom.testing.registry", "--fixture", str(fixture)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        pypi_line, npm_line = proc.stdout.readline(), proc.stdout.readline()
        assert pypi_line.startswith("pypi: http://127.0.0.1:")
        npm_url = npm_line.split()[-1]
        document = requests.get(f"{npm_url}/left-pad", timeout=5).json()
        assert list(document["versions"]) == ["1.3.0"]
    finally:
        proc.terminate()
        proc.wait(10)
    assert "Warning" not in (proc.stderr.read() if proc.stderr else "")


@pytest.mark.parametrize(
    "document", [{}, {"versions": None, "time": None}, {"name": "x"}, {"files": None}]
)
def test_documents_without_versions_are_not_evidence(document: dict[str, object]) -> None:
    """A 200 whose body lacks the required fields says nothing: unverified, not no-release."""
    from aibom.deps.registries.npm import parse_document

    with pytest.raises(ValueError):
        parse_project(document, "x", "http://127.0.0.1/simple", private=False)
    if "files" not in document:
        with pytest.raises(ValueError):
            parse_document(document, "x", "http://127.0.0.1/npm", private=False)


def test_unpublished_npm_package_is_registered_without_releases() -> None:
    from aibom.deps.registries.npm import parse_document

    doc = {"name": "gone", "time": {"created": "2020-01-01T00:00:00Z", "unpublished": {}}}
    info = parse_document(doc, "gone", "http://127.0.0.1/npm", private=False)
    assert info.status is FOUND and info.versions == ()
