"""What importing git-ai notes and exporting Agent Trace cost, as ratios measured in one run.

The repository: one ``git fast-import`` stream writes N commits (each appends a few lines to
one of 50 files) and, on ``refs/notes/ai``, a git-ai authorship/3.0.0 log for every commit
attesting the lines it added to one of three AI sessions.

Measured, interleaved (floor, aibom, floor, aibom, ...), medians compared, against the floor
``git log --notes=ai --format=%H%n%N`` (every git-ai note read once by git itself):

1. ``aibom import git-ai --dry-run``: read every log, resolve commits and blobs, clip and hash
   every range, build the records and compare with the notes already there;
2. one real ``aibom import git-ai`` (timed once: the second run has nothing to write);
3. ``aibom export agent-trace`` of the whole history after the import.

``aibom --version`` is timed too: the start-up every command pays (Python, click, command
registration), so each figure minus it is what the work itself costs.

There is no target in the issue for these; the figures go in the README.

Wall and CPU time (user + system of the child, from ``getrusage``) are both reported: on a
loaded machine the CPU figures move less.

Usage: ``python bench/bench_interop.py [--runs N] [--commits N] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FLOOR = "git log --notes=ai --format=%H%n%N"
FILES = 50
LINES_PER_COMMIT = 5
SESSIONS = (
    ("1111aaaa2222bbbb", "cursor", "claude-4.5-opus"),
    ("3333cccc4444dddd", "claude", "claude-sonnet-4-5-20250929"),
    ("5555eeee6666ffff", "codex", "gpt-5-codex"),
)


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "AIBOM_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # warm-ups write .pyc, as installs have them
    env.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="Bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
        LC_ALL="C",
        AIBOM_PROCESS_ANCESTRY="false",
    )
    return env


def _data(text: str) -> bytes:
    raw = text.encode()
    return f"data {len(raw)}\n".encode() + raw + b"\n"


def _log(path: str, key: str, start: int, end: int, base: str) -> str:
    tool, model = next((t, m) for k, t, m in SESSIONS if k == key)
    meta = {
        "schema_version": "authorship/3.0.0",
        "base_commit_sha": base,
        "prompts": {
            key: {
                "agent_id": {"tool": tool, "id": f"session-{key[:4]}", "model": model},
                "messages": [{"type": "user", "text": f"extend {path}"}],
                "total_additions": end - start + 1,
                "total_deletions": 0,
                "accepted_lines": end - start + 1,
                "overriden_lines": 0,
            }
        },
    }
    return f"{path}\n  {key} {start}-{end}\n---\n{json.dumps(meta, indent=2)}\n"


def build(repo: Path, commits: int, env: dict[str, str]) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=env)
    contents = [""] * FILES
    chunks: list[bytes] = []
    stamp = 1_700_000_000
    for i in range(1, commits + 1):
        f = i % FILES
        path = f"src/mod{f:02d}.py"
        contents[f] += "".join(f"value_{i}_{n} = {n}\n" for n in range(LINES_PER_COMMIT))
        chunks.append(
            f"commit refs/heads/main\nmark :{i}\n"
            f"committer Bench <bench@example.com> {stamp + i} +0000\n".encode()
        )
        chunks.append(_data(f"commit {i}"))
        chunks.append(f"M 100644 inline {path}\n".encode())
        chunks.append(_data(contents[f]))
    chunks.append(
        f"commit refs/notes/ai\ncommitter Bench <bench@example.com> {stamp} +0000\n".encode()
    )
    chunks.append(_data("git-ai notes"))
    lines = [0] * FILES
    for i in range(1, commits + 1):
        f = i % FILES
        start = lines[f] + 1
        lines[f] += LINES_PER_COMMIT
        key = SESSIONS[i % len(SESSIONS)][0]
        chunks.append(f"N inline :{i}\n".encode())
        chunks.append(_data(_log(f"src/mod{f:02d}.py", key, start, lines[f], "0" * 40)))
    stream = b"".join(chunks)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=stream, check=True, env=env)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True, env=env)


CPU: dict[str, list[float]] = {}  # command label -> CPU seconds (user + system) per run


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], cwd: Path, env: dict[str, str], label: str = "") -> float:
    """Wall time of one run; its CPU time (less disturbed by a loaded machine) goes to CPU."""
    cpu, start = _cpu(), time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    CPU.setdefault(label or argv[0], []).append(_cpu() - cpu)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()[-500:]}")
    return elapsed


def measure(runs: int, commits: int) -> dict[str, Any]:
    aibom = [sys.executable, "-m", "aibom.cli"]
    with tempfile.TemporaryDirectory(prefix="aibom-bench-interop-") as tmp:
        root = Path(tmp)
        (root / "home").mkdir()
        env = clean_env(root / "home")
        repo = root / "repo"
        build(repo, commits, env)
        floor_argv = ["git", "log", "--notes=ai", "--format=%H%n%N"]
        dry_argv = [*aibom, "import", "git-ai", "--dry-run"]
        floor: list[float] = []
        dry: list[float] = []
        start_up: list[float] = []
        for _ in range(runs):
            floor.append(timed(floor_argv, repo, env, "floor"))
            dry.append(timed(dry_argv, repo, env, "import git-ai --dry-run"))
            start_up.append(timed([*aibom, "--version"], repo, env, "start-up"))
        real = timed([*aibom, "import", "git-ai"], repo, env, "import git-ai (writes)")
        export: list[float] = []
        out = root / "traces.jsonl"
        for _ in range(runs):
            argv = [*aibom, "export", "agent-trace", "-o", str(out)]
            export.append(timed(argv, repo, env, "export agent-trace"))
        records = sum(1 for line in out.read_text().splitlines() if line.strip())
        base = statistics.median(floor)
    return {
        "commits": commits,
        "runs": runs,
        "floor": FLOOR,
        "floor_s": round(base, 4),
        "start_up_s": round(statistics.median(start_up), 4),
        "seconds": {
            "import git-ai --dry-run": round(statistics.median(dry), 4),
            "import git-ai (writes)": round(real, 4),
            "export agent-trace": round(statistics.median(export), 4),
        },
        "ratios": {
            "import git-ai --dry-run / floor": round(statistics.median(dry) / base, 2),
            "import git-ai (writes) / floor": round(real / base, 2),
            "export agent-trace / floor": round(statistics.median(export) / base, 2),
        },
        "cpu_seconds": {k: round(statistics.median(v), 4) for k, v in CPU.items()},
        "cpu_ratios": {
            f"{k} / floor": round(statistics.median(v) / statistics.median(CPU["floor"]), 2)
            for k, v in CPU.items()
            if k not in ("floor", "start-up")
        },
        "exported_records": records,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(max(1, args.runs), max(1, args.commits))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{result['commits']} commits, each with a git-ai log; {result['runs']} runs, medians")
    print(f"floor: {FLOOR}: {result['floor_s'] * 1000:.0f} ms")
    print(
        f"start-up of every aibom command (aibom --version): {result['start_up_s'] * 1000:.0f} ms"
    )
    for (name, seconds), ratio in zip(
        result["seconds"].items(), result["ratios"].values(), strict=True
    ):
        print(f"  {name:26} {seconds * 1000:8.0f} ms  {ratio:6.2f}x floor")
    print("CPU time (user + system), medians:")
    for name, seconds in result["cpu_seconds"].items():
        ratio = result["cpu_ratios"].get(f"{name} / floor")
        shown = f"  {ratio:6.2f}x floor" if ratio is not None else ""
        print(f"  {name:26} {seconds * 1000:8.0f} ms{shown}")
    print(f"exported {result['exported_records']} Agent Trace records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
