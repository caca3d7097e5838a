"""A small, strict JSON Schema (draft 2020-12) validator for aibom's own schemas.

Standard library only: it runs inside git hooks. It supports exactly the subset of
keywords aibom's schemas use and refuses, at load time, any schema that uses another
keyword, so that nobody writes a constraint this validator would silently ignore.

Schemas are compiled once into closures; ``load_schema`` caches by name.

Instances are expected to be JSON-shaped (``dict``, ``list``, ``str``, ``int``, ``float``,
``bool``, ``None``), as ``json.loads`` produces. A ``tuple`` is accepted as an array
because ``json.dumps`` writes it as one. As the draft says, an integer is any number with
a zero fractional part (``1.0`` is an integer); ``bool`` is never a number.
"""

from __future__ import annotations

import os

from aibom import _fastjson, _pattern
from aibom.errors import AibomError, ExitCode, RecordError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import Any, Protocol

    class _Regex(Protocol):
        @property
        def pattern(self) -> str: ...

        def search(self, string: str, /) -> object: ...

    # A path into the instance, as a linked list (parent, key); rendered only on error.
    _Path = tuple["_Path", str | int] | None
    _Check = Callable[[Any, _Path, list[str]], None]

__all__ = [
    "Schema",
    "SchemaError",
    "check",
    "compile_schema",
    "load_schema",
    "schemas_dir",
    "validate",
]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_MAX_REPORTED = 3

_TYPES = frozenset({"null", "boolean", "integer", "number", "string", "array", "object"})
_ANNOTATIONS = frozenset({"title", "description", "$comment", "examples", "default", "format"})
_KEYWORDS = _ANNOTATIONS | frozenset(
    {
        "$schema", "$id", "$defs", "$ref",
        "type", "enum", "const",
        "properties", "required", "additionalProperties", "patternProperties", "propertyNames",
        "items", "prefixItems", "minItems", "maxItems", "uniqueItems",
        "minLength", "maxLength", "pattern",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "anyOf", "oneOf", "allOf", "not", "if", "then", "else",
    }
)  # fmt: skip


class SchemaError(AibomError):
    """A schema is malformed, uses an unsupported keyword, or cannot be found."""

    exit_code = ExitCode.INTERNAL


# --------------------------------------------------------------------------- helpers


_REGEX_CACHE: dict[str, _Regex] = {}


def _regex(pattern: str) -> _Regex:
    """A compiled pattern: the re-free matcher when the pattern fits its subset, else ``re``."""
    cached = _REGEX_CACHE.get(pattern)
    if cached is not None:
        return cached
    compiled: _Regex | None = _pattern.compile(pattern)
    if compiled is None:
        import re

        compiled = re.compile(pattern)
    _REGEX_CACHE[pattern] = compiled
    return compiled


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPE_TESTS: dict[str, Callable[[object], bool]] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": _is_integer,
    "number": _is_number,
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, (list, tuple)),
    "object": lambda v: isinstance(v, dict),
}


