"""How fast ``aibom trace --model`` answers without an index, as a ratio measured in one run.

A synthetic repository (``aibom.testing.synthrepo``: one ``git fast-import`` stream) of
``--commits`` commits, about half with aibom records in notes, several models and snapshots,
trailer-only AI commits and imported attribution records.

(a) floor: ``git log --notes=aibom --format=%H%n%N`` over the whole history (every note read
    once), its output read through a pipe.
(b) ``aibom trace --model anthropic/claude-opus-4-5`` as a whole process (Python start-up,
    imports, the log pass, the files of the matches, text out). Target: <= 1.5x (a).
(c) for information: an exact ``@VERSION`` query and an ``--agent`` query, same way.

Samples of all cases are interleaved; medians of wall time are compared, and CPU time (user +
system, children included) is reported too: on a loaded machine the wall ratio says less
than the CPU ratio. The number of commits trace finds (one more JSON run, not timed) is
checked against what the generator wrote.

Usage: ``python bench/bench_forensics.py [--commits N] [--runs N] [--repo PATH] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.5
FAMILY = "anthropic/claude-opus-4-5"
SNAPSHOT = "openai/gpt-4o@2024-08-06"
AGENT = "codex"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "AIBOM_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # warm-ups write .pyc, as installs have them
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    return env


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(argv: list[str], cwd: Path) -> tuple[float, float, bytes]:
    cpu = _cpu()
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, env=_env(), timeout=600, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode(errors='replace')}")
    return elapsed, _cpu() - cpu, proc.stdout


def _cases() -> dict[str, list[str]]:
    trace = [sys.executable, "-m", "aibom.cli", "trace"]
    return {
        "floor: git log --notes": ["git", "log", "--notes=aibom", "--format=%H%n%N"],
        f"trace --model {FAMILY}": [*trace, "--model", FAMILY],
        f"trace --model {SNAPSHOT}": [*trace, "--model", SNAPSHOT],
        f"trace --agent {AGENT}": [*trace, "--agent", AGENT],
    }


def run(repo_path: Path | None, commits: int, runs: int) -> dict[str, object]:
    from aibom.testing import synthrepo

    with tempfile.TemporaryDirectory(prefix="aibom-bench-forensics-") as tmp:
        path = repo_path or Path(tmp) / "synth"
        started = time.perf_counter()
        if not (path / ".git").exists():
            synthrepo.generate(path, commits=commits)
        generated = time.perf_counter() - started
        summary = synthrepo.load_summary(path) or {}
        made = summary.get("model_commits") or {}
        expected = sum(n for m, n in made.items() if m.startswith(FAMILY + "-"))  # type: ignore[attr-defined]
        cases = _cases()
        wall: dict[str, list[float]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, argv in cases.items():
                elapsed, used, _ = _timed(argv, path)
                wall[name].append(elapsed)
                cpu[name].append(used)
        found = {
            name: len(json.loads(_timed([*argv, "--format", "json"], path)[2])["commits"])
            for name, argv in cases.items()
            if name.startswith("trace")
        }
        medians = {name: statistics.median(values) for name, values in wall.items()}
        cpus = {name: statistics.median(values) for name, values in cpu.items()}
        floor = "floor: git log --notes"
        traces = [name for name in cases if name != floor]
        family = f"trace --model {FAMILY}"
        ratios = {name: medians[name] / medians[floor] for name in traces}
        return {
            "commits": int(_count(path)),
            "generate_seconds": round(generated, 2),
            "runs": runs,
            "median_ms": {k: round(v * 1000, 1) for k, v in medians.items()},
            "median_cpu_ms": {k: round(v * 1000, 1) for k, v in cpus.items()},
            "ratios": {k: round(v, 3) for k, v in ratios.items()},
            "cpu_ratios": {k: round(cpus[k] / cpus[floor], 3) for k in traces},
            "target_ratio": TARGET,
            "meets_target": ratios[family] <= TARGET,
            "found": found,
            "expected_family_commits": expected if made else -1,
            "family_count_ok": not made or found[family] == expected,
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "machine": f"{platform.machine()} {os.cpu_count()} cpus, {platform.python_version()}",
        }


def _count(path: Path) -> str:
    return subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=path, capture_output=True, text=True, check=True
    ).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repo", type=Path, help="reuse (or build once into) this directory")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.repo, args.commits, args.runs)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"synthetic repository: {result['commits']} commits ({result['generate_seconds']} s)")
    cpu_ms = result["median_cpu_ms"]
    for name, ms in result["median_ms"].items():  # type: ignore[attr-defined]
        ratio = result["ratios"].get(name)  # type: ignore[attr-defined]
        cpu_ratio = result["cpu_ratios"].get(name)  # type: ignore[attr-defined]
        extra = f"  {ratio:.2f}x floor (cpu {cpu_ratio:.2f}x)" if ratio is not None else ""
        print(f"  {name:<45} {ms:>9.1f} ms  cpu {cpu_ms[name]:>8.1f} ms{extra}")  # type: ignore[index]
    print(f"load average {result['load_average']}")
    verdict = "meets" if result["meets_target"] else "MISSES"
    print(f"trace --model {FAMILY}: {verdict} the {TARGET}x target")
    print(f"commits found {result['found']} (generator wrote {result['expected_family_commits']})")
    return 0 if result["family_count_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
