"""A command interrupted while a git stream is suspended exits at once.

Each streaming git reader arms a watchdog that kills git after a long timeout. CI once saw
`aibom stats` print "aborted" after Ctrl-C and then hang: the interrupted generator was
never resumed, so its watchdog (a non-daemon thread) kept the interpreter alive at exit
until the hour-long timeout. These scripts leave each reader suspended and exit.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from tests.conftest import GitRepo

SCRIPTS = {
    "forensics.stream_log": (
        "from aibom.forensics.facts import stream_log\n"
        "it = stream_log(repo, ['log', '--format=%x1eC%x1f%H'])\n"
        "next(it)\n"
    ),
    "forensics.DiffTree": (
        "from aibom.forensics.facts import DiffTree\ntree = DiffTree(repo)\ntree.add(head)\n"
    ),
    "index.numstat.stream": (
        "from aibom.forensics.index.numstat import stream\nit = stream(repo, ['HEAD'])\nnext(it)\n"
    ),
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_suspended_reader_does_not_hold_the_exit(
    name: str, make_repo: Callable[..., GitRepo]
) -> None:
    repo = make_repo()
    for i in range(3):
        repo.commit(f"c{i}", files={f"f{i}.py": f"{i}\n"})
    head = repo.git("rev-parse", "HEAD").stdout.strip()
    script = (
        "from aibom.gitutil import discover\n"
        f"repo = discover({str(repo.path)!r})\n"
        f"head = {head!r}\n" + SCRIPTS[name] + "raise KeyboardInterrupt\n"
    )
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, timeout=60, check=False
    )
    assert b"KeyboardInterrupt" in proc.stderr
    assert time.monotonic() - start < 30
