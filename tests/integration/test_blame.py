"""Blame end to end: real git histories, real records on refs/notes/aibom, the real CLI."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from aibom.attribution.blame import BlameLine, BlameOptions, blame_files
from aibom.errors import UsageError
from aibom.gitutil import discover
from aibom.notes.records import Record
from tests.blame_support import (
    OPUS,
    SONNET,
    attribution,
    conversation,
    generation,
    note_text,
)
from tests.conftest import GitRepo

AI_ENV = {"GIT_AUTHOR_NAME": "Agent", "GIT_AUTHOR_EMAIL": "agent@example.com"}


def add_note(repo: GitRepo, rev: str, *records: Record) -> None:
    repo.git(
        "notes", "--ref", "refs/notes/aibom", "add", "-f", "-F", "-", rev, input=note_text(*records)
    )


def blob(repo: GitRepo, rev: str, path: str) -> str:
    return repo.git("rev-parse", f"{rev}:{path}").stdout.strip()


def ai_commit(
    repo: GitRepo,
    message: str,
    files: dict[str, str],
    ranges: dict[str, Sequence[tuple[int, int]]],
    *,
    slug: str = OPUS,
    origin: str = "ai-generated",
) -> str:
    """Commit ``files`` and note a generation record plus ranges of the lines the AI wrote."""
    sha = repo.commit(message, files=files, env=AI_ENV)
    entries = [
        (path, blob(repo, sha, path), [conversation("ai", spans, slug=slug)])
        for path, spans in ranges.items()
    ]
    add_note(repo, sha, generation(origin, slug), attribution(entries))
    return sha


def blame(repo: GitRepo, path: str, **options: object) -> tuple[BlameLine, ...]:
    return blame_files(discover(repo.path), [path], BlameOptions(**options))[path]  # type: ignore[arg-type]


def origins(lines: Sequence[BlameLine]) -> list[str]:
    return [line.origin for line in lines]


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    return make_repo()


def test_ranges_decide_lines_and_later_human_edits_take_credit(repo: GitRepo) -> None:
    first = ai_commit(
        repo,
        "feat",
        {"a.py": "a = 1\nb = 2\nc = 3\nd = 4\n"},
        {"a.py": [(1, 2)]},
        origin="ai-assisted",
    )
    human = repo.commit("tweak", files={"a.py": "a = 1\nb = 20\nc = 3\nd = 4\n"})
    add_note(repo, human, generation("human", None, agent=None, session=None, confidence=0.5))
    lines = blame(repo, "a.py")
    # 1: the AI range; 2: the person's edit; 3-4: no range, so the commit's ai-assisted origin
    assert origins(lines) == ["ai", "human", "mixed", "mixed"]
    assert [line.commit for line in lines] == [first, human, first, first]
    assert lines[0].model == OPUS
    assert lines[0].agent == "claude-code/2.0.14"
    assert lines[0].session == "sess-1"
    assert lines[0].evidence == "hook-observed"
    assert (lines[1].origin, lines[1].confidence) == ("human", 0.5)
    assert [line.text for line in lines] == ["a = 1", "b = 20", "c = 3", "d = 4"]
    assert [(line.line, line.orig_line, line.orig_path) for line in lines] == [
        (1, 1, "a.py"),
        (2, 2, "a.py"),
        (3, 3, "a.py"),
        (4, 4, "a.py"),
    ]


def test_no_records_is_unknown_and_trailers_give_commit_level(repo: GitRepo) -> None:
    repo.commit("plain", files={"a.py": "x\n"})
    repo.commit(
        f"agent\n\nAI-Origin: ai-generated\nAI-Model: {SONNET}\nAI-Agent: codex/0.46.0",
        files={"a.py": "x\ny\n"},
    )
    lines = blame(repo, "a.py")
    assert origins(lines) == ["unknown", "ai"]
    assert (lines[1].model, lines[1].agent, lines[1].evidence) == (
        SONNET,
        "codex/0.46.0",
        "trailer",
    )
    assert (lines[0].evidence, lines[0].model) == ("none", None)


def test_whitespace_only_changes_do_not_flip_credit_unless_asked(repo: GitRepo) -> None:
    ai = ai_commit(repo, "feat", {"a.py": "def f():\n  return 1\n"}, {"a.py": [(1, 2)]})
    fmt = repo.commit("reformat", files={"a.py": "def f():\n    return 1\n"})
    add_note(repo, fmt, generation("human", None, agent=None, session=None))
    assert [(ln.commit, ln.origin) for ln in blame(repo, "a.py")] == [(ai, "ai"), (ai, "ai")]
    strict = blame(repo, "a.py", ignore_whitespace=False)
    assert [(ln.commit, ln.origin) for ln in strict] == [(ai, "ai"), (fmt, "human")]
    assert strict[1].text == "    return 1"


def test_line_ranges_limit_the_lines(repo: GitRepo) -> None:
    text = "".join(f"line {n}\n" for n in range(1, 11))
    ai_commit(repo, "feat", {"a.py": text}, {"a.py": [(1, 10)]})
    lines = blame(repo, "a.py", line_ranges=((2, 3), (9, 10)))
    assert [line.line for line in lines] == [2, 3, 9, 10]
    assert [line.text for line in lines] == ["line 2", "line 3", "line 9", "line 10"]
    with pytest.raises(UsageError, match="has only 10 lines"):
        blame(repo, "a.py", line_ranges=((11, 12),))


BODY = "".join(f"    total += value_{n} * {n}\n" for n in range(12))


def test_moves_within_a_file_need_dash_m(repo: GitRepo) -> None:
    head = "".join(f"head_{n} = {n}\n" for n in range(12))
    ai = ai_commit(repo, "feat", {"a.py": BODY + head}, {"a.py": [(1, 12)]})
    moved = repo.commit("move the block down", files={"a.py": head + BODY})
    plain = blame(repo, "a.py")
    assert {line.commit for line in plain[12:]} == {moved}
    assert origins(plain[12:]) == ["unknown"] * 12
    followed = blame(repo, "a.py", detect_moves=True)
    assert {line.commit for line in followed[12:]} == {ai}
    assert origins(followed[12:]) == ["ai"] * 12
    assert [line.orig_line for line in followed[12:]] == list(range(1, 13))


def test_copies_from_other_files_need_dash_c(repo: GitRepo) -> None:
    ai = ai_commit(repo, "feat", {"src/a.py": BODY}, {"src/a.py": [(1, 12)]}, slug=SONNET)
    moved = repo.commit("split", files={"src/a.py": "# moved\n", "src/b.py": BODY})
    assert {line.commit for line in blame(repo, "src/b.py")} == {moved}
    found = blame(repo, "src/b.py", detect_copies=1)
    assert {line.commit for line in found} == {ai}
    assert {line.orig_path for line in found} == {"src/a.py"}
    assert set(origins(found)) == {"ai"}
    assert {line.model for line in found} == {SONNET}


def test_a_file_renamed_in_history_keeps_its_ranges(repo: GitRepo) -> None:
    ai = ai_commit(repo, "feat", {"old.py": "a\nb\nc\n"}, {"old.py": [(2, 3)]})
    repo.git("mv", "old.py", "new name.py")
    repo.commit("rename", files={"new name.py": "a\nb\nc\nd\n"})
    lines = blame(repo, "new name.py")
    assert [line.commit for line in lines[:3]] == [ai, ai, ai]
    assert [line.orig_path for line in lines[:3]] == ["old.py"] * 3
    # line 1 has no range: the commit's own origin (ai-generated -> ai); 2-3 from the range
    assert origins(lines) == ["ai", "ai", "ai", "unknown"]
    assert lines[1].confidence == 0.9


def test_stale_entries_carried_by_a_rewrite_are_ignored(repo: GitRepo) -> None:
    ai = ai_commit(repo, "feat", {"a.py": "a\nb\n"}, {"a.py": [(1, 2)]})
    stale = blob(repo, ai, "a.py")
    repo.git("commit", "-q", "--amend", "-m", "feat amended")  # same tree: blob still valid
    amended = repo.head()
    add_note(repo, amended, attribution([("a.py", stale, [conversation("ai", [(1, 2)])])]))
    assert origins(blame(repo, "a.py")) == ["ai", "ai"]
    repo.write("a.py", "a\nB\n")
    repo.git("add", "a.py")
    repo.git("commit", "-q", "--amend", "-m", "feat amended again")  # blob changed
    again = repo.head()
    add_note(repo, again, attribution([("a.py", stale, [conversation("ai", [(1, 2)])])]))
    # the carried entry names the old blob: it no longer describes the file; nothing else does
    assert origins(blame(repo, "a.py")) == ["unknown", "unknown"]


def test_crlf_and_non_utf8_files(repo: GitRepo) -> None:
    (repo.path / "w.txt").write_bytes(b"one\r\ntwo\r\n")
    (repo.path / "l1.txt").write_bytes(b"caf\xe9\nna\xefve\n")
    repo.git("add", "w.txt", "l1.txt")
    repo.git("commit", "-q", "-m", "texts")
    sha = repo.head()
    add_note(
        repo,
        sha,
        generation("ai-generated"),
        attribution([("w.txt", blob(repo, sha, "w.txt"), [conversation("ai", [(2, 2)])])]),
    )
    crlf = blame(repo, "w.txt")
    assert [line.text for line in crlf] == ["one", "two"]
    assert origins(crlf) == ["ai", "ai"]
    latin = blame(repo, "l1.txt")
    assert [line.text.encode("utf-8", "surrogateescape") for line in latin] == [
        b"caf\xe9",
        b"na\xefve",
    ]


def test_binary_files_yield_no_lines(repo: GitRepo) -> None:
    (repo.path / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\n" * 3)
    repo.git("add", "img.png")
    repo.git("commit", "-q", "-m", "image")
    assert blame(repo, "img.png") == ()


def test_several_files_in_one_call(repo: GitRepo) -> None:
    ai_commit(repo, "feat", {"a.py": "a\n", "b.py": "b\n"}, {"a.py": [(1, 1)]})
    found = blame_files(discover(repo.path), ["a.py", "b.py"])
    assert origins(found["a.py"]) == ["ai"]
    assert origins(found["b.py"]) == ["ai"]  # commit level: ai-generated


def test_errors_are_usage_errors(repo: GitRepo) -> None:
    repo.commit("one", files={"a.py": "a\n"})
    with pytest.raises(UsageError, match="not in HEAD"):
        blame(repo, "missing.py")
    with pytest.raises(UsageError, match="bad revision"):
        blame(repo, "a.py", rev="no-such-branch")
    with pytest.raises(UsageError, match="bad revision"):
        blame(repo, "a.py", rev="--all")


def test_an_older_revision(repo: GitRepo) -> None:
    first = ai_commit(repo, "feat", {"a.py": "a\n"}, {"a.py": [(1, 1)]})
    repo.commit("human", files={"a.py": "A\n"})
    lines = blame(repo, "a.py", rev=first)
    assert [(line.text, line.origin) for line in lines] == [("a", "ai")]
