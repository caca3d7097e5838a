"""Agent Trace v0.1: the structural check, reading JSONL, diff parsing for commit-level export."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibom.attribution import model
from aibom.interop import agenttrace
from aibom.interop.convert import ForeignRange

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "interop"
REV = "a" * 40

MINIMAL: dict[str, Any] = {
    "version": "0.1",
    "id": "550e8400-e29b-41d4-a716-446655440000",
    "timestamp": "2026-01-25T10:00:00Z",
    "files": [
        {
            "path": "src/app.ts",
            "conversations": [
                {"contributor": {"type": "ai"}, "ranges": [{"start_line": 1, "end_line": 50}]}
            ],
        }
    ],
}


def _schema() -> jsonschema.Draft202012Validator:
    schema = json.loads((FIXTURES / "agent-trace.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_minimal_record_passes_both_checks() -> None:
    assert agenttrace.check_record(MINIMAL) == []
    assert agenttrace.check_record(MINIMAL, strict=True) == []
    assert list(_schema().iter_errors(MINIMAL)) == []


def _broken(path: list[str | int], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["files"], KeyError),
        (["id"], KeyError),
        (["id"], "not-a-uuid"),
        (["timestamp"], "yesterday"),
        (["version"], 1),
        (["files", 0, "conversations", 0, "contributor", "type"], "robot"),
        (["files", 0, "conversations", 0, "ranges", 0, "start_line"], 0),
        (["files", 0, "conversations", 0, "ranges", 0, "end_line"], "9"),
        (["files", 0, "conversations", 0, "ranges"], KeyError),
        (["files", 0, "path"], 7),
        (["vcs"], {"type": "cvs", "revision": "1"}),
        (["metadata"], []),
    ],
)
def test_broken_records_fail_both_checks(path: list[str | int], value: Any) -> None:
    data = _broken(path, value)
    assert agenttrace.check_record(data), data
    assert list(_schema().iter_errors(data)), data


def test_strict_check_refuses_what_aibom_must_never_write() -> None:
    lenient_only = [
        _broken(["version"], "0.1.0"),  # the spec's examples, not its schema
        _broken(["timestamp"], "2026-01-25T10:00:00+01:00"),
        _broken(["extra"], 1),
        _broken(["files", 0, "conversations", 0, "ranges", 0, "note"], "x"),
    ]
    for data in lenient_only:
        assert agenttrace.check_record(data) == [], data
        assert agenttrace.check_record(data, strict=True), data


def _jsonl(rev: str = REV) -> str:
    return (FIXTURES / "traces.jsonl").read_text().replace("@REV@", rev)


def test_fixture_jsonl_good_lines_read_bad_lines_reported() -> None:
    traces, problems, count = agenttrace.parse_jsonl(_jsonl(), "traces.jsonl")
    assert count == 7  # the blank line is not a record
    assert [t.where for t in traces] == ["traces.jsonl:1", "traces.jsonl:6", "traces.jsonl:8"]
    by_line = {p.where: p.message for p in problems}
    assert "not JSON" in by_line["traces.jsonl:2"]
    assert "files is required" in by_line["traces.jsonl:3"]
    assert "not git" in by_line["traces.jsonl:4"]
    assert "no vcs.revision" in by_line["traces.jsonl:5"]
    assert "'0.2' is not 0.1" in by_line["traces.jsonl:8"]
    assert "traces.jsonl:1" not in by_line  # "0.1.0", as the specification's examples write it


def test_range_contributor_override_splits_the_conversation() -> None:
    traces, _, _ = agenttrace.parse_jsonl(_jsonl(), "t")
    first = traces[0]
    assert first.revision == REV and first.ref == "3f0c1b2a-5d6e-4f70-8a9b-0c1d2e3f4a5b"
    convs = {c.contributor: c for c in first.files[0].conversations}
    assert convs["ai"].ranges == (ForeignRange(1, 3, "murmur3:9f2e8a1b"),)
    assert convs["ai"].model == "anthropic/claude-opus-4-5-20251101"
    assert convs["human"].ranges == (ForeignRange(4, 4),)
    assert convs["human"].model is None
    for conv in convs.values():  # record-level facts apply to both halves
        assert conv.agent == "cursor/2.4.0"
        assert conv.confidence == 0.95
        assert conv.session == "https://agent.example/sessions/67890"
        assert conv.url == "https://agent.example/conversations/12345"


def test_aibom_vendor_metadata_is_read_back() -> None:
    record = copy.deepcopy(MINIMAL)
    record["vcs"] = {"type": "git", "revision": REV}
    record["tool"] = {"name": "aibom", "version": "0.1.0"}
    record["metadata"] = {
        "confidence": 0.4,
        "dev.aibom": {"agent": "aider/0.86", "session": "s-1", "confidence": 0.65},
    }
    traces, problems, _ = agenttrace.parse_jsonl(json.dumps(record), "t")
    assert problems == []
    conv = traces[0].files[0].conversations[0]
    assert (conv.agent, conv.session, conv.confidence) == ("aider/0.86", "s-1", 0.65)


def test_reversed_range_is_reported_and_file_level_only_entries_are_skipped() -> None:
    record = copy.deepcopy(MINIMAL)
    record["vcs"] = {"type": "git", "revision": REV}
    record["files"][0]["conversations"][0]["ranges"] = [{"start_line": 9, "end_line": 3}]
    record["files"].append({"path": "b.py", "conversations": [{"ranges": []}]})
    traces, problems, _ = agenttrace.parse_jsonl(json.dumps(record), "t")
    assert traces == []
    messages = " | ".join(p.message for p in problems)
    assert "9-3 ends before it starts" in messages
    assert "'b.py' has no line ranges" in messages


_KEYS = [
    "version",
    "id",
    "timestamp",
    "vcs",
    "files",
    "path",
    "conversations",
    "ranges",
    "start_line",
    "end_line",
    "contributor",
    "type",
    "revision",
    "metadata",
]


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-3, 5) | st.sampled_from(["git", "0.1", "x", REV]),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(
                st.sampled_from(_KEYS),
                children,
                max_size=5,
            )
        ),
        max_leaves=25,
    )
)
def test_any_json_never_crashes(data: Any) -> None:
    traces, problems, count = agenttrace.parse_jsonl(json.dumps(data), "f")
    assert count == 1
    assert len(traces) + len(problems) >= 1


DIFF = """\
{c1}
diff --git a/new.py b/new.py
new file mode 100644
index 0000000..e69de29
--- /dev/null
+++ b/new.py
@@ -0,0 +1,3 @@
+a
++++ b/fake.py
+c
diff --git "a/sp ace\\303\\251.py" "b/sp ace\\303\\251.py"
index 1..2 100644
--- "a/sp ace\\303\\251.py"
+++ "b/sp ace\\303\\251.py"
@@ -2 +2 @@
-x
+y
@@ -9,2 +9,0 @@
-gone
-gone
@@ -20,0 +19,2 @@
+p
+q
diff --git a/gone.py b/gone.py
deleted file mode 100644
--- a/gone.py
+++ /dev/null
@@ -1 +0,0 @@
-z
{c2}
diff --git a/read me.md b/read me.md
--- a/read me.md\t
+++ b/read me.md\t
@@ -1,0 +2 @@
+t
diff --git a/img.png b/img.png
Binary files a/img.png and b/img.png differ
"""


def test_added_lines_from_a_zero_context_diff() -> None:
    c1, c2 = "1" * 40, "2" * 40
    found = agenttrace.added_lines(DIFF.format(c1=c1, c2=c2), [c1, c2])
    assert found == {
        c1: {"new.py": [1, 2, 3], "sp aceé.py": [2, 19, 20]},
        c2: {"read me.md": [2]},
    }


@pytest.mark.parametrize(
    ("quoted", "plain"),
    [
        ("plain.py", "plain.py"),
        ('"a\\tb.py"', "a\tb.py"),
        ('"q\\"uote\\\\.py"', 'q"uote\\.py'),
        ('"caf\\303\\251"', "café"),
    ],
)
def test_unquote(quoted: str, plain: str) -> None:
    assert agenttrace._unquote(quoted) == plain


_CONVERSATIONS = st.builds(
    lambda kind, model_id, agent, session, confidence, spans: model.Conversation(
        kind,
        [model.LineRange(s, s + n, f"sha256:{s:064x}") for s, n in spans],
        model_id=model_id,
        agent=agent,
        session=session,
        confidence=confidence,
        evidence="hook-observed",
    ),
    st.sampled_from(["human", "ai", "mixed", "unknown"]),
    st.none() | st.sampled_from(["anthropic/claude-opus-4-5-20251101", "openai/gpt-4o"]),
    st.none() | st.sampled_from(["claude-code/2.0.14", "codex"]),
    st.none() | st.sampled_from(["s-1", "s-2"]),
    st.sampled_from([0.5, 0.9, 1.0]),
    st.lists(st.tuples(st.integers(1, 500), st.integers(0, 20)), min_size=1, max_size=4),
)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["a.py", "src/b c.py", "déjà.txt"]),
        st.lists(_CONVERSATIONS, min_size=1, max_size=3),
        min_size=1,
        max_size=3,
    )
)
def test_export_then_read_keeps_every_fact(files: dict[str, list[model.Conversation]]) -> None:
    from aibom.notes.records import Record

    attributed = [model.FileAttribution(p, "b" * 40, c) for p, c in files.items()]
    record = Record.create("attribution", model.to_body(attributed, "0"))
    traces = agenttrace._from_attribution(REV, 1_700_000_000, record, attributed)
    validator = _schema()
    for trace in traces:
        assert list(validator.iter_errors(trace)) == []
    read, problems, count = agenttrace.parse_jsonl(agenttrace.render_jsonl(traces), "t")
    assert problems == [] and count == len(traces)
    assert {t.made_from for t in read} == {record.id}

    def facts_in(items: list[tuple[str, Any]]) -> set[tuple[Any, ...]]:
        return {
            (path, c.contributor, c.model_id, c.agent, c.session, c.confidence, (r.start, r.end))
            for path, c in items
            for r in c.ranges
        }

    before = facts_in([(f.path, c) for f in attributed for c in f.conversations])
    after: set[tuple[Any, ...]] = set()
    for t in read:
        for f in t.files:
            for c in f.conversations:
                after |= {
                    (
                        f.path,
                        c.contributor,
                        c.model,
                        c.agent,
                        c.session,
                        c.confidence,
                        (r.start, r.end),
                    )
                    for r in c.ranges
                }
    assert after == before


def test_crlf_and_non_utf8_jsonl_lines() -> None:
    good = json.dumps({**MINIMAL, "vcs": {"type": "git", "revision": REV}})
    text = (good + "\r\n").encode() + b'{"version": "0.1", "id": "\xff\xfe"}\r\n'
    traces, problems, count = agenttrace.parse_jsonl(text.decode("utf-8", "surrogateescape"), "t")
    assert count == 2 and len(traces) == 1
    assert [p.where for p in problems] == ["t:2"]
