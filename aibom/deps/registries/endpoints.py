"""Which registries the user's own package managers would ask.

PyPI-compatible indexes come from pip (environment, then configuration files, in pip's
precedence) and uv (environment, ``uv.toml`` / ``[tool.uv]``); the npm registry and its scoped
registries from the environment and ``.npmrc`` files. aibom's own settings
(:class:`EndpointOverrides`) win over all of them.

No registry host name is written here: when nothing names an index, the public default comes
from a client: pip's own constant for PyPI, ``npm config get registry`` for npm.

Only http(s) URLs are usable; anything else (``file:`` indexes, local paths) is skipped and the
reason recorded in :attr:`Endpoints.skipped`. Credentials in URLs (``user:pass@``) are kept in
:attr:`Endpoint.url` for the requests, and redacted everywhere they could be shown.
"""

from __future__ import annotations

import configparser
import os
import re
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from aibom.deps.types import Ecosystem

_TRUE = {"1", "true", "yes", "on", "y"}
_PIP_SECTIONS = ("global", "install")
_NPM_TIMEOUT = 10.0


@dataclass(frozen=True, repr=False)
class Endpoint:
    """One registry. ``url`` has no trailing slash and may hold credentials: show
    :attr:`display` instead. ``source`` says where it was configured (never a secret)."""

    ecosystem: Ecosystem
    url: str
    public: bool
    source: str

    @property
    def display(self) -> str:
        return redact(self.url)

    def __repr__(self) -> str:
        return (
            f"Endpoint({self.ecosystem.value}, {self.display!r}, public={self.public}, "
            f"source={self.source!r})"
        )


@dataclass(frozen=True)
class EndpointOverrides:
    """Values from aibom's configuration; they win over pip, uv and npm settings.

    ``pypi_index_url`` replaces the primary index and ``pypi_extra_index_urls`` (when not empty)
    replaces the extra ones, as pip's command-line options do. ``npm_registry`` replaces the
    default npm registry (scoped registries stay). ``public_pypi`` / ``public_npm`` name the
    public registries (instead of asking pip / npm)."""

    pypi_index_url: str | None = None
    pypi_extra_index_urls: tuple[str, ...] = ()
    npm_registry: str | None = None
    public_pypi: str | None = None
    public_npm: str | None = None


@dataclass(frozen=True)
class Endpoints:
    """Per ecosystem, the registries in order (primary first, then extras); ``scopes`` maps an
    npm scope (``@corp``) to its registry. ``problems`` says why an ecosystem has no registry.
    """

    pypi: tuple[Endpoint, ...] = ()
    npm: tuple[Endpoint, ...] = ()
    scopes: Mapping[str, Endpoint] = field(default_factory=dict, hash=False)
    skipped: tuple[str, ...] = ()
    problems: Mapping[Ecosystem, str] = field(default_factory=dict, hash=False)

    def get(self, ecosystem: Ecosystem) -> tuple[Endpoint, ...]:
        return self.pypi if ecosystem is Ecosystem.PYPI else self.npm


# --- URLs -------------------------------------------------------------------------------------


def redact(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))


def canonical(url: str) -> str:
    """A comparison form: no credentials, lower-case scheme and host, no trailing slash."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = parts.netloc.rpartition("@")[2].lower()
    return urlunsplit((parts.scheme.lower(), host, parts.path.rstrip("/"), parts.query, ""))


def _usable(url: str) -> str | None:
    """Why ``url`` cannot be asked over HTTP; None when it can."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "not a valid URL"
    if parts.scheme.lower() not in ("http", "https"):
        return "not an http(s) URL" if parts.scheme else "not an URL (a local path?)"
    if not parts.hostname:
        return "no host in the URL"
    return None


class _Collector:
    """Builds one ecosystem's endpoint list: usable, de-duplicated, the rest recorded."""

    def __init__(self, ecosystem: Ecosystem, public: str | None, skipped: list[str]) -> None:
        self.ecosystem = ecosystem
        self.public = canonical(public) if public else None
        self.skipped = skipped
        self.endpoints: list[Endpoint] = []

    def make(self, url: str, source: str) -> Endpoint | None:
        url = url.strip()
        reason = _usable(url)
        if reason is not None:
            self.skipped.append(f"{redact(url)} ({source}): {reason}")
            return None
        url = url.rstrip("/")
        return Endpoint(self.ecosystem, url, canonical(url) == self.public, source)

    def add(self, url: str, source: str) -> None:
        endpoint = self.make(url, source)
        seen = {canonical(e.url) for e in self.endpoints}
        if endpoint is not None and canonical(endpoint.url) not in seen:
            self.endpoints.append(endpoint)


