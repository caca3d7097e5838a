"""Process-ancestry source: an agent's executable among the parents of the hook.

Linux: ``/proc/<pid>/stat`` (parent pid, command name) and ``/proc/<pid>/cmdline``. Elsewhere
one ``ps -A -o pid=,ppid=,comm=,args=`` call. Only exact basenames match (``claude``, not any
path containing "claude"); for node/bun/deno/python the script basename, the module of
``python -m``, or a ``node_modules/<package>`` / ``site-packages/<package>`` path segment.
"""

from __future__ import annotations

import os

from aibom._value import Value
from aibom.provenance.agents import agent_by_package, agent_by_process
from aibom.provenance.sources._common import evidence, merge_by_agent
from aibom.provenance.types import SourceKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from aibom.provenance.agents import AgentSpec
    from aibom.provenance.types import DetectionContext, Evidence

__all__ = ["AncestrySource", "Proc", "identify_process"]

_KIND = SourceKind.ANCESTRY
_MAX_DEPTH = 16
_READ_LIMIT = 8192
_INTERPRETERS = frozenset({"node", "nodejs", "bun", "deno", "pypy", "pypy3", "python"})
_RUNNER_WORDS = frozenset({"run", "x", "exec"})  # ``bun run x``, ``deno run``
_VALUE_OPTIONS = frozenset({"-r", "--require", "--import", "--loader", "-W", "-X", "--config"})
_SCRIPT_EXTS = (".js", ".mjs", ".cjs", ".ts", ".py", ".exe")
_PACKAGE_DIRS = frozenset({"node_modules", "site-packages", "dist-packages"})


class Proc(Value):
    """One process: its id, its parent's id, the kernel's command name and its argv."""

    __slots__ = ("argv", "comm", "pid", "ppid")
    pid: int
    ppid: int
    comm: str
    argv: tuple[str, ...]

    def __init__(self, pid: int, ppid: int, comm: str, argv: tuple[str, ...]) -> None:
        self._set(pid=pid, ppid=ppid, comm=comm, argv=tuple(argv))


class AncestrySource:
    """Walks parents from ``ctx.pid`` (at most 16 levels) looking for agent processes."""

    kind: SourceKind = _KIND

    def __init__(
        self,
        *,
        proc_root: str = "/proc",
        max_depth: int = _MAX_DEPTH,
        ps: Callable[[], str] | None = None,
    ) -> None:
        self._proc_root = proc_root
        self._max_depth = max_depth
        self._ps = ps

    def detect(self, ctx: DetectionContext) -> Sequence[Evidence]:
        if not isinstance(ctx.pid, int) or ctx.pid <= 0:
            return ()
        try:
            chain = self._chain(ctx.pid)
            return merge_by_agent(_evidence(chain))
        except Exception:  # a source never raises on odd data
            return ()

    def _chain(self, pid: int) -> list[Proc]:
        if self._ps is None and os.path.isdir(self._proc_root):
            lookup: Callable[[int], Proc | None] = self._read_proc
        else:
            table = _parse_ps(self._ps() if self._ps is not None else _run_ps())
            lookup = table.get
        chain: list[Proc] = []
        seen: set[int] = set()
        while pid > 0 and pid not in seen and len(chain) < self._max_depth:
            seen.add(pid)
            proc = lookup(pid)
            if proc is None:
                break
            chain.append(proc)
            pid = proc.ppid
        return chain

    def _read_proc(self, pid: int) -> Proc | None:
        base = os.path.join(self._proc_root, str(pid))
        stat = _read(os.path.join(base, "stat"))
        if stat is None:
            return None
        parsed = _parse_stat(stat)
        if parsed is None:
            return None
        comm, ppid = parsed
        raw = _read(os.path.join(base, "cmdline")) or b""
        argv = tuple(a.decode("utf-8", "replace") for a in raw.split(b"\0") if a)
        return Proc(pid, ppid, comm, argv)


def identify_process(comm: str, argv: Sequence[str]) -> tuple[AgentSpec, str, str | None] | None:
    """(agent, matched name, version) of one process, or None."""
    exe_path = argv[0] if argv else ""
    exe = _basename(exe_path)
    for name in (exe, _basename(comm)):
        spec = agent_by_process(name) if name else None
        if spec is not None:
            return spec, name, None
    hit = _versioned_install(exe_path) or _package_of(exe_path)
    if hit is not None:
        return hit
    if _is_interpreter(exe) or _is_interpreter(_basename(comm)):
        return _script_agent(argv[1:])
    return None


