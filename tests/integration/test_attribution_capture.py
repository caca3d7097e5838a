"""Line-level capture end to end: agent hook payloads -> checkpoints -> post-commit record.

Every test drives real git with aibom's hooks installed (``aibom install``); agent sessions
are replayed from the payload fixtures of each agent through the exact command that
``aibom agents install`` wrote into the agent's hook file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aibom.attribution.agents_setup import AGENTS
from tests.conftest import GitRepo

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agent_payloads"

BEFORE = "def total(xs):\n    return sum(xs)\n\n\ndef mean(xs):\n    return total(xs) / len(xs)\n"
AI_RESULT = (
    "def total(xs):\n    return sum(xs)\n\n\ndef mean(xs):\n    if not xs:\n"
    '        raise ValueError("mean of nothing")\n    return total(xs) / len(xs)\n'
)
# afterwards a person re-spaces line 6 (keeps AI credit), rewrites line 7 (mixed) and adds 9
FINAL = (
    "def total(xs):\n    return sum(xs)\n\n\ndef mean(xs):\n    if  not  xs:\n"
    '        raise ValueError("empty input")\n    return total(xs) / len(xs)\n'
    "# reviewed by a person\n"
)
MODELS = {
    "claude-code": "anthropic/claude-opus-4-5-20251101",
    "codex": "openai/gpt-5.1-codex",
    "cursor": "openai/gpt-5",
    "gemini-cli": "google/gemini-2.5-pro",
    "copilot": None,  # Copilot's tool payloads do not name the model
}
SESSIONS = {
    "claude-code": "cc-5f2a9e",
    "codex": "019a-codex-thread",
    "cursor": "cur-77c1",
    "gemini-cli": "gm-0b4d",
    "copilot": "cp-41aa",
}


def attribution(repo: GitRepo, rev: str = "HEAD") -> list[dict[str, Any]]:
    records = [json.loads(line) for line in repo.note(rev).splitlines() if line.strip()]
    return [r for r in records if r["kind"] == "attribution"]


def lines_by_type(record: dict[str, Any], path: str) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for entry in record["files"]:
        if entry["path"] != path:
            continue
        for conv in entry["conversations"]:
            kind = conv["contributor"]["type"]
            for r in conv["ranges"]:
                found.setdefault(kind, set()).update(range(r["start_line"], r["end_line"] + 1))
    return found


def commands_in(path: Path) -> dict[str, str]:
    """The aibom checkpoint commands of an agent's hook file, by phase."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and "aibom-checkpoint" in node:
            found["pre" if "--phase pre" in node else "post"] = node

    walk(json.loads(path.read_text()))
    return found


def payload(agent: str, phase: str, root: Path) -> str | None:
    path = FIXTURES / agent / f"{phase}.json"
    if not path.exists():
        return None
    return path.read_text().replace("@ROOT@", str(root))


def run_hook(repo: GitRepo, command: str, stdin: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["sh", "-c", command], cwd=repo.path, input=stdin, text=True, capture_output=True
    )
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def base_repo(make_repo: Any) -> GitRepo:
    repo: GitRepo = make_repo(install=True)
    repo.commit("base", files={"calc.py": BEFORE})
    return repo


def write_transcript(root: Path, model: str) -> None:
    entry = {"type": "assistant", "message": {"role": "assistant", "model": model}}
    (root / ".transcript.jsonl").write_text(json.dumps(entry) + "\n")
    info = root / ".git" / "info" / "exclude"
    info.write_text(
        info.read_text() + ".transcript.jsonl\n.claude/\n.codex/\n.cursor/\n.gemini/\n.github/\n"
    )


