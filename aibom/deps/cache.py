"""On-disk cache of registry answers, and the cached :class:`Registry` wrapper.

One JSON file per (ecosystem, endpoint set, normalised name), named by the sha256 of those.
FOUND answers live ``positive_ttl`` (24 h), NOT_FOUND ``negative_ttl`` (1 h); UNVERIFIED ones
are never stored. Writes go to a temp file in the same directory and are renamed into place,
so concurrent processes never see half an entry; an entry that cannot be read (corrupt, from
another format version, for another key) is a miss and gets overwritten.

Directory: ``AIBOM_CACHE_DIR``, else ``$XDG_CACHE_HOME/aibom/registry``, else
``~/.cache/aibom/registry``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, replace
from datetime import datetime
from pathlib import Path

from aibom.deps.registries import Registry, checked_names, unverified
from aibom.deps.types import Ecosystem, LookupStatus, PackageInfo

FORMAT = 1
POSITIVE_TTL = 24 * 3600.0
NEGATIVE_TTL = 3600.0
OFFLINE_MISS = "offline: not in the cache"


def default_directory(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("AIBOM_CACHE_DIR"):
        return Path(env["AIBOM_CACHE_DIR"])
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "aibom" / "registry"
    home = env.get("HOME")
    return (Path(home) if home else Path.home()) / ".cache" / "aibom" / "registry"


class RegistryCache:
    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        positive_ttl: float = POSITIVE_TTL,
        negative_ttl: float = NEGATIVE_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = Path(directory) if directory is not None else default_directory(env)
        self.positive_ttl = positive_ttl
        self.negative_ttl = negative_ttl
        self.clock = clock

    @staticmethod
    def key(ecosystem: Ecosystem, endpoint_key: str, name: str) -> str:
        material = "\0".join((ecosystem.value, endpoint_key, name))
        return hashlib.sha256(material.encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def get(self, ecosystem: Ecosystem, endpoint_key: str, name: str) -> PackageInfo | None:
        """The live entry for ``name``, marked ``from_cache``; None on a miss."""
        key = self.key(ecosystem, endpoint_key, name)
        try:
            entry = json.loads(self._path(key).read_bytes())
            if not isinstance(entry, dict) or entry.get("format") != FORMAT:
                return None
            if entry.get("key") != key:
                return None
            stored = entry.get("stored")
            info = decode(entry.get("info"))
        except (OSError, ValueError, TypeError, KeyError, RecursionError):
            return None
        if info.ecosystem is not ecosystem or info.name != name:
            return None
        if not isinstance(stored, (int, float)) or isinstance(stored, bool):
            return None
        ttl = {LookupStatus.FOUND: self.positive_ttl, LookupStatus.NOT_FOUND: self.negative_ttl}
        age = self.clock() - stored
        if info.status not in ttl or not -60 <= age < ttl[info.status]:
            return None
        return replace(info, from_cache=True)

    def put(self, endpoint_key: str, info: PackageInfo) -> bool:
        """Store ``info`` (not when UNVERIFIED); False when it could not be written."""
        if info.status is LookupStatus.UNVERIFIED:
            return False
        key = self.key(info.ecosystem, endpoint_key, info.name)
        entry = {"format": FORMAT, "key": key, "stored": self.clock(), "info": encode(info)}
        data = json.dumps(entry, sort_keys=True).encode()
        tmp: str | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=self.directory)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, self._path(key))
            return True
        except OSError:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
            return False

    def clear(self) -> int:
        """Remove every entry (and stray temp files); returns how many entries went."""
        removed = 0
        try:
            paths = list(self.directory.iterdir())
        except OSError:
            return 0
        for path in paths:
            if not _ours(path.name):  # only aibom's entries: the directory may be shared
                continue
            try:
                path.unlink()
            except OSError:
                continue
            removed += path.suffix == ".json"
        return removed


def encode(info: PackageInfo) -> dict[str, object]:
    out: dict[str, object] = {}
    for f in fields(PackageInfo):
        if f.name == "from_cache":
            continue
        value = getattr(info, f.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out


def decode(data: object) -> PackageInfo:
    """The inverse of :func:`encode`; ValueError/TypeError/KeyError for anything else."""
    if not isinstance(data, dict):
        raise TypeError("not an object")
    known = {f.name: f.type for f in fields(PackageInfo) if f.name != "from_cache"}
    if set(data) != set(known):
        raise KeyError("fields differ")
    values: dict[str, object] = {}
    for name, kind in known.items():
        values[name] = _decode_field(str(kind), data[name])
    return PackageInfo(**values)  # type: ignore[arg-type]


def _decode_field(kind: str, value: object) -> object:
    optional = kind.endswith(" | None")
    if value is None and optional:
        return None
    base = kind.removesuffix(" | None")
    if base == "Ecosystem" and isinstance(value, str):
        return Ecosystem(value)
    if base == "LookupStatus" and isinstance(value, str):
        return LookupStatus(value)
    if base == "datetime" and isinstance(value, str):
        when = datetime.fromisoformat(value)
        if when.tzinfo is None:
            raise ValueError("naive time")
        return when
    if base == "tuple[str, ...]" and isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise TypeError("not a list of strings")
        return tuple(value)
    expected = {"str": str, "bool": bool, "int": int}.get(base)
    if expected is not None and type(value) is expected:
        return value
    raise TypeError(f"bad value for {kind}")


class CachedRegistry(Registry):
    """A :class:`Registry` that answers from the cache first and stores what it fetches.
    Offline, it never asks the wrapped registry: a miss is UNVERIFIED."""

    def __init__(
        self, inner: Registry, cache: RegistryCache | None, *, offline: bool = False
    ) -> None:
        self.inner = inner
        self.cache = cache
        self.offline = offline
        self.ecosystem = inner.ecosystem

    def endpoint_key(self, name: str) -> str:
        return self.inner.endpoint_key(name)

    def describe(self, name: str) -> str:
        return self.inner.describe(name)

    def close(self) -> None:
        self.inner.close()

    def lookup(self, names: Sequence[str]) -> dict[str, PackageInfo]:
        written = checked_names(self.ecosystem, names)
        out: dict[str, PackageInfo] = {}
        missing: list[str] = []
        for key in written:
            hit = None
            if self.cache is not None:
                hit = self.cache.get(self.ecosystem, self.inner.endpoint_key(key), key)
            if hit is not None:
                out[key] = hit
            elif self.offline:
                out[key] = unverified(self.ecosystem, key, self.inner.describe(key), OFFLINE_MISS)
            else:
                missing.append(key)
        if missing:
            fetched = self.inner.lookup([written[key] for key in missing])
            for key in missing:
                info = fetched[key]
                if self.cache is not None:
                    self.cache.put(self.inner.endpoint_key(key), info)
                out[key] = info
        return {key: out[key] for key in written}


_HEX = frozenset("0123456789abcdef")


def _ours(filename: str) -> bool:
    """An entry (``<sha256>.json``) or one of its temp files (``.<hex>...tmp``)."""
    stem, _, suffix = filename.partition(".")
    if suffix == "json":
        return len(stem) == 64 and set(stem) <= _HEX
    if filename.startswith(".") and filename.endswith(".tmp"):
        key = filename[1:].split(".", 1)[0]
        return len(key) >= 16 and set(key) <= _HEX
    return False
