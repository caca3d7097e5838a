"""Loading TOML / JSON documents into data, a syntax error becoming one ``ParseProblem`` at the
line the decoder names; small accessors for untrusted nested data."""

from __future__ import annotations

import json
import tomllib

from aibom.deps.manifests._locate import Text, clip, strip_bom, toml_error_line
from aibom.deps.types import Location, ParseProblem, ParseResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    import yaml


def load_toml(path: str, text: str) -> dict[str, Any] | ParseProblem:
    text = strip_bom(text)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = toml_error_line(message, text)
        return ParseProblem(Location(path, line), f"invalid TOML: {message}")
    except (ValueError, RecursionError) as exc:
        return ParseProblem(Location(path, 0), f"invalid TOML: {exc}")


def load_json(path: str, text: str) -> object | ParseProblem:
    text = strip_bom(text)
    try:
        value: object = json.loads(text)
    except json.JSONDecodeError as exc:
        return ParseProblem(Location(path, exc.lineno), f"invalid JSON: {exc.msg}")
    except (ValueError, RecursionError) as exc:
        return ParseProblem(Location(path, 0), f"invalid JSON: {exc}")
    return value


def load_yaml(path: str, text: str) -> yaml.Node | ParseProblem | None:
    """The YAML node tree (``yaml.compose``: nodes carry their line), None for an empty
    document. Aliases are not expanded."""
    import yaml

    text = strip_bom(text)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        reason = exc.problem or exc.context or "syntax error"
        return ParseProblem(Location(path, line), f"invalid YAML: {reason}")
    except yaml.reader.ReaderError as exc:
        line = Text(text).line_of(exc.position)
        return ParseProblem(Location(path, line), f"invalid YAML: {exc.reason}")
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        return ParseProblem(Location(path, 0), f"invalid YAML: {clip(str(exc), 200)}")
    return node


def table(data: object, *keys: str) -> dict[str, Any] | None:
    """``data[k1][k2]...`` when every step is a table, else None."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data if isinstance(data, dict) else None


def expected(path: str, line: int, what: str, value: object) -> ParseProblem:
    return ParseProblem(
        Location(path, line), f"expected {what}, found {type(value).__name__} {clip(str(value))}"
    )


def toml_lock_packages(
    path: str, text: str, direct_url: Callable[[object], str | bool | None]
) -> ParseResult:
    """The ``[[package]]`` tables of a TOML lockfile (``uv.lock``, ``poetry.lock``) as LOCKED
    PyPI dependencies, ``spec`` = the version. ``direct_url(source)`` maps a package's
    ``source`` to its direct reference (None: a registry package; False: skip the entry)."""
    from aibom.deps.manifests._locate import TomlLocator
    from aibom.deps.types import Dependency, DepKind, Ecosystem

    data = load_toml(path, text)
    if isinstance(data, ParseProblem):
        return ParseResult(problems=(data,))
    packages = data.get("package", [])
    if not isinstance(packages, list):
        return ParseResult(problems=(expected(path, 0, "[[package]] tables", packages),))
    locator = TomlLocator(strip_bom(text))
    dependencies: list[Dependency] = []
    problems: list[ParseProblem] = []
    for index, package in enumerate(packages):
        line = locator.line_of_key(("package", "name"), index)
        name = package.get("name") if isinstance(package, dict) else None
        if not isinstance(package, dict) or not isinstance(name, str):
            problems.append(ParseProblem(Location(path, line), "[[package]] without a name"))
            continue
        url = direct_url(package.get("source"))
        if url is False:
            continue
        version = package.get("version")
        dependencies.append(
            Dependency(
                Ecosystem.PYPI,
                name,
                Location(path, line),
                DepKind.LOCKED,
                spec=version if isinstance(version, str) else "",
                url=url if isinstance(url, str) else None,
            )
        )
    return ParseResult(tuple(dependencies), tuple(problems))
