"""``aibom trace`` end to end on scripted repositories: real git, real hooks, the real CLI."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aibom import __version__
from aibom.attribution import model as attr
from aibom.notes.records import Record
from tests.conftest import GitRepo

OPUS = "anthropic/claude-opus-4-5-20251101"
OPUS_41 = "anthropic/claude-opus-4-1-20250805"
GPT = "openai/gpt-4o-2024-08-06"
GEMINI = "google/gemini-2.5-pro"
NO_HOOKS = ("-c", "core.hooksPath=/dev/null")
LINES = "".join(f"opus_line_{i} = {i}\n" for i in range(1, 11))


@dataclass(frozen=True)
class Scripted:
    repo: GitRepo
    human: str
    opus: str
    opus41: str
    trailer_only: str
    imported: str
    edit: str


def _session_commit(
    repo: GitRepo, agent: str, model: str, message: str, files: dict[str, str]
) -> str:
    repo.aibom("session", "start", "--agent", agent, "--model", model)
    sha = repo.commit(message, files=files)
    repo.aibom("session", "end")
    return sha


def _plain_commit(repo: GitRepo, message: str, files: dict[str, str]) -> str:
    for name, content in files.items():
        repo.write(name, content)
        repo.git("add", name)
    repo.git(*NO_HOOKS, "commit", "-q", "-m", message)
    return repo.head()


def _import_attribution(repo: GitRepo, sha: str, path: str, model: str) -> None:
    """What the interop importer writes for a git-ai note: an imported attribution record."""
    blob = repo.git("rev-parse", f"{sha}:{path}").stdout.strip()
    lines = (repo.path / path).read_text().splitlines()
    conversation = attr.Conversation(
        "ai",
        attr.ranges_for(range(1, len(lines) + 1), lines),
        model_id=model,
        agent="cursor/1.7.2",
        evidence="imported",
    )
    body = attr.to_body(
        [attr.FileAttribution(path, blob, [conversation])], __version__, ("git-ai", None)
    )
    line = Record.create("attribution", body).line
    repo.git("notes", "--ref", "refs/notes/aibom", "append", "-m", line, sha)


@pytest.fixture
def scripted(repo: GitRepo) -> Scripted:
    human = repo.commit("human start", files={"README.md": "hello\n"})
    opus = _session_commit(repo, "claude-code/2.0.14", OPUS, "opus writes b", {"b.py": LINES})
    opus41 = _session_commit(
        repo, "claude-code/2.0.14", OPUS_41, "opus 4.1 writes c", {"c.py": "c = 1\n"}
    )
    trailer_only = _plain_commit(
        repo,
        f"gpt writes d\n\nAI-Origin: ai-generated\nAI-Model: {GPT}\nAI-Agent: codex/0.46.0\n",
        {"d.py": "d = 1\nd2 = 2\n"},
    )
    imported = _plain_commit(repo, "cursor via git-ai", {"e.py": "e = 1\ne2 = 2\ne3 = 3\n"})
    _import_attribution(repo, imported, "e.py", GEMINI)
    edited = LINES.replace("opus_line_2 = 2", "human_2 = 2").replace(
        "opus_line_5 = 5", "human_5 = 5"
    )
    edited = edited.replace("opus_line_9 = 9\n", "")
    edit = repo.commit("human edits b", files={"b.py": edited})
    return Scripted(repo, human, opus, opus41, trailer_only, imported, edit)


def _trace(repo: GitRepo, *args: str, check: bool = True) -> Any:
    proc = repo.aibom("trace", *args, "--format", "json", check=check)
    return json.loads(proc.stdout)


def _shas(data: Any) -> list[str]:
    return [c["sha"] for c in data["commits"]]


@pytest.mark.parametrize(
    "query",
    [
        "anthropic/claude-opus-4-5",
        "anthropic/claude-opus-4-5@20251101",
        OPUS,
        "Claude Opus 4.5",
        "ANTHROPIC/Claude_Opus_4.5",
    ],
)
def test_family_exact_display_and_case(scripted: Scripted, query: str) -> None:
    assert _shas(_trace(scripted.repo, "--model", query)) == [scripted.opus]


def test_other_snapshot_and_family_are_apart(scripted: Scripted) -> None:
    assert _shas(_trace(scripted.repo, "--model", "anthropic/claude-opus-4-1")) == [scripted.opus41]
    assert _shas(_trace(scripted.repo, "--model", "anthropic/claude-opus-4-5@20990101")) == []


def test_trailer_only_commits_are_found(scripted: Scripted) -> None:
    data = _trace(scripted.repo, "--model", "openai/gpt-4o")
    assert _shas(data) == [scripted.trailer_only]
    commit = data["commits"][0]
    assert commit["source"] == "trailer"
    assert commit["files"] == [{"path": "d.py", "added": None, "deleted": None}]
    assert _shas(_trace(scripted.repo, "--model", "4o")) == [scripted.trailer_only]


def test_imported_records_are_found(scripted: Scripted) -> None:
    data = _trace(scripted.repo, "--model", "Gemini 2.5 Pro")
    assert _shas(data) == [scripted.imported]
    assert data["commits"][0]["source"] == "git-ai"
    assert _shas(_trace(scripted.repo, "--agent", "cursor")) == [scripted.imported]


def test_agent_and_session(scripted: Scripted) -> None:
    assert _shas(_trace(scripted.repo, "--agent", "claude-code")) == [
        scripted.opus41,
        scripted.opus,
    ]
    assert _shas(_trace(scripted.repo, "--agent", "codex/0.46.0")) == [scripted.trailer_only]
    sessions = _trace(scripted.repo, "--model", OPUS)["commits"][0]["sessions"]
    assert sessions and _shas(_trace(scripted.repo, "--session", sessions[0])) == [scripted.opus]


def test_surviving_after_human_edits(scripted: Scripted) -> None:
    data = _trace(scripted.repo, "--model", "anthropic/claude-opus-4-5", "--surviving")
    surviving = data["surviving"]
    lines = surviving["lines"]
    assert [line["text"] for line in lines] == [
        f"opus_line_{i} = {i}" for i in (1, 3, 4, 6, 7, 8, 10)
    ]
    assert {line["commit"] for line in lines} == {scripted.opus}
    assert {line["path"] for line in lines} == {"b.py"}
    older = _trace(
        scripted.repo, "--model", "anthropic/claude-opus-4-5", "--surviving", scripted.opus41
    )
    assert len(older["surviving"]["lines"]) == 10


def test_surviving_text_and_csv(scripted: Scripted) -> None:
    text = scripted.repo.aibom(
        "trace", "--model", "anthropic/claude-opus-4-5", "--surviving"
    ).stdout
    assert "surviving in HEAD: 7 lines" in text and "b.py: 7" in text
    proc = scripted.repo.aibom("trace", "--model", OPUS, "--surviving", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [r["kind"] for r in rows].count("commit") == 1
    assert [r["kind"] for r in rows].count("surviving") == 7


def test_range(scripted: Scripted) -> None:
    repo = scripted.repo
    assert _shas(_trace(repo, "--agent", "claude-code", "--range", f"{scripted.opus}..HEAD")) == [
        scripted.opus41
    ]
    proc = repo.aibom("trace", "--model", OPUS, "--range", "nosuch..HEAD", check=False)
    assert (
        proc.returncode == 2
        and "bad revision range" in proc.stderr
        and "Traceback" not in proc.stderr
    )
    proc = repo.aibom("trace", "--model", OPUS, "--range", "--all", check=False)
    assert proc.returncode == 2


def test_fail_if_found_and_unknown_models(scripted: Scripted) -> None:
    repo = scripted.repo
    found = repo.aibom("trace", "--model", OPUS, "--fail-if-found", check=False)
    assert found.returncode == 1 and scripted.opus[:10] in found.stdout
    unknown = repo.aibom("trace", "--model", "acme/nothing-9", "--fail-if-found", check=False)
    assert unknown.returncode == 0 and "no commits by model acme/nothing-9" in unknown.stdout
    data = _trace(repo, "--model", "acme/nothing-9")
    assert data["found"] is False and data["commits"] == []


@pytest.mark.parametrize("bad", ["frobnicator", "anthropic/claude@", "a@b@c", ""])
def test_malformed_model_is_a_usage_error(scripted: Scripted, bad: str) -> None:
    proc = scripted.repo.aibom("trace", "--model", bad, check=False)
    assert proc.returncode == 2
    assert "PROVIDER/MODEL[@VERSION]" in proc.stderr and "Traceback" not in proc.stderr


def test_needs_exactly_one_question(scripted: Scripted) -> None:
    proc = scripted.repo.aibom("trace", check=False)
    assert proc.returncode == 2 and "exactly one of --model" in proc.stderr
    proc = scripted.repo.aibom("trace", "--model", OPUS, "--agent", "x", check=False)
    assert proc.returncode == 2


def test_output_file_only_after_success(scripted: Scripted, tmp_path: Path) -> None:
    out = tmp_path / "trace.json"
    bad = scripted.repo.aibom(
        "trace", "--model", OPUS, "--range", "nosuch..", "-o", str(out), check=False
    )
    assert bad.returncode == 2 and not out.exists()
    scripted.repo.aibom("trace", "--model", OPUS, "--format", "json", "-o", str(out))
    assert _shas(json.loads(out.read_text())) == [scripted.opus]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".aibom-")]


def test_repository_without_notes(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.commit("human")
    sha = _plain_commit(repo, f"ai\n\nAI-Origin: ai-assisted\nAI-Model: {OPUS}\n", {"x.py": "x\n"})
    proc = repo.aibom("trace", "--model", "anthropic/claude-opus-4-5", "--format", "json")
    assert "no aibom notes" in proc.stderr
    assert _shas(json.loads(proc.stdout)) == [sha]


def test_empty_repository(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    proc = repo.aibom("trace", "--model", OPUS, "--format", "json")
    assert json.loads(proc.stdout)["commits"] == []


def test_shallow_clone_warns(
    scripted: Scripted, make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    clone = tmp_path / "shallow"
    scripted.repo.git("clone", "-q", "--depth", "2", f"file://{scripted.repo.path}", str(clone))
    proc = GitRepo(clone).aibom("trace", "--model", OPUS, check=False)
    assert proc.returncode == 0 and "shallow clone" in proc.stderr


def test_progress_stays_off_stderr_when_not_a_tty(scripted: Scripted) -> None:
    proc = scripted.repo.aibom("trace", "--model", OPUS, "--surviving")
    assert "\r" not in proc.stderr and "tracing" not in proc.stderr


def test_in_process_cli(
    scripted: Scripted, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aibom.cli import main

    monkeypatch.chdir(scripted.repo.path)
    assert main(["trace", "--model", OPUS, "--format", "json"]) == 0
    assert _shas(json.loads(capsys.readouterr().out)) == [scripted.opus]
    assert main(["trace", "--help"]) == 0
    assert "aibom trace --model anthropic/claude-opus-4-5" in capsys.readouterr().out


def test_db_gives_the_same_commits(scripted: Scripted, tmp_path: Path) -> None:
    db = str(tmp_path / "index.sqlite3")
    scripted.repo.aibom("index", "--db", db)
    for query in (("--model", "anthropic/claude-opus-4-5"), ("--agent", "claude-code")):
        assert _shas(_trace(scripted.repo, *query, "--db", db)) == _shas(
            _trace(scripted.repo, *query)
        )
    proc = scripted.repo.aibom("trace", "--model", OPUS, "--db", db, "--surviving", check=False)
    assert proc.returncode == 2 and "leave out --db" in proc.stderr


def _at_a_terminal(repo: GitRepo, *args: str) -> tuple[bytes, bytes]:
    """Run ``aibom ARGS`` with stderr on a pseudo-terminal: (stdout, what the terminal got)."""
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "aibom.cli", *args],
            cwd=repo.path,
            stdout=subprocess.PIPE,
            stderr=slave,
            timeout=120,
            check=True,
        )
        os.close(slave)
        slave = -1
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if slave != -1:
            os.close(slave)
        os.close(master)
    return proc.stdout, shown


def test_progress_at_a_terminal(scripted: Scripted) -> None:
    out, shown = _at_a_terminal(scripted.repo, "trace", "--model", OPUS, "--format", "json")
    assert b"tracing model anthropic/claude-opus-4-5@20251101: 1" in shown
    assert _shas(json.loads(out)) == [scripted.opus]  # stdout stays clean JSON


def test_long_steps_count_at_a_terminal(scripted: Scripted) -> None:
    """The blame pass of --surviving counts files; the line replay of stats counts commits."""
    _, shown = _at_a_terminal(scripted.repo, "trace", "--model", OPUS, "--surviving")
    assert re.search(rb"blaming the files of 1 commits at HEAD: (\d+)/\1", shown)
    _, shown = _at_a_terminal(scripted.repo, "stats", "--format", "json")
    total = len(scripted.repo.git("rev-list", "HEAD").stdout.split())
    assert f"replaying the history of HEAD: {total}/{total} commits".encode() in shown


def test_demo_scene(tmp_path: Path) -> None:
    from aibom import demo
    from aibom.forensics.demo import scene

    target = tmp_path / "payments"
    target.mkdir()
    demo.build(target)
    text = "\n".join(scene(target, demo._clean_env()))
    assert "$ aibom trace --model anthropic/claude-opus-4-5 --surviving" in text
    assert "model anthropic/claude-opus-4-5: 1 commit, 1 file" in text
    assert "surviving in HEAD: 2 lines" in text and "$ aibom stats --by model" in text
    assert "anthropic/claude-opus-4-5-20251101" in text.split("$ aibom stats")[1]


def test_non_utf8_message_and_path_give_valid_output(make_repo: Callable[..., GitRepo]) -> None:
    import subprocess

    repo = make_repo()
    name = b"caf\xe9.py"
    with open(bytes(repo.path) + b"/" + name, "wb") as fh:
        fh.write(b"x = 1\n")
    repo.git("add", "-A")
    message = b"r\xe9sum\xe9\x1b[31m\n\nAI-Origin: ai-generated\nAI-Model: " + OPUS.encode() + b"\n"
    subprocess.run(
        ["git", *NO_HOOKS, "commit", "-q", "-F", "-"],
        cwd=repo.path,
        input=message,
        check=True,
        capture_output=True,
        timeout=60,
    )
    proc = repo.aibom("trace", "--model", OPUS, "--format", "json")
    data = json.loads(proc.stdout)
    assert len(data["commits"]) == 1 and data["commits"][0]["files"][0]["path"].startswith("caf")
    text = repo.aibom("trace", "--model", OPUS).stdout
    assert "\x1b" not in text and "1 commit" in text


def test_a_message_cannot_hide_its_commit(make_repo: Callable[..., GitRepo]) -> None:
    """A message holding the bytes the log reader cut entries at (they were a fixed
    \\x1eC\\x1f) made its commit vanish from trace, stats and the index."""
    import subprocess

    repo = make_repo()
    repo.commit("human", files={"h.py": "h\n"})
    repo.write("x.py", "x = 1\n")
    repo.git("add", "x.py")
    message = f"hide \x1eC\x1f me\n\nAI-Origin: ai-generated\nAI-Model: {OPUS}\n"
    subprocess.run(
        ["git", *NO_HOOKS, "commit", "-q", "-F", "-"],
        cwd=repo.path,
        input=message.encode(),
        check=True,
        capture_output=True,
        timeout=60,
    )
    sha = repo.head()
    proc = repo.aibom("trace", "--model", OPUS, "--format", "json")
    assert _shas(json.loads(proc.stdout)) == [sha]
    stats = json.loads(repo.aibom("stats", "--format", "json").stdout)
    assert (stats["commits"], stats["ai_commits"], stats["ai_lines_alive"]) == (2, 1, 1)
    repo.aibom("index")
    db = str(repo.path / ".git" / "aibom" / "index.sqlite3")
    indexed = repo.aibom("trace", "--model", OPUS, "--db", db, "--format", "json")
    assert _shas(json.loads(indexed.stdout)) == [sha]


def test_a_field_separator_in_a_name_or_message_shifts_nothing(
    make_repo: Callable[..., GitRepo],
) -> None:
    """An author name holding \\x1f, and a message holding \\x1f before a made-up record (a
    fixed field separator made the tail of the message read as the commit's note)."""
    repo = make_repo()
    odd = {"GIT_AUTHOR_NAME": "Mal\x1flory", "GIT_AUTHOR_EMAIL": "m\x1f@example.test"}
    repo.commit(f"ai\n\nAI-Origin: ai-generated\nAI-Model: {OPUS}", files={"a.py": "a\n"}, env=odd)
    record = '{"kind":"generation","models":["openai/gpt-5-codex"],"origin":"ai-generated"}'
    repo.commit(f"human\n\nnote follows\x1f{record}", files={"b.py": "b\n"})
    found = json.loads(repo.aibom("trace", "--model", OPUS, "--format", "json").stdout)
    (commit,) = found["commits"]
    assert commit["author"] == "Mal\x1flory <m\x1f@example.test>" and commit["committed"] > 0
    assert commit["subject"] == "ai"
    codex = json.loads(
        repo.aibom("trace", "--model", "openai/gpt-5-codex", "--format", "json").stdout
    )
    assert codex["commits"] == []


def test_surviving_along_chains_equals_plain_blame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a linear history --surviving blames each file along the commits that touched it
    (git blame -S); the lines found are the same as plain blame's, and are many."""
    from aibom import gitutil
    from aibom.forensics import surviving as sv
    from aibom.forensics.query import TraceQuery
    from aibom.forensics.source import GitSource
    from aibom.forensics.trace import trace
    from aibom.testing.synthrepo import generate

    generate(tmp_path / "r", commits=400, seed=7)
    repo = gitutil.discover(tmp_path / "r")
    query = TraceQuery.build(model="anthropic/claude-opus-4-5")
    result = trace(GitSource(repo), query)
    seen: list[int] = []
    real_chains = sv.path_chains  # type: ignore[attr-defined]

    def counted(ancestry: Any) -> dict[str, tuple[str, ...]]:
        found = real_chains(ancestry)
        seen.append(len(found))
        return found

    monkeypatch.setattr(sv, "path_chains", counted)
    chained = sv.surviving(repo, result, query)
    monkeypatch.setattr(sv, "path_chains", lambda a: {})
    plain = sv.surviving(repo, result, query)
    assert seen and seen[0] > 0 and chained.lines
    assert chained == plain