@pytest.mark.parametrize("agent", sorted(AGENTS))
def test_scripted_session_of_each_agent(base_repo: GitRepo, agent: str) -> None:
    repo = base_repo
    write_transcript(
        repo.path, "claude-opus-4-5-20251101" if agent == "claude-code" else "gemini-2.5-pro"
    )
    repo.aibom("agents", "install", agent)
    config = repo.path / AGENTS[agent].project_file
    commands = commands_in(config)
    pre = payload(agent, "pre", repo.path)
    if pre is not None:
        run_hook(repo, commands["pre"], pre)
    (repo.path / "calc.py").write_text(AI_RESULT)  # the agent's edit
    post = payload(agent, "post", repo.path)
    assert post is not None
    run_hook(repo, commands["post"], post)
    (repo.path / "calc.py").write_text(FINAL)  # a person, after the last hook
    repo.git("add", "calc.py")
    modules = repo.path.parent / f"modules-{agent}.txt"
    # the dependency gate reads staged .py files (imports) off this budget: not under test
    env = {"AIBOM_DEBUG_MODULES": str(modules), "AIBOM_SKIP": "deps"}
    repo.git("commit", "-q", "-m", "mean() refuses empty input", env=env)
    from tests.unit.test_import_budget import SLOW_STDLIB

    loaded = set(modules.read_text().split())
    assert "aibom.attribution.capture" in loaded  # the replay ran in the hook ...
    assert sorted(m for m in loaded if m.split(".")[0] in SLOW_STDLIB) == []  # ... on budget

    (record,) = attribution(repo)
    assert record["source"] == {"type": "checkpoint"}
    assert lines_by_type(record, "calc.py") == {"ai": {6}, "mixed": {7}, "human": {9}}
    (entry,) = record["files"]
    blob = repo.git("rev-parse", "HEAD:calc.py").stdout.strip()
    assert entry["blob"] == blob
    ai = next(c for c in entry["conversations"] if c["contributor"]["type"] == "ai")
    assert ai["contributor"].get("model_id") == MODELS[agent]
    assert ai["session"] == SESSIONS[agent]
    assert ai["agent"].split("/")[0] == agent
    assert ai["evidence"] == "hook-observed" and ai["confidence"] >= 0.9
    from aibom.attribution.blame import blame_files
    from aibom.gitutil import discover

    blamed = {b.line: b for b in blame_files(discover(repo.path), ["calc.py"])["calc.py"]}
    assert [blamed[n].origin for n in (6, 7, 9)] == ["ai", "mixed", "human"]
    assert blamed[6].model == MODELS[agent] and blamed[6].session == SESSIONS[agent]
    assert blamed[1].origin != "ai"  # from the person's base commit
    # the events of the committed file are used up
    events = repo.path / ".git" / "aibom" / "attribution" / "events.jsonl"
    assert not events.exists() or "calc.py" not in events.read_text()
    repo.aibom("agents", "uninstall", agent)
    assert not config.exists()


def test_generic_form_and_blame(base_repo: GitRepo) -> None:
    repo = base_repo
    flags = ["--file", "calc.py", "--model", "gpt-4o", "--session", "ai-1"]
    repo.aibom("checkpoint", "aider", *flags, "--phase", "pre")
    (repo.path / "calc.py").write_text(AI_RESULT)
    repo.aibom("checkpoint", "aider", *flags, "--phase", "post")
    repo.git("commit", "-q", "-am", "AI edit")
    (record,) = attribution(repo)
    assert lines_by_type(record, "calc.py") == {"ai": {6, 7}}

    from aibom.attribution.blame import blame_files
    from aibom.gitutil import discover

    lines = blame_files(discover(repo.path), ["calc.py"])["calc.py"]
    origins = {bl.line: bl.origin for bl in lines}
    assert origins[6] == origins[7] == "ai"
    assert lines[5].model == "openai/gpt-4o"
    assert origins[1] != "ai" and origins[8] != "ai"  # from the human base commit


def claude(repo: GitRepo, phase: str, path: str = "calc.py", **extra: Any) -> str:
    event = "PreToolUse" if phase == "pre" else "PostToolUse"
    data = {
        "session_id": "s-1",
        "cwd": str(repo.path),
        "hook_event_name": event,
        "tool_name": "Edit",
        "model": "claude-sonnet-4-5-20250929",
        "tool_input": {"file_path": str(repo.path / path)},
        **extra,
    }
    proc = repo.aibom("checkpoint", "claude-code", input=json.dumps(data))
    return proc.stderr


