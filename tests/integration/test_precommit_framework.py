"""aibom under the real pre-commit framework.

``pre-commit try-repo`` runs every hook id of ``.pre-commit-hooks.yaml`` from a snapshot of
this source tree (pre-commit builds its own virtualenv and pip-installs aibom into it, so the
machine's pip index configuration must reach aibom's dependencies). A second test uses the
``repo: local`` snippet that ``aibom install --pre-commit`` prints, with the hook shims that
``pre-commit install`` writes, and a real ``git commit``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from aibom.install import PRE_COMMIT_SNIPPET
from tests.conftest import GitRepo

pytest.importorskip("pre_commit")

ROOT = Path(__file__).resolve().parents[2]
HOOK_IDS = (
    "aibom-deps",
    "aibom-commit-msg",
    "aibom-post-commit",
    "aibom-post-merge",
    "aibom-post-rewrite",
)
IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".ci-venv",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "*.egg-info",
    "build",
    "dist",
    "node_modules",
)
SESSION = (
    "session",
    "start",
    "--agent",
    "claude-code/2.0.14",
    "--model",
    "anthropic/claude-opus-4-5-20251101",
)

pytestmark = pytest.mark.slow


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, text=True, capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This source tree, committed in a repository of its own (try-repo wants a git repo).

    A copy rather than the checkout itself: the tests work from a tarball or a dirty tree,
    and the revision stays the same for every test, so pre-commit builds its env only once.
    """
    dest = tmp_path_factory.mktemp("hooks-repo") / "aibom"
    shutil.copytree(ROOT, dest, ignore=IGNORED)
    env_args = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, *env_args, "commit", "-q", "-m", "snapshot")
    return dest


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def try_repo(
    hooks_repo: Path, pre_commit_home: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., subprocess.CompletedProcess[str]]:
    monkeypatch.setenv("PRE_COMMIT_HOME", str(pre_commit_home))

    def run(
        repo: GitRepo, hook: str, *args: str, expect: int = 0
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(hooks_repo), hook, *args],
            cwd=repo.path,
            text=True,
            capture_output=True,
            check=False,
            timeout=900,
        )
        assert proc.returncode == expect, proc.stdout + proc.stderr
        return proc

    return run


def test_manifest_lists_the_hooks_tested_here() -> None:
    import yaml  # pre-commit's own dependency

    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert tuple(h["id"] for h in manifest) == HOOK_IDS