# --- public defaults --------------------------------------------------------------------------


def pip_public_index() -> str:
    """The public PyPI Simple index, as pip knows it. Raises RuntimeError without pip."""
    try:
        from pip._internal.models.index import PyPI
    except Exception as exc:  # ImportError, or a pip whose internals moved
        raise RuntimeError(
            f"pip is not importable ({type(exc).__name__}), so the public PyPI index is "
            "unknown: configure an index (pip index-url, uv default index) or set aibom's "
            "public_pypi / pypi_index_url"
        ) from exc
    url = PyPI.simple_url
    if not isinstance(url, str) or not url:
        raise RuntimeError("pip does not name the public PyPI index")
    return url


class _NpmDefault:
    """``npm config get registry``, run at most once per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = False
        self._value: str | None = None
        self._error = ""

    def get(self, env: Mapping[str, str], cwd: str | None) -> tuple[str | None, str]:
        with self._lock:
            if not self._done:
                self._value, self._error = _run_npm_config(env, cwd)
                self._done = True
            return self._value, self._error

    def reset(self) -> None:
        with self._lock:
            self._done = False
            self._value = None
            self._error = ""


NPM_DEFAULT = _NpmDefault()


def _run_npm_config(env: Mapping[str, str], cwd: str | None) -> tuple[str | None, str]:
    import shutil
    import subprocess

    child_env = dict(env)
    child_env.setdefault("PATH", os.environ.get("PATH", os.defpath))
    npm = shutil.which("npm", path=child_env["PATH"])
    if npm is None:
        return None, "npm is not installed"
    try:
        proc = subprocess.run(
            [npm, "config", "get", "registry"],
            env=child_env,
            cwd=cwd if cwd and os.path.isdir(cwd) else None,
            capture_output=True,
            text=True,
            timeout=_NPM_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, f"`npm config get registry` took more than {_NPM_TIMEOUT:g} s"
    except OSError as exc:
        return None, f"cannot run npm ({exc.strerror or type(exc).__name__})"
    lines = [line.strip() for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines or _usable(lines[-1]) is not None:
        return None, f"`npm config get registry` failed (exit {proc.returncode})"
    return lines[-1], ""


# --- pip --------------------------------------------------------------------------------------


def _home(env: Mapping[str, str]) -> Path:
    home = env.get("HOME")
    return Path(home) if home else Path.home()


def _xdg_config_dirs(env: Mapping[str, str], system: Path) -> list[Path]:
    value = env.get("XDG_CONFIG_DIRS") or str(system / "xdg")
    return [Path(p) for p in value.split(os.pathsep) if p]


def _xdg_config_home(env: Mapping[str, str]) -> Path:
    value = env.get("XDG_CONFIG_HOME")
    return Path(value) if value else _home(env) / ".config"


def _pip_config_files(env: Mapping[str, str], system: Path) -> list[Path]:
    """pip's files, lowest precedence first: global, user, site, then PIP_CONFIG_FILE."""
    env_file = env.get("PIP_CONFIG_FILE")
    if env_file == os.devnull:
        return []
    files = [d / "pip" / "pip.conf" for d in _xdg_config_dirs(env, system)]
    files.append(system / "pip.conf")
    if not (env_file and os.path.exists(env_file)):
        files.append(_home(env) / ".pip" / "pip.conf")
        files.append(_xdg_config_home(env) / "pip" / "pip.conf")
    venv = env.get("VIRTUAL_ENV")
    if venv:
        files.append(Path(venv) / "pip.conf")
    if env_file:
        files.append(Path(env_file))
    return files


