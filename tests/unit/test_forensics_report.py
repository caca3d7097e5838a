"""The trace CSV and stats markdown renderers, fed values a repository controls."""

from __future__ import annotations

import csv
import io

import pytest

from aibom.forensics.facts import Attribution, CommitFacts, FileChange
from aibom.forensics.stats import By, Group, Stats
from aibom.forensics.surviving import Surviving, SurvivingLine
from aibom.forensics.trace import TracedCommit, TraceResult
from aibom.report.forensics import StatsFormat, TraceFormat, render_stats, render_trace

# What OWASP lists as the start of a cell a spreadsheet may evaluate.
FORMULAS = ["=1+2", "+1+2", "-1+2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x","y")']


def _trace(text: str) -> TraceResult:
    facts = CommitFacts(
        sha="0" * 40,
        parents=(),
        author_name=text,
        author_email=text,
        committed=0,
        subject=text,
        attribution=Attribution("ai-generated", (text,), text, (text,), "record"),
        files=(FileChange(text, 3, 0), FileChange("ok.py", 0, 0, counted=False)),
        repository=text,
    )
    commit = TracedCommit(facts)
    return TraceResult(query="model x/y", source=text, commits=(commit,), scanned=1)


def _surviving(text: str, line: int = 7) -> Surviving:
    surviving = SurvivingLine(text, line, "1" * 40, "ai", text, text, text)
    return Surviving(rev="HEAD", lines=(surviving,), files_blamed=1, lines_blamed=1)


def _rows(text: str, line: int = 7) -> list[dict[str, str]]:
    out = render_trace(_trace(text), _surviving(text, line), TraceFormat.CSV)
    return list(csv.DictReader(io.StringIO(out, newline="")))


TEXT_COLUMNS = ("repository", "models", "agent", "sessions", "path")


@pytest.mark.parametrize("text", FORMULAS)
def test_trace_csv_neutralises_formula_cells(text: str) -> None:
    commit, uncounted, line = _rows(text)
    for column in TEXT_COLUMNS:
        assert commit[column] == "'" + text, column
    assert line["repository"] == line["models"] == line["agent"] == "'" + text
    assert line["path"] == line["text"] == "'" + text
    assert uncounted["path"] == "ok.py"


@pytest.mark.parametrize("text", ["plain", "a=b", "x-1", "me@example.test", "'=1", " =1", ""])
def test_trace_csv_leaves_other_text_alone(text: str) -> None:
    commit, _, line = _rows(text)
    assert [commit[c] for c in TEXT_COLUMNS] == [text] * len(TEXT_COLUMNS)
    assert line["text"] == line["path"] == text


def test_trace_csv_numbers_are_numbers() -> None:
    """The numeric columns are not text: never prefixed (a count is never quoted)."""
    commit, uncounted, line = _rows("=x", line=12)
    assert commit["lines_added"] == "3" and uncounted["lines_added"] == ""
    assert line["line"] == "12"
    assert commit["commit"] == "0" * 40 and commit["date"] == "1970-01-01"
    assert commit["kind"] == "commit" and line["kind"] == "surviving"


def _stats(key: str, source: str = "repo") -> Stats:
    group = Group(key, 2, 1, 10, 5, ai_lines_alive=4, ai_lines_modified_by_people=1)
    return Stats(By.MODEL, source, 2, 1, 10, 5, (group,), "HEAD", 4, 1, 0)


def _parse(markdown: str) -> list[tuple[str, str]]:
    markdown_it = pytest.importorskip("markdown_it")
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(markdown)
    out: list[tuple[str, str]] = []
    for i, token in enumerate(tokens):
        if token.type in ("th_open", "td_open", "heading_open", "list_item_open"):
            inline = next(t for t in tokens[i:] if t.type == "inline")
            text = "".join(
                c.content for c in inline.children or () if c.type in ("text", "code_inline")
            )
            out.append((token.type, text))
    return out


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("a|b", "a|b"),
        ("a\\|b", "a\\|b"),
        ("a\\", "a\\"),
        ("a\nb|c", "a?b|c"),
        ("| x | y |", "| x | y |"),
    ],
)
def test_stats_markdown_cells_stay_in_their_cell(key: str, shown: str) -> None:
    parsed = _parse(render_stats(_stats(key, source=key), StatsFormat.MARKDOWN))
    cells = [text for kind, text in parsed if kind == "td_open"]
    assert cells == [shown, "2", "1", "10", "5", "4", "1"]
    assert [kind for kind, _ in parsed].count("th_open") == 7
    headings = [text for kind, text in parsed if kind == "heading_open"]
    assert headings == [f"AI code statistics: {shown}"]
    assert [kind for kind, _ in parsed].count("list_item_open") == 4


@pytest.mark.parametrize("text", ["a\rb", "x = 1\r", "a\r\nb", "a\nb", 'say "hi", then'])
def test_trace_csv_rows_survive_cr_lf_quotes_and_commas(text: str) -> None:
    """A CR inside a cell is quoted as an LF is (csv quotes only its line terminator's
    characters: written bare, a CR ended the row early)."""
    rows = _rows(text)
    assert [r["kind"] for r in rows] == ["commit", "commit", "surviving"]
    assert rows[0]["path"] == rows[2]["text"] == text
    assert rows[2]["line"] == "7"


def test_trace_csv_bytes_of_plain_data() -> None:
    out = render_trace(_trace("b.py"), _surviving("b.py"), TraceFormat.CSV)
    zero, one = "0" * 40, "1" * 40
    assert out == (
        "kind,repository,commit,date,origin,models,agent,sessions,path,lines_added,line,text\n"
        f"commit,b.py,{zero},1970-01-01,ai-generated,b.py,b.py,b.py,b.py,3,,\n"
        f"commit,b.py,{zero},1970-01-01,ai-generated,b.py,b.py,b.py,ok.py,,,\n"
        f"surviving,b.py,{one},,ai,b.py,b.py,,b.py,,7,b.py\n"
    )
