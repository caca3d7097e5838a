"""aibom.notes.records: canonical form, content-digest ids, parsing, cat_sort_uniq merge."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aibom.notes.records import (
    SCHEMA_ID,
    BadLine,
    Record,
    canonical,
    merge_lines,
    note_lines,
    parse_line,
    parse_note,
)
from tests.conftest import GitRepo

REWRITE_BODY: dict[str, Any] = {
    "operation": "cherry-pick",
    "sources": ["a" * 40],
    "tool": {"name": "aibom", "version": "0.1.0"},
}


def rewrite_record(source: str = "a" * 40) -> Record:
    return Record.create("rewrite", {**REWRITE_BODY, "sources": [source]})


# -- canonical form and id ------------------------------------------------------------------
def test_canonical_is_compact_sorted_and_keeps_unicode() -> None:
    assert canonical({"b": 1, "a": {"d": [1, 2], "c": "é"}}) == '{"a":{"c":"é","d":[1,2]},"b":1}'


def test_canonical_escapes_lone_surrogates_and_round_trips() -> None:
    value = "caf" + b"\xe9".decode("utf-8", "surrogateescape")  # latin-1 bytes, undecodable
    text = canonical({"detail": value})
    assert text == '{"detail":"caf\\udce9"}'
    text.encode("utf-8")  # encodable
    assert json.loads(text) == {"detail": value}


def test_record_id_is_sha256_of_canonical_form_without_id() -> None:
    rec = rewrite_record()
    body = {**REWRITE_BODY, "kind": "rewrite", "schema": SCHEMA_ID}
    expected = "sha256:" + hashlib.sha256(canonical(body).encode()).hexdigest()
    assert rec.id == expected
    assert rec.line == canonical({**body, "id": expected})
    assert rec.data["id"] == expected and rec.kind == "rewrite"


def test_record_is_deterministic_and_ignores_a_given_id() -> None:
    a = rewrite_record()
    b = Record.create("rewrite", {**REWRITE_BODY, "id": "sha256:" + "0" * 64})
    assert a.line == b.line
    assert rewrite_record("b" * 40).id != a.id


def test_create_rejects_invalid_body() -> None:
    from aibom.errors import RecordError

    with pytest.raises(RecordError):
        Record.create("rewrite", {**REWRITE_BODY, "operation": "teleport"})


def test_record_with_non_utf8_text_round_trips_through_parse() -> None:
    detail = b"r\xe9sum\xe9 \xe2\x80\xa8 line sep".decode("utf-8", "surrogateescape")
    body = {
        "origin": "ai-assisted",
        "confidence": 0.9,
        "inferred": False,
        "models": [],
        "agent": None,
        "session": None,
        "evidence": [
            {
                "source": "declared-trailer",
                "origin": "ai-assisted",
                "confidence": 1.0,
                "detail": detail,
                "agent": None,
                "models": [],
                "session": None,
            }
        ],
        "timestamps": {"committed": "2025-01-01T00:00:00Z"},
        "tool": {"name": "aibom", "version": "0.1.0"},
    }
    rec = Record.create("generation", body)
    assert "\u2028" in rec.line  # kept raw by canonical JSON...
    records, bad = parse_note(rec.line + "\n")  # ...and must not split the line
    assert bad == [] and records[0].id == rec.id
    assert records[0].data["evidence"][0]["detail"] == detail


# -- parsing --------------------------------------------------------------------------------
def test_parse_line_accepts_a_valid_record() -> None:
    rec = rewrite_record()
    parsed = parse_line(rec.line)
    assert isinstance(parsed, Record)
    assert parsed.id == rec.id and parsed.data == rec.data


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("not json at all", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ("[" * 100_000 + "]" * 100_000, "not JSON"),  # too deep for the parser
        ('{"kind":"telepathy","schema":"aibom.record/1","id":"x"}', "unknown record kind"),
        ('{"kind":"rewrite","schema":"other/1"}', "foreign schema"),
    ],
    ids=["text", "array", "deep", "kind", "schema"],
)
def test_parse_line_rejects_garbage(line: str, reason: str) -> None:
    parsed = parse_line(line)
    assert isinstance(parsed, BadLine)
    assert reason in parsed.reason and parsed.line == line


def test_parse_line_rejects_a_tampered_record() -> None:
    data = json.loads(rewrite_record().line)
    data["sources"] = ["b" * 40]  # content changed, id not
    parsed = parse_line(canonical(data))
    assert isinstance(parsed, BadLine) and "digest" in parsed.reason


def test_parse_line_rejects_schema_violation_with_matching_id() -> None:
    data = {**REWRITE_BODY, "kind": "rewrite", "schema": SCHEMA_ID, "extra": 1}
    data["id"] = "sha256:" + hashlib.sha256(canonical(data).encode()).hexdigest()
    parsed = parse_line(canonical(data))
    assert isinstance(parsed, BadLine) and "extra" in parsed.reason


def test_parse_note_separates_records_and_bad_lines() -> None:
    good = rewrite_record()
    text = f"\n{good.line}\ngarbage\n\n{rewrite_record('c' * 40).line}\n"
    records, bad = parse_note(text)
    assert [r.data["sources"][0][0] for r in records] == ["a", "c"]
    assert [b.line for b in bad] == ["garbage"]


def test_note_lines_splits_on_lf_only() -> None:
    assert note_lines("a\r\nb\u2028c\n\nd") == ["a\r", "b\u2028c", "d"]


# -- merge_lines == git's cat_sort_uniq -----------------------------------------------------
def test_merge_lines_is_sorted_unique_union() -> None:
    a, b = rewrite_record("a" * 40).line, rewrite_record("b" * 40).line
    first, second = sorted([a, b])
    assert merge_lines([b, a], [a, "", b]) == f"{first}\n{second}\n"
    assert merge_lines([]) == ""
    assert merge_lines(["x\ny"], ["y"]) == "x\ny\n"  # items holding several lines are split


def _git_cat_sort_uniq(repo: GitRepo, ours: bytes, theirs: bytes) -> bytes:
    """Write ``ours``/``theirs`` verbatim as two notes refs and let git merge them."""

    def note(ref: str, data: bytes) -> None:
        blob = repo.hash_object(data)
        repo.git("notes", "--ref", ref, "add", "-f", "-C", blob, "HEAD")

    repo.git("update-ref", "-d", "refs/notes/ours")
    repo.git("update-ref", "-d", "refs/notes/theirs")
    note("refs/notes/ours", ours)
    note("refs/notes/theirs", theirs)
    repo.git(
        "notes",
        "--ref",
        "refs/notes/ours",
        "merge",
        "-q",
        "-s",
        "cat_sort_uniq",
        "refs/notes/theirs",
    )
    return subprocess.run(
        ["git", "notes", "--ref", "refs/notes/ours", "show", "HEAD"],
        cwd=repo.path,
        capture_output=True,
        check=True,
    ).stdout


def _merge_bytes(ours: bytes, theirs: bytes) -> bytes:
    def lines(data: bytes) -> list[str]:
        return data.decode("utf-8", "surrogateescape").split("\n")

    return merge_lines(lines(ours), lines(theirs)).encode("utf-8", "surrogateescape")


CASES = [
    (b"b\na\n", b"c\na\n"),
    (b"  a \nb\n\n\nc\r\n", b"c\n a\n"),  # whitespace is significant, empties dropped
    (b"\xf5z\n\xc3\xa9\n", b"\xee\x80\x80\nz\n"),  # byte order, not code point order
    (rewrite_record("a" * 40).line.encode() + b"\n", rewrite_record("b" * 40).line.encode()),
]


@pytest.mark.parametrize(("ours", "theirs"), CASES)
def test_merge_lines_equals_git_cat_sort_uniq(
    make_repo: Callable[..., GitRepo], ours: bytes, theirs: bytes
) -> None:
    repo = make_repo()
    repo.commit("one")
    assert _merge_bytes(ours, theirs) == _git_cat_sort_uniq(repo, ours, theirs)


line_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\n\x00"),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ours=st.lists(line_text, max_size=5), theirs=st.lists(line_text, max_size=5))
def test_merge_lines_equals_git_on_random_lines(
    make_repo: Callable[..., GitRepo], ours: list[str], theirs: list[str]
) -> None:
    a = "".join(x + "\n" for x in ours).encode()
    b = "".join(x + "\n" for x in theirs).encode()
    if not a.strip() or not b.strip() or a == b:
        return  # git refuses an empty note; identical notes are not combined, kept as they are
    repo = make_repo()
    repo.commit("one")
    assert _merge_bytes(a, b) == _git_cat_sort_uniq(repo, a, b)


def test_corrupt_note_line_is_a_bad_line_on_the_hook_path() -> None:
    """Under ``-E -S`` without ``json`` imported, the C scanner raised SystemError on an
    unterminated string; a corrupt note line must still become a BadLine."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from aibom.notes.records import parse_note\n"
        'records, bad = parse_note(\'{"kind": "generation", "x": "unterminated\\n\')\n'
        "assert not records and len(bad) == 1 and bad[0].reason.startswith('not JSON'), bad\n"
        "print('ok')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-E", "-S", "-c", code, str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
