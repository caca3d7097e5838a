"""Output of ``aibom trace`` (text, json, csv) and ``aibom stats`` (text, json, markdown).

Trace JSON is one compact line (it can list every commit of a large history); stats JSON is
indented like the other commands'.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import json
from enum import StrEnum
from typing import Any, assert_never

from aibom.forensics.facts import FileChange
from aibom.forensics.stats import Stats
from aibom.forensics.surviving import Surviving
from aibom.forensics.trace import TracedCommit, TraceResult
from aibom.report import dump_json

SHORT = 10
MAX_TEXT_LINES = 50  # surviving lines shown in text output (json/csv have them all)


_CSV_HEADER = (
    "kind",
    "repository",
    "commit",
    "date",
    "origin",
    "models",
    "agent",
    "sessions",
    "path",
    "lines_added",
    "line",
    "text",
)


class TraceFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    CSV = "csv"


class StatsFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


def _clean(text: str) -> str:
    """No control characters in a terminal line (a commit subject can hold any)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else "?" for c in text)


def _plus(added: int | None) -> str:
    return "" if added is None else f", +{added}"


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _day(seconds: int) -> str:
    """The UTC date of a time stamp (one strftime per day, not per commit)."""
    return _date(seconds // 86400)


@functools.lru_cache(maxsize=4096)
def _date(day: int) -> str:
    return dt.datetime.fromtimestamp(day * 86400, dt.UTC).strftime("%Y-%m-%d")


# -- trace -----------------------------------------------------------------------------------
def _change_data(f: FileChange) -> dict[str, Any]:
    if not f.counted:
        return {"path": f.path, "added": None, "deleted": None}
    return {"path": f.path, "added": f.added, "deleted": f.deleted}


def _commit_data(c: TracedCommit) -> dict[str, Any]:
    return {
        "sha": c.sha,
        "repository": c.repository,
        "committed": c.committed,
        "author": c.author,
        "subject": c.subject,
        "origin": c.origin,
        "models": list(c.models),
        "agent": c.agent,
        "sessions": list(c.sessions),
        "source": c.source,
        "files": [_change_data(f) for f in c.files],
        "lines_added": c.added,
    }


def trace_data(result: TraceResult, surviving: Surviving | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "query": result.query,
        "source": result.source,
        "found": result.found,
        "commits": [_commit_data(c) for c in result.commits],
        "files": [dataclasses.asdict(f) for f in result.files],
    }
    if surviving is not None:
        data["surviving"] = {
            "rev": surviving.rev,
            "files_blamed": surviving.files_blamed,
            "lines_blamed": surviving.lines_blamed,
            "lines": [dataclasses.asdict(line) for line in surviving.lines],
        }
    return data


def compact_json(data: Any) -> str:
    """One line of JSON, sorted keys (json's C encoder: a trace can list 100,000 commits);
    ASCII escapes when text holds undecodable bytes, so it is always valid UTF-8."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return text


def render_trace(result: TraceResult, surviving: Surviving | None, fmt: TraceFormat) -> str:
    if fmt is TraceFormat.JSON:
        return compact_json(trace_data(result, surviving)) + "\n"
    if fmt is TraceFormat.CSV:
        return _trace_csv(result, surviving)
    if fmt is TraceFormat.TEXT:
        return _trace_text(result, surviving)
    assert_never(fmt)


def _trace_text(result: TraceResult, surviving: Surviving | None) -> str:
    if not result.found:
        return f"no commits by {result.query} in {result.source}\n"
    files = result.files
    out = [
        f"{result.query}: {_n(len(result.commits), 'commit')}, {_n(len(files), 'file')} "
        f"in {result.source}",
        "",
    ]
    for c in result.commits:
        models = ", ".join(c.models) or "-"
        where = f"{c.repository}:" if c.repository and c.repository != result.source else ""
        out.append(
            f"{where}{c.sha[:SHORT]} {_day(c.committed)} {c.origin:<12} {models}  "
            f"{_clean(c.agent or '-')}  {_clean(c.subject)[:60]}"
        )
    out += ["", "files:"]
    out += [f"  {_clean(f.path)}  ({_n(f.commits, 'commit')}{_plus(f.added)})" for f in files]
    if surviving is not None:
        out += ["", *_surviving_text(surviving)]
    return "\n".join(out) + "\n"


def _surviving_text(surviving: Surviving) -> list[str]:
    share = (
        f" of {surviving.lines_blamed} blamed in {_n(surviving.files_blamed, 'file')}"
        if surviving.files_blamed
        else ""
    )
    out = [f"surviving in {surviving.rev}: {_n(len(surviving.lines), 'line')}{share}"]
    out += [f"  {_clean(path)}: {n}" for path, n in surviving.per_file()]
    for line in surviving.lines[:MAX_TEXT_LINES]:
        out.append(
            f"    {_clean(line.path)}:{line.line} {line.commit[:SHORT]} {line.model or '-'}  "
            f"{_clean(line.text)[:80]}"
        )
    if len(surviving.lines) > MAX_TEXT_LINES:
        out.append(f"    ... {len(surviving.lines) - MAX_TEXT_LINES} more (see --format json|csv)")
    return out


# A cell starting with one of these is a formula to a spreadsheet program (OWASP, "CSV
# injection"); a text cell that does is written with a leading ' so it stays text.
_FORMULA_STARTS = frozenset("=+-@\t\r")


def _text_cell(text: str) -> str:
    return "'" + text if text[:1] in _FORMULA_STARTS else text


class _Records:
    """What a csv writer writes to. The writer quotes a cell for the characters of its line
    terminator, not for CR and LF as such: told to end rows with CR LF, it quotes a cell with
    a bare CR (a path, a line of a CRLF file) too, instead of writing a CR that ends the row
    early for every reader. Each row comes in one write; kept ending in LF, as before."""

    def __init__(self) -> None:
        self.rows: list[str] = []

    def write(self, row: str) -> None:
        self.rows.append(row[:-2] + "\n")


def _trace_csv(result: TraceResult, surviving: Surviving | None) -> str:
    """One row per (commit, file); with --surviving, one row per surviving line after.

    Every text cell taken from the source (repository, commit, origin, models, agent,
    sessions, path, line text) goes through :func:`_text_cell`; ``lines_added`` and ``line``
    are ints, written as they are."""
    cell = _text_cell
    records = _Records()
    writer = csv.writer(records, lineterminator="\r\n")
    writer.writerow(_CSV_HEADER)
    for c in result.commits:
        head = [cell(c.repository), cell(c.sha), _day(c.committed), cell(c.origin)]
        head += [cell(" ".join(c.models)), cell(c.agent or ""), cell(" ".join(c.sessions))]
        for f in c.files or ():
            added = f.added if f.counted else ""
            writer.writerow(["commit", *head, cell(f.path), added, "", ""])
        if not c.files:
            writer.writerow(["commit", *head, "", "", "", ""])
    for line in surviving.lines if surviving is not None else ():
        row = ["surviving", cell(result.source), cell(line.commit), "", cell(line.origin)]
        row += [cell(line.model or ""), cell(line.agent or ""), "", cell(line.path), ""]
        writer.writerow([*row, line.line, cell(line.text)])
    return "".join(records.rows)


# -- stats -----------------------------------------------------------------------------------
def stats_data(stats: Stats) -> dict[str, Any]:
    return {
        "source": stats.source,
        "by": stats.by.value,
        "commits": stats.commits,
        "ai_commits": stats.ai_commits,
        "lines_added": stats.lines_added,
        "ai_lines_added": stats.ai_lines_added,
        "tip": stats.tip,
        "ai_lines_alive": stats.ai_lines_alive,
        "ai_alive_share": stats.ai_alive_share,
        "ai_lines_modified_by_people": stats.ai_lines_modified_by_people,
        "ai_modified_by_people_share": stats.ai_modified_by_people_share,
        "ai_lines_modified_by_unknown": stats.ai_lines_modified_by_unknown,
        "groups": [dataclasses.asdict(g) for g in stats.groups],
    }


def render_stats(stats: Stats, fmt: StatsFormat) -> str:
    if fmt is StatsFormat.JSON:
        return dump_json(stats_data(stats)) + "\n"
    if fmt is StatsFormat.MARKDOWN:
        return _stats_markdown(stats)
    if fmt is StatsFormat.TEXT:
        return _stats_text(stats)
    assert_never(fmt)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _ratio(part: int, whole: int) -> str:
    return _pct(part / whole if whole else None)


def _summary(stats: Stats) -> list[str]:
    out = [
        f"commits: {stats.commits} ({stats.ai_commits} AI, "
        f"{_ratio(stats.ai_commits, stats.commits)})",
        f"lines added: {stats.lines_added} ({stats.ai_lines_added} by AI, "
        f"{_ratio(stats.ai_lines_added, stats.lines_added)})",
    ]
    if stats.tip is not None:
        out.append(
            f"AI lines alive in {stats.tip}: {stats.ai_lines_alive} ({_pct(stats.ai_alive_share)})"
        )
        out.append(
            f"AI lines later modified by people: {stats.ai_lines_modified_by_people} "
            f"({_pct(stats.ai_modified_by_people_share)}); by unattributed commits: "
            f"{stats.ai_lines_modified_by_unknown}"
        )
    return out


_COLUMNS = ("commits", "AI commits", "lines added", "AI lines", "AI alive", "AI modified by people")


def _row(stats: Stats, index: int) -> list[str]:
    g = stats.groups[index]
    alive = "-" if g.ai_lines_alive is None else str(g.ai_lines_alive)
    people = "-" if g.ai_lines_modified_by_people is None else str(g.ai_lines_modified_by_people)
    cells = [g.commits, g.ai_commits, g.lines_added, g.ai_lines_added]
    return [_clean(g.key), *map(str, cells), alive, people]


def _stats_text(stats: Stats) -> str:
    rows = [[stats.by.value, *_COLUMNS]] + [_row(stats, i) for i in range(len(stats.groups))]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    table = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    return "\n".join([f"{stats.source}", *_summary(stats), "", *table]) + "\n"


def _stats_markdown(stats: Stats) -> str:
    def esc(text: str) -> str:
        """One line (a newline would end the row, heading or list item), its backslashes and
        pipes escaped (a bare | would split the cell; a \\ before an escaped | would eat it)."""
        return _clean(text).replace("\\", "\\\\").replace("|", "\\|")

    out = [f"## AI code statistics: {esc(stats.source)}", ""]
    out += [f"- {esc(line)}" for line in _summary(stats)]
    out += ["", "| " + " | ".join([stats.by.value, *_COLUMNS]) + " |"]
    out.append("|" + "---|" + "---:|" * len(_COLUMNS))
    out += [
        "| " + " | ".join(esc(c) for c in _row(stats, i)) + " |" for i in range(len(stats.groups))
    ]
    return "\n".join(out) + "\n"