def test_try_repo_deps_gate_blocks_a_typosquat(
    make_repo: Callable[..., GitRepo],
    try_repo: Callable[..., subprocess.CompletedProcess[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aibom.testing.registry import LoopbackRegistry

    repo = make_repo()
    repo.commit("Initial commit")
    with LoopbackRegistry() as registry:
        registry.add_pypi("requests", versions={"2.31.0": "2023-05-22T15:00:00Z"})
        # aibom's own settings: pip's (PIP_INDEX_URL) would also redirect pre-commit's installs
        monkeypatch.setenv("AIBOM_DEPS_PYPI_INDEX_URL", registry.pypi_url)
        monkeypatch.setenv("AIBOM_DEPS_PUBLIC_PYPI", registry.pypi_url)
        monkeypatch.setenv("AIBOM_DEPS_OFFLINE", "false")
        repo.write("requirements.txt", "reqeusts>=2\n")
        repo.git("add", "requirements.txt")
        proc = try_repo(repo, "aibom-deps", expect=1)
        assert "did you mean `requests`?" in proc.stdout + proc.stderr
        repo.write("requirements.txt", "requests>=2\n")
        repo.git("add", "requirements.txt")
        try_repo(repo, "aibom-deps")
        repo.git("commit", "-q", "-m", "Add requests", "--no-verify")
        repo.write("notes.txt", "nothing to check\n")
        repo.git("add", "notes.txt")
        assert "(no files to check)" in try_repo(repo, "aibom-deps").stdout


def test_try_repo_commit_msg_stamps_trailers(
    make_repo: Callable[..., GitRepo], try_repo: Callable[..., object], tmp_path: Path
) -> None:
    repo = make_repo()
    repo.commit("Initial commit")
    repo.aibom(*SESSION)
    msg = tmp_path / "COMMIT_EDITMSG"
    msg.write_text("Add the parser\n\nSigned-off-by: Test Human <human@example.com>\n")
    try_repo(
        repo, "aibom-commit-msg", "--hook-stage", "commit-msg", "--commit-msg-filename", str(msg)
    )
    text = msg.read_text()
    assert text.startswith("Add the parser\n\nSigned-off-by: Test Human <human@example.com>\n")
    assert "AI-Origin: ai-assisted\n" in text
    assert "AI-Model: anthropic/claude-opus-4-5-20251101\n" in text
    assert "AI-Agent: claude-code/2.0.14\n" in text
    assert "AI-Session: " in text


def test_try_repo_post_commit_writes_a_record(
    make_repo: Callable[..., GitRepo], try_repo: Callable[..., object]
) -> None:
    repo = make_repo()
    repo.aibom(*SESSION)
    sha = repo.commit("Add a module", files={"m.py": "x = 1\n"})
    assert repo.note(sha) == ""
    try_repo(repo, "aibom-post-commit", "--hook-stage", "post-commit")
    note = repo.note(sha)
    assert '"kind":"generation"' in note
    assert "claude-code" in note


def test_try_repo_post_merge_records_the_merge_commit(
    make_repo: Callable[..., GitRepo], try_repo: Callable[..., object]
) -> None:
    repo = make_repo()
    repo.diverge()
    repo.git("merge", "-q", "--no-ff", "-m", "Merge topic", "topic")
    merge = repo.head()
    assert repo.note(merge) == ""
    try_repo(repo, "aibom-post-merge", "--hook-stage", "post-merge", "--is-squash-merge", "0")
    assert '"kind":"generation"' in repo.note(merge)


def test_try_repo_post_rewrite_carries_the_record(
    make_repo: Callable[..., GitRepo], try_repo: Callable[..., object]
) -> None:
    repo = make_repo()
    repo.aibom(*SESSION)
    old = repo.commit("Add a module", files={"m.py": "x = 1\n"})
    try_repo(repo, "aibom-post-commit", "--hook-stage", "post-commit")
    record = repo.note(old)
    assert record
    repo.git("commit", "-q", "--amend", "-m", "Add a module (amended)")
    new = repo.head()
    assert new != old and repo.note(new) == ""
    try_repo(
        repo, "aibom-post-rewrite", "--hook-stage", "post-rewrite", "--rewrite-command", "amend"
    )
    assert set(record.splitlines()) <= set(repo.note(new).splitlines())


def test_local_snippet_with_pre_commit_install_and_git_commit(
    make_repo: Callable[..., GitRepo],
) -> None:
    """The `aibom install --pre-commit` snippet, as a user would paste it."""
    repo = make_repo()
    printed = repo.aibom("install", "--pre-commit").stdout
    assert PRE_COMMIT_SNIPPET.strip() in printed
    repo.write(".pre-commit-config.yaml", PRE_COMMIT_SNIPPET)
    repo.git("add", ".pre-commit-config.yaml")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "install",
            "--hook-type",
            "commit-msg",
            "--hook-type",
            "post-commit",
            "--hook-type",
            "post-merge",
            "--hook-type",
            "post-rewrite",
        ],
        cwd=repo.path,
        text=True,
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = repo.path / ".git" / "hooks"
    for hook in ("commit-msg", "post-commit", "post-merge", "post-rewrite"):
        assert "pre-commit" in (hooks / hook).read_text()

    repo.aibom(*SESSION)
    sha = repo.commit("Add the parser", files={"parser.py": "def parse(): ...\n"})
    message = repo.message(sha)
    assert "AI-Origin: ai-assisted" in message
    assert "AI-Agent: claude-code/2.0.14" in message
    assert "AI-Model: anthropic/claude-opus-4-5-20251101" in message
    note = repo.note(sha)
    assert '"kind":"generation"' in note

    repo.git("commit", "-q", "--amend", "-m", message.rstrip("\n").replace("parser", "parsers"))
    amended = repo.head()
    assert amended != sha
    assert set(note.splitlines()) <= set(repo.note(amended).splitlines())