def _read_pip_config(
    files: list[Path], skipped: list[str]
) -> dict[tuple[str, str], tuple[str, str]]:
    """(section, key) -> (value, source); later files override earlier ones."""
    merged: dict[tuple[str, str], tuple[str, str]] = {}
    for path in files:
        if not path.is_file():
            continue
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError) as exc:
            skipped.append(f"{path}: not readable as a pip configuration ({type(exc).__name__})")
            continue
        for section in _PIP_SECTIONS:
            if not parser.has_section(section):
                continue
            for key, value in parser.items(section):
                key = key.lower().replace("_", "-").lstrip("-")
                merged[(section, key)] = (value, f"{path} [{section}] {key}")
    return merged


def _pip_value(
    key: str,
    env: Mapping[str, str],
    merged: Mapping[tuple[str, str], tuple[str, str]],
    empty_counts: bool = False,
) -> tuple[str, str] | None:
    """The effective value of ``key``: PIP_* variable, then [install], then [global]. An empty
    variable counts only when ``empty_counts`` (``PIP_EXTRA_INDEX_URL=`` clears the list)."""
    var = "PIP_" + key.upper().replace("-", "_")
    if var in env and (empty_counts or env[var].strip()):
        return env[var], var
    for section in reversed(_PIP_SECTIONS):
        if (section, key) in merged:
            return merged[(section, key)]
    return None


@dataclass
class _Indexes:
    primary: tuple[str, str] | None = None  # (url, source)
    extras: list[tuple[str, str]] = field(default_factory=list)
    disabled: str | None = None  # where no-index was set


def _pip_indexes(env: Mapping[str, str], system: Path, skipped: list[str]) -> _Indexes:
    merged = _read_pip_config(_pip_config_files(env, system), skipped)
    found = _Indexes()
    no_index = _pip_value("no-index", env, merged)
    if no_index is not None and no_index[0].strip().lower() in _TRUE:
        found.disabled = no_index[1]
        return found
    index = _pip_value("index-url", env, merged)
    if index is not None and index[0].strip():
        found.primary = (index[0].strip(), index[1])
    extra = _pip_value("extra-index-url", env, merged, empty_counts=True)
    if extra is not None:
        found.extras = [(url, extra[1]) for url in extra[0].split()]
    return found


# --- uv ---------------------------------------------------------------------------------------


def _split_uv_entries(value: str) -> list[str]:
    """UV_INDEX entries are ``url`` or ``name=url``, separated by spaces."""
    urls = []
    for item in value.split():
        name, sep, rest = item.partition("=")
        urls.append(rest if sep and "://" not in name else item)
    return urls


def _uv_config_files(toplevel: str | None, env: Mapping[str, str], system: Path) -> list[Path]:
    """uv's files, highest precedence first: project, user, system (or UV_CONFIG_FILE)."""
    if env.get("UV_NO_CONFIG", "").strip().lower() in _TRUE:
        return []
    if env.get("UV_CONFIG_FILE"):
        return [Path(env["UV_CONFIG_FILE"])]
    files: list[Path] = []
    if toplevel:
        project = Path(toplevel)
        files.append(project / "uv.toml")
        files.append(project / "pyproject.toml")
    files.append(_xdg_config_home(env) / "uv" / "uv.toml")
    files.extend(d / "uv" / "uv.toml" for d in _xdg_config_dirs(env, system))
    files.append(system / "uv" / "uv.toml")
    return files


def _uv_table(path: Path, skipped: list[str]) -> Mapping[str, object] | None:
    if not path.is_file():
        return None
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        skipped.append(f"{path}: not readable as TOML ({type(exc).__name__})")
        return None
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        uv = tool.get("uv") if isinstance(tool, dict) else None
        return uv if isinstance(uv, dict) else None
    return data


def _uv_indexes(
    toplevel: str | None, env: Mapping[str, str], system: Path, skipped: list[str]
) -> _Indexes:
    found = _Indexes()
    if env.get("UV_NO_INDEX", "").strip().lower() in _TRUE:
        found.disabled = "UV_NO_INDEX"
        return found
    for var in ("UV_DEFAULT_INDEX", "UV_INDEX_URL"):
        if env.get(var, "").strip() and found.primary is None:
            found.primary = (_split_uv_entries(env[var])[0], var)
    for var in ("UV_INDEX", "UV_EXTRA_INDEX_URL"):
        found.extras.extend((url, var) for url in _split_uv_entries(env.get(var, "")))
    project_seen = False
    for path in _uv_config_files(toplevel, env, system):
        is_project = toplevel is not None and path.parent == Path(toplevel)
        if is_project and project_seen:
            continue  # uv.toml wins over [tool.uv]; uv does not read both
        table = _uv_table(path, skipped)
        if table is None:
            continue
        project_seen = project_seen or is_project
        label = f"{path} [tool.uv]" if path.name == "pyproject.toml" else str(path)
        if table.get("no-index") is True:
            found.disabled = f"{label} no-index"
            return found
        _read_uv_table(table, label, found)
    return found


