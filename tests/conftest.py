"""Shared fixtures: hermetic git repositories in temp dirs, with no agent in the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
AGENT_VAR_PREFIXES = (
    "CLAUDE",
    "CODEX",
    "CURSOR",
    "GEMINI",
    "COPILOT",
    "AMP_",
    "WINDSURF",
    "CLINE",
    "OPENCODE",
    "AIDER",
    "DEVIN",
    "JULES",
    "GOOSE",
    "AUGMENT",
    "ROO",
    "KILO",
    "QWEN",
    "CRUSH",
    "KIRO",
    "REPL_",
    "ANTHROPIC",
    "OPENAI",
    "AI_AGENT",
    "AGENT",
    "GIT_",
    "AIBOM_",
    "PRE_COMMIT",
)


def scrubbed_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(AGENT_VAR_PREFIXES)}
    gitconfig = home / ".gitconfig"
    if not gitconfig.exists():
        gitconfig.write_text(
            "[user]\n\tname = Test Human\n\temail = human@example.com\n"
            "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
            '[protocol "file"]\n\tallow = always\n'
        )
    env.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
        AIBOM_PROCESS_ANCESTRY="false",
        # the dependency gate never reaches a real registry from a test: tests that check
        # registries start a loopback one (tests/deps_support.py) and turn this off
        AIBOM_DEPS_OFFLINE="true",
        AIBOM_CACHE_DIR=str(home / "aibom-cache"),
        GIT_EDITOR="true",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


@pytest.fixture(autouse=True)
def hermetic(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("home")
    env = scrubbed_env(home)
    for key in list(os.environ):
        if key not in env:
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield env


class GitRepo:
    """A real repository in a temp dir, driven by the git binary."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _run(
        self,
        argv: list[str],
        env: dict[str, str] | None,
        input: str | None,
        check: bool,
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            argv,
            cwd=self.path,
            env={**os.environ, **(env or {})},
            input=input,
            text=True,
            capture_output=True,
            check=False,
        )
        if check and proc.returncode != 0:
            shown = " ".join(argv[2:] if argv[0] == sys.executable else argv)
            raise AssertionError(f"{shown} failed ({proc.returncode}):\n{proc.stderr}")
        return proc

    def git(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        input: str | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        return self._run(["git", *args], env, input, check)

    def write(self, name: str, content: str) -> Path:
        path = self.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        return path

    def commit(
        self,
        message: str,
        *,
        files: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
        args: tuple[str, ...] = (),
    ) -> str:
        for name, content in (files or {f"f{abs(hash(message)) % 10**8}.txt": message}).items():
            self.write(name, content)
            self.git("add", name)
        self.git("commit", "-q", "-m", message, *args, env=env)
        return self.head()

    def diverge(self) -> None:
        """A base commit, then one commit each on ``topic`` and ``main``; main checked out."""
        self.commit("base")
        self.git("checkout", "-q", "-b", "topic")
        self.commit("topic work", files={"t.txt": "t"})
        self.git("checkout", "-q", "main")
        self.commit("main work", files={"m.txt": "m"})

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").stdout.strip()

    def aibom(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        input: str | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        return self._run([sys.executable, "-m", "aibom.cli", *args], env, input, check)

    def note(self, rev: str = "HEAD") -> str:
        proc = self.git("notes", "--ref", "refs/notes/aibom", "show", rev, check=False)
        return proc.stdout if proc.returncode == 0 else ""

    def message(self, rev: str = "HEAD") -> str:
        return self.git("log", "-1", "--format=%B", rev).stdout

    def hash_object(self, data: bytes) -> str:
        """Write ``data`` as a blob (bytes exactly as given) and return its id."""
        proc = subprocess.run(
            ["git", "hash-object", "-w", "--stdin"],
            cwd=self.path,
            input=data,
            capture_output=True,
            check=True,
        )
        return proc.stdout.decode().strip()

    def raw_message(self, rev: str = "HEAD") -> bytes:
        """The commit message exactly as stored (no re-encoding, no added newline)."""
        proc = subprocess.run(
            ["git", "cat-file", "commit", rev], cwd=self.path, capture_output=True, check=True
        )
        return proc.stdout.split(b"\n\n", 1)[1]


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., GitRepo]:
    counter = iter(range(1000))

    def factory(name: str | None = None, *, install: bool = False, bare: bool = False) -> GitRepo:
        path = tmp_path / (name or f"repo{next(counter)}")
        args = ["git", "init", "-q", *(["--bare"] if bare else []), str(path)]
        subprocess.run(args, check=True, capture_output=True)
        repo = GitRepo(path)
        if install:
            repo.aibom("install")
        return repo

    return factory


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    return make_repo(install=True)


@pytest.fixture
def loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A loopback registry the gate reaches through the settings a user would write: pip's
    and npm's own environment variables (public registries named by AIBOM_DEPS_PUBLIC_*)."""
    from aibom.testing.registry import LoopbackRegistry

    with LoopbackRegistry() as registry:
        monkeypatch.setenv("PIP_INDEX_URL", registry.pypi_url)
        monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
        monkeypatch.setenv("NPM_CONFIG_REGISTRY", registry.npm_url)
        monkeypatch.setenv("AIBOM_DEPS_PUBLIC_PYPI", registry.pypi_url)
        monkeypatch.setenv("AIBOM_DEPS_PUBLIC_NPM", registry.npm_url)
        monkeypatch.setenv("AIBOM_DEPS_OFFLINE", "false")
        yield registry


# CI sets AIBOM_REQUIRE_REAL_COMPONENTS: a test that would skip because a real component it
# exercises (Node.js and the test npm packages, the loopback Sigstore, a PostgreSQL server,
# git-filter-repo) is missing fails instead, so a green CI run always exercised them.
_REAL_COMPONENT_SKIPS = (
    "Node.js",
    "npm",
    "@sigstore/mock",
    "POSTGRESQL TESTS SKIPPED",
    "git-filter-repo",
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not (report.skipped and os.environ.get("AIBOM_REQUIRE_REAL_COMPONENTS")):
        return
    reason = str(report.longrepr)
    if any(marker in reason for marker in _REAL_COMPONENT_SKIPS):
        report.outcome = "failed"
        report.longrepr = f"a required real component is missing: {reason}"
