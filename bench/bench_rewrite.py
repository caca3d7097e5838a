"""What aibom's post-rewrite work adds to a rebase, as ratios measured in one run.

The repository (one ``git fast-import``): ``main`` has 20 files of 100 lines; ``topic`` has
N commits (default 200), each appending 3 lines to one of the files, and every topic commit
carries an ``attribution`` record for the lines it wrote (written with one notes
fast-import). A last ``main`` commit inserts two lines at the top of every file, so every
rebased commit's ranges must shift. ``aibom install`` is run in the repository.

Each run, interleaved (floor, post-rewrite, full, ...), topic and the notes ref reset first:

1. **floor**: ``git rebase main`` with hooks off and git's notes copy off;
2. **post-rewrite work**: the same hookless rebase, then aibom's ``post-rewrite`` hook, started
   by its installed shim with git's ``old new`` map on stdin: it copies the notes and writes
   a remapped attribution record per commit (one batched ``git diff-tree --stdin``). The
   ratio is (rebase + hook) / rebase; the hook's own time is reported too;
3. **full**: ``git rebase main`` with everything ``aibom install`` set up (git copies notes
   via notes.rewriteRef, post-commit runs for every pick, then post-rewrite).

After the post-rewrite case the remapped records are counted (they must be N).

Usage: ``python bench/bench_rewrite.py [--runs N] [--commits N] [--json]``.
"""

from __future__ import annotations

import argparse
import hashlib
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILES = 20
LINES = 100
MODEL = "anthropic/claude-opus-4-5-20251101"
HOOKLESS = ["-c", "core.hooksPath=/dev/null", "-c", "notes.rewrite.rebase=false"]


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "AIBOM_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # warm-ups write .pyc, as installs have them
    env = {k: v for k, v in env.items() if not k.startswith(("CLAUDE", "CODEX", "CURSOR"))}
    env.update(
        HOME=str(home),
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="Bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
        AIBOM_PROCESS_ANCESTRY="false",
        LC_ALL="C",
    )
    return env


def git(args: Sequence[str], cwd: Path, env: dict[str, str], data: bytes | None = None) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, input=data, capture_output=True, check=False, timeout=600
    )
    if proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode()


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _lines(name: str, count: int, start: int = 0) -> list[str]:
    return [f"{name}_{i} = {i}" for i in range(start, start + count)]


def _data(text: str) -> str:
    return f"data {len(text.encode())}\n{text}\n"


class History:
    """The fast-import stream, and what each topic commit wrote."""

    def __init__(self, commits: int) -> None:
        self.files = {f"src/m{i:02d}.py": _lines(f"m{i:02d}", LINES) for i in range(FILES)}
        self.commits = commits
        self.written: list[tuple[str, str, list[int]]] = []  # (path, blob, lines) per commit

    def stream(self) -> str:
        out: list[str] = []
        when = 1_700_000_000
        base = self.files
        out.append(f"commit refs/heads/main\nmark :1\ncommitter B <b@e> {when} +0000\n")
        out.append(_data("base"))
        out.extend(f"M 100644 inline {p}\n{_data(_text(v))}" for p, v in base.items())
        current = {p: list(v) for p, v in base.items()}
        for n in range(self.commits):
            path = f"src/m{n % FILES:02d}.py"
            start = len(current[path]) + 1
            current[path] += _lines(f"c{n}", 3)
            content = _text(current[path])
            self.written.append((path, blob_id(content.encode()), [start, start + 1, start + 2]))
            out.append(f"commit refs/heads/topic\nmark :{n + 2}\n")
            out.append(f"committer B <b@e> {when + n + 1} +0000\n{_data(f'topic {n}')}")
            out.append(f"from :{n + 1}\n" if n == 0 else "")
            out.append(f"M 100644 inline {path}\n{_data(content)}")
        out.append(f"commit refs/heads/main\nmark :{self.commits + 2}\n")
        out.append(f"committer B <b@e> {when + self.commits + 1} +0000\n{_data('main moves')}")
        out.append("from :1\n")
        for p, v in base.items():
            out.append(f"M 100644 inline {p}\n{_data(_text(['top = 0', 'top = 1', *v]))}")
        return "".join(out)


def _text(lines: Sequence[str]) -> str:
    return "".join(line + "\n" for line in lines)


def build(path: Path, env: dict[str, str], commits: int) -> None:
    from aibom import __version__
    from aibom.attribution import model
    from aibom.gitutil import discover
    from aibom.notes.records import Record
    from aibom.notes.store import NotesStore

    git(["init", "-q", "-b", "main", str(path)], path.parent, env)
    history = History(commits)
    marks = path / ".git" / "bench-marks"
    git(["fast-import", "--quiet", f"--export-marks={marks}"], path, env, history.stream().encode())
    by_mark = dict(line.split() for line in marks.read_text().splitlines())
    subprocess.run(
        [sys.executable, "-m", "aibom.cli", "install"],
        cwd=path,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
    )
    git([*HOOKLESS, "checkout", "-q", "topic"], path, env)
    additions: dict[str, list[str]] = {}
    for n, (file_path, blob, lines) in enumerate(history.written):
        content = [f"c{n}_{i} = {i}" for i in range(3)]
        ranges = [model.LineRange(lines[0], lines[-1], model.content_hash(content))]
        conversation = model.Conversation("ai", ranges, model_id=MODEL, session=f"s{n % 7}")
        entry = model.FileAttribution(file_path, blob, [conversation])
        body = model.to_body([entry], __version__, ("checkpoint", None))
        additions[by_mark[f":{n + 2}"]] = [Record.create("attribution", body).line]
    old_env = dict(os.environ)
    os.environ.update(env)
    try:
        NotesStore(discover(path)).append_many(additions, "bench: attribution records")
    finally:
        os.environ.clear()
        os.environ.update(old_env)


