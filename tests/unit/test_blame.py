"""Units of the blame engine: resolution rules, porcelain and log parsing, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aibom.attribution import resolve
from aibom.attribution.blame import (
    BlameLine,
    BlameOptions,
    FileBlame,
    RawBlame,
    RawLine,
    blame_argv,
    line_text,
    parse_porcelain,
)
from aibom.attribution.gitpath import unquote
from aibom.attribution.model import FileAttribution
from aibom.attribution.resolve import commit_credit, parse_log
from aibom.errors import UsageError
from aibom.report.blame import BlameFormat, render, to_porcelain, to_text
from tests.blame_support import (
    OPUS,
    SONNET,
    attribution,
    conversation,
    generation,
    note_text,
)

SHA = "a" * 40
BLOB = "b" * 40
OTHER_BLOB = "c" * 40


# -- resolution rules ------------------------------------------------------------------------
def test_a_range_beats_the_commit_origin() -> None:
    note = note_text(
        generation("human", None, agent=None, session=None, confidence=0.5),
        attribution([("src/a.py", BLOB, [conversation("ai", [(2, 3)], slug=SONNET)])]),
    )
    found = commit_credit(SHA, "", note)
    assert found.credit.origin == "human"
    inside = found.line("src/a.py", BLOB, 2)
    assert (inside.origin, inside.model, inside.agent, inside.session) == (
        "ai",
        SONNET,
        "claude-code/2.0.14",
        "sess-1",
    )
    assert inside.evidence == "hook-observed"
    assert found.line("src/a.py", BLOB, 3).origin == "ai"
    assert found.line("src/a.py", BLOB, 1).origin == "human"
    assert found.line("src/a.py", BLOB, 4).origin == "human"
    assert found.line("src/b.py", BLOB, 2).origin == "human"  # the entry is for another path


def test_files_no_checkpoint_record_covers_do_not_get_the_commits_ai_origin() -> None:
    observed = attribution([("src/a.py", BLOB, [conversation("ai", [(2, 3)], slug=SONNET)])])
    found = commit_credit(SHA, "", note_text(generation("ai-generated", OPUS), observed))
    assert found.line("src/a.py", BLOB, 2).origin == "ai"
    assert found.line("src/a.py", BLOB, 4).model == OPUS  # a reported file: commit level
    other = found.line("src/b.py", BLOB, 1)  # a file no edit hook reported
    assert (other.origin, other.model, other.confidence) == ("human", None, 0.6)
    # imported ranges, or no ranges at all: the commit-level credit still applies
    imported = attribution(
        [("src/a.py", BLOB, [conversation("ai", [(2, 3)], slug=SONNET)])], ("git-ai", None)
    )
    for note in (
        note_text(generation("ai-generated", OPUS), imported),
        note_text(generation("ai-generated", OPUS)),
    ):
        assert commit_credit(SHA, "", note).line("src/b.py", BLOB, 1).origin == "ai"
    human = commit_credit(SHA, "", note_text(generation("human", None), observed))
    assert human.line("src/b.py", BLOB, 1) == human.credit


def test_entries_for_another_blob_are_stale_and_ignored() -> None:
    note = note_text(
        generation("ai-assisted"),
        attribution([("a.py", OTHER_BLOB, [conversation("ai", [(1, 10)])])]),
    )
    found = commit_credit(SHA, "", note)
    assert found.line("a.py", BLOB, 1).origin == "mixed"  # commit level, not the stale range
    assert found.line("a.py", OTHER_BLOB, 1).origin == "ai"
    assert found.line("a.py", None, 1).origin == "mixed"  # blob unknown: no entry applies


def test_no_record_and_no_trailer_is_unknown_not_human() -> None:
    found = commit_credit(SHA, "", "")
    credit = found.line("a.py", BLOB, 1)
    assert credit == resolve.UNKNOWN
    assert (credit.origin, credit.evidence, credit.confidence) == ("unknown", "none", 0.0)


def test_trailers_only_give_commit_level_credit() -> None:
    trailers = f"AI-Origin: ai-assisted\nAI-Model: {OPUS}\nAI-Agent: codex/0.46.0\nAI-Session: s9\n"
    credit = commit_credit(SHA, trailers, "").line("a.py", BLOB, 7)
    assert credit.origin == "mixed"
    assert credit.model == OPUS
    assert credit.agent == "codex/0.46.0"
    assert credit.session == "s9"
    assert credit.evidence == "trailer"
    assert credit.confidence == 1.0  # a declared trailer's base confidence


@pytest.mark.parametrize(
    ("origin", "expected"), [("ai-generated", "ai"), ("ai-assisted", "mixed"), ("human", "human")]
)
def test_generation_origin_maps_to_contributor_type(origin: str, expected: str) -> None:
    credit = commit_credit(SHA, "", note_text(generation(origin, confidence=0.8))).credit
    assert credit.origin == expected
    assert credit.confidence == 0.8
    assert credit.evidence == "hook-observed"


def test_record_beats_trailer_and_inferred_records_say_so() -> None:
    trailers = "AI-Origin: human\n"
    observed = commit_credit(SHA, trailers, note_text(generation("ai-generated"))).credit
    assert observed.origin == "ai"
    inferred = commit_credit(
        SHA, "", note_text(generation("ai-generated", inferred=True, confidence=0.6))
    ).credit
    assert (inferred.origin, inferred.evidence, inferred.confidence) == ("ai", "inferred", 0.6)
    identity = commit_credit(
        SHA, "", note_text(generation("ai-generated", None, agent=None, source="identity"))
    ).credit
    assert identity.evidence == "identity"


def test_uncovered_lines_of_an_imported_record_are_not_ai() -> None:
    """git-ai ranges cover the AI lines; nothing says who wrote the rest of the file."""
    note = note_text(
        attribution(
            [("a.py", BLOB, [conversation("ai", [(1, 2)], evidence="imported")])],
            source=("git-ai", "refs/notes/ai"),
        )
    )
    found = commit_credit(SHA, "", note)
    assert found.line("a.py", BLOB, 1).origin == "ai"
    assert found.line("a.py", BLOB, 1).evidence == "imported"
    assert found.line("a.py", BLOB, 3).origin == "unknown"


def test_observed_ranges_beat_imported_ones_and_later_conversations_win_overlaps() -> None:
    observed = attribution(
        [
            (
                "a.py",
                BLOB,
                [conversation("ai", [(1, 5)]), conversation("human", [(3, 3)], slug=None)],
            )
        ]
    )
    imported = attribution(
        [("a.py", BLOB, [conversation("mixed", [(1, 9)], slug=SONNET, evidence="imported")])],
        source=("agent-trace", None),
    )
    found = commit_credit(SHA, "", note_text(imported, observed))
    assert found.line("a.py", BLOB, 1).origin == "ai"
    assert found.line("a.py", BLOB, 3).origin == "human"  # a person edited it afterwards
    assert found.line("a.py", BLOB, 7).origin == "mixed"  # only the imported record covers it


def test_model_ids_in_ranges_are_normalised() -> None:
    note = note_text(
        attribution(
            [
                (
                    "a.py",
                    BLOB,
                    [conversation("ai", [(1, 1)], slug="Anthropic/Claude-Opus-4-5-20251101")],
                )
            ]
        )
    )
    assert commit_credit(SHA, "", note).line("a.py", BLOB, 1).model == OPUS


def test_unusable_note_lines_are_skipped() -> None:
    note = "not json\n{broken\n" + note_text(generation("ai-generated"))
    assert commit_credit(SHA, "", note).credit.origin == "ai"


# -- parsing ---------------------------------------------------------------------------------
def _porcelain(*groups: tuple[str, int, int, int, list[str], list[bytes]]) -> bytes:
    out = []
    for sha, orig, final, count, headers, lines in groups:
        for k, content in enumerate(lines):
            out.append(f"{sha} {orig + k} {final + k}" + (f" {count}" if k == 0 else ""))
            if k == 0:
                out.extend(headers)
            out.append("\t" + content.decode("utf-8", "surrogateescape"))
    return "\n".join(out).encode("utf-8", "surrogateescape") + b"\n"


def test_parse_porcelain_follows_filenames_per_commit() -> None:
    a, b = "1" * 40, "2" * 40
    data = _porcelain(
        (a, 1, 1, 1, ["author A", "summary one", "filename old.py"], [b"x = 1"]),
        (b, 4, 2, 1, ["author B", "summary two", "filename new.py"], [b"y = 2"]),
        (a, 2, 3, 2, [], [b"z = 3", b"w = 4"]),
        (a, 9, 5, 1, ["filename other.py"], [b"\tindented"]),
    )
    lines = parse_porcelain(data)
    assert [(ln.line, ln.commit, ln.orig_path, ln.orig_line) for ln in lines] == [
        (1, a, "old.py", 1),
        (2, b, "new.py", 4),
        (3, a, "old.py", 2),
        (4, a, "old.py", 3),
        (5, a, "other.py", 9),
    ]
    assert lines[4].content == b"\tindented"


def test_parse_porcelain_reads_quoted_names_and_sha256_ids() -> None:
    sha = "d" * 64
    data = _porcelain((sha, 1, 1, 1, ['filename "sp\\303\\251cial\\tname.py"'], [b"x"]))
    (line,) = parse_porcelain(data)
    assert line.commit == sha
    assert line.orig_path == "spécial\tname.py"


def test_unquote() -> None:
    assert unquote("plain name.py") == "plain name.py"
    assert unquote('"a\\"b\\\\c\\n"') == 'a"b\\c\n'
    assert unquote('"\\377x"') == b"\xffx".decode("utf-8", "surrogateescape")


def test_line_text_drops_the_cr_of_crlf_and_keeps_undecodable_bytes() -> None:
    assert line_text(b"x = 1\r") == "x = 1"
    assert line_text(b"caf\xe9") == "caf\udce9"


def test_binary_is_a_nul_in_the_first_8000_bytes() -> None:
    def raw(*contents: bytes) -> RawBlame:
        lines = tuple(RawLine(n, SHA, "f", n, c) for n, c in enumerate(contents, 1))
        return RawBlame("f", b"", lines)

    assert raw(b"PNG\0\x01", b"x").binary
    assert not raw(b"text", b"more").binary
    assert not raw(b"a" * 8000, b"\0").binary  # past git's probe


def test_parse_log_reads_credit_and_raw_blobs() -> None:
    from aibom.attribution.resolve import _END, _FIELD, _SEP

    note = note_text(generation("ai-generated"))
    data = (
        f"{_SEP}{SHA}{_FIELD}AI-Origin: human\n{_FIELD}{note}{_END}\n\n"
        f":100644 100644 {OTHER_BLOB} {BLOB} M\tsrc/a.py\n"
        f':000000 100644 {"0" * 40} {OTHER_BLOB} A\t"sp ace\\tx"\n'
        f":100644 000000 {OTHER_BLOB} {'0' * 40} D\tgone.py\n"
        f"{_SEP}{'e' * 40}{_FIELD}{_FIELD}{_END}\n"
    ).encode()
    found = parse_log(data)
    credits = found.credits([SHA, "e" * 40, "f" * 40])
    assert set(credits) == {SHA, "e" * 40}
    assert credits[SHA].credit.origin == "ai"
    assert credits["e" * 40].credit.origin == "unknown"
    assert found.blobs == {(SHA, "src/a.py"): BLOB, (SHA, "sp ace\tx"): OTHER_BLOB}


# -- options and errors ----------------------------------------------------------------------
def test_blame_argv_maps_the_options() -> None:
    argv = blame_argv(
        "f.py",
        BlameOptions(
            rev="v1",
            line_ranges=((1, 3), (8, 9)),
            ignore_whitespace=False,
            detect_moves=True,
            detect_copies=5,
        ),
    )
    tail = argv[argv.index("--porcelain") + 1 :]
    assert tail == ["-M", "-C", "-C", "-C", "-L", "1,3", "-L", "8,9", "v1", "--", "f.py"]
    assert "-w" in blame_argv("f.py", BlameOptions())


@pytest.mark.parametrize("bad", [(0, 3), (5, 4)])
def test_bad_line_ranges_are_usage_errors(bad: tuple[int, int]) -> None:
    with pytest.raises(UsageError):
        blame_argv("f.py", BlameOptions(line_ranges=(bad,)))


# -- output ----------------------------------------------------------------------------------
def _file_blame(*texts: str) -> FileBlame:
    lines = tuple(
        BlameLine(
            line=n,
            text=text,
            commit=SHA,
            orig_path="f.py",
            orig_line=n,
            origin="ai" if n % 2 else "unknown",
            model=OPUS if n % 2 else None,
            agent=None,
            session=None,
            confidence=0.9 if n % 2 else 0.0,
            evidence="hook-observed" if n % 2 else "none",
        )
        for n, text in enumerate(texts, 1)
    )
    porcelain = b"".join(
        f"{SHA} {n} {n}\nfilename f.py\n\t{t}\n".encode("utf-8", "surrogateescape")
        for n, t in enumerate(texts, 1)
    )
    return FileBlame("f.py", "HEAD", False, lines, porcelain)


@pytest.mark.parametrize("fmt", list(BlameFormat))
def test_every_format_renders(fmt: BlameFormat) -> None:
    out = render(_file_blame("a = 1", "b = 2"), fmt)
    assert b"a = 1" in out
    assert b"b = 2" in out


def test_text_escapes_control_characters_and_keeps_tabs() -> None:
    text = to_text(_file_blame("\x1b[31mred\x07", "\tindented", "caf\udce9"))
    assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b[31mred\\x07" in text
    assert ") \tindented" in text
    assert "caf\\xe9" in text
    assert text.splitlines()[-1].startswith("3 lines from 1 commit: human 0.0% (0), ai 66.7% (2)")


def test_porcelain_headers_come_when_the_credit_of_a_commit_changes() -> None:
    out = to_porcelain(_file_blame("a", "b", "c")).decode().split("\n")
    assert out.count("aibom-origin ai") == 2  # lines 1 and 3 (line 2 was unknown in between)
    assert out.count("aibom-origin unknown") == 1
    assert "aibom-model -" in out
    first = out.index("aibom-origin ai")
    assert out[first - 1] == "filename f.py" and out[first + 6] == "\ta"


# -- command-line helpers --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,1", (1, 1)),
        ("10,40", (10, 40)),
        ("90,+5", (90, 94)),
        ("5,-2", (4, 5)),  # git: COUNT lines ending at START
        ("2,-9", (1, 2)),
        ("5", (5, 2**31 - 1)),  # to the end (git stops at the last line)
        (",3", (1, 3)),
    ],
)
def test_line_range_forms(text: str, expected: tuple[int, int]) -> None:
    from aibom.attribution.blameargs import parse_line_range

    assert parse_line_range(text) == expected


@pytest.mark.parametrize("text", ["", ",", "0", "0,3", "4,3", "a,b", "3,+0", "3,-0", "1,2,3"])
def test_bad_line_range_forms(text: str) -> None:
    from aibom.attribution.blameargs import parse_line_range

    with pytest.raises(UsageError, match="bad line range"):
        parse_line_range(text)


def test_repo_paths_resolve_directories_but_not_the_file(tmp_path: Path) -> None:
    from aibom.attribution.blameargs import repo_path
    from aibom.gitutil import Repo

    top = tmp_path / "top"
    (top / "src").mkdir(parents=True)
    (tmp_path / "alias").symlink_to(top / "src")
    (top / "src" / "link.py").symlink_to("/etc/hostname")
    repo = Repo(str(top / ".git"), str(top / ".git"), str(top))
    assert repo_path(repo, "src/a.py", str(top)) == "src/a.py"
    assert repo_path(repo, "a.py", str(top / "src")) == "src/a.py"
    assert repo_path(repo, "a.py", str(tmp_path / "alias")) == "src/a.py"
    assert repo_path(repo, "link.py", str(top / "src")) == "src/link.py"  # not its target
    for outside in ("../x.py", str(tmp_path / "x.py")):
        with pytest.raises(UsageError, match="outside the repository"):
            repo_path(repo, outside, str(top))
    for directory in (".", "src", str(top)):
        with pytest.raises(UsageError, match="is a directory"):
            repo_path(repo, directory, str(top))
    bare = Repo(str(top), str(top), None)
    assert repo_path(bare, "src/a.py", None) == "src/a.py"


_spans = st.lists(
    st.tuples(st.integers(1, 40), st.integers(0, 15)).map(lambda t: (t[0], t[0] + t[1])),
    min_size=1,
    max_size=3,
)


@given(st.lists(st.lists(_spans, min_size=1, max_size=3), min_size=1, max_size=3))
def test_owners_of_all_lines_agree_with_owner_line_by_line(
    shape: list[list[list[tuple[int, int]]]],
) -> None:
    entries = [
        FileAttribution(
            "f.py",
            BLOB,
            [conversation("ai", spans, session=f"{e}.{c}") for c, spans in enumerate(convs)],
        )
        for e, convs in enumerate(shape)
    ]
    by_line = resolve.owners(entries)
    assert by_line is not None
    for line in range(1, 60):
        assert by_line.get(line) is resolve.owner(entries, line)
    assert resolve.owners(entries, limit=0) is None


def test_an_interrupted_blame_does_not_wait_for_its_read_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while git blame runs: blame_many stops at once, without joining the thread that
    reads the history ahead (trace --surviving took 12 s to stop on a 20k-commit history)."""
    import subprocess
    import threading
    import time

    from aibom import gitutil
    from aibom.attribution import blame as engine

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    released = threading.Event()

    def slow_read_ahead(self: object, *args: object) -> None:
        released.wait(10)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(engine._Prefetch, "_run", slow_read_ahead)
    monkeypatch.setattr(engine, "run_blame", interrupted)
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            engine.blame_many(gitutil.discover(str(tmp_path)), ["a.py"], BlameOptions())
        assert time.monotonic() - started < 5
    finally:
        released.set()