def _read_uv_table(table: Mapping[str, object], label: str, found: _Indexes) -> None:
    indexes = table.get("index")
    if isinstance(indexes, list):
        for entry in indexes:
            url = entry.get("url") if isinstance(entry, dict) else None
            if not isinstance(url, str):
                continue
            source = f"{label} [[index]] {entry.get('name') or redact(url)}"
            if entry.get("default") is True and found.primary is None:
                found.primary = (url, source)
            else:
                found.extras.append((url, source))
    index_url = table.get("index-url")
    if isinstance(index_url, str) and found.primary is None:
        found.primary = (index_url, f"{label} index-url")
    extra = table.get("extra-index-url")
    if isinstance(extra, list):
        found.extras.extend((u, f"{label} extra-index-url") for u in extra if isinstance(u, str))


# --- npm --------------------------------------------------------------------------------------

_NPMRC_VAR = re.compile(r"\$\{([^${}?]+)(\??)\}")


def _npm_env(env: Mapping[str, str], key: str) -> tuple[str, str] | None:
    """(value, variable) of an ``npm_config_<key>`` variable; npm reads them in any case,
    the lower-case spelling first."""
    wanted = "npm_config_" + key.lower().replace("-", "_")
    for name in sorted(env, reverse=True):
        if name.lower() == wanted and env[name].strip():
            return env[name].strip(), name
    return None


