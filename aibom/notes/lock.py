"""An inter-process lock shared by every worktree of a repository (in the common git dir).

Git's own ``git notes add`` updates the notes ref without checking its old value, so two
writers at once could lose a record; every aibom writer takes this lock first.
"""

from __future__ import annotations

import os
import time

from aibom.errors import AibomError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType

LOCK_TIMEOUT = 60.0


class locked:  # lower case: used like a function, ``with locked(path):``
    """``with locked(path):`` holds an exclusive lock on ``path`` (created if missing)."""

    def __init__(self, path: str | os.PathLike[str], timeout: float = LOCK_TIMEOUT) -> None:
        self.path = os.fspath(path)
        self.timeout = timeout
        self.fd = -1

    def __enter__(self) -> None:
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _acquire(self.fd, self.path, self.timeout)
        except BaseException:
            os.close(self.fd)
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        os.close(self.fd)  # closing releases the lock


def _acquire(fd: int, path: str, timeout: float) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: fall back to msvcrt
        _acquire_msvcrt(fd, path, timeout)
        return
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
                    hint="another aibom process holds it; the lock is released when it exits",
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.05)


def _acquire_msvcrt(fd: int, path: str, timeout: float) -> None:  # pragma: no cover - Windows
    import msvcrt

    deadline = time.monotonic() + timeout
    while True:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            return
        except OSError:
            if time.monotonic() > deadline:
                raise AibomError(f"timed out waiting for lock {path}") from None
            time.sleep(0.02)
