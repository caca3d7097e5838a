from __future__ import annotations

from pathlib import Path

import pytest

from aibom.provenance import trailers as tr
from aibom.provenance.types import Agent, Detection, ModelId, Origin, Trailer

OPUS = ModelId("anthropic", "claude-opus-4-5", "20251101")


def ai(origin: Origin = Origin.AI_GENERATED, session: str | None = "s1") -> Detection:
    return Detection(origin, 0.9, Agent("claude-code", "2.0.14"), (OPUS,), session)


HUMAN = Detection(Origin.HUMAN, 0.5, None, (), None)


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def test_wanted_for_ai_commit() -> None:
    add = tr.wanted_trailers(ai(), ())
    assert add == [
        Trailer("AI-Origin", "ai-generated"),
        Trailer("AI-Model", "anthropic/claude-opus-4-5-20251101"),
        Trailer("AI-Agent", "claude-code/2.0.14"),
        Trailer("AI-Session", "s1"),
    ]


def test_wanted_for_human_commit_is_origin_only() -> None:
    assert tr.wanted_trailers(HUMAN, ()) == [Trailer("AI-Origin", "human")]


def test_wanted_is_idempotent() -> None:
    existing = tuple(tr.wanted_trailers(ai(), ()))
    assert tr.wanted_trailers(ai(), existing) == []


def test_existing_human_origin_gets_ai_added_not_replaced() -> None:
    existing = (Trailer("AI-Origin", "human"),)
    add = tr.wanted_trailers(ai(Origin.AI_ASSISTED), existing)
    assert add[0] == Trailer("AI-Origin", "ai-assisted")


def test_existing_ai_origin_is_kept_for_human_detection() -> None:
    existing = (Trailer("AI-Origin", "ai-generated"),)
    assert tr.wanted_trailers(HUMAN, existing) == []


def test_model_key_case_insensitive() -> None:
    existing = (Trailer("ai-origin", "ai-generated"), Trailer("ai-model", OPUS.slug.upper()))
    add = tr.wanted_trailers(ai(session=None), existing)
    assert [t.key for t in add] == ["AI-Agent"]


def test_stamp_keeps_user_trailer_formatting(cwd: Path) -> None:
    msg = b"subject\n\nbody\n\nKey:value\nSigned-off-by:  Foo <f@x>\n  folded\n"
    res = tr.stamp(msg, [Trailer("AI-Origin", "human")], cwd=cwd)
    assert res.changed
    assert res.message == msg + b"AI-Origin: human\n"


def test_stamp_subject_only_adds_blank_line(cwd: Path) -> None:
    res = tr.stamp(b"subject", [Trailer("AI-Origin", "human")], cwd=cwd)
    assert res.message == b"subject\n\nAI-Origin: human\n"


def test_stamp_before_comments_and_scissors(cwd: Path) -> None:
    msg = (
        b"subject\n\n# Please enter the commit message\n"
        b"# ------------------------ >8 ------------------------\ndiff --git a/x b/x\n"
    )
    res = tr.stamp(msg, [Trailer("AI-Origin", "human")], cwd=cwd)
    assert res.message.startswith(b"subject\n\nAI-Origin: human\n")
    assert res.message.endswith(msg[len(b"subject\n") :])


def test_stamp_crlf_lines_kept(cwd: Path) -> None:
    msg = b"subject\r\n\r\nbody\r\n\r\nKey: a\r\n"
    res = tr.stamp(msg, [Trailer("AI-Origin", "human")], cwd=cwd)
    if res.changed:
        assert res.message.replace(b"AI-Origin: human\n", b"", 1) == msg


def test_stamp_non_utf8_message(cwd: Path) -> None:
    msg = "caf\xe9 subject\n\nbody \xff\n".encode("latin-1")
    res = tr.stamp(msg, [Trailer("AI-Origin", "human")], cwd=cwd)
    assert res.message.startswith(msg)
    assert res.message.endswith(b"AI-Origin: human\n")


def test_parse_trailers_uses_git(cwd: Path) -> None:
    found = tr.parse_trailers(b"s\n\nb\n\nCo-authored-by: A <a@x>\n  more\nX: y\n", cwd=cwd)
    assert found == (Trailer("Co-authored-by", "A <a@x> more"), Trailer("X", "y"))


def test_splice_refuses_unexplained_output() -> None:
    # git re-formatting a line in place is fine: the original line is kept
    assert tr.splice(b"a\nb:c\n", b"a\nb: c\nX: y\n", ["X: y"]) == b"a\nb:c\nX: y\n"
    assert tr.splice(b"a\n", b"a\nZ: q\n", ["X: y"]) is None
    assert tr.splice(b"a\n", b"a\n", ["X: y"]) is None


def test_stamp_keeps_whitespace_only_lines_git_drops(cwd: Path) -> None:
    # git leaves the whitespace-only last line out of its output; aibom keeps it, after the
    # new trailer, so the trailer block stays whole
    msg = b"subject\n\nbody\n\nKey: v\n  \n"
    res = tr.stamp(msg, [Trailer("AI-Origin", "human")], cwd=cwd)
    assert res.message == b"subject\n\nbody\n\nKey: v\nAI-Origin: human\n  \n"
    assert tr.parse_trailers(res.message, cwd=cwd) == (
        Trailer("Key", "v"),
        Trailer("AI-Origin", "human"),
    )


def test_scissors_part_is_never_given_to_git(cwd: Path) -> None:
    # git 2.39 loops forever on this shape when the scissors part is included
    msg = (
        b"Subject\n\nBody\n---\nmore\n"
        b"# ------------------------ >8 ------------------------\ndiff --git a/x b/x\n"
    )
    head, tail = tr.split_scissors(msg)
    assert tail.startswith(b"# ----") and head.endswith(b"more\n")
    res = tr.stamp(msg, [Trailer("AI-Origin", "human")], cwd=cwd)
    assert res.message.endswith(tail)
