"""What ``aibom sign`` / ``aibom verify`` cost against the ``sigstore`` CLI, as ratios of one run.

A loopback Sigstore (``aibom.testing.sigstore_mock``: @sigstore/mock's Fulcio, Rekor and
timestamp authority behind a Node server) serves both clients, so the network is the same
for both sides. The BOM is a CycloneDX-shaped JSON document of ``--components`` components.

Measured, interleaved (floor, aibom, floor, aibom, ...), medians compared:

1. ``aibom sign BOM --no-attest`` against ``sigstore sign --bundle`` of the same file with the
   same token and trust config (one Fulcio certificate, one timestamp, one Rekor entry each);
2. ``aibom sign BOM`` (the default: a second signature, the in-toto statement, whose predicate
   reads the history of the current repository) against the same floor;
3. ``aibom verify BOM --bundle`` against ``sigstore verify identity --offline`` of the same
   bundle (the same checks; aibom also re-verifies every RFC 3161 timestamp).

``aibom --version`` is timed too: the start-up every ``aibom`` command pays.

Usage: ``python bench/bench_sign.py [--runs N] [--components N] [--json]`` (needs Node.js and
``npm ci --prefix tests/node``).
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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aibom.testing.sigstore_mock import mock_sigstore, unavailable_reason  # noqa: E402

TARGET_RATIO = 1.5
BIN = Path(sys.executable).parent


def make_bom(path: Path, components: int) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:00000000-0000-4000-8000-000000000000",
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "bench", "version": "1.0"}},
        "components": [
            {
                "type": "file",
                "bom-ref": f"file:src/m{i}.py",
                "name": f"src/m{i}.py",
                "hashes": [{"alg": "SHA-256", "content": f"{i:064x}"}],
            }
            for i in range(components)
        ],
    }
    path.write_text(json.dumps(doc, indent=2))


def timed(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=300, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:3])} failed: {proc.stderr.decode()[-500:]}")
    return elapsed


def measure(runs: int, components: int) -> dict[str, Any]:
    reason = unavailable_reason(ROOT)
    if reason is not None:
        raise SystemExit(f"bench_sign: {reason}")
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="aibom-bench-sign-") as tmp, mock_sigstore(ROOT) as m:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIBOM_", "SIGSTORE_"))}
        bom = work / "bom.json"
        make_bom(bom, components)
        size = bom.stat().st_size
        trust = str(m.write_trust_config(work / "trust.json"))
        who = ["--identity", m.identity, "--issuer", m.issuer]
        tc = ["--trust-config", trust]
        aibom = [str(BIN / "aibom")]
        sigstore = [str(BIN / "sigstore"), "--trust-config", trust]
        cases = {
            "aibom --version": (None, [*aibom, "--version"]),
            "aibom sign --no-attest": (
                "sigstore sign",
                [
                    *aibom,
                    "-C",
                    str(ROOT),
                    "sign",
                    "bom.json",
                    "--no-attest",
                    "--trust-config",
                    trust,
                ],
            ),
            "aibom sign (with the attestation)": (
                "sigstore sign",
                [*aibom, "-C", str(ROOT), "sign", "bom.json", "--trust-config", trust],
            ),
            "aibom verify": (
                "sigstore verify identity --offline",
                [*aibom, "verify", "bom.json", "--bundle", "bom.json.sigstore.json", *who, *tc],
            ),
        }
        floors = {
            "sigstore sign": [*sigstore, "sign", "--overwrite", "--bundle", "floor.sigstore.json"],
            "sigstore verify identity --offline": [
                *sigstore,
                "verify",
                "identity",
                "--offline",
                "--bundle",
                "bom.json.sigstore.json",
                "--cert-identity",
                m.identity,
                "--cert-oidc-issuer",
                m.issuer,
                "bom.json",
            ],
        }
        for _ in range(runs):
            for name, (floor, argv) in cases.items():
                token = m.token()
                if floor is not None:
                    floor_argv = floors[floor]
                    if floor == "sigstore sign":
                        floor_argv = [*floor_argv, "--identity-token", token, "bom.json"]
                    samples.setdefault(floor, []).append(timed(floor_argv, work, env))
                run = [*argv, "--identity-token", token] if "sign" in argv else argv
                samples.setdefault(name, []).append(timed(run, work, env))
    medians = {k: statistics.median(v) * 1000 for k, v in samples.items()}
    ratios = {
        f"{name} / {floor}": medians[name] / medians[floor]
        for name, (floor, _) in cases.items()
        if floor is not None
    }
    return {
        "median_ms": medians,
        "ratios": ratios,
        "runs": runs,
        "components": components,
        "bom_bytes": size,
        "target_ratio": TARGET_RATIO,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--components", type=int, default=5000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.runs, args.components)
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
        return 0
    print(f"{args.runs} interleaved runs, BOM of {args.components} components, {result['machine']}")
    for name, ms in result["median_ms"].items():
        print(f"  {name:<40} {ms:8.0f} ms (median)")
    for name, ratio in result["ratios"].items():
        mark = "ok" if ratio <= TARGET_RATIO else f"above the {TARGET_RATIO}x target"
        print(f"  {name:<58} {ratio:5.2f}x  {mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
