"""The dependency gate's accuracy, measured end to end: real git, ``aibom deps check --format
json``, real HTTP to a loopback registry (reached through PIP_INDEX_URL / NPM_CONFIG_REGISTRY
like a user would set them).

* no false ``not-found`` / ``invalid-name`` on the project's own installed dependency tree,
  with every name exactly as its Requires-Dist metadata writes it, through four parsers;
* no false ``not-found`` / ``invalid-name`` on real long-tail names with awkward spellings
  (a fixed list that always runs, plus a deterministic sample of the package lists in
  ``/work/.library/env/packages`` when they are there);
* every hallucinated name of the fixture set gets a blocking finding;
* registry faults that clear (429 with Retry-After, a flaky 404, latency, one 500) never give
  a ``not-found``;
* opt-in (``-m online``): a few real and invented names against the public registries that
  pip and npm name themselves.

Each scenario is one staged change checked once; the measured figures are printed (``-s``).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import random
import re
import shlex
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from packaging.requirements import InvalidRequirement, Requirement

from aibom.deps.popular import known_hallucinated, registered_hallucinations
from aibom.deps.types import Ecosystem
from aibom.testing.registry import LoopbackRegistry
from tests.conftest import GitRepo

OLD = "2018-06-01T00:00:00Z"
OLD_VERSIONS = {"1.0.0": "2017-01-10T00:00:00Z", "1.1.0": "2018-03-01T00:00:00Z", "1.2.0": OLD}
YOUNG = "2999-01-01T00:00:00Z"  # in the future: always younger than any threshold
PACKAGE_LISTS = Path(os.environ.get("AIBOM_TEST_PACKAGE_LISTS", "/work/.library/env/packages"))
SAMPLE_SEED = 20251121
SAMPLE_SIZE = 300
FEW_NPM_DOWNLOADS = 1000  # a month
_SEPARATORS = re.compile(r"[-_.]+")

# Real PyPI projects, spelled as their own metadata (and most users) write them: dots, mixed
# case, underscores, digits, long names. Checked against pypi.tsv when it is there.
PYPI_LONG_TAIL = (
    "zope.interface", "jaraco.classes", "backports.zoneinfo", "typing_extensions",
    "Flask-SQLAlchemy", "ruamel.yaml", "PyJWT", "Django", "zc.buildout", "zope.event",
    "jaraco.functools", "jaraco.context", "jaraco.text", "backports.tarfile",
    "ruamel.yaml.clib", "Flask-Login", "Flask-WTF", "WTForms", "SQLAlchemy-Utils",
    "MarkupSafe", "Jinja2", "PyNaCl", "pyOpenSSL", "M2Crypto", "python-dateutil",
    "mypy_extensions", "importlib_metadata", "importlib_resources", "sphinxcontrib-jquery",
    "repoze.lru", "zope.deprecation", "zope.component", "pyramid_tm", "pyramid_jinja2",
    "PasteDeploy", "WebOb", "oslo.config", "oslo.utils", "keystoneauth1", "os-service-types",
    "h5py", "h11", "s3fs", "py4j", "m3u8", "web3", "win32-setctime", "pydantic_core",
    "tf-keras", "azure-mgmt-recoveryservicesbackup", "sphinxcontrib-serializinghtml",
    "opentelemetry-exporter-otlp-proto-grpc", "types-python-dateutil",
    "backports.functools_lru_cache", "jaraco.collections", "zope.proxy", "zope.schema",
    "Flask-Cors", "nose2", "pep8-naming", "flake8-bugbear", "PyQt5", "PyQt5_sip",
    "python-Levenshtein", "pyasn1_modules", "SecretStorage", "Send2Trash", "ExifRead",
    "XlsxWriter", "et_xmlfile", "pyobjc-framework-Cocoa", "APScheduler", "CacheControl",
    "ConfigArgParse", "zc.lockfile", "lazr.restfulclient", "lazr.uri", "python-json-logger",
    "Products.CMFCore", "collective.recipe.template", "plone.api", "z3c.form", "x21", "ws4py",
    "pywin32-ctypes", "google-cloud-bigquery-storage", "ZODB", "GDAL",
)  # fmt: skip
# Real npm packages: scoped names (some with dots or double underscores), dotted names,
# digits, a legacy mixed-case name, long names. Checked against npm.tsv when it is there.
NPM_LONG_TAIL = (
    "@types/node", "@babel/core", "@sigstore/mock", "lodash.get", "socket.io", "lodash.merge",
    "lodash.debounce", "lodash.isplainobject", "socket.io-client", "socket.io-parser",
    "engine.io", "engine.io-client", "bn.js", "hash.js", "decimal.js", "big.js", "chart.js",
    "@vue/compiler-sfc", "@nestjs/common", "@aws-sdk/client-s3", "@smithy/types",
    "@octokit/rest", "@sindresorhus/is", "@tootallnate/once", "@jridgewell/sourcemap-codec",
    "@isaacs/cliui", "@pkgjs/parseargs", "@npmcli/fs", "@eslint-community/regexpp",
    "@nodelib/fs.stat", "@nodelib/fs.walk", "@nodelib/fs.scandir", "string.prototype.matchall",
    "array.prototype.flat", "object.assign", "es6-promise", "es5-ext", "utf-8-validate",
    "base64-js", "sha.js", "md5.js", "asn1.js", "node-forge", "d3-scale", "@sigstore/tuf",
    "@sigstore/bundle", "JSONStream", "@xmldom/xmldom", "@webassemblyjs/wasm-edit",
    "@types/babel__core", "@types/babel__traverse", "i18next", "v8-compile-cache-lib",
    "@babel/plugin-transform-modules-commonjs", "json-stable-stringify-without-jsonify",
    "eslint-plugin-jsx-a11y", "@types/lodash.get", "jquery.easing", "xml2js", "@mdx-js/react",
    "@emotion/is-prop-valid", "three.js", "objectFitPolyfill",
)  # fmt: skip
# Plausible names a model could invent; none exists (checked against the package lists
# when they are there: any that does is dropped).
INVENTED_PYPI = (
    "pandas-easy-csv", "flask-jwt-simple-auth", "django-rest-auth-token-pro",
    "numpy-fast-matrix-utils", "requests-retry-session-helper", "fastapi-jwt-middleware-auth",
    "sqlalchemy-async-session-manager", "pytorch-lightning-easy-trainer",
    "huggingface-model-loader-utils", "langchain-pdf-summarizer-tool",
    "openai-chat-completion-helper", "boto3-s3-sync-simple", "pydantic-settings-yaml-loader",
    "scikit-learn-pipeline-helpers", "matplotlib-easy-plots-pro",
)  # fmt: skip
INVENTED_NPM = (
    "react-native-secure-storage-pro", "express-jwt-auth-middleware-simple",
    "next-auth-prisma-adapter-pro", "vue-easy-form-validator-plus",
    "axios-retry-interceptor-helper", "tailwind-react-modal-kit-pro",
    "@types/express-session-helper", "mongoose-auto-timestamp-plugin-pro",
    "eslint-config-ai-best-practices", "webpack-env-loader-simple-plugin",
)  # fmt: skip


# -- helpers -------------------------------------------------------------------------------------
def pep503(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower()


def _key(ecosystem: str, name: str) -> tuple[str, str]:
    return (ecosystem, pep503(name) if ecosystem == "pypi" else name.lower())


def _placeholder_like(word: str) -> bool:
    """What the install-command parser skips as a placeholder (``PACKAGE_NAME``): documented
    in ``aibom.deps.manifests.commands``; real all-capitals names (ZODB, GDAL) fall under it."""
    return word.isupper() and all(c.isalnum() or c in "_-" for c in word)


def _check(repo: GitRepo, files: dict[str, str], cache: Path | None = None) -> dict[str, Any]:
    """Stage ``files``, run the gate on the staged change, then commit it (no hook) so the
    next scenario starts from it. A new ``cache`` directory makes every lookup go out again."""
    for name, content in files.items():
        repo.write(name, content)
        repo.git("add", name)
    env = {"AIBOM_CACHE_DIR": str(cache)} if cache is not None else None
    proc = repo.aibom("deps", "check", "--format", "json", env=env, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    repo.git("commit", "-q", "--no-verify", "-m", "scenario")
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def _findings(report: dict[str, Any], rule: str) -> list[str]:
    return sorted(
        f"{f['ecosystem']}:{f['name']} ({f['location']}): {f['why']}"
        for f in report["findings"]
        if f["rule"] == rule
    )


def _assert_no_false_alarm(report: dict[str, Any]) -> None:
    """Every name was found: no not-found, no invalid-name, and no unverified (an unverified
    answer would hide a not-found: every lookup here must succeed)."""
    assert _findings(report, "not-found") == []
    assert _findings(report, "invalid-name") == []
    assert _findings(report, "unverified") == []
    assert report["problems"] == []


def _blocked(report: dict[str, Any]) -> list[str]:
    return sorted({f"{f['ecosystem']}:{f['name']}" for f in report["findings"] if f["blocking"]})


def _added_by_path(report: dict[str, Any]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for dep in report["added"]:
        found.setdefault(dep["path"], set()).add(dep["name"])
    return found


def _other_findings(report: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in report["findings"]:
        counts[f["rule"]] = counts.get(f["rule"], 0) + 1
    return dict(sorted(counts.items()))


def _serve(loopback: Any, pypi: Iterable[str], npm: Iterable[str]) -> None:
    for name in pypi:
        loopback.add_pypi(name, versions={"1.0.0": "2017-01-10T00:00:00Z", "1.2.0": OLD})
    for name in npm:
        loopback.add_npm(name, versions=OLD_VERSIONS)


def _pypi_path(name: str) -> str:
    return f"/simple/{pep503(name)}/"


def _npm_path(name: str) -> str:
    return f"/npm/{name}".lower()


def _hits(loopback: Any) -> dict[str, int]:
    """Requests per path, percent-decoded (``@scope%2Fname`` is ``@scope/name``); npm paths
    lower-cased, as the loopback registry serves npm names whatever their case (whether the
    gate asks for a mixed-case name as written is test_npm_mixed_case_names_as_written)."""
    counts: dict[str, int] = {}
    for path, count in loopback.hits.items():
        path = unquote(path)
        path = path.lower() if path.startswith("/npm/") else path
        counts[path] = counts.get(path, 0) + count
    return counts


def _pip_lines(names: Sequence[str], per_line: int = 8) -> list[str]:
    return [" ".join(names[i : i + per_line]) for i in range(0, len(names), per_line)]


def _requirements(names: Sequence[str]) -> str:
    specs = ("", ">=1.0", "==1.2.0", "~=1.0", "!=0.9,>=1", " ; python_version >= '3.8'")
    return "".join(f"{name}{specs[i % len(specs)]}\n" for i, name in enumerate(names))


def _pyproject(requirements: Iterable[str]) -> str:
    lines = "".join(f"  {json.dumps(r)},\n" for r in requirements)
    return f'[project]\nname = "accuracy"\nversion = "0"\ndependencies = [\n{lines}]\n'


def _package_json(names: Sequence[str]) -> str:
    half = len(names) // 2
    return json.dumps(
        {
            "name": "accuracy",
            "dependencies": {n: "^1.0.0" for n in names[:half]},
            "devDependencies": {n: "~1.2.0" for n in names[half:]},
        },
        indent=2,
    )


# -- the package lists (optional) ------------------------------------------------------------
def _read_list(filename: str, columns: Sequence[str]) -> list[list[str]] | None:
    path = PACKAGE_LISTS / filename
    if not path.is_file():
        return None
    rows = []
    with path.open(encoding="utf-8") as handle:
        header = next(handle).rstrip("\n").split("\t")
        if any(c not in header for c in columns):
            return None
        at = [header.index(c) for c in columns]
        width = max(at)
        for line in handle:
            row = line.rstrip("\n").split("\t")
            if len(row) > width:
                rows.append([row[i] for i in at])
    return rows


_LISTS: dict[str, list[list[str]] | None] = {}


def _pypi_list() -> list[list[str]] | None:
    if "pypi" not in _LISTS:
        _LISTS["pypi"] = _read_list("pypi.tsv", ("name", "rank_among_15000_most_downloaded"))
    return _LISTS["pypi"]


def _npm_list() -> list[list[str]] | None:
    if "npm" not in _LISTS:
        _LISTS["npm"] = _read_list("npm.tsv", ("name", "downloads_a_month"))
    return _LISTS["npm"]


def _exists(ecosystem: str, names: Iterable[str]) -> set[str] | None:
    """Which of ``names`` the package list of ``ecosystem`` has (None: no list here)."""
    rows = _pypi_list() if ecosystem == "pypi" else _npm_list()
    if rows is None:
        return None
    listed = {_key(ecosystem, row[0])[1] for row in rows}
    return {n for n in names if _key(ecosystem, n)[1] in listed}


# -- 1. the project's own dependency tree ------------------------------------------------------
def _dependency_tree(root: str, extras: Iterable[str]) -> tuple[list[str], dict[str, str]]:
    """The Requires-Dist strings reached from ``root`` (with ``extras``) through the installed
    distributions, exactly as written, in order, without repeats; and the metadata ``Name`` of
    every installed distribution reached, by PEP 503 name. A requirement whose marker does not
    apply here is kept (the gate checks its name) but not followed."""
    strings: dict[str, None] = {}
    names: dict[str, str] = {}
    todo = [(root, frozenset(extras))]
    done: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, active = todo.pop(0)
        if (pep503(name), active) in done:
            continue
        done.add((pep503(name), active))
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        names[pep503(dist.metadata["Name"])] = dist.metadata["Name"]
        for text in dist.requires or ():
            try:
                req = Requirement(text)
            except InvalidRequirement:
                continue
            strings.setdefault(text, None)
            marker = req.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in {"", *active}):
                todo.append((req.name, frozenset(req.extras)))
    return list(strings), names


def test_own_dependency_tree_has_no_false_not_found(
    repo: GitRepo, loopback: Any, tmp_path: Path
) -> None:
    requirements, installed = _dependency_tree("aibom", ["test"])
    written = sorted({Requirement(r).name for r in requirements})
    projects = {pep503(n) for n in written}
    assert len(projects) >= 20, written  # the test extra brings pytest, mypy, ruff, ...
    assert any(n != pep503(n) for n in written), "no odd spelling to exercise normalisation"
    for project in projects:
        spelled = [n for n in written if pep503(n) == project]
        loopback.add_pypi(installed.get(project, spelled[0]), versions={"1.0": OLD})

    # requirements.txt: every Requires-Dist string as written (specifiers and markers)
    report = _check(repo, {"requirements.txt": "\n".join(requirements) + "\n"}, tmp_path / "c1")
    _assert_no_false_alarm(report)
    assert _added_by_path(report) == {"requirements.txt": set(written)}
    simple = {p: c for p, c in _hits(loopback).items() if p.startswith("/simple/")}
    assert simple == {_pypi_path(p): 1 for p in projects}  # each asked once, normalised
    assert not any(p.startswith("/npm/") for p in _hits(loopback))

    # pyproject.toml [project] dependencies
    report = _check(repo, {"pyproject.toml": _pyproject(requirements)}, tmp_path / "c2")
    _assert_no_false_alarm(report)
    assert _added_by_path(report) == {"pyproject.toml": set(written)}

    # a mix without package.json: setup.cfg install_requires and a Dockerfile pip install
    setup_cfg = "[metadata]\nname = accuracy\n\n[options]\ninstall_requires =\n"
    setup_cfg += "".join(f"    {r}\n" for r in requirements)
    quoted = " \\\n    ".join(shlex.quote(r) for r in requirements)
    dockerfile = f"FROM python:3.12-slim\nRUN pip install --no-cache-dir \\\n    {quoted}\n"
    report = _check(repo, {"setup.cfg": setup_cfg, "Dockerfile": dockerfile}, tmp_path / "c3")
    _assert_no_false_alarm(report)
    commands = {n for n in written if not _placeholder_like(n)}
    assert _added_by_path(report) == {"setup.cfg": set(written), "Dockerfile": commands}

    assert {p: c for p, c in _hits(loopback).items() if p.startswith("/simple/")} == {
        _pypi_path(p): 3 for p in projects
    }
    odd = sorted(n for n in written if n != pep503(n))
    print(
        f"\n[accuracy] own dependency tree: {len(requirements)} requirements, {len(written)} "
        f"names as written ({len(projects)} projects; odd spellings: {', '.join(odd)}), "
        f"checked through requirements.txt, pyproject.toml, setup.cfg and a Dockerfile: "
        f"0 false not-found, 0 invalid-name"
    )


# -- 2. real long-tail names ---------------------------------------------------------------------
def test_fixture_names_are_real() -> None:
    """The fixed lists hold real names (when the package lists are here to tell)."""
    for ecosystem, names in (("pypi", PYPI_LONG_TAIL), ("npm", NPM_LONG_TAIL)):
        assert len(set(names)) == len(names)
        known = _exists(ecosystem, names)
        if known is not None:
            assert sorted(set(names) - known) == [], f"not on {ecosystem}"
    assert len(PYPI_LONG_TAIL) + len(NPM_LONG_TAIL) >= 100


def test_long_tail_names_have_no_false_not_found(
    repo: GitRepo, loopback: Any, tmp_path: Path
) -> None:
    _serve(loopback, PYPI_LONG_TAIL, NPM_LONG_TAIL)
    pypi, npm = list(PYPI_LONG_TAIL), list(NPM_LONG_TAIL)
    readme = (
        "# Setup\n\nInstall the tools:\n\n```sh\n"
        + "".join(f"pip install {line}\n" for line in _pip_lines(pypi))
        + "".join(f"npm install --save {line}\n" for line in _pip_lines(npm))
        + "```\n"
    )
    dockerfile = (
        "FROM node:22\n"
        + "RUN pip install \\\n    "
        + " \\\n    ".join(_pip_lines(pypi))
        + "\nRUN npm install --omit dev \\\n    "
        + " \\\n    ".join(_pip_lines(npm))
        + " && npm cache clean --force\n"
    )
    files = {
        "requirements.txt": _requirements(pypi),
        "pyproject.toml": _pyproject(f"{n}>=1" for n in pypi),
        "package.json": _package_json(npm),
        "README.md": readme,
        "Dockerfile": dockerfile,
    }
    report = _check(repo, files, tmp_path / "cache")
    _assert_no_false_alarm(report)
    in_commands = {n for n in pypi if not _placeholder_like(n)} | set(npm)
    assert _added_by_path(report) == {
        "requirements.txt": set(pypi),
        "pyproject.toml": set(pypi),
        "package.json": set(npm),
        "README.md": in_commands,
        "Dockerfile": in_commands,
    }
    hits = _hits(loopback)
    for name in pypi:
        assert hits.get(_pypi_path(name)) == 1, name
    for name in npm:
        assert hits.get(_npm_path(name)) == 1, name
    skipped = sorted(set(pypi) - in_commands)
    print(
        f"\n[accuracy] long tail (fixed): {len(pypi)} PyPI + {len(npm)} npm names in 5 files: "
        f"0 false not-found, 0 invalid-name; other findings {_other_findings(report)}: "
        f"{', '.join(_blocked(report))}; all-capitals names skipped in install commands as "
        f"placeholders: {skipped}"
    )


def test_sampled_long_tail_names_have_no_false_not_found(
    repo: GitRepo, loopback: Any, tmp_path: Path
) -> None:
    pypi_rows, npm_rows = _pypi_list(), _npm_list()
    if pypi_rows is None or npm_rows is None:
        pytest.skip(f"no package lists (pypi.tsv, npm.tsv) in {PACKAGE_LISTS}")
    rng = random.Random(SAMPLE_SEED)
    unranked = sorted({row[0] for row in pypi_rows if not row[1].strip()})
    rare = sorted(
        {row[0] for row in npm_rows if row[1].strip().isdigit() and int(row[1]) < FEW_NPM_DOWNLOADS}
    )
    pypi = rng.sample(unranked, min(SAMPLE_SIZE, len(unranked)))
    npm = rng.sample(rare, min(SAMPLE_SIZE, len(rare)))
    _serve(loopback, pypi, npm)
    files = {"requirements.txt": _requirements(pypi), "package.json": _package_json(npm)}
    report = _check(repo, files, tmp_path / "cache")
    _assert_no_false_alarm(report)
    assert _added_by_path(report) == {"requirements.txt": set(pypi), "package.json": set(npm)}
    flagged = _blocked(report)
    total = len(pypi) + len(npm)
    print(
        f"\n[accuracy] long tail (sampled, seed {SAMPLE_SEED}): {len(pypi)} unranked PyPI + "
        f"{len(npm)} npm names (< {FEW_NPM_DOWNLOADS} downloads a month): 0 false not-found, "
        f"0 invalid-name; other findings {_other_findings(report)}; names blocked anyway "
        f"{len(flagged)}/{total} ({100 * len(flagged) / total:.1f} %): {', '.join(flagged)}"
    )


class _CaseSensitiveNpm(LoopbackRegistry):
    """npm names as the public registry treats them: a legacy mixed-case package is found
    under its own spelling only (``/objectfitpolyfill`` is 404, ``/jsonstream`` is another
    package than ``/JSONStream``)."""

    def _serve_npm(self, req: Any, name: str, fault: Any) -> None:
        package = self._npm.get(name.lower())
        if package is not None and package["name"] != name:
            req.send(404, b'{"error": "Not found"}', "application/json")
            return
        super()._serve_npm(req, name, fault)


@pytest.fixture
def case_sensitive(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with _CaseSensitiveNpm() as registry:
        monkeypatch.setenv("PIP_INDEX_URL", registry.pypi_url)
        monkeypatch.setenv("NPM_CONFIG_REGISTRY", registry.npm_url)
        monkeypatch.setenv("AIBOM_DEPS_PUBLIC_NPM", registry.npm_url)
        monkeypatch.setenv("AIBOM_DEPS_OFFLINE", "false")
        yield registry


MIXED_CASE_NPM = ("objectFitPolyfill", "JSONStream", "Base64", "CSSselect")


def test_npm_mixed_case_names_as_written(
    repo: GitRepo, case_sensitive: Any, tmp_path: Path
) -> None:
    _serve(case_sensitive, [], MIXED_CASE_NPM)
    report = _check(repo, {"package.json": _package_json(MIXED_CASE_NPM)}, tmp_path / "cache")
    assert _added_by_path(report) == {"package.json": set(MIXED_CASE_NPM)}
    asked = sorted(unquote(path) for path in case_sensitive.hits)
    assert _findings(report, "not-found") == []
    assert asked == sorted(f"/npm/{name}" for name in MIXED_CASE_NPM)


# -- 3. hallucinated names -----------------------------------------------------------------------
def _invented(ecosystem: str, names: Sequence[str]) -> list[str]:
    real = _exists(ecosystem, names) or set()
    return [n for n in names if n not in real]


def test_every_hallucinated_name_is_reported(repo: GitRepo, loopback: Any, tmp_path: Path) -> None:
    shipped = {
        "pypi": sorted(known_hallucinated(Ecosystem.PYPI)),
        "npm": sorted(known_hallucinated(Ecosystem.NPM)),
    }
    registered = {
        "pypi": registered_hallucinations(Ecosystem.PYPI),
        "npm": registered_hallucinations(Ecosystem.NPM),
    }
    invented = {"pypi": _invented("pypi", INVENTED_PYPI), "npm": _invented("npm", INVENTED_NPM)}
    assert len(invented["pypi"]) + len(invented["npm"]) >= 20
    assert registered["pypi"] and registered["npm"]  # the registered case is exercised
    # registered hallucinations are served, one young and the others old with history: the
    # known-hallucination rule must catch them; nothing else is served (404 -> not-found)
    for i, name in enumerate(sorted(registered["pypi"])):
        loopback.add_pypi(name, versions={"0.0.1": YOUNG if i == 0 else OLD})
    for i, name in enumerate(sorted(registered["npm"])):
        loopback.add_npm(name, versions={"1.0.0": YOUNG} if i == 0 else OLD_VERSIONS)
    pypi = shipped["pypi"] + invented["pypi"]
    npm = shipped["npm"] + invented["npm"]
    files = {"requirements.txt": _requirements(pypi), "package.json": _package_json(npm)}
    report = _check(repo, files, tmp_path / "cache")
    assert report["problems"] == []

    rules: dict[tuple[str, str], set[str]] = {}
    for f in report["findings"]:
        if f["blocking"]:
            rules.setdefault((f["ecosystem"], f["name"]), set()).add(f["rule"])
    expected = [("pypi", n) for n in pypi] + [("npm", n) for n in npm]
    missed = [k for k in expected if k not in rules]
    hits = _hits(loopback)
    assert missed == [], "hallucinated names without a blocking finding"
    for eco in ("pypi", "npm"):
        for name in shipped[eco]:
            assert "known-hallucination" in rules[(eco, name)], name
        for name in invented[eco]:
            assert "not-found" in rules[(eco, name)], name
            path = _pypi_path(name) if eco == "pypi" else _npm_path(name)
            assert hits.get(path) == 2, name  # 404, rechecked
    detected = len(expected) - len(missed)
    served = len(registered["pypi"]) + len(registered["npm"])
    print(
        f"\n[accuracy] hallucinated names: {detected}/{len(expected)} reported with a blocking "
        f"finding ({100 * detected / len(expected):.0f} %): {len(shipped['pypi'])} + "
        f"{len(shipped['npm'])} shipped (of which {served} registered and served), "
        f"{len(invented['pypi'])} + {len(invented['npm'])} invented"
    )


# -- 4. faults never give a false not-found ----------------------------------------------------
FAULTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("429 then Retry-After 1 s", {"status_429": 1, "retry_after": "1"}),
    ("404 then 200", {"flaky_404": True}),
    ("0.3 s latency", {"latency": 0.3}),
    ("500 once", {"status_500": 1}),
    ("404 then 200, slowly", {"flaky_404": True, "latency": 0.1}),
)


def test_faults_never_give_a_false_not_found(repo: GitRepo, loopback: Any, tmp_path: Path) -> None:
    _serve(loopback, PYPI_LONG_TAIL, NPM_LONG_TAIL)
    names = [("pypi", n) for n in PYPI_LONG_TAIL] + [("npm", n) for n in NPM_LONG_TAIL]
    assigned: dict[tuple[str, str], str] = {}
    for i, (eco, name) in enumerate(names):
        label, fault = FAULTS[i % len(FAULTS)]
        loopback.inject(pep503(name) if eco == "pypi" else name, **fault)
        assigned[(eco, name)] = label
    files = {
        "requirements.txt": _requirements(PYPI_LONG_TAIL),
        "package.json": _package_json(NPM_LONG_TAIL),
    }
    report = _check(repo, files, tmp_path / "cache")
    _assert_no_false_alarm(report)
    assert len(report["added"]) == len(names)
    hits = _hits(loopback)
    for (eco, name), label in assigned.items():
        path = _pypi_path(name) if eco == "pypi" else _npm_path(name)
        expected = 1 if label == "0.3 s latency" else 2  # the fault was met, then cleared
        assert hits.get(path) == expected, (name, label)
    print(
        f"\n[accuracy] faults: {len(names)} real names, each behind one of "
        f"{', '.join(label for label, _ in FAULTS)}: 0 false not-found, 0 unverified"
    )


# -- 5. online (opt-in) ------------------------------------------------------------------------
ONLINE_REAL = {
    "pypi": ("requests", "zope.interface", "typing_extensions"),
    "npm": ("lodash", "@types/node"),
}
ONLINE_INVENTED = {"pypi": INVENTED_PYPI[:2], "npm": INVENTED_NPM[:1]}
_REGISTRY_OVERRIDES = (
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_NO_INDEX",
    "UV_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_INDEX",
    "UV_EXTRA_INDEX_URL",
    "NPM_CONFIG_REGISTRY",
    "npm_config_registry",
)


@pytest.mark.online
def test_online_public_registries(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    import requests

    from aibom.deps.registries.endpoints import EndpointOverrides, pip_public_index, resolve

    for var in list(os.environ):
        if var in _REGISTRY_OVERRIDES or var.upper().startswith("AIBOM_DEPS_PUBLIC"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # no pip.conf naming a mirror
    monkeypatch.setenv("AIBOM_DEPS_OFFLINE", "false")
    endpoints = resolve(str(repo.path), dict(os.environ), EndpointOverrides())
    if not endpoints.pypi or not endpoints.npm:
        pytest.skip(f"no public registry is known here: {dict(endpoints.problems)}")
    assert endpoints.pypi[0].url == pip_public_index().rstrip("/")
    for endpoint in (endpoints.pypi[0], endpoints.npm[0]):
        try:
            requests.head(endpoint.url, timeout=5)
        except requests.RequestException as exc:
            pytest.skip(f"{endpoint.display} is unreachable ({type(exc).__name__})")

    files = {
        "requirements.txt": "".join(
            f"{n}\n" for n in ONLINE_REAL["pypi"] + ONLINE_INVENTED["pypi"]
        ),
        "package.json": _package_json(ONLINE_REAL["npm"] + ONLINE_INVENTED["npm"]),
    }
    report = _check(repo, files)
    by_name: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for f in report["findings"]:
        by_name.setdefault((f["ecosystem"], f["name"]), []).append(f)
    unverified: dict[str, list[str]] = {}
    for eco, names in ONLINE_REAL.items():
        for name in names:
            found = by_name.get((eco, name), [])
            assert [f["rule"] for f in found if f["blocking"]] == [], name
            assert _findings({"findings": found}, "not-found") == [], name
            why = [f["why"] for f in found if f["rule"] == "unverified"]
            if why:
                unverified[f"{eco}:{name}"] = why
    for eco, names in ONLINE_INVENTED.items():
        for name in names:
            rules = {f["rule"] for f in by_name.get((eco, name), []) if f["blocking"]}
            assert "not-found" in rules, (name, by_name.get((eco, name)))
    assert unverified == {}  # an HTML-only index (PEP 503) is read too
    real = sum(len(v) for v in ONLINE_REAL.values())
    invented = sum(len(v) for v in ONLINE_INVENTED.values())
    print(
        f"\n[accuracy] online: {real}/{real} real names found, none blocked; "
        f"{invented}/{invented} invented names not-found; on {endpoints.pypi[0].display} and "
        f"{endpoints.npm[0].display}"
    )
