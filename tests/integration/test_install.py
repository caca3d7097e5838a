"""aibom install / uninstall: opt-in, reversible, chaining, never global."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

from tests.conftest import GitRepo


def local_config(repo: GitRepo) -> list[str]:
    return sorted(repo.git("config", "--local", "--list").stdout.splitlines())


def test_install_sets_config_and_uninstall_restores_exactly(
    make_repo: Callable[..., GitRepo],
) -> None:
    origin = make_repo("origin", bare=True)
    repo = make_repo("work")
    repo.git("remote", "add", "origin", str(origin.path))
    before = local_config(repo)
    global_before = Path(repo.git("config", "--global", "--list", "--show-origin").stdout)
    result = json.loads(repo.aibom("install", "--format", "json").stdout)
    assert result["hooks"] == [
        "pre-commit",
        "commit-msg",
        "post-commit",
        "post-merge",
        "post-rewrite",
    ]
    cfg = local_config(repo)
    assert "notes.rewriteref=refs/notes/aibom" in cfg
    assert "notes.rewritemode=cat_sort_uniq" in cfg
    assert "notes.aibom.mergestrategy=cat_sort_uniq" in cfg
    assert "notes.displayref=refs/notes/aibom" in cfg
    assert "remote.origin.fetch=+refs/notes/aibom:refs/notes/remotes/origin/aibom" in cfg
    # idempotent
    repo.aibom("install")
    assert local_config(repo) == cfg
    repo.aibom("uninstall")
    assert local_config(repo) == before
    assert not any(
        (repo.path / ".git" / "hooks" / h).exists()
        for h in ("commit-msg", "post-commit", "post-merge", "post-rewrite")
    )
    assert Path(repo.git("config", "--global", "--list", "--show-origin").stdout) == global_before


def test_existing_choice_is_kept(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.git("config", "notes.rewriteMode", "overwrite")
    out = repo.aibom("install").stdout
    assert "warning: notes.rewriteMode is 'overwrite'" in out
    assert repo.git("config", "notes.rewriteMode").stdout.strip() == "overwrite"
    repo.aibom("uninstall")
    assert repo.git("config", "notes.rewriteMode").stdout.strip() == "overwrite"


def test_existing_hook_is_chained_and_restored(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    hook = repo.path / ".git" / "hooks" / "commit-msg"
    hook.write_text("#!/bin/sh\necho 'Chained: yes' >> \"$1\"\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    original = hook.read_text()
    out = repo.aibom("install").stdout
    assert "kept your existing commit-msg hook" in out
    repo.commit("subject")
    msg = repo.raw_message()
    assert b"Chained: yes" in msg and b"AI-Origin: human" in msg
    repo.aibom("uninstall")
    assert hook.read_text() == original
    assert not (hook.parent / "commit-msg.aibom-chained").exists()


def test_chained_hook_failure_still_blocks(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    hook = repo.path / ".git" / "hooks" / "commit-msg"
    hook.write_text("#!/bin/sh\necho 'policy says no' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    repo.aibom("install")
    repo.write("a.txt", "1")
    repo.git("add", "a.txt")
    proc = repo.git("commit", "-q", "-m", "x", check=False)
    assert proc.returncode != 0 and "policy says no" in proc.stderr


def test_post_rewrite_stdin_reaches_both(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    log = repo.path.parent / "chained.log"
    hook = repo.path / ".git" / "hooks" / "post-rewrite"
    hook.write_text(f"#!/bin/sh\ncat > {log}\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    repo.aibom("install")
    repo.aibom("session", "start", "--agent", "aider", "--model", "gpt-4o")
    old = repo.commit("one")
    repo.aibom("session", "end")
    repo.git("config", "--unset-all", "notes.rewriteRef")  # only the hook can copy now
    repo.git("commit", "--amend", "-q", "-m", "one amended")
    new = repo.head()
    assert log.read_text().split()[:2] == [old, new]
    assert '"origin":"ai-assisted"' in repo.note(new)


def test_uninstalled_package_does_not_block_commits(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.aibom("install")
    hook = repo.path / ".git" / "hooks" / "commit-msg"
    text = hook.read_text()
    hook.write_text(text.replace("AIBOM_HOOK_PATH=", "AIBOM_HOOK_PATH=/nonexistent #", 1))
    repo.write("a.txt", "1")
    repo.git("add", "a.txt")
    proc = repo.git("commit", "-q", "-m", "x")
    assert "warning" in proc.stderr
    assert repo.raw_message() == b"x\n"


def test_pre_commit_mode_prints_snippet(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    out = repo.aibom("install", "--pre-commit").stdout
    assert "repo: local" in out and "aibom-commit-msg" in out
    assert not (repo.path / ".git" / "hooks" / "commit-msg").exists()
    assert "notes.rewriteref=refs/notes/aibom" in local_config(repo)


def test_bare_repository_is_refused(make_repo: Callable[..., GitRepo]) -> None:
    bare = make_repo("bare.git", bare=True)
    proc = bare.aibom("install", check=False)
    assert proc.returncode == 2
    assert "bare repository" in proc.stderr and "Traceback" not in proc.stderr


def test_global_hooks_path_is_refused(
    make_repo: Callable[..., GitRepo], hermetic: dict[str, str]
) -> None:
    repo = make_repo()
    repo.git("config", "--global", "core.hooksPath", str(repo.path.parent / "global-hooks"))
    proc = repo.aibom("install", check=False)
    assert proc.returncode == 2
    assert "core.hooksPath" in proc.stderr


def test_local_hooks_path_is_used(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.git("config", "core.hooksPath", ".githooks")
    repo.aibom("install")
    assert (repo.path / ".githooks" / "commit-msg").exists()
    repo.commit("x")
    assert b"AI-Origin: human" in repo.raw_message()
    repo.aibom("uninstall")
    assert not (repo.path / ".githooks" / "commit-msg").exists()
