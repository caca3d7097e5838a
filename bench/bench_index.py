"""How fast the forensics index is built, updated and queried, as ratios measured in one run.

A synthetic repository (``aibom.testing.synthrepo``, one ``git fast-import`` stream) of
``--commits`` commits, about half with aibom records in notes.

(a) floor: ``git log --notes=aibom --format=%H%n%N`` (every note read once), through a pipe.
    For information, a second floor: the same with ``--numstat`` (the per-file line counts
    the index also stores: git's blob diffs).
(b) ``aibom index --rebuild --db FILE`` from scratch, as a whole process. Target: <= 3x (a).
(c) ``trace --model`` with the index: the library query (``trace()`` over ``IndexSource``,
    in this process) and ``aibom trace --model M --db FILE`` as a whole process (Python
    start-up, imports, the query, text out). Target: <= 100 ms per query. For reference,
    ``aibom --version`` (start-up and imports alone) is timed too.
(d) incremental: 100 new commits (made with one fast-import on a copy of the repository),
    then ``aibom index --db FILE``, as a process; against (a) and against (b).

Samples are interleaved; medians of wall time are compared, and CPU time (user + system of
the child processes) is reported too: on a loaded machine the CPU ratio says more. The
number of commits a family query finds is checked against what the generator wrote.

Usage: ``python bench/bench_index.py [--commits N] [--runs N] [--repo PATH] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_BUILD = 3.0
TARGET_QUERY_MS = 100.0
QUERIES = ("anthropic/claude-opus-4-5", "openai/gpt-4o@2024-08-06", "google/gemini-2.5-pro")
FAMILY = QUERIES[0]
NEW_COMMITS = 100


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
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, env=_env(), timeout=1800, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode(errors='replace')}")
    return elapsed, _cpu() - cpu, proc.stdout


def _aibom(*args: str) -> list[str]:
    return [sys.executable, "-m", "aibom.cli", *args]


def _add_commits(path: Path, count: int, serial: int) -> None:
    """``count`` AI commits (trailers) on top of main, with one git fast-import."""
    head = subprocess.run(
        ["git", "rev-parse", "main"], cwd=path, capture_output=True, text=True, check=True
    ).stdout.strip()
    parts = []
    for n in range(count):
        message = (
            f"bench change {serial}.{n}\n\nAI-Origin: ai-generated\n"
            "AI-Model: anthropic/claude-opus-4-5-20251101\nAI-Agent: claude-code/2.0.14\n"
        ).encode()
        body = f"value = {serial * 1000 + n}\n".encode()
        when = 1_900_000_000 + serial * 1000 + n
        parts.append(
            b"commit refs/heads/main\n"
            + f"committer Bench <bench@example.com> {when} +0000\n".encode()
            + f"data {len(message)}\n".encode()
            + message
            + (f"from {head}\n".encode() if n == 0 else b"")
            + f"M 644 inline bench/b{serial}_{n}.py\ndata {len(body)}\n".encode()
            + body
            + b"\n"
        )
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=path, input=b"".join(parts), check=True, timeout=600
    )


def _library_query(db: str, model: str) -> tuple[float, int]:
    from aibom.forensics import index
    from aibom.forensics.query import TraceQuery
    from aibom.forensics.trace import trace

    start = time.perf_counter()
    source = index.open_source(db)
    try:
        found = trace(source, TraceQuery.build(model=model))
    finally:
        source.close()
    return time.perf_counter() - start, len(found.commits)


def _median(values: list[float]) -> float:
    return statistics.median(values)


def run(repo_path: Path | None, commits: int, runs: int) -> dict[str, object]:
    from aibom.testing import synthrepo

    with tempfile.TemporaryDirectory(prefix="aibom-bench-index-") as tmp:
        path = Path(tmp) / "synth"
        started = time.perf_counter()
        expected_family: int | None = None
        if repo_path is not None:
            shutil.copytree(repo_path, path, symlinks=True)  # the copy gets the new commits
        else:
            made = synthrepo.generate(path, commits=commits)
            expected_family = sum(n for s, n in made.model_commits if "claude-opus-4-5" in s)
        prepared = time.perf_counter() - started
        count = int(
            subprocess.run(
                ["git", "rev-list", "--count", "main"], cwd=path, capture_output=True, check=True
            ).stdout
        )
        db = str(Path(tmp) / "index.sqlite3")
        floor = ["git", "log", "--notes=aibom", "--format=%H%n%N"]
        floor_numstat = [*floor, "--numstat", "--no-renames"]
        build = _aibom("index", "--rebuild", "--db", db)
        wall: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}

        def sample(name: str, argv: list[str]) -> bytes:
            elapsed, used, out = _timed(argv, path)
            wall.setdefault(name, []).append(elapsed)
            cpu.setdefault(name, []).append(used)
            return out

        for _ in range(runs):
            sample("floor", floor)
            sample("floor with --numstat", floor_numstat)
            sample("index from scratch", build)
        library: dict[str, list[float]] = {}
        found: dict[str, int] = {}
        for _ in range(max(runs, 3)):
            for model in QUERIES:
                elapsed, hits = _library_query(db, model)
                library.setdefault(model, []).append(elapsed)
                found[model] = hits
                sample(
                    f"aibom trace --model {model} --db",
                    _aibom("trace", "--model", model, "--db", db),
                )
            sample("start-up: aibom --version", _aibom("--version"))
        for serial in range(runs):
            _add_commits(path, NEW_COMMITS, serial)
            sample("floor", floor)
            out = sample(
                f"index after {NEW_COMMITS} new commits",
                _aibom("index", "--db", db, "--format", "json"),
            )
            added = json.loads(out)["repositories"][0]["added"]
            if added != NEW_COMMITS:
                raise SystemExit(f"the incremental run indexed {added} commits, not {NEW_COMMITS}")

    med = {k: _median(v) for k, v in wall.items()}
    med_cpu = {k: _median(v) for k, v in cpu.items()}
    query_ms = {m: _median(v) * 1000 for m, v in library.items()}
    cli_ms = {m: med[f"aibom trace --model {m} --db"] * 1000 for m in QUERIES}
    incremental = f"index after {NEW_COMMITS} new commits"
    return {
        "commits": count,
        "runs": runs,
        "prepared_s": round(prepared, 2),
        "median_s": {k: round(v, 4) for k, v in med.items()},
        "median_cpu_s": {k: round(v, 4) for k, v in med_cpu.items()},
        "build_ratio": round(med["index from scratch"] / med["floor"], 2),
        "build_cpu_ratio": round(med_cpu["index from scratch"] / med_cpu["floor"], 2),
        "build_ratio_vs_numstat_floor": round(
            med["index from scratch"] / med["floor with --numstat"], 2
        ),
        # git's own diffs for the line counts, before any Python: a lower bound of a build
        "numstat_floor_ratio": round(med["floor with --numstat"] / med["floor"], 2),
        "numstat_floor_cpu_ratio": round(med_cpu["floor with --numstat"] / med_cpu["floor"], 2),
        "query_library_ms": {k: round(v, 1) for k, v in query_ms.items()},
        "query_cli_ms": {k: round(v, 1) for k, v in cli_ms.items()},
        "query_commits": found,
        "startup_ms": round(med["start-up: aibom --version"] * 1000, 1),
        "expected_family_commits": expected_family,
        "family_count_ok": expected_family is None or found[FAMILY] == expected_family,
        "incremental_ms": round(med[incremental] * 1000, 1),
        "incremental_ratio_vs_floor": round(med[incremental] / med["floor"], 2),
        "incremental_ratio_vs_build": round(med[incremental] / med["index from scratch"], 3),
        "target_build_ratio": TARGET_BUILD,
        "target_query_ms": TARGET_QUERY_MS,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, {platform.python_version()}",
    }


def _table(result: dict[str, object]) -> str:
    med = result["median_s"]
    cpu = result["median_cpu_s"]
    assert isinstance(med, dict) and isinstance(cpu, dict)
    lines = [f"{result['commits']} commits, {result['runs']} runs, {result['machine']}", ""]
    lines.append(f"{'case':<58} {'wall s':>9} {'cpu s':>9}")
    for name, value in med.items():
        lines.append(f"{name:<58} {value:>9.3f} {cpu[name]:>9.3f}")
    lines += [
        "",
        f"index from scratch / floor: {result['build_ratio']}x wall, "
        f"{result['build_cpu_ratio']}x cpu (target <= {TARGET_BUILD}x); "
        f"/ floor with --numstat: {result['build_ratio_vs_numstat_floor']}x",
        f"floor with --numstat / floor (git's diffs alone, a lower bound of a build): "
        f"{result['numstat_floor_ratio']}x wall, {result['numstat_floor_cpu_ratio']}x cpu",
        f"trace --model with the index, library: {result['query_library_ms']} ms",
        f"trace --model with the index, whole process: {result['query_cli_ms']} ms "
        f"(target <= {TARGET_QUERY_MS:.0f} ms per query; aibom --version alone: "
        f"{result['startup_ms']} ms)",
        f"commits found: {result['query_commits']} (family count ok: {result['family_count_ok']})",
        f"index after {NEW_COMMITS} new commits: {result['incremental_ms']} ms = "
        f"{result['incremental_ratio_vs_floor']}x the floor, "
        f"{result['incremental_ratio_vs_build']}x a build from scratch",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repo", type=Path, default=None, help="a synthetic repository to copy")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.repo, args.commits, args.runs)
    print(json.dumps(result, indent=2) if args.json else _table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
