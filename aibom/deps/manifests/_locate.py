"""Line numbers for formats whose standard-library parser gives no positions (TOML, JSON, INI).

The parsers read the data with ``tomllib`` / ``json`` / ``configparser`` and then locate each
name in the text: first the section it belongs to (a TOML table, a JSON member path, an INI
section), then the key, then the quoted value from there on. A cursor per list makes repeated
values land on successive occurrences. Lines end at "\\n" only, as git counts them.
"""

from __future__ import annotations

import bisect
import json
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

Path = tuple[str | int, ...]


class Text:
    """A text with offset -> 1-based line number conversion."""

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        index = find("\n")
        while index >= 0:
            starts.append(index + 1)
            index = find("\n", index + 1)
        self.starts = starts

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def line_end(self, offset: int) -> int:
        """The offset of the end of the line holding ``offset`` (its "\\n" or the text end)."""
        end = self.text.find("\n", offset)
        return len(self.text) if end < 0 else end

    def find_quoted(self, value: str, start: int, end: int) -> int:
        """Offset of the first ``"value"`` or ``'value'`` in [start, end), else of the part of
        the value before any quote or backslash (it may be written escaped), else -1."""
        found = [
            offset
            for offset in (
                self.text.find(f'"{value}"', start, end),
                self.text.find(f"'{value}'", start, end),
            )
            if offset >= 0
        ]
        if found:
            return min(found)
        safe = value
        for char in "\"'\\":
            safe = safe.split(char, 1)[0]
        return self.text.find(safe, start, end) if safe else -1


class Cursor:
    """Successive values of one list: each search starts after the previous match, so equal
    values land on successive occurrences. Not found: the line of ``start`` (the key)."""

    def __init__(self, text: Text, start: int, end: int, quoted: bool = True) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.quoted = quoted
        self.fallback = text.line_of(start) if start >= 0 else 0

    def line_of_value(self, value: str) -> int:
        if self.start < 0:
            return 0
        if self.quoted:
            found = self.text.find_quoted(value, self.start, self.end)
        else:
            found = self.text.text.find(value, self.start, self.end) if value else -1
        if found < 0:
            return self.fallback
        self.start = found + max(len(value), 1)
        return self.text.line_of(found)


# --- TOML ---------------------------------------------------------------------------------

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_BASIC = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_LITERAL = re.compile(r"'([^'\n]*)'")


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    try:
        value = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return value if isinstance(value, str) else raw


def dotted_key(line: str, index: int, stop: str) -> tuple[tuple[str, ...], int] | None:
    """Parse a TOML dotted key at ``line[index:]`` up to the character ``stop`` ("=" for a key,
    "]" for a header); returns the parts and the index of ``stop``."""
    parts: list[str] = []
    size = len(line)
    while True:
        while index < size and line[index] in " \t":
            index += 1
        if index >= size:
            return None
        match = (
            _BASIC.match(line, index)
            if line[index] == '"'
            else _LITERAL.match(line, index)
            if line[index] == "'"
            else _BARE.match(line, index)
        )
        if match is None:
            return None
        part = match.group(1) if line[index] in "\"'" else match.group()
        parts.append(_unescape(part) if line[index] == '"' else part)
        index = match.end()
        while index < size and line[index] in " \t":
            index += 1
        if index < size and line[index] == ".":
            index += 1
            continue
        if index < size and line[index] == stop:
            return tuple(parts), index
        return None


