"""Blame end to end: real git histories, real records on refs/notes/aibom, the real CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

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
    # the commit's checkpoint record names only a.py: no agent hook reported writing b.py,
    # so the commit-level ai-generated origin does not reach it
    assert origins(found["b.py"]) == ["human"]
    assert found["b.py"][0].model is None


def test_errors_are_usage_errors(repo: GitRepo) -> None:
    repo.commit("one", files={"a.py": "a\n"})
    with pytest.raises(UsageError, match="not in HEAD"):
        blame(repo, "missing.py")
    with pytest.raises(UsageError, match="bad revision"):
        blame(repo, "a.py", rev="no-such-branch")
    with pytest.raises(UsageError, match="bad revision"):
        blame(repo, "a.py", rev="--all")


def test_a_range_is_refused_not_credited_to_its_bottom_commit(repo: GitRepo) -> None:
    ai_commit(repo, "feat", {"a.py": "a\nb\n"}, {"a.py": [(1, 2)]})
    repo.commit("human", files={"a.py": "a\nb\nc\n"})
    repo.commit("human again", files={"a.py": "a\nb\nc\nd\n"})
    # git would blame HEAD~1 (a boundary, a human commit) for the AI's lines 1-2
    for rev in ("HEAD~1..HEAD", "^HEAD~1"):
        with pytest.raises(UsageError, match="is a range"):
            blame(repo, "a.py", rev=rev)
    assert origins(blame(repo, "a.py")) == ["ai", "ai", "unknown", "unknown"]


def test_git_line_range_forms(repo: GitRepo, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    repo.commit("one", files={"a.py": "".join(f"{n}\n" for n in range(1, 11))})
    for form, expected in (("4,-2", [3, 4]), ("8", [8, 9, 10]), (",2", [1, 2]), ("2,+2", [2, 3])):
        code, out, err = run_cli(
            capsysbinary, "-C", str(repo.path), "blame", "a.py", "-L", form, "--format", "json"
        )
        assert code == 0, (form, err)
        assert [line["line"] for line in json.loads(out)["lines"]] == expected, form


def test_an_older_revision(repo: GitRepo) -> None:
    first = ai_commit(repo, "feat", {"a.py": "a\n"}, {"a.py": [(1, 1)]})
    repo.commit("human", files={"a.py": "A\n"})
    lines = blame(repo, "a.py", rev=first)
    assert [(line.text, line.origin) for line in lines] == [("a", "ai")]


# -- the command line ------------------------------------------------------------------------
def run_cli(capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> tuple[int, bytes, str]:
    from aibom.cli import main

    code = main(list(args))
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8", "replace")


@pytest.fixture
def history(repo: GitRepo) -> GitRepo:
    """A human line, two AI lines (ranges), a trailer-only line and an unrecorded line."""
    ai_commit(
        repo,
        "feat",
        {"src/app.py": "import os\ndef main():\n    return os.getcwd()\n"},
        {"src/app.py": [(2, 3)]},
        origin="ai-assisted",
    )
    human = repo.commit(
        "docs", files={"src/app.py": "import os  # cwd\ndef main():\n    return os.getcwd()\n"}
    )
    add_note(repo, human, generation("human", None, agent=None, session=None, confidence=0.5))
    repo.commit(
        f"more\n\nAI-Origin: ai-assisted\nAI-Model: {SONNET}",
        files={"src/app.py": "import os  # cwd\ndef main():\n    return os.getcwd()\nmain()\n"},
    )
    repo.commit(
        "tail",
        files={
            "src/app.py": "import os  # cwd\ndef main():\n    return os.getcwd()\nmain()\n# end\n"
        },
    )
    return repo


def test_cli_text_is_aligned_with_a_summary(
    history: GitRepo, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, out, err = run_cli(capsysbinary, "-C", str(history.path), "blame", "src/app.py")
    assert code == 0, err
    rows = out.decode().splitlines()
    assert len(rows) == 6
    cells = [row.split() for row in rows[:5]]
    assert [c[1] for c in cells] == ["human", "ai", "ai", "mixed", "unknown"]
    assert [c[2] for c in cells] == ["-", OPUS, OPUS, SONNET, "-"]
    assert [c[3] for c in cells] == ["1)", "2)", "3)", "4)", "5)"]
    assert rows[1].endswith(") def main():")
    assert len({row.index(")") for row in rows[:5]}) == 1  # the text starts in one column
    assert rows[5] == (
        "5 lines from 4 commits: human 20.0% (1), ai 40.0% (2), mixed 20.0% (1), unknown 20.0% (1)"
    )


def test_cli_json_has_lines_and_summary(
    history: GitRepo, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, out, _ = run_cli(
        capsysbinary, "-C", str(history.path), "blame", "src/app.py", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["path"] == "src/app.py"
    assert [line["origin"] for line in data["lines"]] == ["human", "ai", "ai", "mixed", "unknown"]
    assert data["lines"][1]["model"] == OPUS
    assert data["lines"][1]["session"] == "sess-1"
    assert data["lines"][3]["evidence"] == "trailer"
    assert data["summary"]["origins"] == {"human": 1, "ai": 2, "mixed": 1, "unknown": 1}
    assert data["summary"]["shares"]["ai"] == 0.4


def parse_aibom_porcelain(data: bytes) -> tuple[bytes, list[dict[str, str]]]:
    """(git's porcelain with the aibom lines taken out, the aibom values of every line),
    read the way the format's documentation says: last values per commit."""
    plain: list[bytes] = []
    current: dict[str, dict[str, str]] = {}
    per_line: list[dict[str, str]] = []
    commit = ""
    for row in data.split(b"\n"):
        if row.startswith(b"aibom-"):
            key, _, value = row.decode().partition(" ")
            current.setdefault(commit, {})[key] = value
            continue
        plain.append(row)
        if row.startswith(b"\t"):
            per_line.append(dict(current[commit]))
        elif row[:40].isalnum() and row[40:41] == b" ":
            commit = row[:40].decode()
    return b"\n".join(plain), per_line


@pytest.mark.parametrize("extra", [(), ("-L", "2,3"), ("--no-w", "-M", "-C")])
def test_cli_porcelain_is_git_porcelain_plus_aibom_headers(
    history: GitRepo, capsysbinary: pytest.CaptureFixture[bytes], extra: tuple[str, ...]
) -> None:
    code, out, _ = run_cli(
        capsysbinary,
        "-C",
        str(history.path),
        "blame",
        "src/app.py",
        *extra,
        "--format",
        "porcelain",
    )
    assert code == 0
    git_args = [a for a in extra if a != "--no-w"]
    if "--no-w" not in extra:
        git_args.append("-w")
    expected = history.git("blame", "--porcelain", *git_args, "HEAD", "--", "src/app.py").stdout
    plain, values = parse_aibom_porcelain(out)
    assert plain.decode() == expected
    _, json_out, _ = run_cli(
        capsysbinary, "-C", str(history.path), "blame", "src/app.py", *extra, "--format", "json"
    )
    lines = json.loads(json_out)["lines"]
    assert len(values) == len(lines) > 0
    for got, line in zip(values, lines, strict=True):
        assert got["aibom-origin"] == line["origin"]
        assert got["aibom-model"] == (line["model"] or "-")
        assert got["aibom-session"] == (line["session"] or "-")
        assert float(got["aibom-confidence"]) == line["confidence"]
        assert got["aibom-evidence"] == line["evidence"]


def test_cli_options_reach_git(repo: GitRepo, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    ai = ai_commit(repo, "feat", {"a.py": BODY}, {"a.py": [(1, 12)]})
    repo.commit("split", files={"a.py": "# moved\n", "b.py": "  " + BODY.replace("\n", "\n  ", 11)})
    base = ("-C", str(repo.path), "blame", "b.py", "--format", "json")
    _, out, _ = run_cli(capsysbinary, *base)
    assert {line["commit"] for line in json.loads(out)["lines"]} != {ai}
    code, out, err = run_cli(capsysbinary, *base, "-C", "-L", "1,+4", "-L", "10,12")
    assert code == 0, err
    lines = json.loads(out)["lines"]
    assert [line["line"] for line in lines] == [1, 2, 3, 4, 10, 11, 12]
    assert {line["commit"] for line in lines} == {ai}  # -w (the default) and -C together
    _, out, _ = run_cli(capsysbinary, *base, "-C", "--no-w")
    assert {line["commit"] for line in json.loads(out)["lines"]} != {ai}


def test_cli_paths_are_relative_to_where_it_runs(
    history: GitRepo, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, out, err = run_cli(
        capsysbinary, "-C", str(history.path / "src"), "blame", "app.py", "--format", "json"
    )
    assert code == 0, err
    assert json.loads(out)["path"] == "src/app.py"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("blame", "nope.py"), "nope.py is not in HEAD"),
        (("blame", "src/app.py", "no-such-rev"), "bad revision 'no-such-rev'"),
        (("blame", "src/app.py", "-L", "9,99"), "has only 5 lines"),
        (("blame", "src/app.py", "-L", "x"), "bad line range -L x"),
        (("blame", "../outside.py"), "is outside the repository"),
        (("blame", "logo.png"), "logo.png is a binary file in HEAD"),
        (("blame", "src/app.py", "HEAD^{tree}"), "bad revision 'HEAD^{tree}'"),
        (("blame", "src/app.py", "HEAD:src/app.py"), "bad revision 'HEAD:src/app.py'"),
        (("blame", "src/app.py", "HEAD~1..HEAD"), "is a range, not one revision"),
    ],
)
def test_cli_errors_are_one_line_with_a_hint_and_exit_2(
    history: GitRepo,
    capsysbinary: pytest.CaptureFixture[bytes],
    args: tuple[str, ...],
    message: str,
) -> None:
    (history.path / "logo.png").write_bytes(b"\x89PNG\0\0\x01\x02" * 10)
    history.git("add", "logo.png")
    history.git("commit", "-q", "-m", "logo")
    code, out, err = run_cli(capsysbinary, "-C", str(history.path), *args)
    assert code == 2
    assert out == b""
    assert message in err.splitlines()[0]
    assert err.splitlines()[1].startswith("  hint: ")
    assert "Traceback" not in err


