"""How fast the dependency gate checks what a commit adds, as ratios measured in one run.

A loopback registry (aibom.testing.registry) serves 100 projects with 50 ms of injected
latency per request. A real git repository stages a requirements file that adds all 100.

(a) cold: ``aibom deps check`` logic in-process with an empty cache (every name fetched,
    concurrently) against checking the same names one after another (one lookup per name,
    the way a loop over a registry client would). Target: cold <= 0.15x sequential.
(b) warm: the same check again with the cache filled. Target: <= 150 ms in all (git diff,
    cat-file, parsing, typosquat and list checks, cache reads, findings).
(c) for information: the ``aibom deps check`` command, warm, as a whole process.

Usage: ``python bench/bench_deps.py [--runs N] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLD_TARGET = 0.15
WARM_TARGET_MS = 150.0
LATENCY = 0.05
COUNT = 100
OLD = "2019-03-01T10:00:00Z"


def _env(root: Path, registry_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "AIBOM_", "PIP_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        HOME=str(root / "home"),
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="Bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
        AIBOM_DEPS_PYPI_INDEX_URL=registry_url,
        AIBOM_DEPS_PUBLIC_PYPI=registry_url,
        AIBOM_DEPS_PUBLIC_NPM=registry_url,
        AIBOM_CACHE_DIR=str(root / "cache"),
        AIBOM_DEPS_IMPORTS="false",
    )
    return env


def _git(repo: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def names(count: int = COUNT) -> list[str]:
    # distinct from each other and from popular names: no finding is expected
    return [f"bench-project-{i:03d}-{chr(97 + i % 26)}lpha" for i in range(count)]


def measure(runs: int, count: int = COUNT) -> dict[str, object]:
    from aibom import config, gitutil
    from aibom.deps import gate, service
    from aibom.testing.registry import LoopbackRegistry

    with tempfile.TemporaryDirectory(prefix="aibom-bench-deps-") as tmp, LoopbackRegistry() as reg:
        root = Path(tmp)
        (root / "home").mkdir()
        for name in names(count):
            reg.add_pypi(name, versions={"1.0.0": OLD, "1.1.0": OLD})
        reg.inject(latency=LATENCY)
        env = _env(root, reg.pypi_url)
        repo_path = root / "repo"
        _git(root, env, "init", "-q", "-b", "main", str(repo_path))
        _git(repo_path, env, "commit", "-q", "--allow-empty", "-m", "init")
        (repo_path / "requirements.txt").write_text("".join(n + ">=1\n" for n in names(count)))
        _git(repo_path, env, "add", "requirements.txt")
        os.environ.clear()
        os.environ.update(env)
        repo = gitutil.discover(repo_path)
        cfg = config.load(repo.toplevel)
        policy = service.load_policy(cfg, env)
        cold, sequential, warm = [], [], []
        for _ in range(runs):
            shutil.rmtree(root / "cache", ignore_errors=True)
            start = time.perf_counter()
            result = service.check(repo, cfg, gate.Scope("staged"), env=env)
            cold.append(time.perf_counter() - start)
            assert len(result.added) == count and result.lookups == count, result
            assert not result.findings, [f.why for f in result.findings][:3]

            shutil.rmtree(root / "cache", ignore_errors=True)
            lookup, _ = service.make_lookup(repo.toplevel, policy, env)
            from aibom.deps.types import Ecosystem

            start = time.perf_counter()
            for name in names(count):
                lookup(Ecosystem.PYPI, [name])
            sequential.append(time.perf_counter() - start)

            start = time.perf_counter()
            result = service.check(repo, cfg, gate.Scope("staged"), env=env)
            warm.append(time.perf_counter() - start)
            assert result.from_cache == count, result.from_cache
        cli = []
        for _ in range(max(3, runs)):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "aibom.cli", "deps", "check"],
                cwd=repo_path, env=env, check=True, capture_output=True,
            )  # fmt: skip
            cli.append(time.perf_counter() - start)
    samples = {"cold": cold, "sequential": sequential, "warm": warm, "cli warm": cli}
    med = {k: statistics.median(v) for k, v in samples.items()}
    return {
        "runs": runs,
        "names": count,
        "latency_ms": LATENCY * 1000,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "median_ms": {k: round(v * 1000, 1) for k, v in med.items()},
        "ratios": {"cold / sequential": round(med["cold"] / med["sequential"], 3)},
        "targets": {"cold / sequential": COLD_TARGET, "warm_ms": WARM_TARGET_MS},
    }


def table(result: dict[str, object]) -> str:
    med = result["median_ms"]
    ratios = result["ratios"]
    assert isinstance(med, dict) and isinstance(ratios, dict)
    cold_ratio = ratios["cold / sequential"]
    lines = [
        f"aibom deps benchmark: {result['names']} new dependencies, "
        f"{result['latency_ms']:.0f} ms registry latency, median of {result['runs']} runs",
        "",
    ]
    lines += [f"{name:<34} {value:>9.1f} ms" for name, value in med.items()]
    lines.append("")
    ok = "ok" if cold_ratio <= COLD_TARGET else f"ABOVE TARGET {COLD_TARGET}"
    lines.append(f"{'cold / sequential':<34} {cold_ratio:>9.3f}x  {ok}")
    ok = "ok" if med["warm"] <= WARM_TARGET_MS else f"ABOVE TARGET {WARM_TARGET_MS:.0f} ms"
    lines.append(f"{'warm cache, in all':<34} {med['warm']:>9.1f} ms  {ok}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per case")
    parser.add_argument("--names", type=int, default=COUNT, help="new dependencies to check")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.names < 1:
        parser.error("--runs and --names must be at least 1")
    result = measure(args.runs, args.names)
    print(json.dumps(result, indent=2, sort_keys=True) if args.json else table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