class TomlLocator:
    """Where tables, keys and values of a TOML document are."""

    def __init__(self, text: str) -> None:
        self.text = Text(text)
        self.headers: list[tuple[int, tuple[str, ...]]] = []  # (line offset, table path)
        self.keys: list[tuple[int, tuple[str, ...]]] = []  # (line offset, dotted key)
        self._spans: dict[tuple[str, ...], list[tuple[int, int]]] | None = None
        in_multiline: str | None = None
        raw = text
        for line_no, start in enumerate(self.text.starts):
            end = (
                self.text.starts[line_no + 1] - 1
                if line_no + 1 < len(self.text.starts)
                else len(raw)
            )
            line = raw[start:end]
            if in_multiline is not None:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            stripped = line.lstrip()
            if stripped.startswith("["):
                lead = len(line) - len(stripped)
                is_array = stripped.startswith("[[")
                parsed = dotted_key(line, lead + (2 if is_array else 1), "]")
                if parsed is not None:
                    self.headers.append((start, parsed[0]))
                continue
            parsed = dotted_key(line, 0, "=")
            if parsed is not None:
                self.keys.append((start, parsed[0]))
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_multiline = quote
                    break

    def spans(self, table: tuple[str, ...]) -> list[tuple[int, int]]:
        """(start, end) offsets of every ``[table]`` / ``[[table]]``, header line included;
        the root table is ``()``."""
        if self._spans is None:
            size = len(self.text.text)
            spans: dict[tuple[str, ...], list[tuple[int, int]]] = {}
            spans[()] = [(0, self.headers[0][0] if self.headers else size)]
            for number, (start, path) in enumerate(self.headers):
                end = self.headers[number + 1][0] if number + 1 < len(self.headers) else size
                spans.setdefault(path, []).append((start, end))
            self._spans = spans
        return self._spans.get(table, [])

    def _keys_in(self, start: int, end: int) -> list[tuple[int, tuple[str, ...]]]:
        low = bisect.bisect_left(self.keys, (start, ()))
        high = bisect.bisect_left(self.keys, (end, ()))
        return self.keys[low:high]

    def key(self, path: tuple[str, ...], occurrence: int = 0) -> tuple[int, int]:
        """(offset, end of its table) of the key ``path`` (a full path from the root, as in
        ``("project", "optional-dependencies", "test")``); a sub-table header counts as the key.
        ``occurrence`` picks among array tables. Falls back to the closest enclosing key or
        table; (-1, -1) when nothing of the path is in the text."""
        best: tuple[int, int, int] = (-1, -1, -1)  # (depth reached, offset, end)
        for split in range(len(path), -1, -1):
            table, rest = path[:split], path[split:]
            spans = self.spans(table)
            if not spans:
                continue
            start, end = spans[min(occurrence, len(spans) - 1)]
            if not rest:
                return start, end
            for offset, key in self._keys_in(start, end):
                if key == rest:
                    return offset, end
                depth = split + len(key)
                if key == rest[: len(key)] and depth > best[0]:
                    best = (depth, offset, end)
            if split > best[0]:
                best = (split, start, end)
        return best[1], best[2]

    def cursor(self, path: tuple[str, ...], occurrence: int = 0) -> Cursor:
        """A cursor over the values of the array at ``path``."""
        start, end = self.key(path, occurrence)
        return Cursor(self.text, start, end)

    def line_of_key(self, path: tuple[str, ...], occurrence: int = 0) -> int:
        start, _ = self.key(path, occurrence)
        return self.text.line_of(start) if start >= 0 else 0


# --- JSON ---------------------------------------------------------------------------------

_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],]')


def _json_key(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    try:
        value = json.loads(token)
    except ValueError:
        return token[1:-1]
    return value if isinstance(value, str) else token[1:-1]


class _Frame:
    __slots__ = ("fresh", "is_object", "key", "path")

    def __init__(self, is_object: bool, path: Path) -> None:
        self.is_object = is_object
        self.path = path
        self.key: str | int = 0  # the current member key, or the current element index
        self.fresh = True  # expecting a key (object) / the start of an element (array)


def json_positions(text: str, want: Callable[[Path], bool]) -> dict[Path, int]:
    """Offsets of the members (their key) and array elements (their first character) whose
    path satisfies ``want``. ``text`` must be valid JSON (already checked by ``json.loads``);
    array elements that are numbers or literals are counted but not located."""
    found: dict[Path, int] = {}
    stack: list[_Frame] = []
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        top = stack[-1] if stack else None
        if first == '"':
            if top is None or not top.fresh:
                continue
            top.fresh = False
            if top.is_object:
                top.key = _json_key(token)
            path = (*top.path, top.key)
            if want(path):
                found[path] = match.start()
        elif first in "{[":
            child: Path = ()
            if top is not None:
                child = (*top.path, top.key)
                if not top.is_object and top.fresh:
                    top.fresh = False
                    if want(child):
                        found[child] = match.start()
            stack.append(_Frame(first == "{", child))
        elif first in "}]":
            if stack:
                stack.pop()
        elif top is not None:  # ","
            if not top.is_object and isinstance(top.key, int):
                top.key += 1
            top.fresh = True
    return found


class JsonLines:
    """Line numbers of JSON members by path, e.g. ``("dependencies", "react")``."""

    def __init__(self, text: str, want: Callable[[Path], bool]) -> None:
        self.text = Text(text)
        self.positions = json_positions(text, want)

    def line(self, *path: str | int) -> int:
        offset = self.positions.get(path)
        return 0 if offset is None else self.text.line_of(offset)


def strip_bom(text: str) -> str:
    """Drop a leading byte order mark (it does not change line numbers)."""
    return text[1:] if text.startswith("\ufeff") else text


def clip(value: str, size: int = 80) -> str:
    """``value`` for a message: repr (control characters escaped), at most ``size`` chars."""
    if len(value) > size:
        value = value[:size] + "..."
    return repr(value)


_TOML_LINE = re.compile(r"\(at line (\d+)")


def toml_error_line(message: str, text: str) -> int:
    """The line a ``TOMLDecodeError`` message names ("... (at line 3, column 7)"); the last
    line for "at end of document"."""
    match = _TOML_LINE.search(message)
    if match is not None:
        return int(match.group(1))
    return text.count("\n") + 1 if "end of document" in message else 0
