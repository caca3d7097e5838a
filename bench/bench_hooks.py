"""How much aibom's git hooks cost, as ratios measured in one run.

(a) The commit-msg and post-commit entry points, started exactly the way the native hook shim
    starts them (``python -E -S -c 'import sys; sys.path.insert(...); from aibom.hookentry.X
    import main; ...'`` in the work tree), against the floor of a bare ``python -c pass``.
    Target: at most 2.0x. Post-commit is timed on a new commit each run, twice: after the
    commit-msg hook of the same commit (its detection is handed over, the usual case) and
    without it (``--no-verify``: post-commit detects by itself).
    The pre-commit dependency gate is timed on a commit that stages no manifest, lockfile,
    doc or .py file (most commits): it must decide that from one ``git diff`` and exit.
(b) The milliseconds all of aibom's hooks add to a ``git commit``: a repository with
    ``aibom install`` against one without, same run, commits interleaved.

Runs are interleaved (floor, hook, floor, hook, ...) so machine noise hits both sides alike;
medians are reported. Usage: ``python bench/bench_hooks.py [--runs N] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

TARGET_RATIO = 2.0
ENTRY = (
    "import os, sys\n"
    "sys.path.insert(0, os.environ['AIBOM_HOOK_PATH'])\n"
    "from aibom.hookentry.{module} import main\n"
    "sys.exit(main())"
)
PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)
AGENT_PREFIXES = (
    "CLAUDE",
    "CODEX",
    "CURSOR",
    "GEMINI",
    "COPILOT",
    "AIDER",
    "OPENCODE",
    "AI_AGENT",
    "AGENT",
    "GIT_",
    "AIBOM_",
    "PRE_COMMIT",
    "ANTHROPIC",
    "OPENAI",
)


def clean_env(home: Path) -> dict[str, str]:
    """No agent variables, no user git configuration: every run sees the same world."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(AGENT_PREFIXES)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users have .pyc files; so does the benchmark
    env.update(
        AIBOM_HOOK_PATH=PACKAGE_ROOT,
        HOME=str(home),
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="Bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
    )
    return env


def run(cmd: Sequence[str], cwd: Path, env: dict[str, str]) -> None:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.decode(errors='replace')}")


