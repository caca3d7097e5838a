"""aibom._spawn: children with pipes, started now and collected later."""

from __future__ import annotations

import os
import sys
import time

import pytest

from aibom import _spawn


def test_run_pumps_large_input_and_output_without_deadlock() -> None:
    data = os.urandom(1 << 20)
    code, out, err = _spawn.run(
        [
            sys.executable,
            "-c",
            "import sys; d = sys.stdin.buffer.read(); "
            "sys.stdout.buffer.write(d); sys.stderr.write('x' * 200000); sys.exit(3)",
        ],
        input=data,
    )
    assert (code, out, len(err)) == (3, data, 200000)


def test_start_returns_at_once_and_wait_collects() -> None:
    began = time.monotonic()
    started = _spawn.start([sys.executable, "-c", "import time; time.sleep(0.3); print('done')"])
    assert time.monotonic() - began < 0.25
    assert started.wait(10) == (0, b"done\n", b"")


def test_kill_reaps_the_child() -> None:
    started = _spawn.start([sys.executable, "-c", "import time; time.sleep(30)"])
    started.kill()
    with pytest.raises(ChildProcessError):
        os.waitpid(started.pid, os.WNOHANG)


def test_a_timeout_kills() -> None:
    started = _spawn.start([sys.executable, "-c", "import time; time.sleep(30)"])
    with pytest.raises(_spawn.SpawnTimeout):
        started.wait(0.2)
    with pytest.raises(ChildProcessError):
        os.waitpid(started.pid, os.WNOHANG)


def test_assert_never_raises() -> None:
    from aibom._never import assert_never

    with pytest.raises(AssertionError, match="unhandled value: 'x'"):
        assert_never("x")  # type: ignore[arg-type]
