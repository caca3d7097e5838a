"""Reproducible serialisation: fixed key and list order, a serial number derived from the
content (a name-based UUID of the document's digest), one trailing newline."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from aibom.bom.document import SERIAL_PLACEHOLDER


def _dumps(document: Any) -> str:
    """Compact JSON (json's C encoder: an indented dump of a large BOM takes seconds)."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from non-UTF-8 paths or messages
        text = json.dumps(document, ensure_ascii=True, separators=(",", ":"))
    return text + "\n"


def serial_number(content: str) -> str:
    digest = hashlib.sha256(content.encode("utf-8")).digest()
    return "urn:uuid:" + str(uuid.UUID(bytes=digest[:16], version=5))


def to_json(document: dict[str, Any]) -> str:
    """The document as JSON text; its ``serialNumber`` is set from the rest of the content."""
    document["serialNumber"] = SERIAL_PLACEHOLDER
    text = _dumps(document)
    serial = serial_number(text)
    document["serialNumber"] = serial
    return text.replace(SERIAL_PLACEHOLDER, serial, 1)
