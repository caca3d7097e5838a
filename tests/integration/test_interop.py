"""End to end: git-ai notes and Agent Trace records imported through the CLI, Agent Trace exported,
validated against the schema and imported back into a fresh clone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from aibom.attribution import model
from tests.conftest import GitRepo

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "interop"
APP = "".join(f"def f{n}(): return {n}\n" for n in range(1, 9))  # 8 lines
README = "# Title\n\nSome words.\n"
OPUS = "anthropic/claude-opus-4-5-20251101"

Ranges = tuple[tuple[int, int], ...]
Fact = tuple[str, str, str | None, Ranges]  # path, contributor, model, ranges


def _records(repo: GitRepo, rev: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in repo.note(rev).splitlines() if line.strip()]


def _facts(repo: GitRepo, rev: str, source: str | None = None) -> set[Fact]:
    found: set[Fact] = set()
    for record in _records(repo, rev):
        if record["kind"] != "attribution":
            continue
        if source is not None and record.get("source", {}).get("type") != source:
            continue
        for f in model.from_data(record):
            for c in f.conversations:
                spans = tuple((r.start, r.end) for r in c.ranges)
                found.add((f.path, c.contributor, c.model_id, spans))
    return found


def _notes_tip(repo: GitRepo, ref: str = "refs/notes/aibom") -> str:
    proc = repo.git("rev-parse", "-q", "--verify", ref, check=False)
    return proc.stdout.strip()


def _add_gitai_note(repo: GitRepo, rev: str, fixture: str) -> None:
    path = FIXTURES / "gitai" / fixture
    repo.git("notes", "--ref", "refs/notes/ai", "add", "-f", "-F", str(path), rev)


@pytest.fixture
def gitai_repo(make_repo: Callable[..., GitRepo]) -> tuple[GitRepo, list[str]]:
    """Four commits: two with valid git-ai logs, one malformed, one plain-text note."""
    repo = make_repo()
    shas = [
        repo.commit("app", files={"src/app.py": APP, "docs/read me.md": README}),
        repo.commit("more", files={"src/app.py": APP + "def g(): pass\n"}),
        repo.commit("again", files={"src/other.py": "x = 1\n"}),
        repo.commit("human", files={"notes.txt": "hi\n"}),
    ]
    _add_gitai_note(repo, shas[0], "valid.note")
    _add_gitai_note(repo, shas[1], "malformed.note")
    _add_gitai_note(repo, shas[2], "not-a-log.note")
    _add_gitai_note(repo, shas[3], "future.note")
    return repo, shas


def test_gitai_import_writes_attribution_records_once(
    gitai_repo: tuple[GitRepo, list[str]],
) -> None:
    repo, shas = gitai_repo
    proc = repo.aibom("import", "git-ai", "--format", "json")
    result = json.loads(proc.stdout)
    assert result["foreign_records"] == 4
    # app: the valid log; more: two entries survive; again: not a log; human: a newer
    # schema version, read as 3.0.0
    assert result["commits"] == 3 and result["records"] == 3
    assert result["new_records"] == 3 and result["notes_written"] == 3
    assert _facts(repo, shas[0]) == {
        ("src/app.py", "ai", "anthropic/claude-opus-4-5", ((1, 3), (7, 7))),
        ("src/app.py", "human", None, ((4, 5),)),
        ("src/app.py", "ai", "anthropic/claude-sonnet-4-5-20250929", ((6, 6),)),
        ("docs/read me.md", "ai", "anthropic/claude-opus-4-5", ((2, 2),)),
    }
    assert _facts(repo, shas[1]) == {
        ("src/app.py", "ai", "openai/gpt-4o", ((8, 8),)),
        ("src/app.py", "ai", None, ((1, 1),)),  # a key with no prompt record anywhere
    }
    for record in _records(repo, shas[0]):
        assert record["source"] == {"type": "git-ai", "ref": "refs/notes/ai"}
        for f in record["files"]:
            for conv in f["conversations"]:
                assert conv["evidence"] == "imported"
    prompt = _records(repo, shas[0])[0]["files"][1]["conversations"][0]["prompt"]
    assert set(prompt) == {"digest"}  # no prompt text without store_prompt_text
    # bad input: reported with the note and line, never fatal
    where = shas[1][:12]
    for line in (2, 3, 4, 5, 8):
        assert f"refs/notes/ai:{where}:{line}:" in proc.stderr
    assert f"refs/notes/ai:{shas[2][:12]}: no '---' divider" in proc.stderr
    assert "unknown schema_version 'authorship/4.0.0'" in proc.stderr
    assert _facts(repo, shas[3]) == {("src/app.py", "ai", "openai/gpt-4o-2024-08-06", ((2, 3),))}
    # one batched write: the notes ref has exactly one commit
    tip = _notes_tip(repo)
    assert repo.git("rev-list", "--count", tip).stdout.strip() == "1"
    again = json.loads(repo.aibom("import", "git-ai", "--format", "json").stdout)
    assert again["new_records"] == 0 and again["notes_written"] == 0
    assert _notes_tip(repo) == tip


def test_gitai_dry_run_writes_nothing(gitai_repo: tuple[GitRepo, list[str]]) -> None:
    repo, _ = gitai_repo
    proc = repo.aibom("import", "git-ai", "--dry-run")
    assert "would add 3 new" in proc.stdout
    short = repo.aibom(
        "import", "git-ai", "--ref", "ai", "--dry-run"
    )  # as git notes --ref reads it
    assert short.stdout == proc.stdout
    assert _notes_tip(repo) == ""


def test_gitai_import_opted_in_prompt_text_is_redacted(
    gitai_repo: tuple[GitRepo, list[str]],
) -> None:
    repo, shas = gitai_repo
    repo.write(".aibom.toml", "store_prompt_text = true\n")
    repo.aibom("import", "git-ai")
    convs = [c for f in _records(repo, shas[0])[0]["files"] for c in f["conversations"]]
    prompt = next(c["prompt"] for c in convs if "prompt" in c)
    assert prompt["text"].startswith("Write a parser for the config file")
    assert "hunter2andmore99" not in prompt["text"] and prompt["redactions"] == 1


def test_gitai_missing_ref_is_a_usage_error(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.commit("one")
    proc = repo.aibom("import", "git-ai", check=False)
    assert proc.returncode == 2
    assert "refs/notes/ai does not exist" in proc.stderr and "hint: fetch" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_agent_trace_import_reports_bad_lines_by_file_and_line(
    make_repo: Callable[..., GitRepo],
) -> None:
    repo = make_repo()
    sha = repo.commit("app", files={"src/app.py": APP})
    text = (FIXTURES / "traces.jsonl").read_text().replace("@REV@", sha[:12])
    repo.write(".agent-trace/traces.jsonl", text)
    proc = repo.aibom("import", "agent-trace", "--format", "json")
    result = json.loads(proc.stdout)
    assert (result["foreign_records"], result["records"], result["new_records"]) == (7, 2, 2)
    for line in (2, 3, 4, 5, 6, 8):
        assert f".agent-trace/traces.jsonl:{line}:" in proc.stderr
    assert "lines 7-40 clipped to 7-8" in proc.stderr
    assert _facts(repo, sha, "agent-trace") == {
        ("src/app.py", "ai", OPUS, ((1, 3),)),
        ("src/app.py", "human", None, ((4, 4),)),
        ("src/app.py", "mixed", "openai/gpt-4o", ((7, 8),)),
    }
    exported = repo.aibom("export", "agent-trace", "-o", "-").stdout
    urls = {
        c.get("url")
        for r in map(json.loads, exported.splitlines())
        for f in r["files"]
        for c in f["conversations"]
    }
    assert urls == {"https://agent.example/conversations/12345", None}
    refs = {r["source"]["ref"] for r in _records(repo, sha)}
    assert refs == {"3f0c1b2a-5d6e-4f70-8a9b-0c1d2e3f4a5b", "8e0c1b2a-5d6e-4f70-8a9b-0c1d2e3f4a5b"}
    again = json.loads(repo.aibom("import", "agent-trace", "--format", "json").stdout)
    assert again["new_records"] == 0


def test_agent_trace_missing_file_is_a_usage_error(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.commit("one")
    proc = repo.aibom("import", "agent-trace", check=False)
    assert proc.returncode == 2 and "no such file" in proc.stderr
    proc = repo.aibom("import", "agent-trace", "nope.jsonl", check=False)
    assert proc.returncode == 2 and "nope.jsonl: no such file" in proc.stderr


# -- export --------------------------------------------------------------------------------------
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((FIXTURES / "agent-trace.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def history(repo: GitRepo) -> tuple[GitRepo, dict[str, str]]:
    """Hooks installed: a human commit, an AI session commit (generation record only) and a
    commit with line ranges (imported from git-ai)."""
    shas = {
        "human": repo.commit("human start", files={"src/app.py": APP, "docs/read me.md": README})
    }
    repo.aibom("session", "start", "--agent", "claude-code/2.0.14", "--model", OPUS)
    added = {"src/app.py": APP + "def g():\n    return 0\n", "src/new.py": "a = 1\nb = 2\n"}
    shas["session"] = repo.commit("ai adds g", files=added)
    repo.aibom("session", "end")
    shas["ranges"] = repo.commit("ranges", files={"src/app.py": APP, "src/extra.py": "z = 0\n"})
    _add_gitai_note(repo, shas["ranges"], "valid.note")
    repo.aibom("import", "git-ai")
    return repo, shas


def test_export_validates_and_round_trips_into_a_fresh_clone(
    history: tuple[GitRepo, dict[str, str]], make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    repo, shas = history
    out = tmp_path / "out" / "traces.jsonl"
    proc = repo.aibom("export", "agent-trace", "-o", str(out), "--format", "json")
    summary = json.loads(proc.stdout)
    records = _lines(out)
    assert summary["records"] == len(records) and summary["commits"] == 3
    validator = _validator()
    for record in records:
        assert list(validator.iter_errors(record)) == [], record
        assert record["version"] == "0.1" and record["tool"]["name"] == "aibom"
    by_basis: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_basis.setdefault(record["metadata"]["dev.aibom"]["basis"], []).append(record)
    # the session commit has no ranges: its generation record gives the lines it added
    (session,) = [r for r in by_basis["generation"] if r["vcs"]["revision"] == shas["session"]]
    files = {f["path"]: f["conversations"] for f in session["files"]}
    assert files["src/app.py"][0]["ranges"] == [{"start_line": 9, "end_line": 10}]
    assert files["src/new.py"][0]["ranges"] == [{"start_line": 1, "end_line": 2}]
    assert files["src/new.py"][0]["contributor"]["model_id"] == OPUS
    assert session["metadata"]["dev.aibom"]["agent"] == "claude-code/2.0.14"
    assert {r["vcs"]["revision"] for r in by_basis["ranges"]} == {shas["ranges"]}
    (partial,) = [r for r in by_basis["generation"] if r["vcs"]["revision"] == shas["ranges"]]
    assert [f["path"] for f in partial["files"]] == ["src/extra.py"]

    clone = make_repo("clone")
    clone.git("pull", "-q", str(repo.path), "main")
    assert clone.note(shas["ranges"]) == ""  # a clone does not fetch notes
    imported = clone.aibom("import", "agent-trace", str(out), "--format", "json")
    assert json.loads(imported.stdout)["problems"] == []
    # the ranges come back; the file no range covers gets the commit's (human) generation
    extra = ("src/extra.py", "human", None, ((1, 1),))
    assert _facts(clone, shas["ranges"]) == {*_facts(repo, shas["ranges"], "git-ai"), extra}
    assert _facts(clone, shas["session"]) == {
        ("src/app.py", "mixed", OPUS, ((9, 10),)),
        ("src/new.py", "mixed", OPUS, ((1, 2),)),
    }
    assert ("src/app.py", "human", None, ((1, 8),)) in _facts(clone, shas["human"])
    # agent, session and confidence travel in the vendor metadata
    (conv,) = [
        c
        for r in _records(clone, shas["ranges"])
        for f in model.from_data(r)
        for c in f.conversations
        if c.session == "sess-42"
    ]
    assert (conv.agent, conv.confidence, conv.evidence) == ("claude", 0.8, "imported")


def test_export_is_deterministic_and_keeps_other_tools_lines(
    history: tuple[GitRepo, dict[str, str]],
) -> None:
    repo, shas = history
    target = repo.path / ".agent-trace" / "traces.jsonl"
    foreign = json.dumps({"version": "0.1", "id": "x", "tool": {"name": "cursor"}})
    target.parent.mkdir()
    target.write_text(foreign + "\n")
    repo.aibom("export", "agent-trace")
    first = target.read_text()
    assert first.splitlines()[0] == foreign
    proc = repo.aibom("export", "agent-trace", "--format", "json")
    assert target.read_text() == first  # replaced, not appended
    assert json.loads(proc.stdout)["kept_lines"] == 1
    stdout = repo.aibom("export", "agent-trace", "-o", "-")
    assert stdout.stdout == "".join(line + "\n" for line in first.splitlines()[1:])
    assert "wrote" in stdout.stderr
    ranged = repo.aibom("export", "agent-trace", f"{shas['session']}..HEAD", "-o", "-").stdout
    assert {json.loads(line)["vcs"]["revision"] for line in ranged.splitlines()} == {shas["ranges"]}


def test_export_leaves_out_entries_whose_blob_is_not_the_commits(
    make_repo: Callable[..., GitRepo],
) -> None:
    from aibom import __version__
    from aibom.notes.records import Record

    repo = make_repo()
    sha = repo.commit("app", files={"src/app.py": APP})
    stale = model.FileAttribution(
        "src/app.py", "0" * 40, [model.Conversation("ai", [model.LineRange(1, 2)], model_id=OPUS)]
    )
    record = Record.create("attribution", model.to_body([stale], __version__, ("rewrite", None)))
    repo.git("notes", "--ref", "refs/notes/aibom", "add", "-m", record.line, sha)
    proc = repo.aibom("export", "agent-trace", "-o", "-", "--format", "json")
    assert proc.stdout == ""
    assert json.loads(proc.stderr)["stale_entries"] == 1
    text = repo.aibom("export", "agent-trace", "-o", "-")
    assert "left out 1 stale" in text.stderr


@pytest.mark.parametrize("args", [("nosuchrev",), ("HEAD..nosuchrev",), ("--bogus",)])
def test_export_bad_range_is_a_usage_error(repo: GitRepo, args: tuple[str, ...]) -> None:
    repo.commit("one")
    proc = repo.aibom("export", "agent-trace", *args, check=False)
    assert proc.returncode == 2 and "hint: RANGE is" in proc.stderr, proc.stderr
    assert not (repo.path / ".agent-trace").exists()  # nothing written before the work succeeded


def test_export_in_an_empty_repository_is_a_usage_error(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    proc = repo.aibom("export", "agent-trace", check=False)
    assert proc.returncode == 2 and "no commits yet" in proc.stderr


def test_help_teaches_with_examples() -> None:
    for args in (["import", "git-ai"], ["import", "agent-trace"], ["export", "agent-trace"]):
        proc = subprocess.run(
            [sys.executable, "-m", "aibom.cli", *args, "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0 and "Examples:" in proc.stdout and "--format" in proc.stdout


def test_demo_scene(make_repo: Callable[..., GitRepo], hermetic: dict[str, str]) -> None:
    from aibom.interop import demo

    repo = make_repo("demo")
    repo.commit("start", files={"pay/cents.py": "def cents(x):\n    return int(x * 100)\n"})
    say = demo.scene(repo.path, dict(hermetic))
    text = "\n".join(say)
    assert "$ aibom import git-ai" in text and "added 1 new (1 note(s) written)" in text
    assert "added 0 new (0 note(s) written)" in text  # the second import adds nothing
    assert "$ aibom export agent-trace -o traces.jsonl" in text
    assert '"model_id": "anthropic/claude-opus-4-5"' in say[-1] and "pay/cents.py" in say[-1]
    assert not (repo.path / ".agent-trace").exists()


def test_imported_commits_are_searchable_by_model(gitai_repo: tuple[GitRepo, list[str]]) -> None:
    """Interface 4: forensics folds the model ids of imported attribution records in."""
    from aibom import gitutil
    from aibom.forensics.facts import scan
    from aibom.forensics.query import ModelQuery

    repo, shas = gitai_repo
    repo.aibom("import", "git-ai")
    facts = {f.sha: f for f in scan(gitutil.discover(repo.path))}
    family = ModelQuery.parse("anthropic/claude-opus-4-5")
    exact = ModelQuery.parse("anthropic/claude-sonnet-4-5@20250929")
    assert [s for s in shas if family.matches_any(facts[s].attribution.models)] == [shas[0]]
    assert [s for s in shas if exact.matches_any(facts[s].attribution.models)] == [shas[0]]
    assert facts[shas[0]].attribution.source == "git-ai"
    assert facts[shas[2]].attribution.models == ()  # its note was not a log


def test_importing_an_export_into_its_own_repository_adds_nothing(
    history: tuple[GitRepo, dict[str, str]],
) -> None:
    repo, shas = history
    before = {sha: repo.note(sha) for sha in shas.values()}
    repo.aibom("export", "agent-trace")
    exported = _lines(repo.path / ".agent-trace" / "traces.jsonl")
    proc = repo.aibom("import", "agent-trace", "--format", "json")
    result = json.loads(proc.stdout)
    assert result["own_exports_skipped"] == len(exported) > 0
    assert result["new_records"] == 0 and result["records"] == 0
    assert {sha: repo.note(sha) for sha in shas.values()} == before


def test_blame_credits_imported_lines(gitai_repo: tuple[GitRepo, list[str]]) -> None:
    """Imported ranges answer `aibom blame` like observed ones (evidence "imported")."""
    repo, shas = gitai_repo
    repo.aibom("import", "git-ai")
    lines = json.loads(repo.aibom("blame", "src/app.py", "--format", "json").stdout)["lines"]
    seen = [(x["line"], x["origin"], x["model"], x["evidence"]) for x in lines]
    opus, sonnet = "anthropic/claude-opus-4-5", "anthropic/claude-sonnet-4-5-20250929"
    assert seen[:8] == [
        *((n, "ai", opus, "imported") for n in (1, 2, 3)),
        (4, "human", None, "imported"),
        (5, "human", None, "imported"),
        (6, "ai", sonnet, "imported"),
        (7, "ai", opus, "imported"),
        (8, "unknown", None, "none"),
    ]
    assert lines[0]["session"] == "conv-7f3a" and lines[5]["session"] == "sess-42"
    assert lines[0]["commit"] == shas[0]


def test_export_to_an_unwritable_place_is_a_usage_error(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.commit("one", files={"file.txt": "x\n"})
    proc = repo.aibom("export", "agent-trace", "-o", "file.txt/traces.jsonl", check=False)
    assert proc.returncode == 2 and "cannot write it" in proc.stderr
    assert (repo.path / "file.txt").read_text() == "x\n"


def test_export_writes_a_readable_file_and_keeps_an_existing_files_mode(
    history: tuple[GitRepo, dict[str, str]],
) -> None:
    repo, _ = history
    target = repo.path / ".agent-trace" / "traces.jsonl"
    old = os.umask(0o022)
    try:
        repo.aibom("export", "agent-trace")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644  # committed and shared: not mkstemp's 0600
    target.chmod(0o664)
    repo.aibom("export", "agent-trace")
    assert target.stat().st_mode & 0o777 == 0o664


def test_log_and_show_read_imported_records_as_forensics_does(
    gitai_repo: tuple[GitRepo, list[str]],
) -> None:
    """A commit known only from an imported git-ai record: aibom log and show give it the
    origin and model that trace, stats and the BOM give it, not unknown."""
    from aibom import gitutil
    from aibom.forensics.facts import scan

    repo, shas = gitai_repo
    repo.aibom("import", "git-ai")
    facts = {f.sha: f.attribution for f in scan(gitutil.discover(repo.path))}
    rows = {r["commit"]: r for r in json.loads(repo.aibom("log", "--format", "json").stdout)}
    imported = rows[shas[0]]
    assert facts[shas[0]].source == "git-ai" and facts[shas[0]].origin != "unknown"
    assert (imported["origin"], imported["basis"]) == (facts[shas[0]].origin, "git-ai")
    assert tuple(imported["models"]) == facts[shas[0]].models
    text = repo.aibom("log").stdout.splitlines()
    assert any(line.startswith(shas[0][:10]) and "imported" in line for line in text)
    shown = json.loads(repo.aibom("show", shas[0], "--format", "json").stdout)
    assert shown["origin"] == imported["origin"]
