"""An inter-process lock shared by every worktree of a repository (in the common git dir).

Git's own ``git notes add`` updates the notes ref without checking its old value, so two
writers at once could lose a record; every aibom writer takes this lock first.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from aibom.errors import AibomError

LOCK_TIMEOUT = 60.0


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, timeout)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _acquire(fd: int, path: Path, timeout: float) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: fall back to msvcrt
        import msvcrt

        deadline = time.monotonic() + timeout
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise AibomError(f"timed out waiting for lock {path}") from None
                time.sleep(0.02)
    deadline = time.monotonic() + timeout
    delay = 0.002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise AibomError(
                    f"timed out after {timeout:.0f}s waiting for lock {path}",
                    hint="another aibom process holds it; remove the file if none runs",
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
