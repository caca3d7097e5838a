"""Bad input and unusual repositories: the commit is never lost, its message never mangled,
no traceback, and the exit codes of DESIGN.md (0 ok, 1 findings, 2 usage, 3 internal)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aibom import gitutil
from aibom.notes.records import Record
from aibom.notes.store import NotesStore
from tests.conftest import GitRepo

REF = "refs/notes/aibom"
AI_ENV = {"CLAUDECODE": "1"}


# -- helpers --------------------------------------------------------------------------------
def records(repo: GitRepo, rev: str = "HEAD") -> list[dict[str, Any]]:
    return [json.loads(line) for line in repo.note(rev).splitlines() if line.strip()]


def raw_message(repo: GitRepo, rev: str = "HEAD") -> bytes:
    obj = subprocess.run(
        ["git", "cat-file", "commit", rev], cwd=repo.path, capture_output=True, check=True
    ).stdout
    return obj.split(b"\n\n", 1)[1]


def commit_file(
    repo: GitRepo,
    message: bytes,
    tmp_path: Path,
    *,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """``git commit -F file`` with exactly these message bytes."""
    msg = tmp_path / "message.txt"
    msg.write_bytes(message)
    repo.write("data.txt", f"{len(message)}\n")
    repo.git("add", "data.txt")
    proc = repo.git("commit", "-q", "-F", str(msg), *args, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    return proc


def assert_clean(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    assert "hook failed open" not in proc.stderr, proc.stderr


def aibom_ok(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    proc = repo.aibom(*args, check=False)
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    return proc


def rec(tag: str, source: str) -> str:
    return Record.create(
        "rewrite",
        {"operation": "remap", "sources": [source], "tool": {"name": "aibom", "version": tag}},
    ).line


def generation(repo: GitRepo, rev: str = "HEAD") -> dict[str, Any]:
    found = [r for r in records(repo, rev) if r["kind"] == "generation"]
    assert len(found) == 1, records(repo, rev)
    return found[0]


# -- messages -------------------------------------------------------------------------------
def reference_message(make_repo: Callable[..., GitRepo], message: bytes, tmp_path: Path) -> bytes:
    """What git itself stores for ``message`` with no hooks (git re-encodes latin-1 to UTF-8)."""
    plain = make_repo()
    commit_file(plain, message, tmp_path)
    return raw_message(plain)


@pytest.mark.parametrize("env", [None, AI_ENV], ids=["human", "ai"])
def test_non_utf8_message(
    make_repo: Callable[..., GitRepo], repo: GitRepo, tmp_path: Path, env: dict[str, str] | None
) -> None:
    original = b"caf\xe9 cr\xe8me br\xfbl\xe9e\n\nd\xe9tails en latin-1: \xa3\xa5\xbf\n"
    expected = reference_message(make_repo, original, tmp_path)
    commit_file(repo, original, tmp_path, env=env)
    stored = raw_message(repo)
    assert stored.startswith(expected)  # byte for byte what git keeps; aibom only appends
    assert stored[len(expected) :].startswith(b"\nAI-Origin: ")
    record = generation(repo)
    assert record["origin"] == ("ai-generated" if env else "human")
    parsed = NotesStore(gitutil.discover(repo.path)).read(repo.head())
    assert parsed.bad == () and len(parsed.records) == 1
    show = aibom_ok(repo, "show")
    assert repo.head() in show.stdout
    aibom_ok(repo, "show", "--format", "json")
    aibom_ok(repo, "log")


def test_non_utf8_ai_trailer_values_are_recorded(
    make_repo: Callable[..., GitRepo], repo: GitRepo, tmp_path: Path
) -> None:
    """Undecodable bytes reach the detection (trailer values): the record is still written."""
    original = b"subject \xe9\n\nAI-Origin: ai-assisted\nAI-Agent: \xe9diteur/1.0\n"
    expected = reference_message(make_repo, original, tmp_path)
    commit_file(repo, original, tmp_path)
    assert raw_message(repo) == expected  # nothing to add: the message declares itself
    record = generation(repo)
    assert record["origin"] == "ai-assisted"
    assert record["agent"] is None  # not a valid agent name: dropped, the origin kept
    assert NotesStore(gitutil.discover(repo.path)).read(repo.head()).bad == ()
    aibom_ok(repo, "show")


def test_latin1_commit_encoding(repo: GitRepo, tmp_path: Path) -> None:
    """With i18n.commitEncoding git stores the latin-1 bytes as they are."""
    repo.git("config", "i18n.commitEncoding", "ISO-8859-1")
    original = b"r\xe9sum\xe9\n\nAI-Origin: ai-assisted\nAI-Model: openai/gpt-5\n"
    commit_file(repo, original, tmp_path, env=AI_ENV)
    obj = subprocess.run(
        ["git", "cat-file", "commit", "HEAD"], cwd=repo.path, capture_output=True, check=True
    ).stdout
    assert b"\nencoding ISO-8859-1\n" in obj
    assert raw_message(repo).startswith(original)
    record = generation(repo)
    assert [m["provider"] for m in record["models"]] == ["openai"]
    assert "r\u00e9sum\u00e9" in aibom_ok(repo, "show").stdout


def test_one_megabyte_message(repo: GitRepo, tmp_path: Path) -> None:
    line = b"x" * 99 + b"\n"
    original = b"big\n\n" + line * 10_000
    commit_file(repo, original, tmp_path, env=AI_ENV)
    stored = raw_message(repo)
    assert stored.startswith(original)
    assert len(stored) < len(original) + 1000
    assert generation(repo)["origin"] == "ai-generated"
    aibom_ok(repo, "show")


# -- notes with malformed lines ---------------------------------------------------------------
BAD_LINES = [
    "garbage that is not json",
    json.dumps({"schema": "aibom.record/1", "kind": "generation", "id": "sha256:" + "0" * 64}),
    json.dumps({"schema": "aibom.record/1", "kind": "teleport", "id": "x"}),
]


def test_malformed_note_lines(repo: GitRepo, tmp_path: Path) -> None:
    repo.git("-c", "core.hooksPath=/dev/null", "commit", "-q", "--allow-empty", "-m", "base")
    head = repo.commit("ai work", files={"w.py": "w = 1\n"}, env=AI_ENV)
    good = repo.note(head).splitlines()
    assert len(good) == 1
    raw = ("\n".join([*good, *BAD_LINES]) + "\n").encode()
    blob = repo.hash_object(raw)
    repo.git("notes", "--ref", REF, "add", "-f", "-C", blob, head)

    show = aibom_ok(repo, "show")
    assert show.stdout.count("ignored a malformed note line") == 3
    assert "origin      ai-generated" in show.stdout
    data = json.loads(aibom_ok(repo, "show", "--format", "json").stdout)
    assert len(data["bad"]) == 3 and len(data["record_list"]) == 1
    aibom_ok(repo, "log")

    # a new record is appended next to them; the bad lines stay byte for byte
    new = rec("new", head)
    assert NotesStore(gitutil.discover(repo.path)).append(head, [new])
    lines = repo.note(head).splitlines()
    assert set(lines) == {*good, *BAD_LINES, new}
    # cherry-pick carries the bad lines along verbatim too (aibom never drops a line)
    repo.git("checkout", "-q", "-b", "other", "HEAD~1")
    repo.git("cherry-pick", head)
    picked = set(repo.note().splitlines())
    assert {*good, *BAD_LINES, new} < picked


# -- unusual HEADs and repositories -------------------------------------------------------------
def test_unborn_branch_and_detached_head(repo: GitRepo) -> None:
    empty = aibom_ok(repo, "log")
    assert "no commits yet" in empty.stdout
    first = repo.commit("first", files={"a.txt": "a\n"}, env=AI_ENV)
    assert generation(repo, first)["origin"] == "ai-generated"
    repo.git("checkout", "-q", "--detach")
    detached = repo.commit("detached", files={"b.txt": "b\n"}, env=AI_ENV)
    assert repo.git("symbolic-ref", "-q", "HEAD", check=False).returncode == 1
    record = generation(repo, detached)
    assert [b["path"] for b in record["blobs"]] == ["b.txt"]
    assert detached in aibom_ok(repo, "log").stdout.replace(detached[:10], detached)


def test_bare_repository(make_repo: Callable[..., GitRepo], repo: GitRepo) -> None:
    bare = make_repo("bare.git", bare=True)
    proc = bare.aibom("install", check=False)
    assert proc.returncode == 2
    assert "bare repository" in proc.stderr
    assert_clean(proc)
    assert not any((bare.path / "hooks").glob("post-commit"))
    # a bare repository with commits and notes (a server): reading works
    sha = repo.commit("ai work", files={"a.txt": "a\n"}, env=AI_ENV)
    repo.git("push", "-q", str(bare.path), "main", f"{REF}:{REF}")
    log = aibom_ok(bare, "log")
    assert sha[:10] in log.stdout and "ai-generated" in log.stdout
    show = aibom_ok(bare, "show", sha)
    assert "origin      ai-generated" in show.stdout
    bad_rev = bare.aibom("show", "no-such-rev", check=False)
    assert bad_rev.returncode == 2 and "Traceback" not in bad_rev.stderr


def test_linked_worktree(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("base", files={"a.txt": "a\n"})
    path = tmp_path / "linked"
    repo.git("worktree", "add", "-q", "-b", "feature", str(path))
    tree = GitRepo(path)
    aibom_ok(tree, "install")  # idempotent, from inside the worktree
    sha = tree.commit("in worktree", files={"w.txt": "w\n"}, env=AI_ENV)
    assert generation(repo, sha)["origin"] == "ai-generated"  # shared notes ref
    assert "ai-generated" in aibom_ok(tree, "log", "-n", "1").stdout
    assert "ai-generated" in aibom_ok(repo, "show", "feature").stdout


def test_shallow_clone(make_repo: Callable[..., GitRepo], tmp_path: Path) -> None:
    src = make_repo("src")
    for i in range(3):
        src.commit(f"c{i}", files={f"{i}.txt": f"{i}\n"})
    path = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{src.path}", str(path)],
        check=True,
        capture_output=True,
    )
    shallow = GitRepo(path)
    assert shallow.git("rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    aibom_ok(shallow, "install")
    sha = shallow.commit("on shallow", files={"s.txt": "s\n"}, env=AI_ENV)
    assert generation(shallow, sha)["origin"] == "ai-generated"
    log = aibom_ok(shallow, "log")
    assert sha[:10] in log.stdout and "c2" in log.stdout


def test_local_core_hookspath(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.git("config", "core.hooksPath", ".githooks")
    aibom_ok(repo, "install")
    assert (repo.path / ".githooks" / "post-commit").is_file()
    assert not (repo.path / ".git" / "hooks" / "post-commit").exists()
    sha = repo.commit("ai", files={"a.txt": "a\n"}, env=AI_ENV)
    assert generation(repo, sha)["origin"] == "ai-generated"


def test_global_core_hookspath_is_refused(
    make_repo: Callable[..., GitRepo], hermetic: dict[str, str], tmp_path: Path
) -> None:
    shared = tmp_path / "shared-hooks"
    with open(hermetic["GIT_CONFIG_GLOBAL"], "a") as fh:
        fh.write(f"[core]\n\thooksPath = {shared}\n")
    repo = make_repo()
    proc = repo.aibom("install", check=False)
    assert proc.returncode == 2
    assert "core.hooksPath" in proc.stderr and "global" in proc.stderr
    assert_clean(proc)
    assert not shared.exists() or not any(shared.iterdir())
    assert repo.git("config", "--local", "--get", "notes.rewriteRef", check=False).returncode == 1


@pytest.mark.parametrize("how", ["config-params", "env"])
def test_no_git_identity_configured(repo: GitRepo, hermetic: dict[str, str], how: str) -> None:
    with open(hermetic["GIT_CONFIG_GLOBAL"], "w") as fh:
        fh.write("[user]\n\tuseConfigOnly = true\n[init]\n\tdefaultBranch = main\n")
    repo.write("a.txt", "a\n")
    repo.git("add", "a.txt")
    refused = repo.git("commit", "-q", "-m", "nobody", check=False)
    assert refused.returncode != 0  # git itself refuses: nothing for aibom to record
    assert repo.git("rev-parse", "-q", "--verify", "HEAD", check=False).returncode != 0
    if how == "config-params":
        proc = repo.git(
            "-c",
            "user.name=X Y",
            "-c",
            "user.email=x@y",
            "commit",
            "-q",
            "-m",
            "someone",
            env=AI_ENV,
        )
    else:
        ident = {
            "GIT_AUTHOR_NAME": "X Y",
            "GIT_AUTHOR_EMAIL": "x@y",
            "GIT_COMMITTER_NAME": "X Y",
            "GIT_COMMITTER_EMAIL": "x@y",
        }
        proc = repo.git("commit", "-q", "-m", "someone", env={**ident, **AI_ENV})
    assert_clean(proc)
    assert repo.message().startswith("someone\n")
    assert generation(repo)["origin"] == "ai-generated"
    # the hook inherits the identity the commit was made with (GIT_CONFIG_PARAMETERS or the
    # environment); the notes commit is signed with it
    assert repo.git("log", "-1", "--format=%ce", REF).stdout.strip() == "x@y"
