"""Configuration: ``[tool.aibom]`` in pyproject.toml or ``.aibom.toml``, then ``AIBOM_*``.

Files are validated against ``schemas/config.json``. Cheap on the hook path: a pyproject
without a ``[tool.aibom]`` table is never parsed, and environment values are coerced by type.
"""

from __future__ import annotations

import os

from aibom._value import Value
from aibom.errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

DEFAULT_AGENT_CONFIG_FILES = (
    "AGENTS.md",
    "CLAUDE.md",
    "GEMINI.md",
    ".cursorrules",
    ".windsurfrules",
    ".clinerules",
    ".github/copilot-instructions.md",
    ".claude/settings.json",
    ".aider.conf.yml",
)

_BOOLS = ("fail_closed", "stamp_trailers", "store_prompt_text", "process_ancestry", "human_records")
_STRINGS = ("session_origin",)
_LISTS = ("agent_config_files",)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Config(Value):
    __slots__ = (
        "agent_config_files",
        "deps",
        "fail_closed",
        "human_records",
        "process_ancestry",
        "session_origin",
        "source",
        "stamp_trailers",
        "store_prompt_text",
    )
    fail_closed: bool
    stamp_trailers: bool
    store_prompt_text: bool
    session_origin: str
    process_ancestry: bool
    human_records: bool
    agent_config_files: tuple[str, ...]
    deps: Mapping[str, Any]  # the [tool.aibom.deps] table, schema-checked; see aibom.deps.policy
    source: str

    def __init__(
        self,
        fail_closed: bool = False,
        stamp_trailers: bool = True,
        store_prompt_text: bool = False,
        session_origin: str = "ai-assisted",
        process_ancestry: bool = True,
        human_records: bool = True,
        agent_config_files: tuple[str, ...] = DEFAULT_AGENT_CONFIG_FILES,
        deps: Mapping[str, Any] | None = None,
        source: str = "defaults",
    ) -> None:
        self._set(
            fail_closed=fail_closed,
            stamp_trailers=stamp_trailers,
            store_prompt_text=store_prompt_text,
            session_origin=session_origin,
            process_ancestry=process_ancestry,
            human_records=human_records,
            agent_config_files=tuple(agent_config_files),
            deps=dict(deps or {}),
            source=source,
        )


def _read_toml(path: str, table: tuple[str, ...]) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    if table and b"[tool.aibom" not in raw:
        return None
    import tomllib

    try:
        data: Any = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    for key in table:
        data = data.get(key) if isinstance(data, dict) else None
    if data is None:
        return None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [{'.'.join(table)}] must be a table")
    return data


def _env_overrides(env: Mapping[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name in (*_BOOLS, *_STRINGS, *_LISTS):
        raw = env.get("AIBOM_" + name.upper())
        if raw is None:
            continue
        if name in _BOOLS:
            low = raw.strip().lower()
            if low not in _TRUE | _FALSE:
                raise ConfigError(f"AIBOM_{name.upper()}={raw!r}: expected true or false")
            result[name] = low in _TRUE
        elif name in _LISTS:
            result[name] = tuple(p for p in raw.split(os.pathsep) if p)
        else:
            result[name] = raw
    if result.get("session_origin", "ai-assisted") not in ("ai-assisted", "ai-generated"):
        raise ConfigError("AIBOM_SESSION_ORIGIN must be ai-assisted or ai-generated")
    return result


def load(toplevel: str | os.PathLike[str] | None, env: Mapping[str, str] | None = None) -> Config:
    """Load the configuration for the work tree at ``toplevel`` (None: defaults + env)."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    source = "defaults"
    if toplevel is not None:
        top = os.fspath(toplevel)
        for name, table in ((".aibom.toml", ()), ("pyproject.toml", ("tool", "aibom"))):
            found = _read_toml(os.path.join(top, name), table)
            if found is not None:
                _validate(found, name)
                values, source = found, name
                break
    values.update(_env_overrides(env))
    if "agent_config_files" in values:
        values["agent_config_files"] = tuple(values["agent_config_files"])
    return Config(**values, source=source)


def _validate(values: dict[str, Any], source: str) -> None:
    from aibom import schema

    errors = schema.validate(values, schema.load_schema("config"))
    if errors:
        raise ConfigError(f"invalid configuration ({source}): " + "; ".join(errors[:3]))
