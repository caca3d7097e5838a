"""Configuration: ``[tool.aibom]`` in pyproject.toml or ``.aibom.toml``, then ``AIBOM_*``.

Validated against ``schemas/config.json``. Cheap on the hook path: a pyproject without a
``[tool.aibom]`` table is never parsed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from aibom.errors import ConfigError

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


@dataclass(frozen=True)
class Config:
    fail_closed: bool = False
    stamp_trailers: bool = True
    store_prompt_text: bool = False
    session_origin: str = "ai-assisted"
    process_ancestry: bool = True
    human_records: bool = True
    agent_config_files: tuple[str, ...] = field(default=DEFAULT_AGENT_CONFIG_FILES)
    source: str = "defaults"


_BOOL_TRUE = {"1", "true", "yes", "on"}
_BOOL_FALSE = {"0", "false", "no", "off", ""}


def _read_toml(path: Path, table: tuple[str, ...]) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
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
    for f in fields(Config):
        if f.name == "source":
            continue
        raw = env.get("AIBOM_" + f.name.upper())
        if raw is None:
            continue
        if f.type in ("bool", bool):
            low = raw.strip().lower()
            if low not in _BOOL_TRUE | _BOOL_FALSE:
                raise ConfigError(f"AIBOM_{f.name.upper()}={raw!r}: expected true or false")
            result[f.name] = low in _BOOL_TRUE
        elif f.name == "agent_config_files":
            result[f.name] = [p for p in raw.split(os.pathsep) if p]
        else:
            result[f.name] = raw
    return result


def load(toplevel: Path | None, env: Mapping[str, str] | None = None) -> Config:
    """Load the configuration for the work tree at ``toplevel`` (None: defaults + env)."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    source = "defaults"
    if toplevel is not None:
        for path, table in ((toplevel / ".aibom.toml", ()), (toplevel / "pyproject.toml", ("tool", "aibom"))):
            found = _read_toml(path, table)
            if found is not None:
                values, source = found, str(path.name)
                break
    values.update(_env_overrides(env))
    return _build(values, source)


def _build(values: dict[str, Any], source: str) -> Config:
    from aibom import schema

    errors = schema.validate(values, schema.load_schema("config"))
    if errors:
        raise ConfigError(f"invalid configuration ({source}): " + "; ".join(errors[:3]))
    if "agent_config_files" in values:
        values["agent_config_files"] = tuple(values["agent_config_files"])
    return Config(**values, source=source)
