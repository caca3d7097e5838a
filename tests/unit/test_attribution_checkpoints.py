"""Units of line-level capture: line matching, the replay, payload reading, the checkpoint
store (crashes included) and the agent hook set-up."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibom.attribution import agents_setup as setup
from aibom.attribution import capture, linediff, observe
from aibom.attribution import checkpoints as store
from aibom.attribution.capture import Label
from aibom.errors import UsageError
from aibom.gitutil import Repo

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agent_payloads"

# -- line matching ---------------------------------------------------------------------------
lines = st.lists(st.sampled_from(["a", "b", "c", "  a", "", "}", "x = 1"]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(lines, lines)
def test_matches_are_equal_lines_in_order(a: list[str], b: list[str]) -> None:
    found = linediff.match_lines(a, b)
    assert len(found) == len(b)
    pairs = [(i, j) for j, i in enumerate(found) if i >= 0]
    assert all(linediff.keys([a[i]]) == linediff.keys([b[j]]) for i, j in pairs)
    assert all(p[0] < q[0] and p[1] < q[1] for p, q in itertools.pairwise(pairs))


@settings(max_examples=200, deadline=None)
@given(lines, st.lists(st.integers(min_value=0, max_value=40), max_size=5))
def test_inserted_lines_are_exactly_the_changed_ones(base: list[str], spots: list[int]) -> None:
    new = list(base)
    inserted: list[str] = []
    for n, spot in enumerate(spots):
        text = f"written by the agent {n}"
        new.insert(min(spot, len(new)), text)
        inserted.append(text)
    changed = {new[j - 1] for j in linediff.changed_lines(base, new)}
    assert changed == set(inserted)


def test_whitespace_and_line_endings_keep_identity() -> None:
    old = ["def f(x):", "    return x+1", "y = 2\r"]
    new = ["def f(x):", "  return x + 1", "y = 2"]
    assert linediff.changed_lines(old, new) == []
    assert linediff.changed_lines(old, [*new[:1], "    return x + 2", new[2]]) == [2]


def test_long_file_with_one_edit_is_cheap_and_exact() -> None:
    old = [f"line {n}" for n in range(20000)]
    new = list(old)
    new[12345] = "edited"
    started = time.perf_counter()
    assert linediff.changed_lines(old, new) == [12346]
    assert time.perf_counter() - started < 0.5


def test_split_lines_as_git_counts_them() -> None:
    assert linediff.split_lines(b"") == []
    assert linediff.split_lines(b"a\nb") == ["a", "b"]
    assert linediff.split_lines(b"a\r\nb\r\n") == ["a\r", "b\r"]
    assert linediff.split_lines(b"caf\xe9\n") == ["caf\udce9"]
    assert linediff.is_binary(b"a\x00b") and not linediff.is_binary(b"plain")


# -- the replay ------------------------------------------------------------------------------
AI = Label("ai", "claude-code", "anthropic/claude-opus-4-5", "s1", 0.95)
HUMAN = Label("human", confidence=0.9)


def kinds(labels: list[Label]) -> list[str]:
    return [label.kind for label in labels]


def test_replay_human_then_ai_then_human() -> None:
    base = ["a", "b", "c"]
    pre = ["a", "b", "c", "person"]  # a person's edit before the agent's pre hook
    post = ["a", "ai 1", "ai 2", "c", "person"]  # the agent replaced b
    final = ["a", "ai 1", "ai 2 changed", "c", "person", "later"]
    labels = capture.replay(base, [(pre, HUMAN), (post, AI)], final)
    assert kinds(labels) == ["base", "ai", "mixed", "base", "human", "human"]
    assert labels[2].session == "s1" and labels[2].confidence == capture.MIXED


def test_formatter_run_keeps_ai_credit() -> None:
    post = ["def f():", "    return 1"]
    labels = capture.replay([], [([], HUMAN), (post, AI)], ["def f() :", "\treturn  1"])
    assert kinds(labels) == ["ai", "ai"]


def test_black_style_rewrap_and_quotes_keep_ai_credit() -> None:
    post = ["x=foo(1,2)", "y={'k':1}", "z=call(aaaa,bbbb,cccc)"]
    black = [
        "x = foo(1, 2)",
        'y = {"k": 1}',
        "z = call(",
        "    aaaa,",
        "    bbbb,",
        "    cccc,",
        ")",
    ]
    labels = capture.replay([], [([], HUMAN), (post, AI)], black)
    assert kinds(labels) == ["ai"] * 7


def test_reformat_with_a_real_edit_is_not_kept() -> None:
    post = ["z=call(aaaa,bbbb,cccc)", "w = 1"]
    final = ["z = call(", "    aaaa,", "    bbbb,", "    dddd,", ")", "w = 1"]
    labels = capture.replay([], [([], HUMAN), (post, AI)], final)
    assert kinds(labels) == ["mixed"] * 5 + ["ai"]


def test_reformatted_maps_each_new_line_to_its_old_line() -> None:
    old = ["a = f(x,", "      y)", "b = 'q'"]
    assert linediff.reformatted(old, ["a = f(x, y)", 'b = "q"']) == [0, 2]
    assert linediff.reformatted(old, ["a = f(x, z)", 'b = "q"']) is None
    assert linediff.reformatted([], [""]) is None  # inserted blank lines are new lines


def test_writers() -> None:
    pre = store.Event(1, 1.0, "codex", "pre", "a.py", "text", session="s", digest="d")
    post = store.Event(2, 2.0, "codex", "post", "a.py", "text", session="s", digest="e")
    other = store.Event(2, 2.0, "codex", "post", "a.py", "text", session="t", digest="e")
    unknown = store.Event(2, 2.0, "codex", "post", "a.py", "text", known=False, digest="e")
    assert capture.writer_of(pre, None).kind == "human"
    assert capture.writer_of(post, pre).confidence == capture.ANCHORED
    assert capture.writer_of(other, pre).confidence == capture.UNANCHORED
    assert capture.writer_of(unknown, pre).kind == "unknown"


# -- payloads --------------------------------------------------------------------------------
def fixture(agent: str, phase: str) -> dict[str, Any]:
    text = (FIXTURES / agent / f"{phase}.json").read_text().replace("@ROOT@", "/w")
    data: dict[str, Any] = json.loads(text)
    return data


@pytest.mark.parametrize(
    ("agent", "phase", "paths"),
    [
        ("claude-code", "pre", ["/w/calc.py"]),
        ("codex", "pre", ["calc.py"]),
        ("cursor", "post", ["/w/calc.py"]),
        ("gemini-cli", "post", ["/w/calc.py"]),
        ("copilot", "post", ["/w/calc.py"]),
    ],
)
def test_edited_paths_of_each_agent(agent: str, phase: str, paths: list[str]) -> None:
    assert observe.edited_paths(fixture(agent, phase)) == paths


def test_patch_paths_and_multiedit() -> None:
    patch = "*** Begin Patch\n*** Add File: n.py\n+x\n*** Update File: o.py\n*** Move to: p.py\n"
    assert observe.edited_paths({"tool_input": {"command": ["apply_patch", patch]}}) == [
        "n.py",
        "o.py",
        "p.py",
    ]
    multi = {"tool_input": {"file_path": "m.py", "edits": [{"old_string": "a", "new_string": "b"}]}}
    assert observe.edited_paths(multi) == ["m.py"]
    assert observe.edits_of(multi) == [("a", "b", False)]
    # VS Code's multi_replace_string_in_file: each replacement names its own file
    spread = {"oldString": "a", "newString": "b"}
    vscode = {"tool_input": {"replacements": [{"filePath": "/w/a.py", **spread}, {"x": 1}]}}
    vscode["tool_input"]["replacements"].append({"filePath": "/w/b.py", **spread})
    assert observe.edited_paths(vscode) == ["/w/a.py", "/w/b.py"]


def test_reverse_edits() -> None:
    edits = observe.edits_of(fixture("cursor", "post"))
    before = b"def mean(xs):\n    return total(xs) / len(xs)\n"
    after = before.replace(
        b"    return", b'    if not xs:\n        raise ValueError("mean of nothing")\n    return'
    )
    assert observe.reverse_edits(after, edits) == before
    assert observe.reverse_edits(b"x\nx\n", [("y", "x", False)]) is None  # ambiguous
    assert observe.reverse_edits(b"x\n", [("y", "", False)]) is None  # a deletion
    assert observe.reverse_edits(b"x\n", []) is None


def test_phase_of() -> None:
    assert [observe.phase_of(e) for e in ("PreToolUse", "BeforeTool", "preToolUse")] == ["pre"] * 3
    assert observe.phase_of("afterFileEdit") == observe.phase_of(None) == "post"


def test_resolve(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    (top / "src").mkdir(parents=True)
    assert observe.resolve(str(top), str(top / "src"), "a.py") == (
        "src/a.py",
        str(top / "src/a.py"),
    )
    assert observe.resolve(str(top), str(top), "../x.py") is None
    assert observe.resolve(str(top), str(top), ".git/config") is None
    assert observe.resolve(str(top), str(top), str(top)) is None


# -- the store -------------------------------------------------------------------------------
def event(seq: int, path: str = "a.py", phase: str = "post") -> store.Event:
    return store.Event(seq, time.time(), "codex", phase, path, "text", digest="0" * 64, lines=1)


def test_half_written_lines_are_skipped(tmp_path: Path) -> None:
    where = str(tmp_path)
    store.append(where, [event(1)])
    with open(tmp_path / store.EVENTS, "ab") as fh:
        fh.write(b'{"v":1,"seq":2,"agent":"cod')  # a crashed writer
    store.append(where, [event(3)])
    assert [e.seq for e in store.load(where)] == [1, 3]


def test_consume_keeps_other_paths_and_late_appends(tmp_path: Path) -> None:
    where = str(tmp_path)
    store.append(where, [event(1, "a.py"), event(2, "b.py")])
    # a consumer that crashed after setting the log aside
    os.replace(tmp_path / store.EVENTS, tmp_path / f"{store.TAKEN_PREFIX}99999")
    store.append(where, [event(3, "a.py")])  # a checkpoint appended meanwhile
    assert [e.seq for e in store.load(where)] == [1, 2, 3]
    assert store.consume(where, {"a.py"}) == 2
    assert [(e.seq, e.path) for e in store.load(where)] == [(2, "b.py")]
    assert not [n for n in os.listdir(tmp_path) if n.startswith(store.TAKEN_PREFIX)]


def test_locks(tmp_path: Path) -> None:
    where = str(tmp_path)
    store.append(where, [event(1)])
    lock = tmp_path / store.LOCK
    lock.write_text(f"{os.getpid()} {time.time()}\n")  # a live consumer
    assert store.consume(where, {"a.py"}) == 0 and len(store.load(where)) == 1
    lock.write_text("999999 1.0\n")  # left by a crashed one
    assert store.consume(where, {"a.py"}) == 1 and not lock.exists()
    lock.write_text("garbage")
    assert store.consume(where, {"a.py"}) == 0 and not lock.exists()


def test_a_fifo_or_a_device_is_not_read(tmp_path: Path) -> None:
    # opening a FIFO without a writer blocks: the agent's hook hung on a pipe it named
    os.mkfifo(tmp_path / "pipe")
    script = "from aibom.attribution import checkpoints as s; print(s.read_state(%r).state)"
    for path in (str(tmp_path / "pipe"), "/dev/null"):
        proc = subprocess.run(
            [sys.executable, "-c", script % path], capture_output=True, text=True, timeout=20
        )
        assert proc.stdout == "missing\n", proc.stderr


def test_snapshots_are_checked(tmp_path: Path) -> None:
    where = str(tmp_path)
    digest = store.write_snapshot(where, b"content\n")
    assert store.read_snapshot(where, digest) == b"content\n"
    (tmp_path / store.SNAPSHOTS / digest).write_bytes(b"tampered\n")
    assert store.read_snapshot(where, digest) is None
    assert store.read_snapshot(where, "../../etc/passwd") is None


def test_old_events_expire(tmp_path: Path) -> None:
    where = str(tmp_path)
    old = store.Event(1, time.time() - store.KEEP_FOR - 10, "codex", "pre", "a.py", "missing")
    store.append(where, [old, event(2)])
    assert [e.seq for e in store.load(where)] == [2]


def test_lean_entry_with_files_stays_on_the_hook_budget(tmp_path: Path) -> None:
    from tests.unit.test_import_budget import SLOW_STDLIB

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "a.py").write_text("x = 1\n")
    report = tmp_path / "modules.txt"
    root = str(Path(__file__).resolve().parents[2])
    code = (
        "import sys; sys.path.insert(0, sys.argv.pop(1))\n"
        "from aibom.hookentry.checkpoint import main; sys.exit(main())"
    )
    env = {**os.environ, "AIBOM_DEBUG_MODULES": str(report)}
    for phase, text in (("pre", "x = 1\n"), ("post", "x = 1\ny = 2\n")):
        (tmp_path / "a.py").write_text(text)
        payload = {"session_id": "s", "hook_event_name": phase, "tool_input": {"file_path": "a.py"}}
        proc = subprocess.run(
            [sys.executable, "-E", "-S", "-c", code, root, "codex", "--phase", phase],
            cwd=tmp_path,
            input=json.dumps(payload),
            text=True,
            capture_output=True,
            env=env,
        )
        assert proc.returncode == 0 and not proc.stderr, proc.stderr
    events = store.load(str(tmp_path / ".git" / "aibom" / store.STORE))
    assert [(e.phase, e.changed) for e in events] == [("pre", ()), ("post", ((2, 2),))]
    loaded = set(report.read_text().split())
    assert "aibom.attribution.linediff" in loaded
    assert sorted(m for m in loaded if m.split(".")[0] in SLOW_STDLIB) == []


# -- agent hook set-up -----------------------------------------------------------------------
@pytest.fixture
def work(tmp_path: Path) -> Repo:
    subprocess.run(["git", "init", "-q", str(tmp_path / "w")], check=True)
    top = tmp_path / "w"
    return Repo(str(top / ".git"), str(top / ".git"), str(top))


def test_install_merges_and_uninstall_removes_exactly_that(work: Repo) -> None:
    settings_file = Path(work.cwd) / ".claude" / "settings.local.json"
    settings_file.parent.mkdir()
    mine = {
        "permissions": {"allow": ["Bash(make test)"]},
        "hooks": {
            "PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "fmt"}]}]
        },
    }
    settings_file.write_text(json.dumps(mine))
    result = setup.install(work, "claude")
    assert result.changed and not result.file_created
    doc = json.loads(settings_file.read_text())
    assert doc["permissions"] == mine["permissions"]
    commands = [h["command"] for g in doc["hooks"]["PostToolUse"] for h in g["hooks"]]
    assert commands[0] == "fmt" and commands[1].endswith("claude-code --phase post")
    assert doc["hooks"]["PreToolUse"][0]["matcher"] == "Write|Edit|MultiEdit"
    assert not setup.install(work, "claude-code").changed  # idempotent
    (status,) = setup.status(work, ["claude-code"])
    assert status.installed and status.managed
    gone = setup.uninstall(work, "claude-code")
    assert gone.changed and not gone.file_removed
    assert json.loads(settings_file.read_text()) == mine
    assert not (Path(work.shared_dir) / setup.SHIM).exists()
    assert not setup.uninstall(work, "claude-code").changed


@pytest.mark.parametrize(
    ("agent", "rel", "text"),
    [
        ("claude-code", ".claude/settings.local.json", '{\n    "permissions": {"allow": []}\n}'),
        ("gemini-cli", ".gemini/settings.json", '{"theme": "dark"}\n'),
        ("cursor", ".cursor/hooks.json", '{"hooks": {"stop": [{"command": "echo hi"}]}}'),
    ],
)
def test_uninstall_leaves_a_file_it_did_not_create_as_it_was(
    work: Repo, agent: str, rel: str, text: str
) -> None:
    # install added a "hooks" table (and Cursor's "version") and re-indented the file;
    # uninstall takes all of it back, byte for byte
    path = Path(work.cwd) / rel
    path.parent.mkdir()
    path.write_text(text)
    assert setup.install(work, agent).changed
    assert setup.uninstall(work, agent).changed
    assert path.read_text() == text


def test_uninstall_keeps_what_a_person_added_meanwhile(work: Repo) -> None:
    path = Path(work.cwd) / ".gemini" / "settings.json"
    path.parent.mkdir()
    path.write_text('{"theme": "dark"}')
    setup.install(work, "gemini-cli")
    doc = json.loads(path.read_text())
    doc["ui"] = {"hideBanner": True}
    path.write_text(json.dumps(doc))
    setup.uninstall(work, "gemini-cli")
    assert json.loads(path.read_text()) == {"theme": "dark", "ui": {"hideBanner": True}}


def test_each_linked_worktree_has_its_own_hooks(work: Repo) -> None:
    other = Path(work.cwd).parent / "w2"
    subprocess.run(["git", "-C", work.cwd, "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    subprocess.run(["git", "-C", work.cwd, "worktree", "add", "-q", str(other)], check=True)
    linked = Repo(str(Path(work.git_dir) / "worktrees" / "w2"), work.common_dir, str(other))
    mine, theirs = (Path(r.cwd) / ".claude" / "settings.local.json" for r in (work, linked))
    setup.install(work, "claude-code")
    assert setup.install(linked, "claude-code").changed
    (status,) = setup.status(linked, ["claude-code"])
    assert status.installed and status.managed
    gone = setup.uninstall(linked, "claude-code")
    assert gone.file_removed and gone.config_file == str(theirs) and not theirs.exists()
    assert "aibom-checkpoint" in mine.read_text()  # the other worktree's hooks stay
    assert (Path(work.shared_dir) / setup.SHIM).exists()  # and the shim they run
    assert setup.uninstall(work, "claude-code").file_removed and not mine.exists()
    assert not (Path(work.shared_dir) / setup.SHIM).exists()


def test_created_files_are_removed_with_their_folders(work: Repo) -> None:
    for agent in ("cursor", "copilot", "gemini-cli", "codex"):
        result = setup.install(work, agent)
        assert result.file_created
        path = Path(result.config_file)
        assert all(setup.SHIM in c for c in _strings(json.loads(path.read_text())) if "aibom" in c)
    assert {s.agent for s in setup.status(work, []) if s.installed} == {
        "cursor",
        "copilot",
        "gemini-cli",
        "codex",
    }
    for agent in ("cursor", "copilot", "gemini-cli", "codex"):
        assert setup.uninstall(work, agent).file_removed
    assert sorted(os.listdir(work.cwd)) == [".git"]


def _strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node] if isinstance(node, str) else []


def test_bad_configuration_is_refused_untouched(work: Repo) -> None:
    path = Path(work.cwd) / ".cursor" / "hooks.json"
    path.parent.mkdir()
    path.write_text("{ not json")
    with pytest.raises(UsageError, match="not valid JSON"):
        setup.install(work, "cursor")
    assert path.read_text() == "{ not json"
    path.write_text('{"hooks": []}')
    with pytest.raises(UsageError, match="not an object"):
        setup.install(work, "cursor")
    with pytest.raises(UsageError, match="no hook set-up known"):
        setup.install(work, "vim")
    with pytest.raises(UsageError, match="no user-level hook file"):
        setup.install(work, "copilot", global_=True)


def test_a_symlinked_hook_file_is_written_through_and_restored(work: Repo) -> None:
    # the atomic rename used to replace the link with a regular file
    top = Path(work.cwd)
    target = top / "dotfiles" / "claude.json"
    target.parent.mkdir()
    text = '{\n    "permissions": {"allow": []}\n}'
    target.write_text(text)
    target.chmod(0o600)
    link = top / ".claude" / "settings.local.json"
    link.parent.mkdir()
    link.symlink_to(Path("..") / "dotfiles" / "claude.json")
    result = setup.install(work, "claude-code")
    assert result.changed and not result.file_created
    assert link.is_symlink() and os.readlink(link) == os.path.join("..", "dotfiles", "claude.json")
    assert "aibom-checkpoint" in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o600
    (status,) = setup.status(work, ["claude-code"])
    assert status.installed and status.managed
    assert setup.uninstall(work, "claude-code").changed
    assert link.is_symlink() and target.read_bytes() == text.encode()
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(os.listdir(target.parent)) == ["claude.json"]


def test_a_hook_file_linked_outside_or_dangling_is_refused(
    work: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from aibom.cli import main

    top = Path(work.cwd)
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    link = top / ".claude" / "settings.local.json"
    link.parent.mkdir()
    link.symlink_to(outside)
    with pytest.raises(UsageError, match="outside the repository"):
        setup.install(work, "claude-code")
    assert outside.read_text() == "{}" and link.is_symlink()
    assert main(["-C", work.cwd, "agents", "install", "claude-code"]) == 2
    message, hint = capsys.readouterr().err.rstrip("\n").split("\n")
    assert "outside the repository" in message and hint.startswith("  hint: ")
    link.unlink()
    link.symlink_to("missing.json")  # dangling: the write would create a file through it
    with pytest.raises(UsageError, match="does not exist"):
        setup.install(work, "claude-code")
    assert os.readlink(link) == "missing.json" and not (link.parent / "missing.json").exists()
    link.unlink()
    link.parent.rmdir()
    (tmp_path / "elsewhere").mkdir()
    link.parent.symlink_to(tmp_path / "elsewhere")  # the folder links outside
    with pytest.raises(UsageError, match="outside the repository"):
        setup.install(work, "claude-code")
    assert os.listdir(tmp_path / "elsewhere") == []
    assert not (Path(work.shared_dir) / setup.SHIM).exists()
    assert not (Path(work.shared_dir) / setup.MANIFEST).exists()


def test_a_user_level_hook_file_may_link_out_of_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the user's own link (a dotfiles checkout): only a project's file must stay inside
    home = tmp_path / "home"
    (home / ".gemini").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    target = tmp_path / "dotfiles" / "gemini.json"
    target.parent.mkdir()
    target.write_text('{"theme": "dark"}')
    (home / ".gemini" / "settings.json").symlink_to(target)
    assert setup.install(None, "gemini-cli", global_=True).changed
    assert (home / ".gemini" / "settings.json").is_symlink() and "aibom" in target.read_text()
    assert setup.uninstall(None, "gemini-cli", global_=True).changed
    assert target.read_text() == '{"theme": "dark"}'


def test_global_only_when_asked(
    work: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    setup.install(work, "gemini-cli")
    assert not (home / ".gemini").exists()
    result = setup.install(None, "gemini-cli", global_=True)
    assert (
        result.scope == "global" and Path(result.config_file) == home / ".gemini" / "settings.json"
    )
    assert setup.uninstall(None, "gemini-cli", global_=True).file_removed
    assert not (home / ".gemini").exists()


def test_shim_never_blocks_when_python_is_gone(tmp_path: Path) -> None:
    shim = tmp_path / "shim"
    shim.write_text(setup.shim_text(str(tmp_path / "no-python")))
    proc = subprocess.run(["sh", str(shim), "claude-code"], input=b"{}", capture_output=True)
    assert proc.returncode == 0


def test_lean_entry_is_silent_outside_a_repository(tmp_path: Path) -> None:
    root = str(Path(__file__).resolve().parents[2])
    code = (
        "import sys; sys.path.insert(0, sys.argv.pop(1))\n"
        "from aibom.hookentry.checkpoint import main; sys.exit(main())"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CEILING_DIRECTORIES"] = str(tmp_path.parent)
    proc = subprocess.run(
        [sys.executable, "-E", "-S", "-c", code, root, "claude-code"],
        cwd=tmp_path,
        input='{"session_id": "s", "hook_event_name": "PreToolUse"}',
        text=True,
        capture_output=True,
        env=env,
    )
    assert (proc.returncode, proc.stderr) == (0, "")


def test_hook_command_does_nothing_where_the_shim_is_missing(work: Repo) -> None:
    setup.install(work, "claude-code")
    shim = Path(work.shared_dir) / setup.SHIM
    (command,) = {e.command for e in setup.entries_for(setup.AGENTS["claude-code"], shim)[:1]}
    shim.unlink()  # e.g. the settings file was committed and used in another clone
    proc = subprocess.run(["sh", "-c", command], input=b"{}", capture_output=True)
    assert (proc.returncode, proc.stderr) == (0, b"")


WRITER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from aibom.attribution import checkpoints as store
where, name = sys.argv[2], sys.argv[3]
for n in range(60):
    for path in (f"{name}.py", "drop.py"):
        event = store.Event(time.time_ns(), time.time(), "codex", "post", path, "missing")
        store.append(where, [event])
"""