def test_cli_outside_a_repository_exits_2(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, _, err = run_cli(capsysbinary, "-C", str(tmp_path), "blame", "x.py")
    assert code == 2
    assert "not inside a git repository" in err


def test_cli_as_a_process(history: GitRepo) -> None:
    proc = history.aibom("blame", "src/app.py", "-L", "2,2")
    assert proc.stdout.split()[1:3] == ["ai", OPUS]
    help_text = history.aibom("blame", "--help").stdout
    assert "aibom blame src/app.py v1.2 -L 10,40" in help_text


def test_demo_scene_shows_the_blame(history: GitRepo) -> None:
    import os

    from aibom.attribution.demo_blame import scene

    say = scene(history.path, dict(os.environ), "src/app.py")
    assert "$ aibom blame src/app.py" in say
    rows = say[say.index("$ aibom blame src/app.py") + 1 :]
    assert [row.split()[1] for row in rows[:5]] == ["human", "ai", "ai", "mixed", "unknown"]
    assert rows[-1].startswith("5 lines from 4 commits")


def test_benchmark_runs_and_reports_ratios() -> None:
    """A tiny run, so the benchmark keeps working (its ratios are not asserted here)."""
    import subprocess
    import sys

    bench = Path(__file__).resolve().parents[2] / "bench" / "bench_blame.py"
    proc = subprocess.run(
        [sys.executable, str(bench), "--runs", "1", "--commits", "12", "--lines", "40", "--json"],
        text=True,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["commits"] == 12
    assert 0 < result["commits_with_records"] < 12
    assert result["file_lines"] == 40
    assert set(result["ratios"]) == {
        "aibom blame / git blame --porcelain",
        "aibom blame --format porcelain / git blame --porcelain",
        "aibom blame (click) / git blame --porcelain",
        "blame_files (library) / git blame --porcelain",
        "aibom --version / git blame --porcelain",
        "python -c 'import click' / git blame --porcelain",
    }
    assert all(value > 0 for value in result["ratios"].values())


def test_end_to_end_with_hooks_checkpoints_and_a_formatter(
    make_repo: Callable[..., GitRepo],
) -> None:
    """aibom install + an agent's checkpoints -> records at commit -> aibom blame; a person's
    reformat keeps the AI's credit, a person's real edit takes it."""
    repo = make_repo(install=True)
    repo.commit("base", files={"calc.py": "def add(a, b):\n    return a + b\n"})
    flags = [
        "--file",
        "calc.py",
        "--model",
        "anthropic/claude-opus-4-5-20251101",
        "--session",
        "s1",
    ]
    repo.aibom("checkpoint", "aider", *flags, "--phase", "pre")
    repo.write("calc.py", "def add(a, b):\n    return a + b\n\ndef mul(a, b):\n    return a * b\n")
    repo.aibom("checkpoint", "aider", *flags, "--phase", "post")
    repo.git("commit", "-q", "-am", "mul")
    ai = repo.head()
    repo.write("calc.py", "def add(a, b):\n    return a + b\n\ndef mul(a, b):\n  return a * b\n")
    repo.git("commit", "-q", "-am", "reformat")
    repo.write("calc.py", "def add(a, b):\n    return a + b\n\ndef mul(x, y):\n  return a * b\n")
    repo.git("commit", "-q", "-am", "rename the parameters")
    human = repo.head()
    data = json.loads(repo.aibom("blame", "calc.py", "--format", "json").stdout)
    got = [(line["commit"], line["origin"], line["model"]) for line in data["lines"]]
    assert got[3] == (human, "human", None)
    assert got[4] == (ai, "ai", OPUS)  # re-indented by a person: still the AI's line
    assert data["lines"][4]["evidence"] == "hook-observed"
    assert data["lines"][4]["session"] == "s1"
    assert [origin for _, origin, _ in got[:3]] == ["human", "human", "ai"]  # base, base, agent


def test_the_head_start_and_the_bulk_lookup_agree(repo: GitRepo) -> None:
    """Without the history read alongside git blame, the bulk lookup finds the same credit."""
    from aibom.attribution.blame import attribute_lines, run_blame

    ai_commit(repo, "feat", {"a.py": BODY, "b.py": "b\n"}, {"a.py": [(2, 5)], "b.py": [(1, 1)]})
    repo.git("mv", "b.py", "c.py")
    repo.commit("copy and rename", files={"d.py": BODY, "c.py": "b\nc\n"})
    repo.commit(f"x\n\nAI-Origin: ai-generated\nAI-Model: {SONNET}", files={"c.py": "b\nc\nd\n"})
    found = discover(repo.path)
    for path, options in [("d.py", BlameOptions(detect_copies=2)), ("c.py", BlameOptions())]:
        expected = blame_files(found, [path], options)[path]
        alone = attribute_lines(found, [run_blame(found, path, options)], None)[path]
        assert alone == expected
        assert "ai" in origins(expected)


def test_a_line_written_in_a_merge_is_credited_from_the_merge_note(repo: GitRepo) -> None:
    repo.commit("base", files={"m.py": "x = 0\n"})
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("topic", files={"m.py": "x = 1\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", files={"m.py": "x = 2\n"})
    repo.git("merge", "-q", "topic", check=False)  # conflict: resolved by the agent below
    repo.write("m.py", "x = max(1, 2)\n")
    repo.git("add", "m.py")
    repo.git("commit", "-q", "--no-edit", env=AI_ENV)
    merge = repo.head()
    entry = ("m.py", blob(repo, merge, "m.py"), [conversation("ai", [(1, 1)], slug=SONNET)])
    add_note(repo, merge, generation("human", None), attribution([entry]))
    (line,) = blame(repo, "m.py")
    assert (line.commit, line.origin, line.model) == (merge, "ai", SONNET)


def test_a_message_cannot_rewrite_another_commits_credit(repo: GitRepo) -> None:
    """A commit on a side branch, dated before the AI commit it names, whose trailer holds
    what a fixed log separator would be followed by that commit's id and a human origin: git
    lists it after the AI commit, and it overwrote that commit's credit (AI lines blamed as
    human). Field and entry markers now carry a random part no message can spell."""
    base = repo.commit("base", files={"a.py": "one\nx\ny\ntwo\n"})
    ai = ai_commit(repo, "ai line", {"a.py": "AI\nx\ny\ntwo\n"}, {"a.py": [(1, 1)]})
    repo.git("checkout", "-q", "-b", "side", base)
    forged = f"\x1eC\x1f{ai}\x1f"
    message = "side\n\nX-Note: " + forged + "\nAI-Origin: human\nX-End: \x1f\x1fE\x1f\n"
    repo.write("a.py", "one\nx\ny\nTWO\n")
    repo.git("add", "a.py")
    old = {"GIT_COMMITTER_DATE": "@1000000000 +0000", "GIT_AUTHOR_DATE": "@1000000000 +0000"}
    repo.git("commit", "-q", "-F", "-", input=message, env=old)
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-edit", "side")
    lines = blame(repo, "a.py")
    assert (lines[0].commit, lines[0].origin) == (ai, "ai")


def test_the_history_of_many_paths_without_a_pathspec_is_the_same(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More paths than git's pathspec matching is quick for: every commit is listed and the
    ones that changed none of the paths are dropped in Python; the same history either way."""
    from aibom.attribution import resolve

    for n in range(30):
        files = {f"d{n % 3}/f{n % 7}.py": f"v{n}\n"}
        if n % 5 == 0:
            files["other.txt"] = f"o{n}\n"
        ai = "\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-5-codex" if n % 2 else ""
        repo.commit(f"c{n}{ai}", files=files)
    repo.git("rm", "-q", "d0/f0.py")
    repo.commit("drop one")
    paths = sorted({f"d{n % 3}/f{n % 7}.py" for n in range(30)} - {"d0/f0.py"})
    target = discover(repo.path)
    monkeypatch.setattr(resolve, "_MANY_PATHS", 1000)
    with_pathspec = resolve.history(target, "HEAD", paths)
    monkeypatch.setattr(resolve, "_MANY_PATHS", 1)
    without = resolve.history(target, "HEAD", paths)
    assert without.blobs == with_pathspec.blobs and len(without.blobs) > 10
    assert without.raw == {sha: with_pathspec.raw[sha] for sha in without.raw}
    assert set(without.raw) == {sha for sha, _ in with_pathspec.blobs}
