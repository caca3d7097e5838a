"""Output formats. One enum; every command renders through ``emit``."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Any


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)


def emit(data: Any, text: str, fmt: Format) -> None:
    """Print ``text`` (text format) or ``data`` as JSON."""
    if fmt is Format.JSON:
        sys.stdout.write(dump_json(data) + "\n")
    elif text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
