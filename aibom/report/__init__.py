"""Output formats. One enum; every command renders through ``emit``."""

from __future__ import annotations

import sys
from enum import StrEnum

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


def dump_json(data: Any) -> str:
    """Readable UTF-8 JSON; ASCII escapes when text holds undecodable bytes (lone surrogates
    from non-UTF-8 file names or messages), so the output is always valid UTF-8."""
    import json

    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True)
    return text


def emit(data: Any, text: str, fmt: Format) -> None:
    """Print ``text`` (text format) or ``data`` as JSON."""
    if fmt is Format.JSON:
        sys.stdout.write(dump_json(data) + "\n")
    elif text:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
