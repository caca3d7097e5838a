"""Regressions found in review of ``aibom trace`` / ``aibom stats``: each test failed before
its fix (output paths, non-UTF-8 output files, renames, help text)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GitRepo

OPUS = "anthropic/claude-opus-4-5-20251101"
NO_HOOKS = ("-c", "core.hooksPath=/dev/null")
TEN = "".join(f"opus_{i} = {i}\n" for i in range(1, 11))


def _ai_commit(repo: GitRepo, files: dict[str, str], model: str = OPUS) -> str:
    repo.aibom("session", "start", "--agent", "claude-code/2.0.14", "--model", model)
    sha = repo.commit("ai writes", files=files)
    repo.aibom("session", "end")
    return sha


def _one_line_usage_error(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[-2].startswith("aibom: error: ") and lines[-1].strip().startswith("hint: ")


@pytest.mark.parametrize("command", ["trace", "stats"])
def test_output_into_a_missing_directory_is_a_usage_error(
    repo: GitRepo, tmp_path: Path, command: str
) -> None:
    _ai_commit(repo, {"b.py": TEN})
    target = tmp_path / "no" / "such" / "dir" / "out.json"
    args = ["--model", "anthropic/claude-opus-4-5"] if command == "trace" else []
    proc = repo.aibom(command, *args, "-o", str(target), check=False)
    _one_line_usage_error(proc)
    assert "out.json" in proc.stderr
    assert not (tmp_path / "no").exists()


def test_output_onto_a_directory_or_unwritable_place(repo: GitRepo, tmp_path: Path) -> None:
    _ai_commit(repo, {"b.py": TEN})
    for target in (str(tmp_path / "x" / ".."), "/proc/aibom-out.json"):
        proc = repo.aibom("trace", "--model", OPUS, "-o", target, check=False)
        _one_line_usage_error(proc)


def _non_utf8_repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    repo = make_repo()
    name = b"caf\xe9.py"
    with open(bytes(repo.path) + b"/" + name, "wb") as fh:
        fh.write(b"x = 1\n")
    repo.git("add", "-A")
    message = b"r\xe9sum\xe9\n\nAI-Origin: ai-generated\nAI-Model: " + OPUS.encode() + b"\n"
    subprocess.run(
        ["git", *NO_HOOKS, "commit", "-q", "-F", "-"],
        cwd=repo.path,
        input=message,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return repo


def test_csv_file_with_a_non_utf8_path_keeps_its_bytes(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    repo = _non_utf8_repo(make_repo)
    out = tmp_path / "trace.csv"
    proc = repo.aibom(
        "trace", "--model", OPUS, "--surviving", "--format", "csv", "-o", str(out), check=False
    )
    assert proc.returncode == 0, proc.stderr
    raw = out.read_bytes()
    assert b"caf\xe9.py" in raw  # the path's own bytes, as git has them (and as stdout gets)
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8", "surrogateescape"))))
    assert [r["kind"] for r in rows] == ["commit", "surviving"]


def test_fail_if_found_help_says_unknown_models_exit_0(repo: GitRepo) -> None:
    text = " ".join(repo.aibom("trace", "--help").stdout.split())
    assert "exit 1 with --fail-if-found" not in text
    assert "exit 0 even with --fail-if-found" in text
    unknown = repo.aibom("trace", "--model", "acme/nothing-9", "--fail-if-found", check=False)
    assert unknown.returncode == 0


def _json(repo: GitRepo, *args: str) -> Any:
    return json.loads(repo.aibom(*args, "--format", "json").stdout)


def _renamed_history(repo: GitRepo) -> str:
    """A person adds a line; AI writes 10 lines in b.py; a person renames b.py (git mv,
    nothing else), then rewrites 2 of its lines under the new name."""
    repo.commit("human", files={"README.md": "hello\n"})
    sha = _ai_commit(repo, {"b.py": TEN})
    repo.git("mv", "b.py", "lib.py")
    repo.git("commit", "-q", "-m", "person renames b.py")
    text = TEN.replace("opus_3 = 3", "person_3 = 3").replace("opus_7 = 7", "person_7 = 7")
    repo.commit("person edits lib.py", files={"lib.py": text})
    return sha


def test_stats_follow_a_rename_by_a_person(repo: GitRepo) -> None:
    _renamed_history(repo)
    data = _json(repo, "stats")
    assert data["ai_lines_added"] == 10
    assert data["ai_lines_alive"] == 8  # was 0: the rename "deleted" all ten
    assert data["ai_lines_modified_by_people"] == 2  # was 10


def test_stats_replay_reads_quoted_paths(repo: GitRepo) -> None:
    """A path git quotes (a double quote in its name), renamed and then deleted by people."""
    _ai_commit(repo, {'we"ird.py': TEN})
    repo.git("mv", 'we"ird.py', 'still "weird".py')
    repo.git("commit", "-q", "-m", "person renames")
    repo.commit("person edits", files={'still "weird".py': TEN.replace("opus_1 = 1", "p = 1")})
    data = _json(repo, "stats")
    assert (data["ai_lines_alive"], data["ai_lines_modified_by_people"]) == (9, 1)
    repo.git("rm", "-q", 'still "weird".py')
    repo.git("commit", "-q", "-m", "person deletes it")
    data = _json(repo, "stats")
    assert (data["ai_lines_alive"], data["ai_lines_modified_by_people"]) == (0, 10)


def test_surviving_follows_a_rename_by_a_person(repo: GitRepo) -> None:
    sha = _renamed_history(repo)
    data = _json(repo, "trace", "--model", "anthropic/claude-opus-4-5", "--surviving")
    lines = data["surviving"]["lines"]
    assert {line["path"] for line in lines} == {"lib.py"}  # was: nothing blamed at all
    assert {line["commit"] for line in lines} == {sha}
    assert [line["line"] for line in lines] == [1, 2, 4, 5, 6, 8, 9, 10]


def test_surviving_follows_renames_in_a_chain(repo: GitRepo) -> None:
    _ai_commit(repo, {"a.py": TEN})
    for old, new in (("a.py", "b.py"), ("b.py", "pkg/c.py")):
        (repo.path / "pkg").mkdir(exist_ok=True)
        repo.git("mv", old, new)
        repo.git("commit", "-q", "-m", f"person moves {old}")
    repo.commit("an unrelated new a.py", files={"a.py": "human = 1\n"})
    data = _json(repo, "trace", "--model", OPUS, "--surviving")
    assert {line["path"] for line in data["surviving"]["lines"]} == {"pkg/c.py"}
    assert len(data["surviving"]["lines"]) == 10


def _merged_history(repo: GitRepo) -> str:
    """Pull-request style: AI writes b.py on a branch, a person edits 1 of its lines there,
    main moves on, the branch is merged with a merge commit (--no-ff)."""
    repo.commit("human", files={"README.md": "hello\n"})
    branch = repo.git("symbolic-ref", "--short", "HEAD").stdout.strip()
    repo.git("checkout", "-q", "-b", "feature")
    sha = _ai_commit(repo, {"b.py": TEN})
    repo.commit("person fixes one", files={"b.py": TEN.replace("opus_2 = 2", "fixed = 2")})
    repo.git("checkout", "-q", branch)
    repo.commit("person elsewhere", files={"m.txt": "m\n"})
    repo.git("merge", "-q", "--no-ff", "feature", "-m", "Merge feature")
    return sha


def test_stats_credit_lines_merged_from_a_branch_to_their_authors(repo: GitRepo) -> None:
    _merged_history(repo)
    data = _json(repo, "stats")
    assert data["ai_lines_added"] == 10
    assert data["ai_lines_alive"] == 9  # was 0: the merge commit took all of them
    assert data["ai_lines_modified_by_people"] == 1  # the branch's fix, counted once
    repo.commit("person edits after the merge", files={"b.py": TEN.replace("opus_", "p_", 3)})
    data = _json(repo, "stats")
    assert (data["ai_lines_alive"], data["ai_lines_modified_by_people"]) == (7, 3)


def test_stats_alive_agrees_with_blame_across_merges(repo: GitRepo) -> None:
    sha = _merged_history(repo)
    blamed = _json(repo, "trace", "--model", OPUS, "--surviving")["surviving"]["lines"]
    by_model = _json(repo, "stats", "--by", "model")["groups"]
    (opus,) = [g for g in by_model if g["key"] == OPUS]
    assert opus["ai_lines_alive"] == len([b for b in blamed if b["commit"] == sha]) == 9


@pytest.mark.parametrize(
    "option", [("--session", "a\nb"), ("--session", "a\x1bb"), ("--agent", "codex\n(x")]
)
def test_control_characters_in_agent_or_session_are_usage_errors(
    repo: GitRepo, option: tuple[str, str]
) -> None:
    _ai_commit(repo, {"b.py": TEN})
    proc = repo.aibom("trace", *option, check=False)
    _one_line_usage_error(proc)  # was: git's "missing closing parenthesis", exit 3


def test_months_are_utc_and_say_so(repo: GitRepo) -> None:
    """Late on 31 January in New York is February in UTC: the month the help promises."""
    when = "2026-01-31T23:30:00-05:00"
    repo.commit("late", files={"a.py": "a\n"}, env={"GIT_COMMITTER_DATE": when})
    groups = _json(repo, "stats", "--by", "month", "--no-lines")["groups"]
    assert [g["key"] for g in groups] == ["2026-02"]
    assert "UTC" in repo.aibom("stats", "--help").stdout


def test_stats_replay_ignores_diff_prefix_configuration(repo: GitRepo) -> None:
    """diff.noprefix (a common setting) must not change what the replay reads."""
    repo.git("config", "diff.noprefix", "true")
    _ai_commit(repo, {"b/x.py": TEN})
    repo.git("rm", "-q", "b/x.py")
    repo.git("commit", "-q", "-m", "person deletes b/x.py")
    data = _json(repo, "stats")
    assert (data["ai_lines_alive"], data["ai_lines_modified_by_people"]) == (0, 10)


def test_csv_cells_a_spreadsheet_would_evaluate_are_neutralised(repo: GitRepo) -> None:
    """A file name or line text starting with = + - @ is repository data, not a formula."""
    _ai_commit(repo, {"=SUM(1).py": "-1+2\n@cmd\nok = 1\n"})
    proc = repo.aibom("trace", "--model", OPUS, "--surviving", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    commit, *lines = rows
    assert commit["path"] == "'=SUM(1).py"
    assert [(r["path"], r["line"], r["text"]) for r in lines] == [
        ("'=SUM(1).py", "1", "'-1+2"),
        ("'=SUM(1).py", "2", "'@cmd"),
        ("'=SUM(1).py", "3", "ok = 1"),
    ]
    assert "gets a leading '" in " ".join(repo.aibom("trace", "--help").stdout.split())
