"""Hashes of locked packages, read from the lockfiles that record them. The dependency gate's
parsers say what is declared; this module adds what a BOM needs on top: the digests.

Keyed by (ecosystem, normalised name, version); values are CycloneDX hash objects
(``alg``, hex ``content``). Formats: hashed requirements (``--hash=``), ``uv.lock``,
``poetry.lock``, ``Pipfile.lock``, ``package-lock.json``/``npm-shrinkwrap.json``. A file that
does not parse yields no hashes (the gate's parser reports the problem).
"""

from __future__ import annotations

import base64
import json
import re
import tomllib
from collections.abc import Callable, Iterable
from typing import Any

from aibom.deps.names import normalize
from aibom.deps.paths import format_of
from aibom.deps.types import Ecosystem

Key = tuple[str, str, str]
Hashes = dict[Key, tuple[tuple[str, str], ...]]

_ALGS = {"sha256": "SHA-256", "sha384": "SHA-384", "sha512": "SHA-512", "sha1": "SHA-1"}
_HEX_SIZE = {"SHA-1": 40, "SHA-256": 64, "SHA-384": 96, "SHA-512": 128}


def _sized(name: str, hex_digest: str) -> tuple[str, str] | None:
    """A digest of the length its algorithm gives, else None (a truncated or mistyped hash
    in a lockfile must not make the BOM invalid: CycloneDX fixes the lengths)."""
    if len(hex_digest) != _HEX_SIZE[name]:
        return None
    return name, hex_digest


_HASH_OPT = re.compile(r"--hash[=\s]+(sha256|sha384|sha512):([0-9a-fA-F]+)")
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([^\s;\\]+)")


def _pair(text: object) -> tuple[str, str] | None:
    """``sha256:<hex>`` -> ("SHA-256", hex)."""
    if not isinstance(text, str) or ":" not in text:
        return None
    alg, _, value = text.partition(":")
    name = _ALGS.get(alg.lower())
    if name is None or not re.fullmatch(r"[0-9a-fA-F]+", value):
        return None
    return _sized(name, value.lower())


def _sri(text: object) -> tuple[str, str] | None:
    """npm's ``sha512-<base64>`` integrity -> ("SHA-512", hex)."""
    if not isinstance(text, str) or "-" not in text:
        return None
    alg, _, value = text.partition("-")
    name = _ALGS.get(alg.lower())
    if name is None:
        return None
    try:
        return _sized(name, base64.b64decode(value, validate=True).hex())
    except ValueError:
        return None


def _add(found: Hashes, eco: Ecosystem, name: str, version: str, pairs: Iterable[object]) -> None:
    clean = tuple(sorted({p for p in pairs if isinstance(p, tuple)}))
    if name and version and clean:
        key = (eco.value, normalize(eco, name), version)
        found[key] = tuple(sorted(set(found.get(key, ()) + clean)))


def _requirements(text: str, found: Hashes) -> None:
    logical = re.sub(r"\\\r?\n", " ", text)
    for line in logical.splitlines():
        pin = _PIN.match(line)
        if pin is None:
            continue
        pairs = [_pair(f"{a}:{h}") for a, h in _HASH_OPT.findall(line)]
        _add(found, Ecosystem.PYPI, pin.group(1), pin.group(2), pairs)


def _toml_lock(text: str, found: Hashes) -> None:
    data = tomllib.loads(text)
    legacy = data.get("metadata", {}).get("files", {})  # poetry.lock before 1.5
    for package in data.get("package", []):
        if not isinstance(package, dict):
            continue
        name, version = str(package.get("name", "")), str(package.get("version", ""))
        entries: list[Any] = []
        sdist = package.get("sdist")
        if isinstance(sdist, dict):
            entries.append(sdist)
        entries += [w for w in package.get("wheels", []) if isinstance(w, dict)]
        entries += [f for f in package.get("files", []) if isinstance(f, dict)]
        entries += [f for f in legacy.get(name, []) if isinstance(f, dict)]
        _add(found, Ecosystem.PYPI, name, version, (_pair(e.get("hash")) for e in entries))


def _pipfile_lock(text: str, found: Hashes) -> None:
    data = json.loads(text)
    for section in ("default", "develop"):
        for name, entry in (data.get(section) or {}).items():
            if not isinstance(entry, dict):
                continue
            version = str(entry.get("version", "")).lstrip("=")
            pairs = (_pair(h) for h in entry.get("hashes", []))
            _add(found, Ecosystem.PYPI, str(name), version, pairs)


def _npm_lock(text: str, found: Hashes) -> None:
    data = json.loads(text)
    for where, entry in (data.get("packages") or {}).items():
        if not where or not isinstance(entry, dict):
            continue
        name = entry.get("name") or where.rpartition("node_modules/")[2]
        pairs = [_sri(part) for part in str(entry.get("integrity", "")).split()]
        _add(found, Ecosystem.NPM, str(name), str(entry.get("version", "")), pairs)


_READERS: dict[str, Callable[[str, Hashes], None]] = {
    "requirements": _requirements,
    "uv.lock": _toml_lock,
    "poetry.lock": _toml_lock,
    "pipfile.lock": _pipfile_lock,
    "package-lock": _npm_lock,
}


def read_hashes(path: str, text: str, found: Hashes) -> str | None:
    """Add the hashes ``text`` (the content of ``path``) records; a problem as text, or None."""
    reader = _READERS.get(format_of(path) or "")
    if reader is None:
        return None
    try:
        reader(text, found)
    except (ValueError, TypeError, AttributeError, tomllib.TOMLDecodeError) as exc:
        return f"{path}: hashes not read ({type(exc).__name__})"
    return None
