"""The demo's release scene: sign the BOM on a loopback Sigstore, verify it, tamper a copy."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from aibom import demo_run
from aibom.testing.sigstore_mock import mock_sigstore, unavailable_reason


def scene(repo: Path, env: dict[str, str], bom: Path) -> list[str]:
    """Sign ``bom`` (built from ``repo``): its bundle and the in-toto attestation. Verify both
    (the attestation in the repository, which recomputes its history summary), then show
    that a tampered copy fails. Returns the narration; skipped in one line without Node or
    the mock."""
    reason = unavailable_reason()
    if reason is not None:
        return ["", f"signing scene skipped: {reason}"]
    say = [
        "",
        "release: sign the AI-BOM with Sigstore (a loopback instance: @sigstore/mock's Fulcio,",
        "Rekor and timestamp authority behind a Node server; nothing leaves this machine).",
        "Two bundles: a signature of the BOM itself, and an in-toto attestation whose small",
        "predicate summarises the history's AI provenance (counts, models, the AI line share,",
        "and one sha256 over the sorted ids of the AI commits)",
    ]
    where = os.path.relpath(repo, bom.parent)
    with mock_sigstore() as sigstore:
        trust = sigstore.write_trust_config(bom.parent / "sigstore-trust.json")
        who = ["--identity", sigstore.identity, "--issuer", sigstore.issuer]
        tc = ["--trust-config", trust.name]
        sign = ["sign", bom.name, "--identity-token", sigstore.token(), *tc]
        shown = ["-C", where, *_hide_token(sign)]
        say += _step(["-C", str(repo), *sign], bom.parent, env, shown=shown)
    bundle = f"{bom.name}.sigstore.json"
    attestation = f"{bom.name}.intoto.sigstore.json"
    say += _step(["verify", bom.name, "--bundle", bundle, *who, *tc], bom.parent, env)
    say.append("(in the repository, verify recomputes the attested history and compares)")
    check = ["verify", bom.name, "--bundle", attestation, *who, *tc, "--check-history"]
    say += _step(["-C", str(repo), *check], bom.parent, env, shown=["-C", where, *check])
    tampered = bom.with_name(f"tampered-{bom.name}")
    tampered.write_bytes(_tamper(bom.read_bytes()))
    say.append(f"$ cp {bom.name} {tampered.name} && edit one byte of {tampered.name}")
    verify = ["verify", tampered.name, "--bundle", bundle, *who, *tc]
    say += _step(verify, bom.parent, env, expect=1)
    return say


def _hide_token(argv: list[str]) -> list[str]:
    at = argv.index("--identity-token") + 1
    return [*argv[:at], "$TOKEN", *argv[at + 1 :]]


def _tamper(data: bytes) -> bytes:
    """Change one byte in the middle (a digit or letter, so the JSON stays valid)."""
    middle = len(data) // 2
    for at in range(middle, len(data)):
        if chr(data[at]).isalnum():
            swapped = b"1" if data[at : at + 1] != b"1" else b"2"
            return data[:at] + swapped + data[at + 1 :]
    return data + b" "


def _step(
    args: list[str],
    cwd: Path,
    env: dict[str, str],
    *,
    shown: list[str] | None = None,
    expect: int = 0,
) -> list[str]:
    proc = demo_run.aibom(args, cwd, env, expect=expect)
    command = shlex.join(shown or _visible(args)).replace("'$TOKEN'", '"$TOKEN"')
    lines = [f"$ aibom {command}"]
    lines += [line for line in (proc.stdout + proc.stderr).splitlines() if line]
    if expect:
        lines.append(f"(exit {proc.returncode})")
    return lines


def _visible(args: list[str]) -> list[str]:
    return args[2:] if args[:1] == ["-C"] else args
