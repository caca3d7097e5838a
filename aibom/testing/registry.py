"""A package registry on 127.0.0.1 for tests and demos: PyPI Simple API and npm documents
served from fixture data, with faults on demand.

    with LoopbackRegistry() as reg:
        reg.add_pypi("requests", versions={"2.0": "2020-01-02T00:00:00Z"})
        reg.add_npm("left-pad", versions={"1.0.0": "2016-03-01T00:00:00Z"})
        reg.inject("left-pad", flaky_404=True)        # or reg.inject(latency=0.05) for all
        ... PIP_INDEX_URL=reg.pypi_url, NPM_CONFIG_REGISTRY=reg.npm_url ...

``/simple/<name>/`` answers PEP 691 JSON when the Accept header asks for it (HTML otherwise);
a name that is not normalised is redirected to its normalised form, as public indexes do.
``/npm/<name>`` (``@scope%2fname`` for scoped names) answers the full npm document.
``hits`` counts requests per path; ``authorizations`` keeps the Authorization headers sent.
Run ``python -m aibom.testing.registry --fixture FILE`` to serve a JSON fixture
(``{"pypi": {name: {...}}, "npm": {...}, "faults": {"*": {...}, name: {...}}}``)."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

PYPI_JSON = "application/vnd.pypi.simple.v1+json"
DEFAULT_TIME = "2020-01-01T00:00:00Z"
HUGE = 50 * 1024 * 1024
_SEPARATORS = re.compile(r"[-_.]+")


def _pypi_name(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower()


@dataclass(frozen=True)
class Fault:
    """What goes wrong; ``status_429`` / ``status_500`` answer that many requests of a path
    with that status first (-1: every request)."""

    latency: float = 0.0
    flaky_404: bool = False  # the first request of a path gets 404
    status_429: int = 0
    retry_after: str = "1"
    status_500: int = 0
    hang: bool = False  # no answer until ``hang_seconds`` pass (or the registry stops)
    malformed_json: bool = False
    huge_body: bool = False  # 50 MB, streamed without Content-Length
    redirect_other_host: bool = False  # to http://localhost:<another port>/same/path
    html_only: bool = False  # an index without PEP 691 JSON


NO_FAULT = Fault()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # idle keep-alive connections must not stop close()
    request_queue_size = 128  # many clients connect at once

    def __init__(self, registry: LoopbackRegistry, host: str, port: int, mirror: bool) -> None:
        self.registry = registry
        self.mirror = mirror  # the "other host": serves the same data, without faults
        super().__init__((host, port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        try:
            self.server.registry._serve(self, mirror=self.server.mirror)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def send(self, code: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)


class LoopbackRegistry:
    def __init__(
        self,
        fixture: Mapping[str, Any] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        hang_seconds: float = 30.0,
    ) -> None:
        self.host = host
        self.hang_seconds = hang_seconds
        self.hits: Counter[str] = Counter()
        self.authorizations: list[str] = []  # Authorization headers received
        self._pypi: dict[str, dict[str, Any]] = {}
        self._npm: dict[str, dict[str, Any]] = {}
        self._faults: dict[str | None, Fault] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._servers: list[_Server] = []
        self._server = _Server(self, host, port, mirror=False)
        self._mirror: _Server | None = None
        if fixture:
            self.load(fixture)

    # --- life cycle ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pypi_url(self) -> str:
        return f"{self.url}/simple"

    @property
    def npm_url(self) -> str:
        return f"{self.url}/npm"

    def start(self) -> LoopbackRegistry:
        self._run(self._server)
        return self

    def stop(self) -> None:
        self._stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> LoopbackRegistry:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, server: _Server) -> None:
        self._servers.append(server)
        thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="loopback-registry"
        )
        thread.daemon = True
        thread.start()

    def _mirror_port(self) -> int:
        with self._lock:
            if self._mirror is None:
                self._mirror = _Server(self, self.host, 0, mirror=True)
                self._run(self._mirror)
            return int(self._mirror.server_address[1])

    # --- fixture data -------------------------------------------------------------------

    def add_pypi(
        self,
        name: str,
        versions: Mapping[str, str | None] | None = None,
        status: str | None = None,
        reason: str | None = None,
        yanked: Iterable[str] | Mapping[str, str] = (),
        files_per_version: int = 1,
    ) -> None:
        """A project; ``versions`` maps each version to its files' upload time (ISO 8601,
        None: no upload-time); ``yanked`` versions (or version -> reason)."""
        reasons = dict(yanked) if isinstance(yanked, Mapping) else dict.fromkeys(yanked, True)
        self._pypi[_pypi_name(name)] = {
            "name": name,
            "versions": dict({"1.0": DEFAULT_TIME} if versions is None else versions),
            "status": status,
            "reason": reason,
            "yanked": reasons,
            "files": files_per_version,
        }

    def add_npm(
        self,
        name: str,
        versions: Mapping[str, str] | None = None,
        created: str | None = None,
        maintainers: int = 1,
        repository: bool = True,
        install_scripts: bool = False,
        deprecated: str | None = None,
    ) -> None:
        """A package; ``versions`` maps each version to its publication time, oldest first
        (empty: registered but no version, as after an unpublish)."""
        self._npm[name.lower()] = {
            "name": name,
            "versions": dict({"1.0.0": DEFAULT_TIME} if versions is None else versions),
            "created": created,
            "maintainers": maintainers,
            "repository": repository,
            "install_scripts": install_scripts,
            "deprecated": deprecated,
        }

    def inject(self, name: str | None = None, **fault: Any) -> None:
        """Faults for one name (any ecosystem), or for every name when ``name`` is None.
        ``inject(name)`` with no fault clears that name's faults."""
        key = name.lower() if name is not None else None
        self._faults[key] = Fault(**fault)

    def load(self, fixture: Mapping[str, Any]) -> None:
        for name, spec in fixture.get("pypi", {}).items():
            self.add_pypi(name, **spec)
        for name, spec in fixture.get("npm", {}).items():
            self.add_npm(name, **spec)
        for name, spec in fixture.get("faults", {}).items():
            self.inject(None if name == "*" else name, **spec)

    # --- serving ------------------------------------------------------------------------

    def _fault(self, *names: str) -> Fault:
        for name in names:
            if name in self._faults:
                return self._faults[name]
        return self._faults.get(None, NO_FAULT)

    def _serve(self, req: _Handler, mirror: bool) -> None:
        path = urlsplit(req.path).path
        with self._lock:
            self.hits[path] += 1
            count = self.hits[path]
            if "Authorization" in req.headers:
                self.authorizations.append(req.headers["Authorization"])
        if path.startswith("/simple/") and path.count("/") == 3 and path.endswith("/"):
            name = unquote(path[len("/simple/") : -1])
            keys: tuple[str, ...] = (name.lower(), _pypi_name(name))
        elif path.startswith("/npm/") and len(path) > len("/npm/"):
            name = unquote(path[len("/npm/") :])
            keys = (name.lower(),)
        elif path.startswith("/pypi/") and path.endswith("/json") and path.count("/") == 3:
            self._serve_json_api(req, _pypi_name(unquote(path.split("/")[2])))
            return
        else:
            req.send(404, b"not found\n", "text/plain")
            return
        fault = NO_FAULT if mirror else self._fault(*keys)
        if fault.latency:
            self._stopping.wait(fault.latency)
        if fault.hang:
            self._stopping.wait(self.hang_seconds)
        if fault.redirect_other_host:
            req.send(
                302, b"", "text/plain", Location=f"http://localhost:{self._mirror_port()}{path}"
            )
            return
        if fault.flaky_404 and count == 1:
            req.send(404, b'{"error": "not found"}', "application/json")
            return
        if fault.status_429 and (fault.status_429 < 0 or count <= fault.status_429):
            req.send(429, b"slow down\n", "text/plain", Retry_After=fault.retry_after)
            return
        if fault.status_500 and (fault.status_500 < 0 or count <= fault.status_500):
            req.send(500, b"internal error\n", "text/plain")
            return
        if path.startswith("/simple/"):
            self._serve_pypi(req, name, fault)
        else:
            self._serve_npm(req, name, fault)

    def _serve_pypi(self, req: _Handler, name: str, fault: Fault) -> None:
        normal = _pypi_name(name)
        if normal != name:
            req.send(301, b"", "text/plain", Location=f"/simple/{normal}/")
            return
        project = self._pypi.get(normal)
        if project is None:
            req.send(404, b"not found\n", "text/plain")
            return
        wants_json = PYPI_JSON in req.headers.get("Accept", "") and not fault.html_only
        if wants_json:
            self._send_body(
                req, json.dumps(self._pypi_document(project)).encode(), PYPI_JSON, fault
            )
        else:
            self._send_body(req, self._pypi_html(project).encode(), "text/html", fault)

    def _serve_json_api(self, req: _Handler, name: str) -> None:
        """The optional JSON API (``/pypi/<name>/json``): upload times and project links."""
        project = self._pypi.get(name)
        if project is None:
            req.send(404, b'{"message": "Not Found"}', "application/json")
            return
        releases: dict[str, list[dict[str, Any]]] = {v: [] for v in project["versions"]}
        for f in self._files(project):
            version = next(v for v in project["versions"] if f"-{v}" in f["filename"])
            if f.get("upload-time"):
                releases[version].append(
                    {"filename": f["filename"], "upload_time_iso_8601": f["upload-time"]}
                )
        info = {"name": project["name"], "project_urls": {"Source": "https://example.com/src"}}
        body = json.dumps({"info": info, "releases": releases}).encode()
        req.send(200, body, "application/json")

    def _serve_npm(self, req: _Handler, name: str, fault: Fault) -> None:
        package = self._npm.get(name.lower())
        if package is None:
            req.send(404, b'{"error": "Not found"}', "application/json")
            return
        body = json.dumps(self._npm_document(package)).encode()
        self._send_body(req, body, "application/json", fault)

    def _send_body(self, req: _Handler, body: bytes, content_type: str, fault: Fault) -> None:
        if fault.malformed_json:
            req.send(200, body[: len(body) // 2] + b"\x00{", content_type)
        elif fault.huge_body:
            req.send_response(200)
            req.send_header("Content-Type", content_type)
            req.send_header("Connection", "close")
            req.end_headers()
            req.close_connection = True
            chunk = b" " * (1024 * 1024)
            for _ in range(HUGE // len(chunk)):
                req.wfile.write(chunk)
        else:
            req.send(200, body, content_type)

    @staticmethod
    def _files(project: Mapping[str, Any]) -> list[dict[str, Any]]:
        stem = project["name"].replace("-", "_").replace(".", "_")
        files = []
        for version, uploaded in project["versions"].items():
            for i in range(project["files"]):
                if i == 0:
                    filename = f"{stem}-{version}-py3-none-any.whl"
                elif i == 1:
                    filename = f"{stem}-{version}.tar.gz"
                else:
                    filename = f"{stem}-{version}-{i}-py3-none-any.whl"
                entry: dict[str, Any] = {
                    "filename": filename,
                    "url": f"../../files/{filename}",
                    "hashes": {"sha256": hashlib.sha256(filename.encode()).hexdigest()},
                    "yanked": project["yanked"].get(version, False),
                    "size": 1024,
                }
                if uploaded is not None:
                    entry["upload-time"] = uploaded
                files.append(entry)
        return files

    def _pypi_document(self, project: Mapping[str, Any]) -> dict[str, Any]:
        document: dict[str, Any] = {
            "meta": {"api-version": "1.4"},
            "name": _pypi_name(project["name"]),
            "versions": list(project["versions"]),
            "files": self._files(project),
        }
        if project["status"] is not None:
            status = {"status": project["status"]}
            if project["reason"] is not None:
                status["reason"] = project["reason"]
            document["project-status"] = status
        return document

    def _pypi_html(self, project: Mapping[str, Any]) -> str:
        links = "".join(
            f'<a href="{f["url"]}#sha256={f["hashes"]["sha256"]}">{f["filename"]}</a><br>\n'
            for f in self._files(project)
        )
        return (
            '<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.4">'
            f"</head><body>\n<h1>Links for {project['name']}</h1>\n{links}</body></html>\n"
        )

    def _npm_document(self, package: Mapping[str, Any]) -> dict[str, Any]:
        name = package["name"]
        times = package["versions"]
        created = package["created"] or next(iter(times.values()), DEFAULT_TIME)
        modified = max([created, *times.values()])
        document: dict[str, Any] = {
            "_id": name,
            "name": name,
            "time": {"created": created, "modified": modified, **times},
            "maintainers": [
                {"name": f"maintainer{i}", "email": f"m{i}@example.invalid"}
                for i in range(package["maintainers"])
            ],
        }
        if not times:
            document["time"]["unpublished"] = {"time": modified, "versions": []}
            return document
        repository = {"type": "git", "url": f"git+https://git.example.invalid/{name}.git"}
        basename = name.rpartition("/")[2]
        versions = {}
        for version in times:
            manifest: dict[str, Any] = {
                "name": name,
                "version": version,
                "dist": {"tarball": f"{self.npm_url}/{name}/-/{basename}-{version}.tgz"},
                "scripts": {"test": "node test.js"},
            }
            if package["install_scripts"]:
                manifest["scripts"]["postinstall"] = "node install.js"
            if package["deprecated"]:
                manifest["deprecated"] = package["deprecated"]
            if package["repository"]:
                manifest["repository"] = repository
            versions[version] = manifest
        document["versions"] = versions
        document["dist-tags"] = {"latest": list(times)[-1]}
        if package["repository"]:
            document["repository"] = repository
        return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aibom.testing.registry",
        description="Serve a loopback package registry from a JSON fixture.",
    )
    parser.add_argument("--fixture", help="JSON file: {pypi: {...}, npm: {...}, faults: {...}}")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    fixture: dict[str, Any] = {}
    if args.fixture:
        with open(args.fixture, encoding="utf-8") as fh:
            fixture = json.load(fh)
    registry = LoopbackRegistry(fixture, port=args.port).start()
    print(f"pypi: {registry.pypi_url}\nnpm:  {registry.npm_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        registry.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
