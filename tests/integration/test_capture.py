"""End to end: real git commits through the installed native hooks."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable

import pytest

from tests.conftest import GitRepo

OPUS = "anthropic/claude-opus-4-5-20251101"


def records(repo: GitRepo, rev: str = "HEAD") -> list[dict[str, object]]:
    return [json.loads(line) for line in repo.note(rev).splitlines() if line.strip()]


def trailers(repo: GitRepo, rev: str = "HEAD") -> dict[str, list[str]]:
    out = repo.git("log", "-1", "--format=%(trailers:unfold,only)", rev).stdout
    found: dict[str, list[str]] = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        if key:
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_human_commit_gets_human_trailer_and_record(repo: GitRepo) -> None:
    repo.commit("plain human change")
    assert trailers(repo) == {"AI-Origin": ["human"]}
    (record,) = records(repo)
    assert record["kind"] == "generation"
    assert record["origin"] == "human"
    assert record["models"] == [] and record["agent"] is None
    assert record["evidence"] == []  # no AI evidence anywhere
    assert record["confidence"] == 0.5


def test_human_record_without_commit_msg_hook(repo: GitRepo) -> None:
    # --no-verify skips commit-msg: post-commit detects by itself and sees the trailer-less message
    repo.commit("plain", args=("--no-verify",))
    assert "AI-Origin" not in repo.message()
    (record,) = records(repo)
    assert record["origin"] == "human" and record["evidence"] == []


def test_session_commit(repo: GitRepo, tmp_path: os.PathLike[str]) -> None:
    prompt = repo.write("../prompt.txt", "write a charge endpoint")
    system = repo.write("../system.txt", "you are careful")
    repo.aibom(
        "session",
        "start",
        "--agent",
        "claude-code/2.0.14",
        "--model",
        OPUS,
        "--param",
        "temperature=0.2",
        "--param",
        "seed=7",
        "--param",
        "top_p=0.9",
        "--param",
        "max_tokens=4096",
        "--param",
        "reasoning_effort=high",
        "--prompt-file",
        str(prompt),
        "--system-prompt-file",
        str(system),
    )
    repo.write("CLAUDE.md", "be nice\n")
    sha = repo.commit("Add endpoint", files={"api.py": "x = 1\n"})
    repo.aibom("session", "end")
    t = trailers(repo)
    assert t["AI-Origin"] == ["ai-assisted"]
    assert t["AI-Model"] == [OPUS]
    assert t["AI-Agent"] == ["claude-code/2.0.14"]
    (record,) = records(repo)
    assert record["session"] == t["AI-Session"][0]
    assert record["models"] == [
        {
            "provider": "anthropic",
            "model": "claude-opus-4-5",
            "version": "20251101",
            "id": "claude-opus-4-5-20251101",
        }
    ]
    assert record["parameters"] == {
        "temperature": 0.2,
        "seed": 7,
        "top_p": 0.9,
        "max_tokens": 4096,
        "reasoning_effort": "high",
    }
    import hashlib

    assert record["prompt"] == {
        "digest": "sha256:" + hashlib.sha256(b"write a charge endpoint").hexdigest()
    }
    assert "text" not in record["prompt"]
    assert record["system_prompt"]["digest"].startswith("sha256:")
    blob = repo.git("cat-file", "blob", f"{sha}:api.py").stdout.encode()
    assert record["blobs"] == [{"path": "api.py", "sha256": hashlib.sha256(blob).hexdigest()}]
    assert record["agent_config"]["files"] == ["CLAUDE.md"]
    assert record["timestamps"]["session_start"] <= record["timestamps"]["committed"]
    assert record["tool"]["name"] == "aibom"
    # after the session: back to human
    repo.commit("later human change")
    assert trailers(repo)["AI-Origin"] == ["human"]


def test_prompt_text_opt_in_is_redacted(repo: GitRepo) -> None:
    secret = "ghp_" + "a1B2c3D4" * 5
    prompt = repo.write("../p.txt", f"deploy with token {secret} please")
    repo.aibom(
        "session",
        "start",
        "--agent",
        "aider",
        "--model",
        "gpt-4o",
        "--prompt-file",
        str(prompt),
        env={"AIBOM_STORE_PROMPT_TEXT": "true"},
    )
    repo.commit("x")
    (record,) = records(repo)
    assert secret not in repo.note()
    assert "please" in record["prompt"]["text"]
    assert record["prompt"]["redactions"] >= 1


def test_environment_detection_claude_code(repo: GitRepo) -> None:
    repo.commit("agent change", env={"CLAUDECODE": "1", "CLAUDE_CODE_ENTRYPOINT": "cli"})
    t = trailers(repo)
    assert t["AI-Origin"] == ["ai-generated"]
    assert t["AI-Agent"][0].startswith("claude-code")
    (record,) = records(repo)
    assert any(e["source"] == "environment" for e in record["evidence"])


def test_foreign_trailer_aider_model(repo: GitRepo) -> None:
    repo.commit("fix\n\nCo-authored-by: aider (gpt-4o) <aider@aider.chat>")
    t = trailers(repo)
    assert t["AI-Model"] == ["openai/gpt-4o"]
    assert t["AI-Agent"][0].startswith("aider")
    assert t["Co-authored-by"] == ["aider (gpt-4o) <aider@aider.chat>"]


def test_checkpoint_payload_claude_code(repo: GitRepo, tmp_path: os.PathLike[str]) -> None:
    transcript = repo.write(
        "../t.jsonl", json.dumps({"message": {"model": "claude-sonnet-4-5-20250929"}}) + "\n"
    )
    payload = {
        "session_id": "abc-123",
        "transcript_path": str(transcript),
        "hook_event_name": "PostToolUse",
        "tool_name": "Edit",
    }
    repo.aibom("checkpoint", "claude-code", input=json.dumps(payload))
    repo.commit("edit by agent")
    t = trailers(repo)
    assert t["AI-Origin"] == ["ai-generated"]
    assert t["AI-Model"] == ["anthropic/claude-sonnet-4-5-20250929"]
    assert t["AI-Session"] == ["abc-123"]
    # consumed: the next commit is human again
    repo.commit("human")
    assert trailers(repo)["AI-Origin"] == ["human"]


def test_checkpoint_unknown_payload_warns(repo: GitRepo) -> None:
    proc = repo.aibom("checkpoint", "some-agent", input="not json at all")
    assert "warning" in proc.stderr
    proc = repo.aibom("checkpoint", "some-agent", input="[1, 2]")
    assert "unknown" in proc.stderr


def test_declared_ai_origin_is_respected(repo: GitRepo) -> None:
    repo.commit("pasted from a chat\n\nAI-Origin: ai-generated")
    assert trailers(repo)["AI-Origin"] == ["ai-generated"]
    (record,) = records(repo)
    assert record["origin"] == "ai-generated"


def test_declared_human_does_not_hide_an_observed_agent(repo: GitRepo) -> None:
    # e.g. an agent amending a human commit inherits "AI-Origin: human": both are kept
    repo.commit("by hand\n\nAI-Origin: human", env={"CLAUDECODE": "1"})
    assert trailers(repo)["AI-Origin"] == ["human", "ai-assisted"]
    (record,) = records(repo)
    assert record["origin"] == "ai-assisted"
    assert {e["source"] for e in record["evidence"]} >= {"declared-trailer", "environment"}


def test_stamping_is_idempotent_across_amend(repo: GitRepo) -> None:
    repo.commit("agent", env={"CODEX_SANDBOX": "seatbelt"})
    before = repo.message()
    repo.git("commit", "--amend", "--no-edit", "-q", env={"CODEX_SANDBOX": "seatbelt"})
    assert repo.message() == before


def test_merge_and_squash_messages(repo: GitRepo) -> None:
    repo.diverge()
    repo.git("merge", "-q", "--no-ff", "topic", "-m", "Merge topic")
    assert trailers(repo)["AI-Origin"] == ["human"]
    repo.git("checkout", "-q", "-b", "sq", "HEAD~1")
    repo.git("merge", "--squash", "-q", "topic")
    repo.git("commit", "-q", "--no-edit")
    assert "Squashed commit" in repo.message()
    assert trailers(repo)["AI-Origin"] == ["human"]


def test_fixup_commit_is_stamped(repo: GitRepo) -> None:
    repo.commit("target", files={"a.txt": "1"})
    repo.write("a.txt", "2")
    repo.git("add", "a.txt")
    repo.git("commit", "-q", "--fixup", "HEAD")
    msg = repo.message()
    assert msg.startswith("fixup! target")
    assert "AI-Origin: human" in msg


def test_empty_message_still_aborts(repo: GitRepo) -> None:
    repo.write("a.txt", "1")
    repo.git("add", "a.txt")
    proc = repo.git("commit", "-q", "-m", "", check=False)
    assert proc.returncode != 0
    assert "empty commit message" in proc.stderr
    # with -m the cleanup mode is "whitespace": a '#' line is a real message, left unstamped
    repo.git("commit", "-q", "-m", "# only a comment")
    assert repo.raw_message() == b"# only a comment\n"


def test_verbose_commit_with_scissors(repo: GitRepo) -> None:
    repo.write("a.txt", "1")
    repo.git("add", "a.txt")
    editor = repo.write(
        "../editor.sh",
        '#!/bin/sh\nprintf \'verbose subject\\n\' | cat - "$1" > "$1.new" && mv "$1.new" "$1"\n',
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    repo.git("commit", "-q", "-v", env={"GIT_EDITOR": str(editor)})
    assert repo.raw_message() == b"verbose subject\n\nAI-Origin: human\n"


def test_comment_char_respected(repo: GitRepo) -> None:
    repo.git("config", "core.commentChar", ";")
    repo.write("a.txt", "1")
    repo.git("add", "a.txt")
    editor = repo.write("../ed.sh", "#!/bin/sh\nprintf 'subject\\n\\n; a comment\\n' > \"$1\"\n")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    repo.git("commit", "-q", env={"GIT_EDITOR": str(editor)})
    assert repo.raw_message() == b"subject\n\nAI-Origin: human\n"
    editor.write_text("#!/bin/sh\nprintf '; only\\n; comments\\n' > \"$1\"\n")
    assert repo.git("commit", "-q", env={"GIT_EDITOR": str(editor)}, check=False).returncode != 0


def test_hook_fails_open(repo: GitRepo) -> None:
    # a broken configuration file: the hook warns, the commit goes through
    repo.write(".aibom.toml", "this is = = not toml")
    repo.write("a.txt", "1")
    repo.git("add", "a.txt")
    proc = repo.git("commit", "-q", "-m", "still committed")
    assert "warning" in proc.stderr and "failed open" in proc.stderr
    assert repo.raw_message() == b"still committed\n"


def test_fail_closed(repo: GitRepo) -> None:
    repo.write(".aibom.toml", "this is = = not toml")
    repo.write("a.txt", "1")
    repo.git("add", "a.txt")
    proc = repo.git("commit", "-q", "-m", "blocked", env={"AIBOM_FAIL_CLOSED": "1"}, check=False)
    assert proc.returncode != 0
    assert "not valid TOML" in proc.stderr


def test_config_disables_stamping(repo: GitRepo) -> None:
    repo.write("pyproject.toml", "[project]\nname='x'\n[tool.aibom]\nstamp_trailers = false\n")
    repo.commit("no trailers please", env={"CLAUDECODE": "1"})
    assert "AI-Origin" not in repo.message()
    assert records(repo)[0]["origin"] == "ai-generated"


def test_invalid_config_value_is_reported(repo: GitRepo) -> None:
    repo.write(".aibom.toml", "session_origin = 'robot'\n")
    proc = repo.aibom("detect", check=False)
    assert proc.returncode == 2
    assert "session_origin" in proc.stderr and "Traceback" not in proc.stderr


def test_backfill_inferred(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.commit("human before install")
    repo.commit(
        "aider work\n\n"
        "Co-authored-by: aider (anthropic/claude-3-7-sonnet-20250219) <aider@aider.chat>"
    )
    repo.commit(
        "copilot",
        env={
            "GIT_AUTHOR_NAME": "Copilot",
            "GIT_AUTHOR_EMAIL": "198982749+Copilot@users.noreply.github.com",
        },
    )
    dry = json.loads(repo.aibom("backfill", "--dry-run", "--format", "json").stdout)
    assert dry["written"] == 0 and len(dry["commits"]) == 2
    assert repo.note("HEAD~1") == ""
    result = json.loads(repo.aibom("backfill", "--format", "json").stdout)
    assert result["written"] == 2 and result["human"] == 1
    (rec,) = records(repo, "HEAD~1")
    assert rec["inferred"] is True
    assert rec["models"][0]["id"] == "claude-3-7-sonnet-20250219"
    assert rec["confidence"] < 0.85
    again = json.loads(repo.aibom("backfill", "--format", "json").stdout)
    assert again["written"] == 0 and again["already"] == 2


def test_log_and_show_json(repo: GitRepo) -> None:
    repo.commit("human one")
    repo.aibom("session", "start", "--agent", "codex/0.50.0", "--model", "gpt-5-codex")
    repo.commit("agent two")
    rows = json.loads(repo.aibom("log", "--format", "json").stdout)
    assert [r["origin"] for r in rows] == ["ai-assisted", "human"]
    assert rows[0]["agent"] == "codex/0.50.0"
    assert rows[0]["models"] == ["openai/gpt-5-codex"]
    text = repo.aibom("log").stdout
    assert "ai-assisted" in text and "openai/gpt-5-codex" in text
    shown = json.loads(repo.aibom("show", "--format", "json").stdout)
    assert shown["origin"] == "ai-assisted" and shown["basis"] == "record"
    assert shown["record_list"][0]["kind"] == "generation"
    assert "session" in repo.aibom("show").stdout


@pytest.mark.parametrize("args", [["show", "nope"], ["log", "nope..alsonope"]])
def test_bad_revisions_are_usage_errors(repo: GitRepo, args: list[str]) -> None:
    repo.commit("x")
    proc = repo.aibom(*args, check=False)
    assert proc.returncode in (2, 3)
    assert "Traceback" not in proc.stderr


def test_outside_a_repository(tmp_path: os.PathLike[str]) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "aibom.cli", "log"], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "not inside a git repository" in proc.stderr


def test_session_usage_errors(repo: GitRepo) -> None:
    proc = repo.aibom(
        "session",
        "start",
        "--agent",
        "x",
        "--model",
        "gpt-4o",
        "--param",
        "temperature=hot",
        check=False,
    )
    assert proc.returncode == 2 and "temperature" in proc.stderr
    proc = repo.aibom("session", "start", "--agent", "x", "--model", "", check=False)
    assert proc.returncode == 2
    assert json.loads(repo.aibom("session", "show", "--format", "json").stdout) is None


def test_handoff_is_consumed_and_never_reused(repo: GitRepo) -> None:
    """commit-msg hands its detection to post-commit of the same `git commit` only."""
    handoff = repo.path / ".git" / "aibom" / "handoff.json"
    repo.write("a.txt", "1")
    repo.git("add", "a.txt")
    proc = repo.git("commit", "-q", "-m", "agent", env={"CLAUDECODE": "1", "AIBOM_DEBUG": "1"})
    assert "(commit-msg hand-off)" in proc.stderr
    assert not handoff.exists()
    assert records(repo)[0]["origin"] == "ai-generated"
    # a commit-msg run whose commit never happened (e.g. a later hook refused it) ...
    msg = repo.write("../msg.txt", "abandoned\n")
    import subprocess
    import sys

    subprocess.run(
        [sys.executable, "-m", "aibom.hookentry.commit_msg", str(msg)],
        cwd=repo.path,
        env={**os.environ, "CLAUDECODE": "1"},
        check=True,
    )
    assert handoff.exists()
    # ... must not lend its AI detection to the next commit, made without commit-msg
    repo.write("b.txt", "1")
    repo.git("add", "b.txt")
    proc = repo.git("commit", "-q", "--no-verify", "-m", "human", env={"AIBOM_DEBUG": "1"})
    assert "(own detection)" in proc.stderr
    (record,) = records(repo)
    assert record["origin"] == "human"


def test_fail_closed_from_configuration(repo: GitRepo) -> None:
    import subprocess
    import sys

    repo.commit("first")
    repo.git("update-ref", "-d", "refs/notes/aibom")
    # a ref below refs/notes/aibom/ leaves no room for refs/notes/aibom: no note can be written
    repo.git("update-ref", "refs/notes/aibom/blocked", "HEAD")
    repo.commit("second", args=("--no-verify",))
    run = [sys.executable, "-m", "aibom.hookentry.post_commit"]
    opened = subprocess.run(run, cwd=repo.path, capture_output=True, text=True)
    assert opened.returncode == 0 and "failed open" in opened.stderr
    repo.write(".aibom.toml", "fail_closed = true\n")
    closed = subprocess.run(run, cwd=repo.path, capture_output=True, text=True)
    assert closed.returncode == 3, closed.stderr
    assert "failed open" not in closed.stderr and "Traceback" not in closed.stderr


@pytest.mark.parametrize(
    "args",
    [("-s",), ("-s", "-m", ""), ("-m", "Signed-off-by: X <x@y>")],
    ids=["signoff-editor", "signoff-empty-m", "signoff-only-m"],
)
def test_git_still_aborts_a_sign_off_only_message(repo: GitRepo, args: tuple[str, ...]) -> None:
    repo.commit("base")
    repo.write("a.txt", "1")
    repo.git("add", "a.txt")
    proc = repo.git("commit", "-q", *args, check=False)
    assert proc.returncode != 0 and "empty commit message" in proc.stderr
    assert repo.raw_message() == b"base\n\nAI-Origin: human\n"


def test_git_still_aborts_an_untouched_template(repo: GitRepo) -> None:
    template = repo.write("../template.txt", "Summary line here\n\nDescribe your change\n")
    repo.git("config", "commit.template", str(template))
    repo.write("a.txt", "1")
    repo.git("add", "a.txt")
    proc = repo.git("commit", "-q", check=False)  # GIT_EDITOR=true: nothing edited
    assert proc.returncode != 0 and "did not edit the message" in proc.stderr
    editor = repo.write("../ed.sh", "#!/bin/sh\nprintf 'Real summary\\n' > \"$1\"\n")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    repo.git("commit", "-q", env={"GIT_EDITOR": str(editor)})
    assert repo.raw_message() == b"Real summary\n\nAI-Origin: human\n"


def test_trailers_go_after_a_dash_line_where_git_reads_them(repo: GitRepo) -> None:
    repo.commit("subj\n\n---\nstuff", env={"CLAUDECODE": "1"})
    assert repo.raw_message().startswith(b"subj\n\n---\nstuff\n\nAI-Origin: ai-generated\n")
    assert trailers(repo)["AI-Origin"] == ["ai-generated"]


def test_failing_chained_post_commit_hook_does_not_stop_recording(
    make_repo: Callable[..., GitRepo],
) -> None:
    repo = make_repo()
    hook = repo.path / ".git" / "hooks" / "post-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    repo.aibom("install")
    repo.commit("one")
    assert records(repo)[0]["origin"] == "human"


def test_merge_commit_made_by_git_merge_is_recorded(repo: GitRepo) -> None:
    repo.diverge()
    repo.aibom("session", "start", "--agent", "claude-code", "--model", "gpt-4o")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "topic")
    (record,) = records(repo)
    assert record["origin"] == "ai-assisted" and record["session"]
    repo.git("checkout", "-q", "-b", "ff", "HEAD~1")
    before = repo.git("notes", "--ref", "refs/notes/aibom", "list").stdout
    repo.git("merge", "-q", "--ff-only", "main")  # fast-forward: no commit, nothing written
    assert repo.git("notes", "--ref", "refs/notes/aibom", "list").stdout == before


def test_declared_model_spelled_differently_is_not_repeated(repo: GitRepo) -> None:
    repo.aibom("session", "start", "--agent", "claude-code", "--model", "anthropic/claude-opus-4-5")
    repo.commit("subj\n\nAI-Origin: ai-assisted\nAI-Model: Claude Opus 4.5")
    assert trailers(repo)["AI-Model"] == ["Claude Opus 4.5"]


def test_log_all_leaves_out_the_notes_commits(repo: GitRepo) -> None:
    repo.commit("one")
    rows = json.loads(repo.aibom("log", "--all", "--format", "json").stdout)
    assert [r["subject"] for r in rows] == ["one"]
    proc = repo.aibom("log", "nosuch", check=False)
    assert proc.returncode == 2 and "not a commit" in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--bogus"],  # git's "unrecognized argument" was an internal error (exit 3)
        ["--pretty=oneline"],  # would replace aibom's format: silently empty output
        ["-p"],
        ["--graph"],
        ["--stdin"],
        ["-L1,2:a.py"],
        ["--grep"],  # no value
        ["--grep=["],  # git rejects the regular expression
        ["--ancestry-path"],  # git: no bottom commits
        ["--no-walk=bogus"],
        ["HEAD~5"],
        ["--", "--bogus"],
    ],
)
def test_log_bad_revs_and_options_are_usage_errors(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    from aibom.cli import main

    repo.commit("one")
    for command in (["log"], ["backfill", "--dry-run"], ["export", "agent-trace", "-o", "-"]):
        code = main(["-C", str(repo.path), *command, *args])
        err = capsys.readouterr().err
        assert code == 2, (command, args, err)
        message, hint = err.rstrip("\n").split("\n")
        assert message.startswith("aibom: error: ") and "failed (" not in message
        assert hint.startswith("  hint: ")


def test_log_never_passes_an_output_option_to_git(
    repo: GitRepo, capsys: pytest.CaptureFixture[str], tmp_path: os.PathLike[str]
) -> None:
    from aibom.cli import main

    repo.commit("one")
    target = os.path.join(tmp_path, "written-by-git")
    assert main(["-C", str(repo.path), "log", f"--output={target}"]) == 2
    assert "is not a revision or an option" in capsys.readouterr().err
    assert not os.path.exists(target)


def test_log_takes_revision_forms_and_selecting_options(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    from aibom.cli import main

    for subject in ("one", "two", "three"):
        repo.commit(subject)

    def subjects(*args: str) -> list[str]:
        assert main(["-C", str(repo.path), "log", "--format", "json", *args]) == 0
        return [row["subject"] for row in json.loads(capsys.readouterr().out)]

    assert subjects("HEAD^!") == ["three"]
    assert subjects("HEAD^@") == ["two", "one"]
    assert subjects("HEAD~1^-1") == ["two"]
    assert subjects("-1") == ["three"]
    assert subjects("--reverse", "HEAD~2..") == ["two", "three"]
    assert subjects("--grep", "^t", "-i", "--skip=1") == ["two"]
    assert subjects("^HEAD~1", "HEAD") == ["three"]


def test_non_utf8_file_name_gives_valid_json(repo: GitRepo) -> None:
    import subprocess
    import sys

    name = b"caf\xe9.txt"
    with open(bytes(repo.path) + b"/" + name, "wb") as fh:
        fh.write(b"x\n")
    repo.git("add", "-A")
    repo.aibom("session", "start", "--agent", "aider", "--model", "gpt-4o")
    repo.git("commit", "-q", "-m", "latin-1 name")
    proc = subprocess.run(
        [sys.executable, "-m", "aibom.cli", "show", "--format", "json"],
        cwd=repo.path,
        capture_output=True,
        check=True,
    )
    data = json.loads(proc.stdout.decode("utf-8"))  # strict UTF-8: must not raise
    (blob,) = data["record_list"][0]["blobs"]
    assert blob["path"] == "caf\udce9.txt"
