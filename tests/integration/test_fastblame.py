"""The click-free ``aibom blame`` path: the same bytes and exit codes as the click command for
the forms it takes, and the click command for everything else."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from aibom.attribution import fastblame
from tests.blame_support import SONNET
from tests.conftest import GitRepo
from tests.integration.test_blame import ai_commit

FAST_FORMS = (
    ("src/app.py",),
    ("src/app.py", "--format", "json"),
    ("src/app.py", "--format=porcelain"),
    ("src/app.py", "HEAD~1", "-L", "2,3"),
    ("src/app.py", "-L2,+2", "-L", "5", "--no-w"),
    ("src/app.py", "-M", "-CC", "-w"),
    ("src/app.py", "-C", "-C", "HEAD"),
    ("HEAD~1", "src/app.py", "-L", "2,3"),  # git's order
)
CLICK_FORMS = (
    ("--help",),
    ("src/app.py", "--format", "yaml"),  # a bad value: click says which ones exist
    ("src/app.py", "-L", "9,2"),  # a bad range
    ("src/app.py", "-L", "40,50"),  # beyond the file: git fails
    ("src/app.py", "nope-rev"),
    ("src/app.py", "HEAD~1..HEAD"),
    ("src/missing.py",),
    ("src/link.py",),  # a symlink is blamed as itself, by the click command
    ("src",),
    ("src/app.py", "HEAD", "extra"),
    ("src/app.py", "--", "HEAD"),
    ("HEAD~1", "--", "src/app.py"),
    ("src/app.py", "-x"),
    ("img.bin",),  # binary: click says so
)


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    repo = make_repo()
    text = "".join(f"line {n}\n" for n in range(1, 8))
    repo.commit("human start", files={"src/app.py": text, "img.bin": "\0\1\2"})
    text = text.replace("line 2\n", "ai two\n").replace("line 5\n", "ai five\n")
    ai_commit(repo, "ai edit", {"src/app.py": text}, {"src/app.py": [(2, 2), (5, 5)]}, slug=SONNET)
    repo.commit("human edit", files={"src/app.py": text.replace("line 7\n", "seven\n")})
    os.symlink("app.py", repo.path / "src" / "link.py")
    repo.git("add", "src/link.py")
    repo.git("commit", "-q", "-m", "link")
    return repo


def _run(
    repo: GitRepo, module: str, args: tuple[str, ...], cwd: Path | None = None
) -> tuple[int, bytes, bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIBOM_")}
    proc = subprocess.run(
        [sys.executable, "-m", module, "blame", *args],
        cwd=cwd or repo.path,
        capture_output=True,
        env=env,
        check=False,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("args", FAST_FORMS)
def test_fast_forms_give_the_click_commands_bytes(repo: GitRepo, args: tuple[str, ...]) -> None:
    fast = _run(repo, "aibom", args)
    assert fast == _run(repo, "aibom.cli", args)
    assert fast[0] == 0 and fast[1]


def test_fast_forms_run_without_click_or_heavy_imports(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.path)
    for args in FAST_FORMS:
        assert fastblame.main(list(args)) == 0, args
    probe = (
        "import sys; sys.argv = ['aibom', 'blame', 'src/app.py'];"
        "from aibom._entry import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "    heavy = {'click', 'dataclasses', 'typing', 'json', 'subprocess', 'sqlite3'}\n"
        "    assert not heavy & set(sys.modules), heavy & set(sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=repo.path, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr


def test_git_order_rev_then_file(repo: GitRepo) -> None:
    ours = _run(repo, "aibom", ("src/app.py", "HEAD~1", "--format", "json"))
    assert ours[0] == 0 and b'"origin": "ai"' in ours[1]
    for args in (("HEAD~1", "src/app.py"), ("HEAD~1", "--", "src/app.py")):
        assert _run(repo, "aibom", ("--format", "json", *args)) == ours, args
        assert _run(repo, "aibom.cli", ("--format", "json", *args)) == ours, args


def test_from_a_subdirectory(repo: GitRepo) -> None:
    fast = _run(repo, "aibom", ("app.py", "--format", "json"), cwd=repo.path / "src")
    assert fast == _run(repo, "aibom.cli", ("app.py", "--format", "json"), cwd=repo.path / "src")
    assert b'"path": "src/app.py"' in fast[1] and b'"origin": "ai"' in fast[1]


@pytest.mark.parametrize("args", CLICK_FORMS)
def test_other_forms_go_to_the_click_command(
    repo: GitRepo, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.path)
    assert fastblame.main(list(args)) is None
    assert _run(repo, "aibom", args) == _run(repo, "aibom.cli", args)


def test_a_reader_that_stops_early(repo: GitRepo) -> None:
    big = "".join(f"row {n}\n" for n in range(60_000))
    repo.commit("big", files={"big.txt": big})
    proc = subprocess.run(
        f"{sys.executable} -m aibom blame big.txt | head -1",
        shell=True,
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout.count("\n") == 1 and "row 0" in proc.stdout
    assert "Traceback" not in proc.stderr and "Error" not in proc.stderr


def test_a_failure_inside_falls_back_and_stops_git(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aibom._spawn import Started
    from aibom.attribution import resolve

    started: list[Started] = []
    real_start = fastblame_spawn_start()

    def spy(*args: object, **kwargs: object) -> Started:
        found = real_start(*args, **kwargs)
        started.append(found)
        return found

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.chdir(repo.path)
    monkeypatch.delenv("AIBOM_DEBUG", raising=False)
    monkeypatch.setattr("aibom._spawn.start", spy)
    monkeypatch.setattr(resolve, "history", broken)
    assert fastblame.main(["src/app.py"]) is None
    assert started  # git blame first, then the git runs of discovery
    for child in started:
        with pytest.raises(ChildProcessError):  # killed or waited for, never left behind
            os.waitpid(child.pid, os.WNOHANG)


def fastblame_spawn_start() -> Callable[..., object]:
    from aibom import _spawn

    return _spawn.start
