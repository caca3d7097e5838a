"""git-ai authorship/3.0.0 parsing: sections, keys, ranges, metadata, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibom.interop import gitai
from aibom.interop.convert import ForeignRange, Problem

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "interop" / "gitai"
COMMIT = "c" * 40


def _fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_valid_log_sections_keys_and_quoted_paths() -> None:
    log, problems = gitai.parse(_fixture("valid.note"), COMMIT, "n")
    assert problems == []
    assert log is not None and log.version == "authorship/3.0.0"
    assert [f.path for f in log.files] == ["src/app.py", "docs/read me.md"]
    app = log.files[0].entries
    assert [(e.key, e.ranges) for e in app] == [
        ("1a2b3c4d5e6f7a8b", ((1, 3), (7, 7))),
        ("h_0f1e2d3c4b5a69", ((4, 5),)),
        ("s_77aa88bb99cc00::t_0123456789abcd", ((6, 6),)),
    ]
    prompt = log.actors["1a2b3c4d5e6f7a8b"]
    assert (prompt.tool, prompt.session, prompt.model) == ("cursor", "conv-7f3a", "claude-4.5-opus")
    # only what the person typed is the prompt, in order; assistant text and tool calls are not
    assert prompt.prompt is not None
    assert prompt.prompt.decode().startswith("Write a parser for the config file\n\nUse password")
    assert log.actors["s_77aa88bb99cc00"].session == "sess-42"
    assert log.actors["h_0f1e2d3c4b5a69"].human


def test_trace_maps_keys_to_contributors() -> None:
    log, _ = gitai.parse(_fixture("valid.note"), COMMIT, "n")
    assert log is not None
    problems: list[Problem] = []
    trace = gitai.to_trace(log, {}, "n", "refs/notes/ai", problems)
    assert problems == []
    assert trace.revision == COMMIT and trace.ref == "refs/notes/ai"
    convs = {c.contributor + (c.session or ""): c for c in trace.files[0].conversations}
    assert convs["aiconv-7f3a"].ranges == (ForeignRange(1, 3), ForeignRange(7, 7))
    assert (
        convs["aiconv-7f3a"].model == "claude-4.5-opus" and convs["aiconv-7f3a"].agent == "cursor"
    )
    assert convs["human"].ranges == (ForeignRange(4, 5),)
    assert convs["aisess-42"].model == "claude-sonnet-4-5-20250929"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("42", ((42, 42),)),
        ("19-222", ((19, 222),)),
        ("1,2,19-222,300", ((1, 1), (2, 2), (19, 222), (300, 300))),
        ("0", None),
        ("5-2", None),
        ("1-", None),
        ("1,,2", None),
        ("a-b", None),
        ("-3", None),
        ("1-2-3", None),
    ],
)
def test_parse_ranges(spec: str, expected: tuple[tuple[int, int], ...] | None) -> None:
    assert gitai.parse_ranges(spec) == expected


def test_malformed_lines_are_reported_with_their_line_and_skipped() -> None:
    log, problems = gitai.parse(_fixture("malformed.note"), COMMIT, "refs/notes/ai:cccc")
    assert log is not None
    where = {p.where for p in problems}
    assert where == {f"refs/notes/ai:cccc:{n}" for n in (2, 3, 4, 5, 8)}
    # the two good entries survive
    assert [(e.key, e.ranges) for e in log.files[0].entries] == [
        ("1a2b3c4d5e6f7a8b", ((8, 8),)),
        ("ffffeeeeddddcccc", ((1, 1),)),
    ]
    found: list[Problem] = []
    trace = gitai.to_trace(log, {}, "w", "refs/notes/ai", found)
    unknown = [c for c in trace.files[0].conversations if c.model is None]
    assert [c.contributor for c in unknown] == ["ai"]
    assert any("ffffeeeeddddcccc" in p.message for p in found)


def test_key_missing_here_is_found_in_another_note() -> None:
    text = "a.py\n  ffffeeeeddddcccc 1\n---\n" + '{"schema_version": "authorship/3.0.0"}'
    log, _ = gitai.parse(text, COMMIT, "n")
    assert log is not None
    other = gitai.Actor(human=False, tool="amp", session="t-1", model="gpt-5")
    found: list[Problem] = []
    trace = gitai.to_trace(log, {"ffffeeeeddddcccc": other}, "n", "r", found)
    assert found == []
    assert trace.files[0].conversations[0].model == "gpt-5"


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("not-a-log.note", "divider"), ("bad-json.note", "not JSON")],
)
def test_notes_that_are_not_logs_are_skipped(name: str, fragment: str) -> None:
    log, problems = gitai.parse(_fixture(name), COMMIT, "n")
    assert log is None
    assert any(fragment in p.message for p in problems)


def test_bad_json_is_located_on_the_note_line() -> None:
    _, problems = gitai.parse(_fixture("bad-json.note"), COMMIT, "n")
    assert problems[-1].where == "n:5"  # `"prompts": {oops}` is line 5 of the note


def test_unknown_version_is_warned_and_read() -> None:
    log, problems = gitai.parse(_fixture("future.note"), COMMIT, "n")
    assert log is not None and log.version == "authorship/4.0.0"
    assert [p.message for p in problems] == [
        "unknown schema_version 'authorship/4.0.0'; read as authorship/3.0.0"
    ]
    assert log.actors["abc1234"].model == "gpt-4o-2024-08-06"  # 7-hex legacy key


def test_crlf_notes_parse_like_lf() -> None:
    text = _fixture("valid.note")
    crlf, _ = gitai.parse(text.replace("\n", "\r\n"), COMMIT, "n")
    lf, _ = gitai.parse(text, COMMIT, "n")
    assert crlf == lf


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a.py", "  1a2b 1-2", "  h_1 3", "---", "{", "}", '"p', "\t", "1,-", ""])
        | st.text(max_size=20),
        max_size=12,
    )
)
def test_any_text_never_crashes(lines: list[str]) -> None:
    text = "\n".join(lines)
    log, problems = gitai.parse(text, COMMIT, "n")
    if log is not None:
        gitai.to_trace(log, {}, "n", "r", problems)
    assert all(p.where.startswith("n") for p in problems)


@pytest.mark.parametrize(
    ("given", "full"),
    [("ai", "refs/notes/ai"), ("notes/ai", "refs/notes/ai"), ("refs/notes/x", "refs/notes/x")],
)
def test_full_ref(given: str, full: str) -> None:
    assert gitai.full_ref(given) == full