def test_person_edits_while_agent_only_reviews(base_repo: GitRepo) -> None:
    repo = base_repo
    claude(repo, "pre")
    claude(repo, "post")  # the agent's tool ran but changed nothing
    (repo.path / "calc.py").write_text(BEFORE.replace("sum(xs)", "sum(xs, 0)") + "# person\n")
    repo.git("commit", "-q", "-am", "person's fix")
    (record,) = attribution(repo)
    found = lines_by_type(record, "calc.py")
    assert "ai" not in found and "mixed" not in found
    assert found == {"human": {2, 7}}


def test_human_edits_before_the_pre_hook_are_human(base_repo: GitRepo) -> None:
    repo = base_repo
    (repo.path / "calc.py").write_text("# a person's header\n" + BEFORE)
    claude(repo, "pre")
    (repo.path / "calc.py").write_text("# a person's header\n" + AI_RESULT)
    claude(repo, "post")
    repo.git("commit", "-q", "-am", "both")
    (record,) = attribution(repo)
    assert lines_by_type(record, "calc.py") == {"human": {1}, "ai": {7, 8}}


def test_human_edit_after_the_last_checkpoint_elsewhere_is_human(base_repo: GitRepo) -> None:
    repo = base_repo
    claude(repo, "pre")
    (repo.path / "calc.py").write_text(AI_RESULT)
    claude(repo, "post")
    text = AI_RESULT.replace("return sum(xs)", "return sum(xs)  # fast path\n    pass")
    (repo.path / "calc.py").write_text(text)
    repo.git("commit", "-q", "-am", "mixed work")
    (record,) = attribution(repo)
    found = lines_by_type(record, "calc.py")
    assert found["ai"] == {7, 8}
    assert found["human"] == {2, 3}


def test_partial_commit_keeps_the_rest_for_the_next_commit(base_repo: GitRepo) -> None:
    repo = base_repo
    claude(repo, "pre", path="a.py")
    (repo.path / "a.py").write_text("one = 1\n")
    claude(repo, "post", path="a.py")
    claude(repo, "pre")
    (repo.path / "calc.py").write_text(AI_RESULT)
    claude(repo, "post")
    repo.git("add", "a.py")
    repo.git("commit", "-q", "-m", "only a.py")
    (first,) = attribution(repo)
    assert [f["path"] for f in first["files"]] == ["a.py"]
    repo.git("commit", "-q", "-am", "now calc.py")
    (second,) = attribution(repo)
    assert lines_by_type(second, "calc.py") == {"ai": {6, 7}}


def test_partial_commit_of_one_file_credits_each_line_once(base_repo: GitRepo) -> None:
    # the agent adds two lines; a person commits the first hunk (git add -p), then the rest:
    # the second commit's record must not claim the line the first one wrote
    repo = base_repo
    claude(repo, "pre")
    both = "# added on top\n" + AI_RESULT + "# added below\n"
    (repo.path / "calc.py").write_text(both)
    claude(repo, "post")
    staged = repo.git("hash-object", "-w", "--stdin", input="# added on top\n" + BEFORE)
    repo.git("update-index", "--cacheinfo", f"100644,{staged.stdout.strip()},calc.py")
    repo.git("commit", "-q", "-m", "first hunk")
    (first,) = attribution(repo)
    assert lines_by_type(first, "calc.py") == {"ai": {1}}
    repo.git("commit", "-q", "-am", "the rest")
    (second,) = attribution(repo)
    assert lines_by_type(second, "calc.py") == {"ai": {7, 8, 10}}


def test_unknown_payload_gives_no_ai_credit(base_repo: GitRepo) -> None:
    repo = base_repo
    weird = {"mystery": True, "tool_input": {"file_path": str(repo.path / "calc.py")}}
    proc = repo.aibom("checkpoint", "claude-code", "--phase", "pre", input=json.dumps(weird))
    assert "unrecognised payload shape" in proc.stderr
    (repo.path / "calc.py").write_text(AI_RESULT)
    repo.aibom("checkpoint", "claude-code", "--phase", "post", input=json.dumps(weird))
    repo.git("commit", "-q", "-am", "who knows")
    (record,) = attribution(repo)
    found = lines_by_type(record, "calc.py")
    assert found == {"unknown": {6, 7}}


