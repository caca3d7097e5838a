"""Records: canonical JSON Lines with a content-digest id, validated against ``schemas/``.

A record is one line of compact JSON with sorted keys, ``schema`` (``aibom.record/<n>``),
``kind`` and ``id`` (``sha256:`` of the canonical form without ``id``). Identical facts give
identical bytes, so ``cat_sort_uniq`` is a lossless merge of notes.
"""

from __future__ import annotations

from aibom import _fastjson, schema
from aibom._hash import sha256
from aibom._value import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

SCHEMA_VERSION = 1
SCHEMA_ID = f"aibom.record/{SCHEMA_VERSION}"
KINDS = ("generation", "rewrite", "dependency", "attribution")


def canonical(data: Mapping[str, Any]) -> str:
    """Compact JSON with sorted keys; always encodable as UTF-8.

    Text decoded with ``surrogateescape`` (a commit message that is not UTF-8) holds lone
    surrogates, which UTF-8 cannot encode: they are written as ``\\udcXX`` JSON escapes, which
    read back to the same string, so the digest is stable.
    """
    text: str = _fastjson.dumps(data)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(f"\\u{ord(c):04x}" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def _digest(body: Mapping[str, Any]) -> str:
    without_id = {k: v for k, v in body.items() if k != "id"}
    return "sha256:" + sha256(canonical(without_id).encode("utf-8")).hexdigest()


class Record(Value):
    """One validated record. ``data`` holds the full JSON object including ``id``."""

    __slots__ = ("data", "id", "kind", "line")
    kind: str
    id: str
    line: str
    data: Mapping[str, Any]

    def __init__(self, kind: str, id: str, line: str, data: Mapping[str, Any]) -> None:
        self._set(kind=kind, id=id, line=line, data=data)

    def __hash__(self) -> int:
        return hash(self.line)

    @staticmethod
    def create(kind: str, body: Mapping[str, Any]) -> Record:
        """Build, digest and validate a record (a validation failure here is a bug)."""
        data: dict[str, Any] = dict(body)
        data["schema"] = SCHEMA_ID
        data["kind"] = kind
        data.pop("id", None)
        data["id"] = _digest(data)
        schema.check(data, f"record.{kind}")
        return Record(kind=kind, id=data["id"], line=canonical(data), data=data)


class BadLine(Value):
    """A note line that is not a valid record. Kept verbatim; never dropped by aibom."""

    __slots__ = ("line", "reason")
    line: str
    reason: str

    def __init__(self, line: str, reason: str) -> None:
        self._set(line=line, reason=reason)


def parse_line(line: str) -> Record | BadLine:
    try:
        data = _fastjson.loads(line)
    except ValueError as exc:
        return BadLine(line, f"not JSON: {getattr(exc, 'msg', exc)}")
    except RecursionError as exc:  # e.g. nesting too deep for the parser
        return BadLine(line, f"not JSON: {type(exc).__name__}")
    if not isinstance(data, dict):
        return BadLine(line, "not a JSON object")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        return BadLine(line, f"unknown record kind {kind!r}")
    if not str(data.get("schema", "")).startswith("aibom.record/"):
        return BadLine(line, "missing or foreign schema")
    if data.get("id") != _digest(data):
        return BadLine(line, "id does not match content digest")
    errors = schema.validate(data, schema.load_schema(f"record.{kind}"))
    if errors:
        return BadLine(line, "; ".join(errors[:3]))
    return Record(kind=kind, id=data["id"], line=line, data=data)


def note_lines(text: str) -> list[str]:
    """The lines of a note as git sees them: split on LF only, empty lines dropped.

    (``str.splitlines`` would also split on U+2028 and friends, which canonical JSON keeps
    raw inside strings.)
    """
    return [line for line in text.split("\n") if line]


def parse_note(text: str) -> tuple[list[Record], list[BadLine]]:
    records: list[Record] = []
    bad: list[BadLine] = []
    for raw in note_lines(text):
        line = raw.strip()
        if not line:
            continue
        parsed = parse_line(line)
        if isinstance(parsed, Record):
            records.append(parsed)
        else:
            bad.append(parsed)
    return records, bad


def _byte_order(line: str) -> bytes:
    return line.encode("utf-8", "surrogateescape")


def merge_lines(*chunks: Iterable[str]) -> str:
    """Union of note lines, sorted and unique: the same result as git's cat_sort_uniq.

    Like git: lines are split on LF only, empty lines dropped, the others kept byte for byte
    (no stripping) and sorted by their bytes.
    """
    lines = {line for chunk in chunks for item in chunk for line in item.split("\n") if line}
    return "".join(line + "\n" for line in sorted(lines, key=_byte_order))