def test_concurrent_writers_and_consumer_lose_nothing(tmp_path: Path) -> None:
    root = str(Path(__file__).resolve().parents[2])
    where = str(tmp_path / "store")
    os.makedirs(where)
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, root, where, f"keep{n}"]) for n in range(3)
    ]
    while any(w.poll() is None for w in writers):
        store.consume(where, {"drop.py"})
    assert all(w.wait() == 0 for w in writers)
    store.consume(where, {"drop.py"})
    found = [e.path for e in store.load(where)]
    assert sorted(found) == sorted(f"keep{n}.py" for n in range(3) for _ in range(60))


IDENTITY_WRITER = """
import sys
sys.path.insert(0, sys.argv[1])
from aibom.provenance import checkpoint as cp
for n in range(80):
    cp.record(sys.argv[2], cp.Checkpoint("codex", at=float(n), session=sys.argv[3]))
"""


def test_identity_checkpoints_survive_a_concurrent_commit(tmp_path: Path) -> None:
    from aibom.provenance import checkpoint as cp

    root = str(Path(__file__).resolve().parents[2])
    where = str(tmp_path)
    writers = [
        subprocess.Popen([sys.executable, "-c", IDENTITY_WRITER, root, where, f"s{n}"])
        for n in range(3)
    ]
    while any(w.poll() is None for w in writers):
        cp.consume(where)
    assert all(w.wait() == 0 for w in writers)
    cp.consume(where)
    lines = (tmp_path / cp.CONSUMED).read_bytes().splitlines()
    assert len([line for line in lines if line.strip()]) == 3 * 80
