"""What ``aibom build`` costs on a release-sized repository, measured in one run.

The repository comes from :mod:`aibom.testing.synthrepo` (one ``git fast-import``): by
default 100,000 commits, half of them with records on refs/notes/aibom, 200 files and a
lockfile of 1,000 hashed dependencies. Measured, in this order:

1. the floor: the one ``git log`` the build cannot avoid (same format, notes and
   ``--name-status``), and a bare ``git log --format=%H``;
2. ``build()`` (the library call behind ``aibom build``), ``--runs`` times: total and the
   split history / notes / tree / manifests / blame / facts / serialisation / validation;
   the median total against the target (10 s) and as a ratio of the floor; then the command
   ``aibom build -o FILE`` once as a process (start-up and writing the file included);
3. blame of a sample of files limited to the commits that touched them (what the build
   does) against plain ``git blame`` of the same files;
4. schema validation of a 5,000-component BOM: jsonschema-rs (what the build uses) against
   the pure-Python jsonschema.

Usage: ``python bench/bench_bom.py [--commits N] [--deps N] [--runs N] [--repo PATH]
[--validate-components N] [--skip-pure] [--json]``.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_SECONDS = 10.0
VALIDATE_TARGET = 1.0


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def git_floor(path: Path) -> dict[str, float]:
    from aibom.bom.history import log_argv

    head = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()

    def run(argv: list[str]) -> None:
        subprocess.run(["git", "-C", str(path), *argv], capture_output=True, check=True)

    full, _ = timed(lambda: run(log_argv([head])))
    bare, _ = timed(lambda: run(["log", "--format=%H", head]))
    return {"git log (the build's pass)": full, "git log --format=%H": bare}


def measure_build(path: Path, runs: int) -> tuple[list[float], list[dict[str, float]], Any]:
    from aibom.bom.builder import build
    from aibom.gitutil import discover

    repo = discover(path)
    totals, splits, result = [], [], None
    for _ in range(runs):
        seconds, result = timed(lambda: build(repo))
        totals.append(seconds)
        splits.append(dict(result.summary.timings))
    return totals, splits, result


def measure_process(path: Path, out: Path) -> float:
    """The command as a user runs it: Python start-up, the build, writing the file."""
    argv = [sys.executable, "-m", "aibom.cli", "-C", str(path), "build", "-o", str(out)]
    seconds, _ = timed(
        lambda: subprocess.run([*argv, "--report", "json"], capture_output=True, check=True)
    )
    return seconds


def measure_blame(path: Path, sample: int) -> dict[str, float]:
    from aibom.bom import history as hist
    from aibom.bom import lines as ln
    from aibom.gitutil import discover

    repo = discover(path)
    head = repo.out(["rev-parse", "HEAD"]).strip()
    history = hist.read_history(repo, [head], shallow=False)
    chains = ln.chains_for(repo, history, head)
    paths = sorted(p for p in chains if p.endswith(".py"))[:sample]
    chained, a = timed(lambda: ln.blame(repo, head, paths, chains, workers=1))
    plain, b = timed(lambda: ln.blame(repo, head, paths, None, workers=1))
    if a != b:
        raise SystemExit("chained blame differs from plain blame: a bug")
    return {"files": float(len(paths)), "chained": chained, "plain": plain}


def measure_validation(document: dict[str, Any], count: int, pure: bool) -> dict[str, float]:
    from aibom.bom import validate
    from aibom.bom.model import Spec

    components = list(document["components"]) or [{"type": "library", "name": "x"}]
    grown = [{**components[i % len(components)], "bom-ref": f"bench:{i}"} for i in range(count)]
    doc = {**document, "components": grown, "dependencies": []}
    validate.errors(doc, Spec.V1_6)  # compile once
    fast, errors = timed(lambda: validate.errors(doc, Spec.V1_6))
    if errors:
        raise SystemExit(f"the grown BOM does not validate: {errors}")
    result = {"components": float(count), "jsonschema-rs": fast}
    if pure:
        import importlib

        import referencing
        from referencing.jsonschema import DRAFT7

        names = ("spdx", "jsf-0.82", "cryptography-defs")
        registry = referencing.Registry().with_resources(
            (
                f"http://cyclonedx.org/schema/{n}.SNAPSHOT.schema.json",
                DRAFT7.create_resource(
                    json.loads(validate.schema_text(f"{n}.SNAPSHOT.schema.json"))
                ),
            )
            for n in names
        )
        schema = json.loads(validate.schema_text(validate.schema_name(Spec.V1_6)))
        jsonschema: Any = importlib.import_module("jsonschema")
        checker = jsonschema.Draft7Validator(schema, registry=registry)
        slow, _ = timed(lambda: list(checker.iter_errors(doc)))
        result["jsonschema"] = slow
    return result


def prepare(args: argparse.Namespace, scratch: Path) -> tuple[Path, float]:
    if args.repo:
        return Path(args.repo), 0.0
    from aibom.testing.synthrepo import generate

    path = scratch / "synth"
    seconds, _ = timed(
        lambda: generate(path, commits=args.commits, locked_dependencies=args.deps, seed=7)
    )
    return path, seconds


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def report(data: dict[str, Any]) -> str:
    lines = [
        f"aibom build on {data['commits']:,} commits, {data['deps']:,} locked dependencies "
        f"({data['machine']})",
        f"  repository generated in {data['generate_s']:.1f}s",
        "  floor: " + ", ".join(f"{k} {v:.2f}s" for k, v in data["floor"].items()),
        f"  build (median of {len(data['totals'])}): {data['median_s']:.2f}s  "
        f"target <= {TARGET_SECONDS:.0f}s: {_verdict(data['median_s'] <= TARGET_SECONDS)}"
        f"  = {data['ratio_to_floor']:.2f}x the build's git log",
        "  split: " + "  ".join(f"{k} {v:.2f}s" for k, v in data["split"].items()),
        f"  the command (aibom build -o FILE: start-up, build, write): {data['process_s']:.2f}s",
        f"  components {data['components']:,}, BOM {data['bytes'] / 1e6:.1f} MB",
    ]
    blame = data["blame"]
    lines.append(
        f"  blame of {blame['files']:.0f} files: chained {blame['chained']:.2f}s, plain "
        f"{blame['plain']:.2f}s  = {blame['plain'] / max(blame['chained'], 1e-9):.1f}x faster"
    )
    val = data["validation"]
    fast = val["jsonschema-rs"]
    text = f"  validation of {val['components']:.0f} components: jsonschema-rs {fast:.3f}s"
    text += f" (target < {VALIDATE_TARGET:.0f}s: {_verdict(fast < VALIDATE_TARGET)})"
    if "jsonschema" in val:
        ratio = val["jsonschema"] / max(val["jsonschema-rs"], 1e-9)
        text += f", jsonschema {val['jsonschema']:.2f}s = {ratio:.0f}x slower"
    lines.append(text)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--deps", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--repo", help="Use this repository instead of generating one.")
    parser.add_argument("--blame-sample", type=int, default=20)
    parser.add_argument("--validate-components", type=int, default=5_000)
    parser.add_argument("--skip-pure", action="store_true", help="Do not time pure jsonschema.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-bom-") as tmp:
        path, generate_s = prepare(args, Path(tmp))
        floor = git_floor(path)
        totals, splits, result = measure_build(path, max(1, args.runs))
        process = measure_process(path, Path(tmp) / "bom.cdx.json")
        blame = measure_blame(path, args.blame_sample)
        validation = measure_validation(
            dict(result.document), args.validate_components, not args.skip_pure
        )
    median = statistics.median(totals)
    split = {k: statistics.median(s.get(k, 0.0) for s in splits) for k in splits[0]}
    data = {
        "commits": result.summary.commits,
        "deps": result.summary.dependencies,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "generate_s": generate_s,
        "floor": floor,
        "totals": totals,
        "process_s": process,
        "median_s": median,
        "ratio_to_floor": median / floor["git log (the build's pass)"],
        "split": split,
        "components": result.summary.components,
        "bytes": len(result.text.encode()),
        "blame": blame,
        "validation": validation,
        "target_met": median <= TARGET_SECONDS,
    }
    print(json.dumps(data, indent=2) if args.json else report(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