def test_an_edit_payload_without_a_file_warns(base_repo: GitRepo) -> None:
    for tool_input in (None, {}, {"file_path": 7}):
        payload = {"hook_event_name": "PostToolUse", "tool_name": "Edit", "tool_input": tool_input}
        proc = base_repo.aibom("checkpoint", "claude-code", input=json.dumps(payload))
        assert proc.returncode == 0 and "Edit payload names no file" in proc.stderr
    read = {"hook_event_name": "PostToolUse", "tool_name": "Read", "tool_input": None}
    assert base_repo.aibom("checkpoint", "claude-code", input=json.dumps(read)).stderr == ""


def test_bad_files_never_block_a_commit_nor_get_credit(base_repo: GitRepo, tmp_path: Path) -> None:
    repo = base_repo
    outside = tmp_path / "elsewhere.py"
    outside.write_text("x = 1\n")
    (repo.path / "bin.dat").write_bytes(b"\x00\x01\x02")
    (repo.path / "crlf.py").write_bytes(b"a = 1\r\nb = 2\r\n")
    (repo.path / "latin.py").write_bytes(b"s = '\xe9t\xe9'\n")
    os.symlink("calc.py", repo.path / "link.py")
    for name in ("bin.dat", "crlf.py", "latin.py", "link.py", str(outside), "gone.py"):
        claude(repo, "pre", path=name)
    (repo.path / "bin.dat").write_bytes(b"\x00\x01\x02\x03")
    (repo.path / "crlf.py").write_bytes(b"a = 1\r\nb = 2\r\nc = 3\r\n")
    (repo.path / "latin.py").write_bytes(b"s = '\xe9t\xe9'\nt = '\xe0'\n")
    (repo.path / "gone.py").write_text("made then deleted\n")
    stderr = ""
    for name in ("bin.dat", "crlf.py", "latin.py", "link.py", str(outside), "gone.py"):
        stderr += claude(repo, "post", path=name)
    assert "outside the work tree" in stderr and "binary file" in stderr and "symlink" in stderr
    os.unlink(repo.path / "gone.py")
    # a crashed writer and a crashed consumer left their traces
    store = repo.path / ".git" / "aibom" / "attribution"
    with open(store / "events.jsonl", "ab") as fh:
        fh.write(b'{"v":1,"seq":12,"agent":"claude-co')
    (store / "consume.lock").write_text("999999 1.0\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "assorted files")
    (record,) = attribution(repo)
    paths = {f["path"] for f in record["files"]}
    assert "bin.dat" not in paths and "link.py" not in paths
    # new files: the lines the pre hook saw were a person's
    assert lines_by_type(record, "crlf.py") == {"human": {1, 2}, "ai": {3}}
    assert lines_by_type(record, "latin.py") == {"human": {1}, "ai": {2}}
    assert not (store / "consume.lock").exists()  # the stale lock was broken and released
    left = store_events(repo)
    assert "gone.py" not in left  # deleted before the commit: its events are dropped
    assert "link.py" not in left and "bin.dat" not in left  # committed: used up


def test_a_file_name_that_is_not_utf8(base_repo: GitRepo) -> None:
    # records hold paths as JSON strings: such a file gets no line credit, and neither its
    # checkpoint nor the other files of the commit may suffer for it
    repo = base_repo
    latin = os.fsdecode(b"caf\xe9.py")
    (repo.path / latin).write_text("x = 1\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "latin-1 name", env={"AIBOM_SKIP": "deps"})
    flags = ["--model", "gpt-4o", "--session", "s-9"]
    for phase, text in (("pre", None), ("post", "x = 1\ny = 2\n")):
        if text is not None:
            (repo.path / latin).write_text(text)
            (repo.path / "calc.py").write_text(AI_RESULT)
            (repo.path / "gone.py").write_text("made then deleted\n")
        for name in (latin, "calc.py", "gone.py"):
            repo.aibom("checkpoint", "aider", "--file", name, *flags, "--phase", phase)
    os.unlink(repo.path / "gone.py")  # an event path gone from the work tree
    repo.git("add", "-A")
    proc = repo.git("commit", "-q", "-m", "edits", env={"AIBOM_SKIP": "deps"})
    assert "skipped" not in proc.stderr, proc.stderr
    (record,) = attribution(repo)
    assert [f["path"] for f in record["files"]] == ["calc.py"]
    assert lines_by_type(record, "calc.py") == {"ai": {6, 7}}


def store_events(repo: GitRepo) -> str:
    path = repo.path / ".git" / "aibom" / "attribution" / "events.jsonl"
    return path.read_text() if path.exists() else ""


def test_rename_between_checkpoints_follows_the_file(base_repo: GitRepo) -> None:
    repo = base_repo
    claude(repo, "pre")
    (repo.path / "calc.py").write_text(AI_RESULT)
    claude(repo, "post")
    repo.git("mv", "calc.py", "stats.py")
    repo.git("add", "stats.py")
    repo.git("commit", "-q", "-m", "AI edit, then renamed")
    (record,) = attribution(repo)
    assert lines_by_type(record, "stats.py") == {"ai": {6, 7}}


def test_checkpoint_cli_usage_errors(base_repo: GitRepo) -> None:
    proc = base_repo.aibom("checkpoint", "claude-code", "--phase", "middle", check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "aibom.hookentry.checkpoint", "--bogus"],
        cwd=base_repo.path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "usage: aibom-checkpoint" in proc.stderr


def test_amend_records_only_the_new_lines(base_repo: GitRepo) -> None:
    repo = base_repo
    claude(repo, "pre")
    (repo.path / "calc.py").write_text(AI_RESULT)
    claude(repo, "post")
    repo.git("commit", "-q", "-am", "AI edit")
    claude(repo, "pre")
    (repo.path / "calc.py").write_text(AI_RESULT + "\n\ndef zero():\n    return 0\n")
    claude(repo, "post")
    repo.git("commit", "-q", "--amend", "-am", "AI edit, amended")
    blob = repo.git("rev-parse", "HEAD:calc.py").stdout.strip()
    mine = [
        r
        for r in attribution(repo)
        if r["files"][0]["blob"] == blob and r["source"]["type"] == "checkpoint"
    ]
    # the amend's own record holds the lines of the second edit only: the first edit's lines
    # belong to the replaced commit, whose record the rewrite carries
    assert [lines_by_type(r, "calc.py") for r in mine] == [{"ai": {9, 10, 11, 12}}]


def test_demo_scene(base_repo: GitRepo) -> None:
    from aibom.attribution.demo_capture import scene

    env = {**os.environ, "AIBOM_PROCESS_ANCESTRY": "false"}
    said = "\n".join(scene(base_repo.path, env))
    assert "pay/limits.py line 5: ai anthropic/claude-opus-4-5-20251101" in said
    assert "line 6: mixed" in said
    assert not (base_repo.path / ".claude").exists()


def test_agents_cli_formats_and_errors(base_repo: GitRepo) -> None:
    repo = base_repo
    out = json.loads(repo.aibom("agents", "install", "gemini-cli", "--format", "json").stdout)
    assert out["changed"] and out["file_created"] and out["scope"] == "project"
    status = json.loads(repo.aibom("agents", "status", "--format", "json").stdout)
    assert {s["agent"]: s["installed"] for s in status}["gemini-cli"] is True
    assert {s["agent"]: s["installed"] for s in status}["cursor"] is False
    proc = repo.aibom("agents", "install", "emacs", check=False)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") <= 2 and "Traceback" not in proc.stderr
    assert "hint:" in proc.stderr
    (repo.path / ".gemini" / "settings.json").write_text("{broken")
    proc = repo.aibom("agents", "uninstall", "gemini-cli", check=False)
    assert proc.returncode == 2 and "not valid JSON" in proc.stderr
    assert (repo.path / ".gemini" / "settings.json").read_text() == "{broken"


def test_checkpoint_bench_smoke() -> None:
    bench = Path(__file__).resolve().parents[2] / "bench" / "bench_checkpoint.py"
    proc = subprocess.run(
        [sys.executable, str(bench), "--runs", "1", "--lines", "300", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    ratios = json.loads(proc.stdout)["ratios"]
    assert set(ratios) == {
        "checkpoint pre / python -c pass",
        "checkpoint post / python -c pass",
        "post-commit with events / python -c pass",
        "post-commit, no events / python -c pass",
    }
    assert all(r > 0 for r in ratios.values())


def test_file_moved_between_pre_and_post_keeps_the_persons_lines(base_repo: GitRepo) -> None:
    repo = base_repo
    claude(repo, "pre")  # the agent is about to edit calc.py ...
    os.replace(repo.path / "calc.py", repo.path / "stats.py")  # ... moves it (a shell tool)
    (repo.path / "stats.py").write_text(AI_RESULT)
    claude(repo, "post", path="stats.py")  # ... and its edit hook reports the new path
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "moved and edited")
    (record,) = attribution(repo)
    assert lines_by_type(record, "stats.py") == {"ai": {6, 7}}
    assert "calc.py" not in store_events(repo) and "stats.py" not in store_events(repo)


def test_a_codex_patch_that_moves_a_file_credits_only_its_edit(base_repo: GitRepo) -> None:
    # "*** Move to:" names both paths: the old one goes missing, the new one appears
    repo = base_repo
    patch = "*** Begin Patch\n*** Update File: calc.py\n*** Move to: stats.py\n@@ ...\n"
    data = {
        "session_id": "cx-1",
        "cwd": str(repo.path),
        "model": "gpt-5.1-codex",
        "tool_name": "apply_patch",
        "tool_input": {"command": patch},
    }
    pre = {**data, "hook_event_name": "PreToolUse"}
    repo.aibom("checkpoint", "codex", input=json.dumps(pre))
    os.replace(repo.path / "calc.py", repo.path / "stats.py")
    (repo.path / "stats.py").write_text(AI_RESULT)
    post = {**data, "hook_event_name": "PostToolUse"}
    repo.aibom("checkpoint", "codex", input=json.dumps(post))
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "moved and edited by codex")
    (record,) = attribution(repo)
    assert lines_by_type(record, "stats.py") == {"ai": {6, 7}}
    assert "calc.py" not in store_events(repo) and "stats.py" not in store_events(repo)


def test_formatter_run_before_the_commit_keeps_ai_credit(base_repo: GitRepo) -> None:
    repo = base_repo
    claude(repo, "pre")
    compact = BEFORE + "CONFIG={'mode':'fast','retries':3,'timeout':10,'verbose':True}\n"
    (repo.path / "calc.py").write_text(compact)
    claude(repo, "post")
    black = BEFORE + (
        'CONFIG = {\n    "mode": "fast",\n    "retries": 3,\n    "timeout": 10,\n'
        '    "verbose": True,\n}\n'
    )
    (repo.path / "calc.py").write_text(black)  # a formatter (pre-commit's black) ran
    repo.git("commit", "-q", "-am", "config")
    (record,) = attribution(repo)
    assert lines_by_type(record, "calc.py") == {"ai": set(range(7, 13))}
    blamed = json.loads(repo.aibom("blame", "calc.py", "--format", "json").stdout)
    assert {line["origin"] for line in blamed["lines"][6:]} == {"ai"}


def test_a_persons_edit_in_another_file_of_an_ai_commit_is_not_ai(base_repo: GitRepo) -> None:
    repo = base_repo
    (repo.path / "notes.txt").write_text("kept\n")
    repo.git("add", "notes.txt")
    repo.git("commit", "-q", "-m", "notes")
    claude(repo, "pre")
    (repo.path / "calc.py").write_text(AI_RESULT)
    claude(repo, "post")
    (repo.path / "notes.txt").write_text("kept\nwritten by a person\n")  # no hook saw this
    repo.git("commit", "-q", "-am", "AI edit plus a person's note")
    blamed = json.loads(repo.aibom("blame", "notes.txt", "--format", "json").stdout)
    assert [line["origin"] for line in blamed["lines"]] == ["human", "human"]
    assert blamed["lines"][1]["model"] is None
    ai = json.loads(repo.aibom("blame", "calc.py", "--format", "json").stdout)
    assert [line["origin"] for line in ai["lines"][5:7]] == ["ai", "ai"]
    exported = repo.aibom("export", "agent-trace", "HEAD~1..HEAD", "-o", "-").stdout
    kinds = {
        f["path"]: {c["contributor"]["type"] for c in f["conversations"]}
        for line in exported.splitlines()
        for f in json.loads(line)["files"]
    }
    assert kinds == {"calc.py": {"ai"}, "notes.txt": {"human"}}