class Bench:
    def __init__(self, path: Path, env: dict[str, str], commits: int) -> None:
        self.path = path
        self.env = env
        self.commits = commits
        self.tip = git(["rev-parse", "topic"], path, env).strip()
        self.notes = git(["rev-parse", "refs/notes/aibom"], path, env).strip()
        self.remapped: list[int] = []
        self.hook_times: list[float] = []

    def reset(self) -> None:
        git([*HOOKLESS, "checkout", "-q", "-B", "topic", self.tip], self.path, self.env)
        git(["update-ref", "refs/notes/aibom", self.notes], self.path, self.env)

    def _rebase(self, hookless: bool) -> float:
        args = [*HOOKLESS] if hookless else []
        start = time.perf_counter()
        git([*args, "rebase", "-q", "main"], self.path, self.env)
        return time.perf_counter() - start

    def floor(self) -> float:
        self.reset()
        return self._rebase(hookless=True)

    def post_rewrite(self) -> float:
        self.reset()
        took = self._rebase(hookless=True)
        news = git(["rev-list", "--reverse", "main..topic"], self.path, self.env).split()
        olds = git(["rev-list", "--reverse", f"main~1..{self.tip}"], self.path, self.env).split()
        assert len(news) == len(olds) == self.commits
        stdin = "".join(f"{o} {n}\n" for o, n in zip(olds, news, strict=True)).encode()
        hook = self.path / ".git" / "hooks" / "post-rewrite"
        start = time.perf_counter()
        subprocess.run(
            [str(hook), "rebase"], cwd=self.path, env=self.env, input=stdin, check=True, timeout=600
        )
        hook_took = time.perf_counter() - start
        self.hook_times.append(hook_took)
        self.remapped.append(self._count_remapped(news))
        return took + hook_took

    def full(self) -> float:
        self.reset()
        return self._rebase(hookless=False)

    def _count_remapped(self, news: Sequence[str]) -> int:
        listing = git(["notes", "--ref", "refs/notes/aibom", "list"], self.path, self.env).split()
        blobs = dict(zip(listing[1::2], listing[0::2], strict=True))
        wanted = [blobs[n] for n in news if n in blobs]
        text = git(["cat-file", "--batch"], self.path, self.env, "\n".join(wanted).encode() + b"\n")
        return text.count('"type":"rewrite"')


def interleave(cases: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, case in cases.items():
            samples[name].append(case())
    return samples


def measure(runs: int, commits: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="aibom-bench-rewrite-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        env = clean_env(home)
        path = Path(tmp) / "repo"
        path.mkdir()
        build(path, env, commits)
        bench = Bench(path, env, commits)
        samples = interleave(
            {"floor": bench.floor, "post-rewrite": bench.post_rewrite, "full": bench.full}, runs
        )
    median = {k: statistics.median(v) * 1000 for k, v in samples.items()}
    return {
        "commits": commits,
        "runs": runs,
        "median_ms": {k: round(v, 1) for k, v in median.items()},
        "ratios": {
            "rebase + aibom post-rewrite / git rebase": round(
                median["post-rewrite"] / median["floor"], 2
            ),
            "rebase with all aibom hooks / git rebase": round(median["full"] / median["floor"], 2),
        },
        "post_rewrite_hook_ms": round(statistics.median(bench.hook_times) * 1000, 1),
        "remapped_records": bench.remapped,
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus, {platform.python_version()}",
    }


def table(result: dict[str, object]) -> str:
    rows = [
        f"rebase of {result['commits']} commits with attribution records, {result['runs']} runs"
    ]
    median = result["median_ms"]
    assert isinstance(median, dict)
    rows += [f"  {name:<14} {ms:>9.1f} ms (median)" for name, ms in median.items()]
    ratios = result["ratios"]
    assert isinstance(ratios, dict)
    rows += [f"  {name}: {value:.2f}x" for name, value in ratios.items()]
    rows.append(f"  the post-rewrite hook alone: {result['post_rewrite_hook_ms']} ms (median)")
    rows.append(f"  remapped attribution records per run: {result['remapped_records']}")
    rows.append(f"  machine: {result['machine']}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.runs, args.commits)
    print(json.dumps(result, indent=2) if args.json else table(result))
    remapped = result["remapped_records"]
    assert isinstance(remapped, list)
    return 0 if all(n == args.commits for n in remapped) else 1


if __name__ == "__main__":
    raise SystemExit(main())
