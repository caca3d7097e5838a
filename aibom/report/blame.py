"""Output of ``aibom blame``: aligned text for people, JSON for tools, and git's porcelain
with aibom header lines for tools that already read ``git blame --porcelain``.

Porcelain: git's output byte for byte, plus six header lines in a line's header block (just
before its TAB-prefixed content line) whenever the credit of that line differs from the last
one given for the same commit, and always the first time a commit appears::

    aibom-origin ai            human | ai | mixed | unknown
    aibom-model anthropic/claude-opus-4-5-20251101
    aibom-agent claude-code/2.0.14
    aibom-session 4f1c...
    aibom-confidence 0.9
    aibom-evidence hook-observed

A missing value is written as ``-``. A reader keeps the last ``aibom-*`` values seen for each
commit, the same way it keeps git's own per-commit headers; lines of one commit can differ
because attribution records give credit per line range.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from enum import StrEnum

from aibom._never import assert_never
from aibom.attribution.blame import ORIGINS, BlameLine, FileBlame
from aibom.report import dump_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SHORT = 8
AIBOM_KEYS = ("origin", "model", "agent", "session", "confidence", "evidence")


class BlameFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    PORCELAIN = "porcelain"


def render(blame: FileBlame, fmt: BlameFormat) -> bytes:
    if fmt is BlameFormat.TEXT:
        return to_text(blame).encode("utf-8")
    if fmt is BlameFormat.JSON:
        return (dump_json(to_json(blame)) + "\n").encode("utf-8")
    if fmt is BlameFormat.PORCELAIN:
        return to_porcelain(blame)
    assert_never(fmt)


# -- summary ---------------------------------------------------------------------------------
def summary(lines: Sequence[BlameLine]) -> dict[str, Any]:
    """Lines and shares per origin (every origin listed, zero or not)."""
    counts = Counter(line.origin for line in lines)
    total = len(lines)
    return {
        "lines": total,
        "origins": {origin: counts.get(origin, 0) for origin in ORIGINS},
        "shares": {
            origin: round(counts.get(origin, 0) / total, 4) if total else 0.0 for origin in ORIGINS
        },
        "commits": len({line.commit for line in lines}),
    }


def summary_text(lines: Sequence[BlameLine]) -> str:
    data = summary(lines)
    parts = [
        f"{origin} {100 * data['shares'][origin]:.1f}% ({data['origins'][origin]})"
        for origin in ORIGINS
    ]
    head = f"{_count(data['lines'], 'line')} from {_count(data['commits'], 'commit')}"
    return f"{head}: " + ", ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# -- JSON ------------------------------------------------------------------------------------
def line_json(line: BlameLine) -> dict[str, Any]:
    return {
        "line": line.line,
        "text": line.text,
        "commit": line.commit,
        "orig_path": line.orig_path,
        "orig_line": line.orig_line,
        "origin": line.origin,
        "model": line.model,
        "agent": line.agent,
        "session": line.session,
        "confidence": line.confidence,
        "evidence": line.evidence,
    }


def to_json(blame: FileBlame) -> dict[str, Any]:
    return {
        "path": blame.path,
        "rev": blame.rev,
        "lines": [line_json(line) for line in blame.lines],
        "summary": summary(blame.lines),
    }


# -- text ------------------------------------------------------------------------------------
def shown(text: str) -> str:
    """Text for a terminal: control characters other than TAB and undecodable bytes are shown
    as escapes, never sent raw."""
    if text.isprintable():
        return text
    return "".join(_char(c) for c in text)


def _char(c: str) -> str:
    if c.isprintable() or c == "\t":
        return c
    if "\udc80" <= c <= "\udcff":
        return f"\\x{ord(c) - 0xDC00:02x}"
    return c.encode("unicode_escape").decode("ascii")


def to_text(blame: FileBlame) -> str:
    lines = blame.lines
    if not lines:
        return f"{blame.path}: no lines\n"
    paths = any(line.orig_path != blame.path for line in lines)
    widths = {
        "origin": max(len(line.origin) for line in lines),
        "model": max(len(line.model or "-") for line in lines),
        "path": max(len(shown(line.orig_path)) for line in lines) if paths else 0,
        "line": len(str(lines[-1].line)),
    }
    rows = [_row(line, widths, paths) for line in lines]
    return "\n".join([*rows, summary_text(lines)]) + "\n"


def _row(line: BlameLine, widths: dict[str, int], paths: bool) -> str:
    cells = [
        line.commit[:SHORT],
        line.origin.ljust(widths["origin"]),
        (line.model or "-").ljust(widths["model"]),
    ]
    if paths:
        cells.append(shown(line.orig_path).ljust(widths["path"]))
    cells.append(f"{line.line:>{widths['line']}})")
    return " ".join(cells) + " " + shown(line.text)


# -- porcelain -------------------------------------------------------------------------------
def aibom_headers(line: BlameLine) -> list[bytes]:
    values = {
        "origin": line.origin,
        "model": line.model,
        "agent": line.agent,
        "session": line.session,
        "confidence": f"{line.confidence:g}",
        "evidence": line.evidence,
    }
    return [
        f"aibom-{key} {_one_line(values[key])}".encode("utf-8", "surrogateescape")
        for key in AIBOM_KEYS
    ]


def _one_line(value: str | None) -> str:
    if not value:
        return "-"
    return " ".join(value.split()) or "-"


def to_porcelain(blame: FileBlame) -> bytes:
    return b"\n".join(_porcelain_rows(blame))


def _porcelain_rows(blame: FileBlame) -> Iterator[bytes]:
    last: dict[str, tuple[object, ...]] = {}
    lines = iter(blame.lines)
    for row in blame.porcelain.split(b"\n"):
        if row.startswith(b"\t"):
            line = next(lines, None)
            if line is not None:
                key: tuple[object, ...] = (line.origin, line.model, line.agent, line.session)
                key += (line.confidence, line.evidence)
                if last.get(line.commit) != key:
                    last[line.commit] = key
                    yield from aibom_headers(line)
        yield row