def timed(cmd: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    run(cmd, cwd, env)
    return time.perf_counter() - start


def make_repo(path: Path, env: dict[str, str], *, install: bool) -> Path:
    run(["git", "init", "-q", "-b", "main", str(path)], path.parent, env)
    (path / "README.md").write_text("# bench\n")
    run(["git", "add", "README.md"], path, env)
    run(["git", "commit", "-q", "-m", "Initial commit"], path, env)
    if install:
        run([sys.executable, "-m", "aibom.cli", "install"], path, env)
    return path


def interleave(cases: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for case in cases.values():  # one warm-up each: page cache, .pyc files
        case()
    for _ in range(runs):
        for name, case in cases.items():
            samples[name].append(case())
    return samples


def bench_entry_points(root: Path, env: dict[str, str], runs: int) -> dict[str, list[float]]:
    repo = make_repo(root / "entry", env, install=False)
    message = root / "COMMIT_EDITMSG"
    py = sys.executable

    def floor() -> float:
        return timed([py, "-c", "pass"], repo, env)

    def hook(module: str, *args: str) -> list[str]:
        return [py, "-E", "-S", "-c", ENTRY.format(module=module), *args]

    counter = iter(range(10**9))

    def new_commit() -> None:
        n = next(counter)
        (repo / "file.txt").write_text(f"change {n}\n")
        run(["git", "add", "file.txt"], repo, env)
        run(["git", "-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", f"C {n}"], repo, env)

    def commit_msg() -> float:
        message.write_text("Add the parser\n\nBody.\n# Please enter the commit message\n")
        return timed(hook("commit_msg", str(message)), repo, env)

    def post_commit_handoff() -> float:
        # as in `git commit`: commit-msg (same parent process), the commit, then post-commit
        message.write_text("Add the parser\n")
        run(hook("commit_msg", str(message)), repo, env)
        new_commit()
        return timed(hook("post_commit"), repo, env)

    def post_commit_alone() -> float:
        new_commit()
        return timed(hook("post_commit"), repo, env)

    def deps_gate_fast_path() -> float:
        (repo / "file.txt").write_text(f"staged {next(counter)}\n")
        run(["git", "add", "file.txt"], repo, env)
        return timed(hook("deps"), repo, env)

    return interleave(
        {
            "python -c pass": floor,
            "commit-msg": commit_msg,
            "post-commit --no-verify": post_commit_alone,
            "post-commit": post_commit_handoff,
            "pre-commit deps gate": deps_gate_fast_path,
        },
        runs,
    )


def bench_git_commit(root: Path, env: dict[str, str], runs: int) -> dict[str, list[float]]:
    plain = make_repo(root / "plain", env, install=False)
    hooked = make_repo(root / "hooked", env, install=True)
    counter = iter(range(10**9))

    def committer(repo: Path) -> Callable[[], float]:
        def commit() -> float:
            n = next(counter)
            (repo / "file.txt").write_text(f"change {n}\n")
            run(["git", "add", "file.txt"], repo, env)
            return timed(["git", "commit", "-q", "-m", f"Change {n}"], repo, env)

        return commit

    return interleave(
        {"git commit": committer(plain), "git commit + aibom": committer(hooked)}, runs
    )


def measure(runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="aibom-bench-") as tmp:
        root = Path(tmp)
        (root / "home").mkdir()
        env = clean_env(root / "home")
        entry = bench_entry_points(root, env, runs)
        commit = bench_git_commit(root, env, runs)
    med = {name: statistics.median(v) for name, v in {**entry, **commit}.items()}
    floor = med["python -c pass"]
    added = med["git commit + aibom"] - med["git commit"]
    return {
        "runs": runs,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "median_ms": {name: round(value * 1000, 2) for name, value in med.items()},
        "ratios": {
            "commit-msg / python -c pass": round(med["commit-msg"] / floor, 2),
            "post-commit / python -c pass": round(med["post-commit"] / floor, 2),
            "post-commit --no-verify / python -c pass": round(
                med["post-commit --no-verify"] / floor, 2
            ),
            "pre-commit deps gate (nothing to check) / python -c pass": round(
                med["pre-commit deps gate"] / floor, 2
            ),
            "git commit + aibom / git commit": round(
                med["git commit + aibom"] / med["git commit"], 2
            ),
        },
        "added_ms_per_commit": round(added * 1000, 2),
        "target_ratio": TARGET_RATIO,
    }


def table(result: dict[str, object]) -> str:
    med = result["median_ms"]
    ratios = result["ratios"]
    assert isinstance(med, dict) and isinstance(ratios, dict)
    machine = result["machine"]
    assert isinstance(machine, dict)
    lines = [
        f"aibom hook benchmark: median of {result['runs']} interleaved runs, "
        f"{machine['cpus']} CPUs, Python {machine['python']}",
        "",
        f"{'case':<26} {'median ms':>10}",
    ]
    lines += [f"{name:<26} {value:>10.1f}" for name, value in med.items()]
    lines.append("")
    for name, value in ratios.items():
        mark = ""
        if "python -c pass" in name:
            mark = "  ok" if value <= TARGET_RATIO else f"  ABOVE TARGET {TARGET_RATIO}x"
        lines.append(f"{name:<58} {value:>5.2f}x{mark}")
    lines.append(f"{'aibom adds to a git commit':<58} {result['added_ms_per_commit']:>5.1f} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="interleaved runs per case")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    result = measure(args.runs)
    print(json.dumps(result, indent=2, sort_keys=True) if args.json else table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
