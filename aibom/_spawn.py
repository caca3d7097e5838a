"""Run a child process with pipes, without importing ``subprocess``.

``import subprocess`` costs about as much as starting Python on slow machines, and the hooks
run git two or three times within a budget of one Python start-up. This uses
``os.posix_spawnp`` and ``select.poll`` (both built in); platforms without them fall back to
``subprocess``. Stdin, stdout and stderr are pumped together, so large inputs and outputs
never deadlock; a timeout kills the child.
"""

from __future__ import annotations

import os
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

CHUNK = 1 << 16


class SpawnTimeout(Exception):
    pass


def run(
    argv: Sequence[str],
    *,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
) -> tuple[int, bytes, bytes]:
    """Run ``argv`` (looked up on PATH); returns (returncode, stdout, stderr)."""
    if not hasattr(os, "posix_spawnp"):  # pragma: no cover - Windows
        return _run_subprocess(argv, input, env, timeout)
    return start(argv, env=env, input=input).wait(timeout)


class Started:
    """A child started by :func:`start`; :meth:`wait` pumps its pipes and reaps it."""

    def __init__(self, pid: int, in_w: int, out_r: int, err_r: int, data: bytes) -> None:
        self.pid, self._data = pid, data
        self._fds: tuple[int, ...] = (in_w, out_r, err_r)  # () once closed

    def wait(self, timeout: float = 120.0) -> tuple[int, bytes, bytes]:
        """(returncode, stdout, stderr) once the child exits; kills it after ``timeout``."""
        in_w, out_r, err_r = self._fds
        self._fds = ()  # _pump closes them, whatever happens
        try:
            out, err = _pump(in_w, out_r, err_r, self._data, timeout)
        except SpawnTimeout:
            self.kill()
            raise
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status), out, err

    def kill(self) -> None:
        """Stop the child and reap it (its pipes are closed)."""
        try:
            os.kill(self.pid, 9)
        except ProcessLookupError:  # pragma: no cover - already gone
            pass
        finally:
            fds, self._fds = self._fds, ()
            for fd in fds:
                os.close(fd)
            os.waitpid(self.pid, 0)


def start(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, input: bytes | None = None
) -> Started:
    """Start ``argv`` (looked up on PATH) with piped stdin, stdout and stderr; the caller
    goes on with other work and collects it with :meth:`Started.wait`."""
    environ = dict(os.environ if env is None else env)
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    actions: list[tuple[int, ...]] = [
        (os.POSIX_SPAWN_DUP2, in_r, 0),
        (os.POSIX_SPAWN_DUP2, out_w, 1),
        (os.POSIX_SPAWN_DUP2, err_w, 2),
    ]
    for fd in (in_r, in_w, out_r, out_w, err_r, err_w):
        actions.append((os.POSIX_SPAWN_CLOSE, fd))
    try:
        pid = os.posix_spawnp(argv[0], list(argv), environ, file_actions=actions)
    except OSError:
        for fd in (in_r, in_w, out_r, out_w, err_r, err_w):
            os.close(fd)
        raise
    os.close(in_r)
    os.close(out_w)
    os.close(err_w)
    return Started(pid, in_w, out_r, err_r, input or b"")


def _pump(in_w: int, out_r: int, err_r: int, data: bytes, timeout: float) -> tuple[bytes, bytes]:
    import select

    deadline = time.monotonic() + timeout
    poller = select.poll()
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    poller.register(out_r, select.POLLIN)
    poller.register(err_r, select.POLLIN)
    open_fds = {out_r, err_r}
    view = memoryview(data)
    if data:
        os.set_blocking(in_w, False)
        poller.register(in_w, select.POLLOUT)
    else:
        os.close(in_w)
    writing = bool(data)
    try:
        while open_fds or writing:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SpawnTimeout()
            for fd, _event in poller.poll(left * 1000):
                if writing and fd == in_w:
                    view = _write_some(in_w, view)
                    if not view:
                        poller.unregister(in_w)
                        os.close(in_w)
                        writing = False
                    continue
                chunk = os.read(fd, CHUNK)
                if chunk:
                    chunks[fd].append(chunk)
                else:
                    poller.unregister(fd)
                    open_fds.discard(fd)
    finally:
        if writing:
            os.close(in_w)
        os.close(out_r)
        os.close(err_r)
    return b"".join(chunks[out_r]), b"".join(chunks[err_r])


def _write_some(fd: int, view: memoryview) -> memoryview:
    try:
        written = os.write(fd, view[:CHUNK])
    except BlockingIOError:
        return view
    except BrokenPipeError:
        return memoryview(b"")  # the child stopped reading: it has what it needs
    return view[written:]


def _run_subprocess(
    argv: Sequence[str], input: bytes | None, env: Mapping[str, str] | None, timeout: float
) -> tuple[int, bytes, bytes]:  # pragma: no cover - Windows
    import subprocess

    try:
        proc = subprocess.run(
            list(argv), input=input, capture_output=True, env=env, timeout=timeout
        )
    except subprocess.TimeoutExpired as exc:
        raise SpawnTimeout() from exc
    return proc.returncode, proc.stdout, proc.stderr
