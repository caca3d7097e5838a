"""The hook path imports only the standard library and aibom's core (DESIGN.md §4).

Each hook entry module is imported *and run* in a fresh interpreter on a real repository, so
modules imported lazily inside the hook body count too. The probe then reports every module
in ``sys.modules``; heavy third-party packages must not be among them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GitRepo

FORBIDDEN = ("click", "pygit2", "requests", "cyclonedx", "sigstore", "packaging", "jsonschema")

# Runs in the repository's top level as git would run the hook: argv, optional stdin, main().
PROBE = """
import json, sys
module, out, args = sys.argv[1], sys.argv[2], sys.argv[3:]
import importlib
mod = importlib.import_module(module)
code = mod.main(args) if module.startswith("aibom.hookentry.") else 0
with open(out, "w") as fh:
    json.dump({"code": code, "modules": sorted(sys.modules)}, fh)
"""


def probe(module: str, repo: Path, out: Path, *args: str, stdin: str = "") -> tuple[int, set[str]]:
    env = dict(os.environ, AIBOM_PROCESS_ANCESTRY="true")  # exercise every detection layer
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, module, str(out), *args],
        cwd=repo,
        env=env,
        input=stdin,
        text=True,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    return int(data["code"]), set(data["modules"])


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in FORBIDDEN)


@pytest.fixture
def session_repo(make_repo: object, tmp_path: Path) -> GitRepo:
    repo: GitRepo = make_repo()  # type: ignore[operator]
    repo.commit("Initial commit")
    repo.aibom(
        "session",
        "start",
        "--agent",
        "claude-code/2.0.14",
        "--model",
        "anthropic/claude-opus-4-5-20251101",
        "--param",
        "temperature=0.2",
    )
    return repo


def test_commit_msg_hook_imports_no_heavy_modules(session_repo: GitRepo, tmp_path: Path) -> None:
    msg = tmp_path / "COMMIT_EDITMSG"
    msg.write_text("Add a feature\n\nBody text.\n# a comment\n")
    code, modules = probe(
        "aibom.hookentry.commit_msg", session_repo.path, tmp_path / "m.json", str(msg)
    )
    assert code == 0
    # The hook really ran (so lazy imports happened): the session's trailers are there.
    assert "AI-Session:" in msg.read_text()
    assert "aibom.provenance.capture" in modules
    assert heavy(modules) == []


def test_post_commit_hook_imports_no_heavy_modules(session_repo: GitRepo, tmp_path: Path) -> None:
    session_repo.commit("AI change", files={"a.py": "x = 1\n"})
    code, modules = probe("aibom.hookentry.post_commit", session_repo.path, tmp_path / "m.json")
    assert code == 0
    assert '"kind":"generation"' in session_repo.note()  # a record was written
    assert "aibom.notes.store" in modules
    assert heavy(modules) == []


def test_post_rewrite_hook_imports_no_heavy_modules(session_repo: GitRepo, tmp_path: Path) -> None:
    old = session_repo.commit("AI change", files={"a.py": "x = 1\n"})
    probe("aibom.hookentry.post_commit", session_repo.path, tmp_path / "first.json")
    assert '"kind":"generation"' in session_repo.note(old)
    session_repo.git("commit", "-q", "--amend", "-m", "AI change, amended")
    new = session_repo.head()
    code, modules = probe(
        "aibom.hookentry.post_rewrite",
        session_repo.path,
        tmp_path / "m.json",
        "amend",
        stdin=f"{old} {new}\n",
    )
    assert code == 0
    assert "aibom.notes.rewrite" in modules
    assert '"kind":"generation"' in session_repo.note(new)  # the record followed the amend
    assert heavy(modules) == []


def test_probe_can_fail(session_repo: GitRepo, tmp_path: Path) -> None:
    """The probe sees a heavy import when there is one: the CLI imports click."""
    _, modules = probe("aibom.cli", session_repo.path, tmp_path / "m.json")
    assert "click" in heavy(modules)


# Standard-library modules that cost 1-13 ms each to import on a slow machine; the hook path
# (started by the native shim with -E -S) must do without them.
SLOW_STDLIB = (
    "re", "json", "dataclasses", "typing", "subprocess", "pathlib", "hashlib", "enum",
    "inspect", "datetime", "uuid", "tomllib", "functools", "contextlib", "collections",
    "locale", "threading", "tempfile", "shlex", "click",
)  # fmt: skip


def test_real_commits_through_the_shim_load_no_slow_stdlib(
    make_repo: object, tmp_path: Path
) -> None:
    """pre-commit (the deps gate's fast path: nothing it reads is staged), commit-msg,
    post-commit (hand-off and own detection) and post-rewrite, run by git."""
    repo: GitRepo = make_repo(install=True)  # type: ignore[operator]
    report = tmp_path / "modules.txt"
    env = {"AIBOM_DEBUG_MODULES": str(report), "AIBOM_PROCESS_ANCESTRY": "true"}
    repo.aibom("session", "start", "--agent", "claude-code/2.0.14", "--model", "gpt-4o")
    repo.commit("AI commit", files={"a.c": "int x;\n"}, env=env)  # AI: blob digests too
    repo.commit("again, hooks skipped", files={"b.c": "int y;\n"}, env=env, args=("--no-verify",))
    repo.git("commit", "--amend", "-q", "-m", "amended", env=env)  # post-rewrite
    loaded = set(report.read_text().split())
    assert "aibom.hookentry.post_rewrite" in loaded and "aibom.provenance.handoff" in loaded
    assert "aibom.hookentry.deps" in loaded and "aibom.deps.paths" in loaded
    assert sorted(m for m in loaded if m.split(".")[0] in SLOW_STDLIB) == []
    assert '"origin":"ai-assisted"' in repo.note()
