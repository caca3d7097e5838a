"""``aibom notes push`` / ``pull`` between a bare origin and clones: no record is ever lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from aibom import gitutil
from aibom.notes.records import Record
from aibom.notes.store import NotesStore
from tests.conftest import GitRepo

REF = "refs/notes/aibom"
AI_ENV = {"CLAUDECODE": "1"}


def rec(tag: str) -> str:
    """A valid record line, distinct per ``tag``."""
    source = (tag.encode().hex() + "0" * 40)[:40]
    return Record.create(
        "rewrite",
        {"operation": "remap", "sources": [source], "tool": {"name": "aibom", "version": tag}},
    ).line


def add(repo: GitRepo, commit: str, *lines: str) -> None:
    assert NotesStore(gitutil.discover(repo.path)).append(commit, list(lines))


def note_lines(repo: GitRepo, commit: str) -> set[str]:
    return {line for line in repo.note(commit).splitlines() if line}


def remote_lines(origin: GitRepo, commit: str) -> set[str]:
    proc = origin.git("notes", "--ref", REF, "show", commit, check=False)
    return {line for line in proc.stdout.splitlines() if line} if proc.returncode == 0 else set()


@pytest.fixture
def world(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> tuple[GitRepo, GitRepo, GitRepo, str]:
    """A bare origin with one commit and two clones, aibom installed in both."""
    origin = make_repo("origin", bare=True)
    seed = make_repo("seed")
    base = seed.commit("base", files={"base.txt": "base\n"})
    seed.git("push", "-q", str(origin.path), "main")
    clones = []
    for name in ("a", "b"):
        subprocess.run(["git", "clone", "-q", str(origin.path), str(tmp_path / name)], check=True)
        clone = GitRepo(tmp_path / name)
        clone.aibom("install")
        clones.append(clone)
    return origin, clones[0], clones[1], base


def test_push_and_pull_unite_records(world: tuple[GitRepo, GitRepo, GitRepo, str]) -> None:
    origin, a, b, base = world
    # A: a record on the shared commit, and a new AI commit recorded by the hooks
    add(a, base, rec("a-on-base"))
    x = a.commit("ai work", files={"x.py": "x = 1\n"}, env=AI_ENV)
    a.git("push", "-q", "origin", "main")
    x_lines = note_lines(a, x)
    assert len(x_lines) == 1 and json.loads(next(iter(x_lines)))["kind"] == "generation"
    # B: a different record on the same commit, and one line both clones have
    add(b, base, rec("b-on-base"), rec("shared"))
    add(a, base, rec("shared"))
    push_a = a.aibom("notes", "push")
    assert "pushed" in push_a.stdout
    push_b = b.aibom("notes", "push")  # must fetch and merge A's notes first
    assert "pushed" in push_b.stdout
    expected_base = {rec("a-on-base"), rec("b-on-base"), rec("shared")}
    assert remote_lines(origin, base) == expected_base
    assert remote_lines(origin, x) == x_lines
    # the merge is a union, sorted and unique, byte for byte
    assert origin.git("notes", "--ref", REF, "show", base).stdout == "".join(
        line + "\n" for line in sorted(expected_base)
    )
    pull = a.aibom("notes", "pull")
    assert "merged notes from origin" in pull.stdout
    assert note_lines(a, base) == expected_base
    b.git("fetch", "-q", "origin")
    assert note_lines(b, x) == x_lines  # B got A's commit record without having pushed it
    # nothing new: pull and push are idempotent
    assert "already merged" in a.aibom("notes", "pull").stdout
    before = origin.git("rev-parse", REF).stdout
    a.aibom("notes", "push")
    assert origin.git("rev-parse", REF).stdout == before


def test_concurrent_pushes_lose_nothing(world: tuple[GitRepo, GitRepo, GitRepo, str]) -> None:
    origin, a, b, base = world
    expected: set[str] = set()
    attempts: list[int] = []
    env = dict(os.environ)
    for rnd in range(3):
        for clone, name in ((a, "a"), (b, "b")):
            lines = [rec(f"{name}-{rnd}-{i}") for i in range(2)]
            add(clone, base, *lines)
            expected.update(lines)
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "aibom.cli", "notes", "push", "--format", "json"],
                cwd=clone.path,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for clone in (a, b)
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert "Traceback" not in err
            result = json.loads(out)
            assert result["pushed"] is True
            attempts.append(result["attempts"])
        assert remote_lines(origin, base) == expected, f"round {rnd}"
    for clone in (a, b):
        clone.aibom("notes", "pull")
        assert note_lines(clone, base) == expected
    # (in practice one push of each pair loses the race and retries: attempts 2)
    assert all(n >= 1 for n in attempts) and len(attempts) == 6


def test_pull_when_the_remote_has_no_notes(world: tuple[GitRepo, GitRepo, GitRepo, str]) -> None:
    origin, a, _, base = world
    proc = a.aibom("notes", "pull")
    assert proc.returncode == 0 and "has no aibom notes yet" in proc.stdout
    assert a.git("rev-parse", "-q", "--verify", REF, check=False).returncode != 0
    # push with nothing on either side: nothing to do, no ref created on the remote
    assert "nothing to push" in a.aibom("notes", "push").stdout
    assert origin.git("rev-parse", "-q", "--verify", REF, check=False).returncode != 0
    # local records, remote empty: pull keeps them, push publishes them
    add(a, base, rec("only-a"))
    assert "has no aibom notes yet" in a.aibom("notes", "pull").stdout
    assert note_lines(a, base) == {rec("only-a")}
    a.aibom("notes", "push")
    assert remote_lines(origin, base) == {rec("only-a")}


def test_pull_into_a_clone_without_notes(world: tuple[GitRepo, GitRepo, GitRepo, str]) -> None:
    _, a, b, base = world
    add(a, base, rec("from-a"))
    a.aibom("notes", "push")
    assert b.git("rev-parse", "-q", "--verify", REF, check=False).returncode != 0
    assert "merged notes from origin" in b.aibom("notes", "pull").stdout
    assert note_lines(b, base) == {rec("from-a")}


@pytest.mark.parametrize("command", ["push", "pull"])
def test_unknown_remote_is_a_usage_error(
    world: tuple[GitRepo, GitRepo, GitRepo, str], command: str
) -> None:
    _, a, _, _ = world
    proc = a.aibom("notes", command, "nope", check=False)
    assert proc.returncode == 2
    assert "no remote named 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unreachable_remote_fails_cleanly(world: tuple[GitRepo, GitRepo, GitRepo, str]) -> None:
    origin, a, _, base = world
    add(a, base, rec("x"))
    a.git("remote", "set-url", "origin", str(origin.path) + "-gone")
    proc = a.aibom("notes", "push", check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "origin" in proc.stderr
    assert note_lines(a, base) == {rec("x")}  # the local records are untouched


def test_sync_without_a_git_identity(
    world: tuple[GitRepo, GitRepo, GitRepo, str], hermetic: dict[str, str]
) -> None:
    """Merging notes makes a commit: with no identity configured aibom signs it itself."""
    origin, a, b, base = world
    add(a, base, rec("a"))
    a.aibom("notes", "push")
    with open(hermetic["GIT_CONFIG_GLOBAL"], "w") as fh:
        fh.write("[user]\n\tuseConfigOnly = true\n")
    assert b.git("var", "GIT_COMMITTER_IDENT", check=False).returncode != 0
    add(b, base, rec("b"))
    proc = b.aibom("notes", "push")
    assert "Traceback" not in proc.stderr
    assert remote_lines(origin, base) == {rec("a"), rec("b")}
    assert "aibom@localhost" in b.git("log", "--format=%ae %ce", REF).stdout
