"""What ``aibom blame`` costs over ``git blame --porcelain``, as ratios measured in one run.

The repository: one ``git fast-import`` stream writes a 1000-line file with 200 commits of
history (each commit rewrites, inserts or deletes a few runs of lines; a few other files
change alongside) and, on ``refs/notes/aibom``, notes for about 60% of the commits: a
``generation`` record and an ``attribution`` record whose ranges cover the lines that
commit wrote, in the blob it records. Some other commits carry only ``AI-*`` trailers; the
rest are human commits without records.

Measured, interleaved (floor, aibom, floor, aibom, ...), medians compared:

1. the whole process ``aibom blame FILE`` (text, and ``--format porcelain``) against the
   process ``git blame --porcelain FILE``. Target: at most 1.5x. ``aibom --version`` is timed
   too: the start-up every ``aibom`` command pays (Python, click, command registration), so
   ``aibom blame`` minus it is what blaming itself adds; and ``python -c 'import click'``, the
   floor of any click command. The common forms of ``aibom blame`` do not use click
   (:mod:`aibom.attribution.fastblame`): ``aibom blame (click)`` is the same command through
   click, for comparison;
2. the library call :func:`aibom.attribution.blame.blame_files` against ``git blame
   --porcelain`` started from the same Python process (the git run the library cannot avoid).

Usage: ``python bench/bench_blame.py [--runs N] [--commits N] [--lines N] [--json]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

TARGET_RATIO = 1.5
FLOOR = "git blame --porcelain"
FILE = "src/engine.py"
NOTES_REF = "refs/notes/aibom"
MODELS = (
    "anthropic/claude-opus-4-5-20251101",
    "anthropic/claude-sonnet-4-5-20250929",
    "openai/gpt-5-codex",
)
AGENTS = ("claude-code/2.0.14", "claude-code/2.0.14", "codex/0.46.0")


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "AIBOM_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # warm-ups write .pyc, as installs have them
    env.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        LC_ALL="C",
    )
    return env


# -- the repository --------------------------------------------------------------------------
def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def _edit(lines: list[str], serial: int, rng: random.Random, target: int) -> list[int]:
    """Change a few runs of lines in place; returns the 1-based lines this commit wrote."""
    written: set[int] = set()
    for _ in range(rng.randint(1, 3)):
        size = rng.randint(1, 12)
        start = rng.randint(0, max(0, len(lines) - size))
        new = [f"    step_{serial}_{k} = compute({rng.randint(0, 10**6)})" for k in range(size)]
        if len(lines) > target:
            drop = size + rng.choice((0, 1, 2))
        elif len(lines) < target:
            drop = size - rng.choice((0, 1, 2))
        else:
            drop = size + rng.choice((-1, 0, 0, 1))
        lines[start : start + drop] = new
        shift = size - drop
        written = {n if n <= start else n + shift for n in written if not start < n <= start + drop}
        written.update(range(start + 1, start + size + 1))
    return sorted(n for n in written if n <= len(lines))


def _records(
    serial: int,
    slug: str,
    agent: str,
    session: str,
    blob: str,
    lines: list[str],
    written: list[int],
) -> list[str]:
    from aibom import __version__
    from aibom.attribution import model as attr
    from aibom.notes.records import Record
    from aibom.provenance.generation import model_json
    from aibom.provenance.modelid import normalize_model

    found = normalize_model(slug)
    assert found is not None
    name, _, version = agent.partition("/")
    evidence = {
        "source": "agent-hook",
        "origin": "ai-generated",
        "confidence": 0.9,
        "detail": "benchmark",
        "agent": agent,
        "models": [found.slug],
        "session": session,
    }
    generation = Record.create(
        "generation",
        {
            "origin": "ai-generated",
            "confidence": 0.9,
            "inferred": False,
            "models": [model_json(found)],
            "agent": {"name": name, "version": version},
            "session": session,
            "evidence": [evidence],
            "timestamps": {"committed": "2026-01-01T00:00:00Z"},
            "tool": {"name": "aibom", "version": __version__},
        },
    )
    conversation = attr.Conversation(
        "ai", attr.ranges_for(written, lines), model_id=slug, agent=agent, session=session
    )
    entry = attr.FileAttribution(FILE, blob, [conversation])
    attribution = Record.create("attribution", attr.to_body([entry], __version__))
    return sorted([generation.line, attribution.line])


def build_repo(path: Path, env: dict[str, str], commits: int, target: int, seed: int) -> int:
    """Write the history with one fast-import; returns how many commits have notes."""
    subprocess.run(["git", "init", "-q", str(path)], env=env, check=True)
    rng = random.Random(seed)
    lines = [f"    line_{n} = compute({n})" for n in range(target)]
    chunks: list[bytes] = []
    notes: list[tuple[int, str]] = []
    when = 1_767_225_600
    for serial in range(1, commits + 1):
        written = list(range(1, target + 1)) if serial == 1 else _edit(lines, serial, rng, target)
        if serial == commits and len(lines) != target:  # end at exactly ``target`` lines
            extra = range(len(lines) + 1, target + 1)
            del lines[target:]
            lines += [f"    tail_{n} = compute({n})" for n in extra]
            written = sorted({n for n in written if n <= target} | set(extra))
        content = "".join(line + "\n" for line in lines).encode()
        roll = rng.random()
        message = f"change {serial}\n"
        if serial > 1 and 0.6 <= roll < 0.75:
            message += f"\nAI-Origin: ai-assisted\nAI-Model: {MODELS[serial % 3]}\n"
        chunks.append(b"commit refs/heads/main\nmark :%d\n" % serial)
        ident = f"Dev {serial % 5} <dev{serial % 5}@example.com> {when + serial * 60} +0000\n"
        chunks.append(f"author {ident}committer {ident}".encode())
        chunks.append(_data(message.encode()))
        chunks.append(b"M 100644 inline " + FILE.encode() + b"\n" + _data(content))
        other = f"docs/notes_{serial % 7}.md".encode()
        chunks.append(b"M 100644 inline " + other + b"\n" + _data(b"note %d\n" % serial))
        if roll < 0.6:
            slug, agent = MODELS[serial % 3], AGENTS[serial % 3]
            blob = _blob_id(content)
            records = _records(serial, slug, agent, f"s-{serial // 10}", blob, lines, written)
            notes.append((serial, "".join(r + "\n" for r in records)))
    chunks.append(b"commit " + NOTES_REF.encode() + b"\n")
    chunks.append(f"committer aibom <aibom@localhost> {when} +0000\n".encode())
    chunks.append(_data(b"notes"))
    for mark, text in notes:
        chunks.append(b"N inline :%d\n" % mark + _data(text.encode()))
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=path, env=env, input=b"".join(chunks), check=True
    )
    subprocess.run(["git", "checkout", "-q", "main"], cwd=path, env=env, check=True)
    return len(notes)


# -- timing ----------------------------------------------------------------------------------
def _timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and of the children it waited for)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, start = time.process_time(), time.perf_counter()
    fn()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = time.process_time() - cpu
    spent += (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    return wall, spent


def _process(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> Callable[[], object]:
    def call() -> object:
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {proc.stderr.decode(errors='replace')}")
        return proc

    return call


def aibom_argv() -> list[str]:
    script = Path(sys.executable).with_name("aibom")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aibom.cli"]


def measure(
    path: Path, env: dict[str, str], runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    from aibom.attribution.blame import blame_files
    from aibom.gitutil import discover

    repo = discover(path)
    git_blame = _process(["git", "blame", "--porcelain", FILE], path, env)
    cases: dict[str, Callable[[], object]] = {
        "git blame --porcelain": git_blame,
        "aibom blame": _process([*aibom_argv(), "blame", FILE], path, env),
        "aibom blame --format porcelain": _process(
            [*aibom_argv(), "blame", FILE, "--format", "porcelain"], path, env
        ),
        # the same command through click (what every form the fast path does not take pays)
        "aibom blame (click)": _process(
            [sys.executable, "-m", "aibom.cli", "blame", FILE], path, env
        ),
        "blame_files (library)": lambda: blame_files(repo, [FILE]),
        # the floor of any aibom command: Python, click and the registration of all commands
        "aibom --version": _process([*aibom_argv(), "--version"], path, env),
        # what no click command can avoid: the interpreter and click itself
        "python -c 'import click'": _process([sys.executable, "-c", "import click"], path, env),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for fn in cases.values():
        fn()  # warm the page cache and the .pyc files
    for _ in range(runs):
        for name, fn in cases.items():
            wall, spent = _timed(fn)
            samples[name].append(wall)
            cpu[name].append(spent)
    return samples, cpu


def _ratios(samples: dict[str, list[float]]) -> tuple[dict[str, float], dict[str, float]]:
    medians = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    floor = medians[FLOOR]
    ratios = {
        f"{name} / {FLOOR}": round(value / floor, 3)
        for name, value in medians.items()
        if name != FLOOR
    }
    return {k: round(v, 2) for k, v in medians.items()}, ratios


def report(
    samples: dict[str, list[float]], cpu: dict[str, list[float]], meta: dict[str, object]
) -> dict[str, object]:
    medians, ratios = _ratios(samples)
    cpu_medians, cpu_ratios = _ratios(cpu)
    return {
        "median_ms": medians,
        "ratios": ratios,
        "cpu_median_ms": cpu_medians,
        "cpu_ratios": cpu_ratios,
        "blame_over_startup_ms": round(medians["aibom blame"] - medians["aibom --version"], 2),
        "target_ratio": TARGET_RATIO,
        **meta,
    }


def _table(result: dict[str, Any]) -> str:
    rows = [f"  {'':34} {'wall':>9} {'cpu':>9}"]
    for name, value in result["median_ms"].items():
        rows.append(f"  {name:34} {value:6.1f} ms {result['cpu_median_ms'][name]:6.1f} ms")
    rows.append(f"  {'ratios':56} {'wall':>6} {'cpu':>6}")
    for name, ratio in result["ratios"].items():
        cpu = result["cpu_ratios"][name]
        if name.startswith("aibom --version"):
            note = "start-up floor of every click command of aibom"
        elif "(click)" in name:
            note = "the same command through click, for comparison"
        elif name.startswith("python -c"):
            note = "floor of any click command"
        else:
            note = f"target <= {TARGET_RATIO}x: {'ok' if ratio <= TARGET_RATIO else 'OVER'}"
        rows.append(f"  {name:56} {ratio:5.2f}x {cpu:5.2f}x  ({note})")
    rows.append(f"  aibom blame - aibom --version: {result['blame_over_startup_ms']:.1f} ms (wall)")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aibom-bench-blame-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        env = clean_env(home)
        path = Path(tmp) / "repo"
        with_notes = build_repo(path, env, args.commits, args.lines, args.seed)
        lines = (path / FILE).read_bytes().count(b"\n")
        samples, cpu = measure(path, env, args.runs)
    meta = {
        "runs": args.runs,
        "commits": args.commits,
        "commits_with_records": with_notes,
        "file_lines": lines,
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cpus",
    }
    result = report(samples, cpu, meta)
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
        return 0
    print(
        f"{lines}-line file, {args.commits} commits ({with_notes} with records), "
        f"{args.runs} interleaved runs, medians (cpu: user+sys of the process and its children)"
    )
    print(_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
