"""Many writers at once: linked worktrees committing together, processes appending together."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import GitRepo

WORKTREES = 8

APPENDER = r"""
import sys
from aibom import gitutil
from aibom.notes.records import Record
from aibom.notes.store import NotesStore

commit, tag, mode = sys.argv[1], sys.argv[2], sys.argv[3]
store = NotesStore(gitutil.discover("."))

def line(i):
    return Record.create("rewrite", {"operation": "remap", "sources": [commit],
                         "tool": {"name": "aibom", "version": f"{tag}-{i}"}}).line

for i in range(5):
    if mode == "many":
        store.append_many({commit: [line(i)]}, "aibom: test")
    else:
        store.append(commit, [line(i)])
"""


def test_worktrees_commit_at_the_same_time(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("base", files={"base.txt": "base\n"})
    trees: list[GitRepo] = []
    for i in range(WORKTREES):
        path = tmp_path / f"wt{i}"
        repo.git("worktree", "add", "-q", "-b", f"wt{i}", str(path))
        tree = GitRepo(path)
        tree.write(f"w{i}.txt", f"work {i}\n")
        tree.git("add", f"w{i}.txt")
        trees.append(tree)
    env = {**os.environ, "CLAUDECODE": "1"}
    procs = [
        subprocess.Popen(
            ["git", "commit", "-q", "-m", f"parallel {i}"],
            cwd=t.path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i, t in enumerate(trees)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "warning" not in err and "Traceback" not in err, err
    for i, tree in enumerate(trees):
        head = tree.head()
        assert tree.git("log", "-1", "--format=%s").stdout.strip() == f"parallel {i}"
        lines = [json.loads(x) for x in repo.note(head).splitlines() if x]
        assert len(lines) == 1, lines
        record = lines[0]
        assert record["kind"] == "generation"
        assert record["origin"] in {"ai-generated", "ai-assisted"}
        assert [b["path"] for b in record["blobs"]] == [f"w{i}.txt"]
    # one notes commit per worktree commit (plus base), none lost to a race
    listing = repo.git("notes", "--ref", "refs/notes/aibom", "list").stdout.splitlines()
    assert len(listing) == WORKTREES + 1


def test_processes_append_to_the_same_note(repo: GitRepo, tmp_path: Path) -> None:
    base = repo.commit("base", files={"base.txt": "base\n"})
    script = tmp_path / "appender.py"
    script.write_text(APPENDER)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), base, f"p{i}", "many" if i % 2 else "one"],
            cwd=repo.path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(8)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    versions = {
        json.loads(x)["tool"]["version"]
        for x in repo.note(base).splitlines()
        if x and json.loads(x)["kind"] == "rewrite"
    }
    assert versions == {f"p{i}-{j}" for i in range(8) for j in range(5)}