def _evidence(chain: list[Proc]) -> list[Evidence]:
    found: list[Evidence] = []
    for depth, proc in enumerate(chain):
        hit = identify_process(proc.comm, proc.argv)
        if hit is None:
            continue
        spec, name, version = hit
        detail = f"process {name} (pid {proc.pid}, {depth} up)"
        # Nearer ancestors are more telling than a far one (an agent that started a shell
        # that started an editor...).
        strength = 1.0 - min(depth, 10) * 0.01
        found.append(evidence(_KIND, spec, detail, strength=strength, version=version))
    return found


def _script_agent(args: Sequence[str]) -> tuple[AgentSpec, str, str | None] | None:
    skip = False
    for i, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg == "-m" and i + 1 < len(args):
            module = args[i + 1].split(".", 1)[0]
            spec = agent_by_process(module) or agent_by_package(module)
            return (spec, module, None) if spec is not None else None
        if arg.startswith("-"):
            skip = arg in _VALUE_OPTIONS
            continue
        if arg in _RUNNER_WORDS:
            continue
        name = _strip_ext(_basename(arg))
        spec = agent_by_process(name)
        if spec is not None:
            return spec, name, None
        return _versioned_install(arg) or _package_of(arg)
    return None


def _package_of(path: str) -> tuple[AgentSpec, str, str | None] | None:
    """``.../node_modules/@scope/pkg/...`` or ``.../site-packages/pkg/...`` -> the agent."""
    parts = path.replace("\\", "/").split("/")
    for i, part in enumerate(parts[:-1]):
        if part not in _PACKAGE_DIRS:
            continue
        name = parts[i + 1]
        if name.startswith("@") and i + 2 < len(parts):
            name = f"{name}/{parts[i + 2]}"
        spec = agent_by_package(name)
        if spec is not None:
            return spec, name, None
    return None


def _versioned_install(path: str) -> tuple[AgentSpec, str, str | None] | None:
    """Native installs kept as ``.../<agent>/versions/<version>`` (Claude Code's installer
    does this; uncertain for others): the basename is the version, not the agent."""
    parts = [p for p in path.replace("\\", "/").split("/") if p]
    if len(parts) < 3 or parts[-2] != "versions":
        return None
    version = parts[-1]
    if not version[:1].isdigit():
        return None
    spec = agent_by_process(parts[-3])
    return (spec, parts[-3], version) if spec is not None else None


def _is_interpreter(name: str) -> bool:
    if name in _INTERPRETERS:
        return True
    if name.startswith("python"):
        rest = name[len("python") :]
        return all(c.isdigit() or c == "." for c in rest)
    return False


def _basename(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def _strip_ext(name: str) -> str:
    for ext in _SCRIPT_EXTS:
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


def _parse_stat(data: bytes) -> tuple[str, int] | None:
    """``pid (comm) state ppid ...``; comm may hold spaces and parentheses."""
    start, end = data.find(b"("), data.rfind(b")")
    if start < 0 or end < start:
        return None
    fields = data[end + 1 :].split()
    if len(fields) < 2 or not fields[1].isdigit():
        return None
    return data[start + 1 : end].decode("utf-8", "replace"), int(fields[1])


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(_READ_LIMIT)
    except OSError:
        return None


def _run_ps() -> str:
    import subprocess  # only where there is no /proc

    try:
        done = subprocess.run(
            ["ps", "-A", "-o", "pid=,ppid=,comm=,args="],
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout if done.returncode == 0 else ""


def _parse_ps(output: str) -> dict[int, Proc]:
    """Lines of ``pid ppid comm args``. ``comm`` is taken as one word; ``args`` split on
    whitespace (good enough for basenames)."""
    table: dict[int, Proc] = {}
    for line in output.splitlines():
        fields = line.split(None, 3)
        if len(fields) < 3 or not fields[0].isdigit() or not fields[1].isdigit():
            continue
        args = tuple(fields[3].split()) if len(fields) > 3 else (fields[2],)
        table[int(fields[0])] = Proc(int(fields[0]), int(fields[1]), fields[2], args)
    return table
