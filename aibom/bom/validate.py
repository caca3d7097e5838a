"""Validation against the official CycloneDX JSON schemas (the copies cyclonedx-python-lib
ships), before anything is written. jsonschema-rs validates 5,000 components in a few tens of
milliseconds (the pure-Python jsonschema needs seconds; bench/bench_bom.py measures both)."""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

from aibom.bom.model import Spec
from aibom.errors import AibomError

MAX_ERRORS = 5


class InvalidBomError(AibomError):
    """The BOM aibom built does not validate: a bug in aibom, nothing is written."""


def schema_text(name: str) -> str:
    """A schema file shipped with cyclonedx-python-lib, e.g. ``bom-1.6.SNAPSHOT.schema.json``."""
    return resources.files("cyclonedx.schema").joinpath("_res", name).read_text("utf-8")


def schema_name(spec: Spec) -> str:
    return f"bom-{spec.value}.SNAPSHOT.schema.json"


def _retrieve(uri: str) -> Any:
    """The schemas the CycloneDX schema refers to (spdx, jsf, cryptography-defs), from disk."""
    name = uri.rsplit("/", 1)[-1]
    if not name.endswith(".schema.json") or "/" in name or name.startswith("."):
        raise ValueError(f"unexpected schema reference {uri}")
    return json.loads(schema_text(name))


@functools.cache
def _validator(spec: Spec) -> Any:
    import jsonschema_rs

    schema = json.loads(schema_text(schema_name(spec)))
    return jsonschema_rs.Draft7Validator(schema, retriever=_retrieve)


@functools.cache
def _format_validator(fmt: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft7Validator({"type": "string", "format": fmt})


@functools.lru_cache(maxsize=4096)  # a history has few emails, met once per commit
def conforms(fmt: str, value: str) -> bool:
    """Whether ``value`` passes the schema's ``format`` check (``idn-email``,
    ``iri-reference``, ...) as the validator of the whole BOM applies it: text from the
    repository (an author's email, a remote's URL) that does not is left out of the BOM
    rather than making it invalid."""
    try:
        return bool(_format_validator(fmt).is_valid(value))
    except UnicodeEncodeError:
        return False


def _without_surrogates(value: Any) -> Any:
    """``value`` with each lone surrogate (an undecodable byte of a git path or message, which
    the JSON text carries as a ``\\udcXX`` escape) moved to the private use area (U+E000 +
    its offset): the validator takes only encodable strings, and two names that differ
    only in such a byte stay different (``uniqueItems``)."""
    if isinstance(value, str):
        return _SURROGATE.sub(lambda m: chr(0xE000 + ord(m.group()) - 0xD800), value)
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def errors(document: Any, spec: Spec) -> list[str]:
    """Schema violations of ``document`` (at most MAX_ERRORS), as "path: message"."""
    try:
        return _errors(document, spec)
    except UnicodeEncodeError:
        return _errors(_without_surrogates(document), spec)


def _errors(document: Any, spec: Spec) -> list[str]:
    found = []
    for error in _validator(spec).iter_errors(document):
        where = "/".join(str(p) for p in error.instance_path) or "(document)"
        found.append(f"{where}: {error.message[:300]}")
        if len(found) >= MAX_ERRORS:
            break
    return found


def check(document: Any, spec: Spec) -> None:
    problems = errors(document, spec)
    if problems:
        raise InvalidBomError(
            f"the BOM is not valid CycloneDX {spec.value}: " + "; ".join(problems),
            hint="this is a bug in aibom; rerun with AIBOM_DEBUG=1 and report it",
        )