def _freeze(value: object) -> object:
    """A hashable key with JSON equality: 1 == 1.0, True != 1, key order irrelevant."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, (list, tuple)):
        return ("a", tuple(_freeze(v) for v in value))
    if isinstance(value, dict):
        return ("o", frozenset((k, _freeze(v)) for k, v in value.items()))
    return ("z", value)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _render(path: _Path) -> str:
    parts: list[str] = []
    while path is not None:
        path, key = path
        parts.append(str(key).replace("~", "~0").replace("/", "~1"))
    return "/" + "/".join(reversed(parts))


def _err(errs: list[str], path: _Path, message: str) -> None:
    errs.append(f"{_render(path)}: {message}")


def _noop(inst: Any, path: _Path, errs: list[str]) -> None:
    return None


def _false(inst: Any, path: _Path, errs: list[str]) -> None:
    _err(errs, path, f"{_show(inst)} is not allowed here (false schema)")


def _seq(checks: Sequence[_Check]) -> _Check:
    if not checks:
        return _noop
    if len(checks) == 1:
        return checks[0]
    frozen = tuple(checks)

    def run_all(inst: Any, path: _Path, errs: list[str]) -> None:
        for c in frozen:
            c(inst, path, errs)

    return run_all


def _errors_of(check: _Check, inst: Any, path: _Path) -> list[str]:
    errs: list[str] = []
    check(inst, path, errs)
    return errs


# --------------------------------------------------------------------------- compiler


def _esc(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


class _Compiler:
    def __init__(self, root: object) -> None:
        self.root = root
        self.by_pointer: dict[str, _Check] = {}
        self.refs: list[tuple[str, str]] = []  # (target pointer, where)

    def fail(self, where: str, message: str) -> SchemaError:
        return SchemaError(f"schema {where or '#'}: {message}")

    def compile_root(self) -> _Check:
        check = self.node(self.root, "")
        for target, where in self.refs:
            if target not in self.by_pointer:
                raise self.fail(where, f"unresolvable $ref '#{target}'")
        return check

    def node(self, schema: object, ptr: str) -> _Check:
        if schema is True:
            check: _Check = _noop
        elif schema is False:
            check = _false
        elif isinstance(schema, dict):
            check = self.object_schema(schema, ptr)
        else:
            raise self.fail(ptr, f"a schema must be an object or a boolean, not {_show(schema)}")
        self.by_pointer[ptr] = check
        return check

    def object_schema(self, schema: dict[str, Any], ptr: str) -> _Check:
        unknown = sorted(set(schema) - _KEYWORDS)
        if unknown:
            raise self.fail(ptr, f"unsupported keyword(s) {', '.join(map(repr, unknown))}")
        self.check_meta(schema, ptr)
        checks: list[_Check] = []
        for build in (
            self.c_ref, self.c_type, self.c_enum, self.c_const, self.c_object, self.c_array,
            self.c_string, self.c_number, self.c_combinators, self.c_conditional,
        ):  # fmt: skip
            built = build(schema, ptr)
            if built is not None:
                checks.append(built)
        return _seq(checks)

    # ---- meta / annotations

    def check_meta(self, schema: dict[str, Any], ptr: str) -> None:
        for key in ("title", "description", "$comment", "format"):
            if key in schema and not isinstance(schema[key], str):
                raise self.fail(ptr, f"{key!r} must be a string")
        if "examples" in schema and not isinstance(schema["examples"], list):
            raise self.fail(ptr, "'examples' must be an array")
        for key in ("$schema", "$id"):
            if key not in schema:
                continue
            if ptr:
                raise self.fail(ptr, f"{key!r} is only supported at the root")
            if not isinstance(schema[key], str):
                raise self.fail(ptr, f"{key!r} must be a string")
        if schema.get("$schema", DRAFT_2020_12).rstrip("#") != DRAFT_2020_12:
            raise self.fail(ptr, f"only draft 2020-12 is supported ({DRAFT_2020_12})")
        defs = schema.get("$defs", {})
        if not isinstance(defs, dict):
            raise self.fail(ptr, "'$defs' must be an object")
        for name, sub in defs.items():
            self.node(sub, f"{ptr}/$defs/{_esc(name)}")

    # ---- keyword groups; each returns None when the schema has none of its keywords

    def c_ref(self, schema: dict[str, Any], ptr: str) -> _Check | None:
        if "$ref" not in schema:
            return None
        ref = schema["$ref"]
        if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/$defs/")):
            raise self.fail(ptr, f"only local '#' and '#/$defs/...' refs are supported: {ref!r}")
        if "%" in ref:
            raise self.fail(ptr, f"percent-encoded $ref is not supported: {ref!r}")
        target = ref[1:]
        self.refs.append((target, ptr))
        table = self.by_pointer

        def ref_check(inst: Any, path: _Path, errs: list[str]) -> None:
            table[target](inst, path, errs)

        return ref_check

    def c_type(self, schema: dict[str, Any], ptr: str) -> _Check | None:
        if "type" not in schema:
            return None
        raw = schema["type"]
        names = [raw] if isinstance(raw, str) else raw
        if (
            not isinstance(names, list)
            or not names
            or not all(isinstance(n, str) and n in _TYPES for n in names)
            or len(set(names)) != len(names)
        ):
            raise self.fail(ptr, f"invalid 'type': {raw!r}")
        tests = tuple(_TYPE_TESTS[n] for n in names)
        shown = repr(names[0]) if len(names) == 1 else repr(names)

        def type_check(inst: Any, path: _Path, errs: list[str]) -> None:
            for test in tests:
                if test(inst):
                    return
            _err(errs, path, f"{_show(inst)} is not of type {shown}")

        return type_check

    def c_enum(self, schema: dict[str, Any], ptr: str) -> _Check | None:
        if "enum" not in schema:
            return None
        values = schema["enum"]
        if not isinstance(values, list):
            raise self.fail(ptr, "'enum' must be an array")
        keys = frozenset(_freeze(v) for v in values)
        strings = frozenset(v for v in values if isinstance(v, str))
        shown = _show(values)

        def enum_check(inst: Any, path: _Path, errs: list[str]) -> None:
            if isinstance(inst, str):
                if inst in strings:
                    return
            elif _freeze(inst) in keys:
                return
            _err(errs, path, f"{_show(inst)} is not one of {shown}")

        return enum_check

    def c_const(self, schema: dict[str, Any], ptr: str) -> _Check | None:
        if "const" not in schema:
            return None
        key = _freeze(schema["const"])
        shown = _show(schema["const"])

        def const_check(inst: Any, path: _Path, errs: list[str]) -> None:
            if _freeze(inst) != key:
                _err(errs, path, f"{shown} was expected, not {_show(inst)}")

        return const_check

    def c_object(self, schema: dict[str, Any], ptr: str) -> _Check | None:
        keys = ("properties", "required", "additionalProperties", "patternProperties")
        if not any(k in schema for k in (*keys, "propertyNames")):
            return None
        props = self.schema_map(schema, "properties", ptr)
        pattern_map = self.schema_map(schema, "patternProperties", ptr)
        patterns = tuple((self.regex(p, ptr), c) for p, c in pattern_map.items())
        required = schema.get("required", [])
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            raise self.fail(ptr, "'required' must be an array of strings")
        if len(set(required)) != len(required):
            raise self.fail(ptr, "'required' has duplicates")
        additional = self.sub(schema, "additionalProperties", ptr)
        names = self.sub(schema, "propertyNames", ptr)
        return _object_check(props, patterns, tuple(required), additional, names)

    def c_array(self, schema: dict[str, Any], ptr: str) -> _Check | None:
        keys = ("items", "prefixItems", "minItems", "maxItems", "uniqueItems")
        if not any(k in schema for k in keys):
            return None
        prefix_raw = schema.get("prefixItems", [])
        if not isinstance(prefix_raw, list) or ("prefixItems" in schema and not prefix_raw):
            raise self.fail(ptr, "'prefixItems' must be a non-empty array of schemas")
        prefix = tuple(self.node(s, f"{ptr}/prefixItems/{i}") for i, s in enumerate(prefix_raw))
        items = self.sub(schema, "items", ptr)
        low = self.count(schema, "minItems", ptr)
        high = self.count(schema, "maxItems", ptr)
        unique = schema.get("uniqueItems", False)
        if not isinstance(unique, bool):
            raise self.fail(ptr, "'uniqueItems' must be a boolean")
        return _array_check(prefix, items, low, high, unique)

    def c_string(self, schema: dict[str, Any], ptr: str) -> _Check | None:
        if not any(k in schema for k in ("minLength", "maxLength", "pattern")):
            return None
        low = self.count(schema, "minLength", ptr)
        high = self.count(schema, "maxLength", ptr)
        pattern = schema.get("pattern")
        rx = None if pattern is None else self.regex(pattern, ptr)
        return _string_check(low, high, rx)

    def c_number(self, schema: dict[str, Any], ptr: str) -> _Check | None:
        bounds: list[tuple[str, float | int]] = []
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if key in schema:
                if not _is_number(schema[key]):
                    raise self.fail(ptr, f"{key!r} must be a number")
                bounds.append((key, schema[key]))
        return _number_check(tuple(bounds)) if bounds else None

    def c_combinators(self, schema: dict[str, Any], ptr: str) -> _Check | None:
        checks: list[_Check] = []
        for key in ("allOf", "anyOf", "oneOf"):
            if key not in schema:
                continue
            subs = schema[key]
            if not isinstance(subs, list) or not subs:
                raise self.fail(ptr, f"{key!r} must be a non-empty array of schemas")
            compiled = tuple(self.node(s, f"{ptr}/{key}/{i}") for i, s in enumerate(subs))
            checks.append(_COMBINATORS[key](compiled))
        negated = self.sub(schema, "not", ptr)
        if negated is not None:
            checks.append(_not_check(negated))
        return _seq(checks) if checks else None

    def c_conditional(self, schema: dict[str, Any], ptr: str) -> _Check | None:
        cond = self.sub(schema, "if", ptr)
        then = self.sub(schema, "then", ptr)
        other = self.sub(schema, "else", ptr)
        if cond is None:
            if then is not None or other is not None:
                raise self.fail(ptr, "'then'/'else' without 'if' would be ignored")
            return None
        return _if_check(cond, then or _noop, other or _noop)

    # ---- keyword value helpers

    def sub(self, schema: dict[str, Any], key: str, ptr: str) -> _Check | None:
        if key not in schema:
            return None
        return self.node(schema[key], f"{ptr}/{key}")

    def schema_map(self, schema: dict[str, Any], key: str, ptr: str) -> dict[str, _Check]:
        raw = schema.get(key, {})
        if not isinstance(raw, dict):
            raise self.fail(ptr, f"{key!r} must be an object")
        return {name: self.node(sub, f"{ptr}/{key}/{_esc(name)}") for name, sub in raw.items()}

    def count(self, schema: dict[str, Any], key: str, ptr: str) -> int | None:
        value = schema.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(ptr, f"{key!r} must be a non-negative integer")
        return value

    def regex(self, pattern: object, ptr: str) -> _Regex:
        if not isinstance(pattern, str):
            raise self.fail(ptr, f"pattern must be a string: {pattern!r}")
        try:
            return _regex(pattern)
        except Exception as exc:  # re.error; ``re`` is imported only for complex patterns
            raise self.fail(ptr, f"invalid regular expression {pattern!r}: {exc}") from None


# --------------------------------------------------------------------------- check builders


def _object_check(
    props: dict[str, _Check],
    patterns: tuple[tuple[_Regex, _Check], ...],
    required: tuple[str, ...],
    additional: _Check | None,
    names: _Check | None,
) -> _Check:
    closed = additional is _false

    def object_check(inst: Any, path: _Path, errs: list[str]) -> None:
        if not isinstance(inst, dict):
            return
        for name in required:
            if name not in inst:
                _err(errs, path, f"{name!r} is a required property")
        unexpected: list[str] = []
        for key, value in inst.items():
            sub = props.get(key)
            matched = sub is not None
            if sub is not None:
                sub(value, (path, key), errs)
            for rx, pcheck in patterns:
                if rx.search(key):
                    matched = True
                    pcheck(value, (path, key), errs)
            if not matched and additional is not None:
                if closed:
                    unexpected.append(key)
                else:
                    additional(value, (path, key), errs)
            if names is not None:
                for msg in _errors_of(names, key, path):
                    errs.append(f"{msg} (property name)")
        if unexpected:
            listed = ", ".join(map(repr, unexpected))
            verb = "was" if len(unexpected) == 1 else "were"
            _err(errs, path, f"additional properties are not allowed ({listed} {verb} unexpected)")

    return object_check


def _array_check(
    prefix: tuple[_Check, ...],
    items: _Check | None,
    low: int | None,
    high: int | None,
    unique: bool,
) -> _Check:
    skip = len(prefix)

    def array_check(inst: Any, path: _Path, errs: list[str]) -> None:
        if not isinstance(inst, (list, tuple)):
            return
        n = len(inst)
        if low is not None and n < low:
            _err(errs, path, f"array has {n} item(s), fewer than minItems {low}")
        if high is not None and n > high:
            _err(errs, path, f"array has {n} item(s), more than maxItems {high}")
        for i, sub in enumerate(prefix[:n]):
            sub(inst[i], (path, i), errs)
        if items is not None:
            for i in range(skip, n):
                items(inst[i], (path, i), errs)
        if unique and n > 1:
            seen: set[object] = set()
            for i, value in enumerate(inst):
                key = _freeze(value)
                if key in seen:
                    _err(errs, (path, i), f"{_show(value)} is a duplicate (uniqueItems)")
                    break
                seen.add(key)

    return array_check


def _string_check(low: int | None, high: int | None, rx: _Regex | None) -> _Check:
    def string_check(inst: Any, path: _Path, errs: list[str]) -> None:
        if not isinstance(inst, str):
            return
        if low is not None and len(inst) < low:
            _err(errs, path, f"{_show(inst)} is shorter than minLength {low}")
        if high is not None and len(inst) > high:
            _err(errs, path, f"{_show(inst)} is longer than maxLength {high}")
        if rx is not None and not rx.search(inst):
            _err(errs, path, f"{_show(inst)} does not match {rx.pattern!r}")

    return string_check


_BOUND_TESTS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "minimum": (lambda v, b: v >= b, "less than the minimum of"),
    "maximum": (lambda v, b: v <= b, "greater than the maximum of"),
    "exclusiveMinimum": (lambda v, b: v > b, "less than or equal to the exclusiveMinimum of"),
    "exclusiveMaximum": (lambda v, b: v < b, "greater than or equal to the exclusiveMaximum of"),
}


def _number_check(bounds: tuple[tuple[str, float | int], ...]) -> _Check:
    tests = tuple((*_BOUND_TESTS[key], bound) for key, bound in bounds)

    def number_check(inst: Any, path: _Path, errs: list[str]) -> None:
        if not _is_number(inst):
            return
        for test, words, bound in tests:
            if not test(inst, bound):
                _err(errs, path, f"{_show(inst)} is {words} {bound!r}")

    return number_check


def _all_of(subs: tuple[_Check, ...]) -> _Check:
    return _seq(subs)


def _any_of(subs: tuple[_Check, ...]) -> _Check:
    def any_of_check(inst: Any, path: _Path, errs: list[str]) -> None:
        closest: list[str] | None = None
        for sub in subs:
            found = _errors_of(sub, inst, path)
            if not found:
                return
            if closest is None or _rank(found) < _rank(closest):
                closest = found
        _err(errs, path, _none_valid(inst, closest))

    return any_of_check


def _one_of(subs: tuple[_Check, ...]) -> _Check:
    def one_of_check(inst: Any, path: _Path, errs: list[str]) -> None:
        valid = 0
        closest: list[str] | None = None
        for sub in subs:
            found = _errors_of(sub, inst, path)
            if not found:
                valid += 1
            elif closest is None or _rank(found) < _rank(closest):
                closest = found
        if valid == 0:
            _err(errs, path, _none_valid(inst, closest))
        elif valid > 1:
            _err(errs, path, f"{_show(inst)} is valid under more than one of the given schemas")

    return one_of_check


def _rank(found: list[str]) -> tuple[bool, int]:
    """Order failing branches for the hint: a branch of the wrong type is least helpful."""
    return (" is not of type " in found[0], len(found))


def _none_valid(inst: object, closest: list[str] | None) -> str:
    hint = f" (closest: {closest[0]})" if closest else ""
    return f"{_show(inst)} is not valid under any of the given schemas{hint}"


_COMBINATORS: dict[str, Callable[[tuple[_Check, ...]], _Check]] = {
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
}


def _not_check(sub: _Check) -> _Check:
    def not_check(inst: Any, path: _Path, errs: list[str]) -> None:
        if not _errors_of(sub, inst, path):
            _err(errs, path, f"{_show(inst)} should not be valid under the 'not' schema")

    return not_check


def _if_check(cond: _Check, then: _Check, other: _Check) -> _Check:
    def if_check(inst: Any, path: _Path, errs: list[str]) -> None:
        if _errors_of(cond, inst, path):
            other(inst, path, errs)
        else:
            then(inst, path, errs)

    return if_check


# --------------------------------------------------------------------------- public API


class Schema:
    """A compiled schema. ``raw`` is the JSON document it was compiled from."""

    __slots__ = ("_check", "name", "raw")

    def __init__(self, name: str, raw: Mapping[str, Any] | bool, _check: _Check) -> None:
        self.name = name
        self.raw = raw
        self._check = _check

    def __repr__(self) -> str:
        return f"Schema(name={self.name!r})"

    def validate(self, instance: object) -> list[str]:
        """Error messages (``/path: message``); empty when ``instance`` is valid."""
        errs: list[str] = []
        self._check(instance, None, errs)
        return errs

    def is_valid(self, instance: object) -> bool:
        return not self.validate(instance)


def compile_schema(raw: Mapping[str, Any] | bool, name: str = "<inline>") -> Schema:
    """Compile a schema document; raise ``SchemaError`` if it is malformed or unsupported."""
    root: object = raw if isinstance(raw, bool) else _plain(raw)
    check = _Compiler(root).compile_root()
    return Schema(name=name, raw=raw, _check=check)


def _plain(value: object) -> object:
    """Turn nested Mappings into dicts so the compiler deals with one type."""
    if isinstance(value, dict) or (hasattr(value, "keys") and hasattr(value, "items")):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def validate(instance: object, schema: Schema | Mapping[str, Any] | bool) -> list[str]:
    """Validate ``instance``; return human-readable errors, empty when valid.

    Pass a ``Schema`` (from ``load_schema``/``compile_schema``) on hot paths: a raw mapping
    is compiled on every call.
    """
    compiled = schema if isinstance(schema, Schema) else compile_schema(schema)
    return compiled.validate(instance)


def check(instance: object, name: str) -> None:
    """Validate against the named schema; raise ``RecordError`` with the first messages."""
    errors = load_schema(name).validate(instance)
    if errors:
        shown = "; ".join(errors[:_MAX_REPORTED])
        more = len(errors) - _MAX_REPORTED
        suffix = f" (and {more} more)" if more > 0 else ""
        raise RecordError(f"does not match schema {name!r}: {shown}{suffix}")


def schemas_dir() -> str:
    """Where the schemas live: the wheel's ``aibom/_schemas`` or the repo's ``schemas/``."""
    package = os.path.dirname(os.path.realpath(__file__))
    candidates = (
        os.path.join(package, "_schemas"),
        os.path.join(os.path.dirname(package), "schemas"),
    )
    for candidate in candidates:
        if os.path.isdir(candidate):
            return candidate
    raise SchemaError(
        f"no schemas directory: neither {candidates[0]} nor {candidates[1]}",
        hint="reinstall aibom; the wheel ships its schemas in aibom/_schemas",
    )


_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_LOADED: dict[str, Schema] = {}


def clear_cache() -> None:
    """Forget loaded schemas (tests that point ``schemas_dir`` elsewhere)."""
    _LOADED.clear()


def _valid_name(name: str) -> bool:
    return bool(name) and name[0] not in ".-" and all(c in _NAME_CHARS for c in name)


def load_schema(name: str) -> Schema:
    """Load and compile ``<schemas_dir>/<name>.json`` (cached per name)."""
    cached = _LOADED.get(name)
    if cached is not None:
        return cached
    if not _valid_name(name) or ".." in name:
        raise SchemaError(f"invalid schema name {name!r}")
    path = os.path.join(schemas_dir(), f"{name}.json")
    try:
        with open(path, encoding="utf-8") as fh:
            raw = _fastjson.loads(fh.read())
    except FileNotFoundError:
        raise SchemaError(f"unknown schema {name!r}: {path} does not exist") from None
    except (OSError, ValueError) as exc:
        raise SchemaError(f"cannot read schema {name!r} ({path}): {exc}") from None
    if not isinstance(raw, (dict, bool)):
        raise SchemaError(f"schema {name!r} ({path}) is not a JSON object")
    try:
        compiled = compile_schema(raw, name)
    except SchemaError as exc:
        raise SchemaError(f"{os.path.basename(path)}: {exc.message}") from None
    _LOADED[name] = compiled
    return compiled