def _read_npmrc(path: Path, env: Mapping[str, str], skipped: list[str]) -> dict[str, str]:
    """The ``registry`` and ``@scope:registry`` keys of one ``.npmrc``; auth lines are never
    kept (their values are secrets)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        if path.exists():
            skipped.append(f"{path}: not readable ({type(exc).__name__})")
        return {}
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "#", "[")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().lower()
        if key.startswith("//"):
            continue  # per-host settings: tokens, passwords
        if key != "registry" and not (key.startswith("@") and key.endswith(":registry")):
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = _NPMRC_VAR.sub(lambda m: env.get(m.group(1), ""), value)
    return values


def _npmrc_files(toplevel: str | None, env: Mapping[str, str]) -> list[tuple[Path, str]]:
    """(.npmrc, label), highest precedence first: project, user, global (when named)."""
    files = []
    if toplevel:
        files.append((Path(toplevel) / ".npmrc", "project .npmrc"))
    user = _npm_env(env, "userconfig")
    files.append((Path(user[0]) if user else _home(env) / ".npmrc", "user .npmrc"))
    global_file = _npm_env(env, "globalconfig")
    if global_file:
        files.append((Path(global_file[0]), "global npmrc"))
    return files


# --- resolve ----------------------------------------------------------------------------------


def resolve(
    toplevel: str | None,
    env: Mapping[str, str],
    overrides: EndpointOverrides,
    *,
    system_config_dir: str = "/etc",
    ecosystems: frozenset[Ecosystem] = frozenset(Ecosystem),
) -> Endpoints:
    """The registries of the ``ecosystems`` asked for (both by default: resolving npm may
    start npm, which takes a while). ``toplevel`` is the project's work tree (for
    ``.npmrc``, ``uv.toml``, ``pyproject.toml``); ``env`` the environment to read (``HOME``
    included); ``system_config_dir`` stands for ``/etc`` (tests point it elsewhere)."""
    skipped: list[str] = []
    problems: dict[Ecosystem, str] = {}
    system = Path(system_config_dir)
    pypi: tuple[Endpoint, ...] = ()
    npm: tuple[Endpoint, ...] = ()
    scopes: Mapping[str, Endpoint] = {}
    if Ecosystem.PYPI in ecosystems:
        pypi = _resolve_pypi(toplevel, env, overrides, system, skipped, problems)
    if Ecosystem.NPM in ecosystems:
        npm, scopes = _resolve_npm(toplevel, env, overrides, skipped, problems)
    return Endpoints(pypi, npm, scopes, tuple(skipped), problems)


def _resolve_pypi(
    toplevel: str | None,
    env: Mapping[str, str],
    overrides: EndpointOverrides,
    system: Path,
    skipped: list[str],
    problems: dict[Ecosystem, str],
) -> tuple[Endpoint, ...]:
    public = overrides.public_pypi
    public_error = ""
    if public is None:
        try:
            public = pip_public_index()
        except RuntimeError as exc:
            public_error = str(exc)
    out = _Collector(Ecosystem.PYPI, public, skipped)

    pip = _pip_indexes(env, system, skipped)
    uv = _uv_indexes(toplevel, env, system, skipped)
    active = [tool for tool in (pip, uv) if tool.disabled is None]
    disabled = " and ".join(tool.disabled for tool in (pip, uv) if tool.disabled)
    chosen = [tool.primary for tool in active if tool.primary is not None]
    extras = chosen[1:] + [extra for tool in active for extra in tool.extras]
    primary = chosen[0] if chosen else None
    if overrides.pypi_index_url:
        primary = (overrides.pypi_index_url, "aibom setting pypi_index_url")
        extras = [extra for tool in active for extra in tool.extras]
    if overrides.pypi_extra_index_urls:
        label = "aibom setting pypi_extra_index_urls"
        extras = [(url, label) for url in overrides.pypi_extra_index_urls]
    if primary is not None:
        out.add(*primary)
    elif not disabled and public is not None:
        label = "default (aibom setting public_pypi)" if overrides.public_pypi else "default (pip)"
        out.add(public, label)
    for url, source in extras:
        out.add(url, source)
    if not out.endpoints:
        if disabled:
            problems[Ecosystem.PYPI] = f"no package index: no-index is set ({disabled})"
        elif primary is None and public is None:
            problems[Ecosystem.PYPI] = public_error
        else:
            problems[Ecosystem.PYPI] = "no usable package index (see the skipped ones)"
    return tuple(out.endpoints)


def _resolve_npm(
    toplevel: str | None,
    env: Mapping[str, str],
    overrides: EndpointOverrides,
    skipped: list[str],
    problems: dict[Ecosystem, str],
) -> tuple[tuple[Endpoint, ...], dict[str, Endpoint]]:
    configured: list[tuple[str, str]] = []  # (url, source), highest precedence first
    scoped: dict[str, tuple[str, str]] = {}
    if overrides.npm_registry:
        configured.append((overrides.npm_registry, "aibom setting npm_registry"))
    from_env = _npm_env(env, "registry")
    if from_env is not None:
        configured.append(from_env)
    for name, value in env.items():
        lowered = name.lower()
        if lowered.startswith("npm_config_@") and lowered.endswith(":registry") and value:
            scoped.setdefault(
                lowered.removeprefix("npm_config_").removesuffix(":registry"), (value, name)
            )
    for path, label in _npmrc_files(toplevel, env):
        for key, value in _read_npmrc(path, env, skipped).items():
            if key == "registry":
                configured.append((value, f"{label} registry ({path})"))
            else:
                scope = key.removesuffix(":registry")
                scoped.setdefault(scope, (value, f"{scope}:registry in {label} ({path})"))

    public = overrides.public_npm
    if not configured:
        if public is not None:
            configured.append((public, "default (aibom setting public_npm)"))
        else:
            default, error = NPM_DEFAULT.get(env, toplevel)
            if default is not None:
                public = default
                configured.append((default, "default (npm config get registry)"))
            else:
                problems[Ecosystem.NPM] = (
                    f"no npm registry is configured and {error}: set a registry in .npmrc "
                    "or aibom's npm_registry"
                )
    out = _Collector(Ecosystem.NPM, public, skipped)
    if configured:  # npm asks one registry: the configuration with the highest precedence
        endpoint = out.make(*configured[0])
        if endpoint is not None:
            out.endpoints.append(endpoint)
    scopes = {}
    for scope, (url, source) in scoped.items():
        endpoint = out.make(url, source)
        if endpoint is not None:
            scopes[scope] = endpoint
    if not out.endpoints and Ecosystem.NPM not in problems:
        problems[Ecosystem.NPM] = "no usable npm registry (see the skipped ones)"
    return tuple(out.endpoints), scopes
