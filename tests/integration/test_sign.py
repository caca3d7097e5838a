"""aibom sign / aibom verify end to end: the real sigstore-python code path against a loopback
mock Sigstore (@sigstore/mock behind a Node HTTP server), checked by the `sigstore` CLI too."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shlex
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aibom.cli import main
from aibom.sign.intoto import AI_IDS_FORM, PAYLOAD_TYPE, PREDICATE_TYPE, STATEMENT_TYPE
from aibom.testing.sigstore_mock import (
    MockSigstore,
    identity_token,
    mock_sigstore,
    unavailable_reason,
)
from tests.conftest import GitRepo

SIGSTORE_CLI = Path(sys.executable).with_name("sigstore")

pytestmark = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))


@pytest.fixture(autouse=True)
def _outside_any_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``aibom sign`` attests the history of the current directory's repository by default:
    run each test in its temp dir, not in whatever checkout runs the tests."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def sigstore() -> Iterator[MockSigstore]:
    with mock_sigstore() as instance:
        yield instance


@pytest.fixture
def trust(sigstore: MockSigstore, tmp_path: Path) -> Path:
    return sigstore.write_trust_config(tmp_path / "trust.json")


@pytest.fixture
def bom(tmp_path: Path) -> Path:
    path = tmp_path / "bom.json"
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "app", "version": "1.0"}},
    }
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def sign(
    bom: Path,
    trust: Path,
    token: str,
    capsys: pytest.CaptureFixture[str],
    *extra: str,
) -> tuple[int, str, str]:
    return run(
        ["sign", str(bom), "--identity-token", token, "--trust-config", str(trust), *extra],
        capsys,
    )


def verify(
    bom: Path,
    bundle: Path,
    sigstore: MockSigstore,
    trust: Path,
    capsys: pytest.CaptureFixture[str],
    *extra: str,
    identity: str | None = None,
    issuer: str | None = None,
) -> tuple[int, str, str]:
    argv = [
        "verify",
        str(bom),
        "--bundle",
        str(bundle),
        "--identity",
        identity or sigstore.identity,
        "--issuer",
        issuer or sigstore.issuer,
        "--trust-config",
        str(trust),
        *extra,
    ]
    return run(argv, capsys)


def sigstore_cli(
    bom: Path, bundle: Path, sigstore: MockSigstore, trust: Path, *, identity: str | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [
        str(SIGSTORE_CLI),
        "--trust-config",
        str(trust),
        "verify",
        "identity",
        "--offline",
        "--bundle",
        str(bundle),
        "--cert-identity",
        identity or sigstore.identity,
        "--cert-oidc-issuer",
        sigstore.issuer,
        str(bom),
    ]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def signed(
    bom: Path, trust: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> Path:
    code, _, err = sign(bom, trust, sigstore.token(), capsys)
    assert code == 0, err
    return bom


# -- the happy path ------------------------------------------------------------------------------
def test_sign_then_verify_with_aibom_and_the_sigstore_cli(
    bom: Path, trust: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> None:
    """By default ``aibom sign`` writes both bundles: the BOM's message signature and the
    in-toto attestation (it was opt-in, with --attest). Both verify, with aibom and with the
    sigstore CLI."""
    code, out, err = sign(bom, trust, sigstore.token(), capsys, "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["identity"] == sigstore.identity and result["issuer"] == sigstore.issuer
    kinds = {b["kind"]: Path(b["path"]) for b in result["bundles"]}
    assert list(kinds) == ["message-signature", "in-toto"]
    bundle, attestation = kinds["message-signature"], kinds["in-toto"]
    assert bundle == bom.with_name("bom.json.sigstore.json")
    assert attestation == bom.with_name("bom.json.intoto.sigstore.json")
    assert result["predicate_type"] == PREDICATE_TYPE
    doc = json.loads(bundle.read_text())
    assert doc["mediaType"].startswith("application/vnd.dev.sigstore.bundle")
    assert doc["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["kind"] == "hashedrekord"
    entry = json.loads(attestation.read_text())["verificationMaterial"]["tlogEntries"][0]
    assert entry["kindVersion"]["kind"] == "dsse"

    code, out, err = verify(bom, bundle, sigstore, trust, capsys)
    assert code == 0, err
    assert out.startswith(f"OK: {bom} (message-signature) signed by {sigstore.identity}")
    assert "timestamps   1 RFC 3161, verified" in out
    code, out, err = verify(bom, attestation, sigstore, trust, capsys)
    assert code == 0, err
    assert out.startswith(f"OK: {bom} (in-toto) signed by {sigstore.identity}")
    assert "history      not checked: not inside a git repository" in out

    for signed_bundle in (bundle, attestation):
        proc = sigstore_cli(bom, signed_bundle, sigstore, trust)
        assert proc.returncode == 0, proc.stderr
        assert f"OK: {bom}" in proc.stdout + proc.stderr


def test_sign_names_both_files_and_no_attest_skips_the_attestation(
    bom: Path, trust: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = bom.with_name("bom.json.sigstore.json")
    attestation = bom.with_name("bom.json.intoto.sigstore.json")
    code, out, err = sign(bom, trust, sigstore.token(), capsys)
    assert code == 0, err
    assert f"  bundle       {bundle}  (message signature of bom.json; Rekor log index" in out
    assert f"  attestation  {attestation}  (in-toto statement in a DSSE envelope;" in out
    assert f"  predicate    {PREDICATE_TYPE}" in out
    assert f"verify with: aibom verify {bom} --bundle {bundle} --identity" in out
    assert f"        and: aibom verify {bom} --bundle {attestation} --identity" in out

    bundle.unlink()
    attestation.unlink()
    code, out, err = sign(bom, trust, sigstore.token(), capsys, "--no-attest")
    assert code == 0, err
    assert bundle.is_file() and not attestation.exists()
    assert "  attestation  none (--no-attest)" in out and "and: " not in out
    code, out, err = sign(bom, trust, sigstore.token(), capsys, "--no-attest", "--format", "json")
    assert code == 0, err
    assert [b["kind"] for b in json.loads(out)["bundles"]] == ["message-signature"]
    assert json.loads(out)["predicate_type"] is None

    # --attest is still accepted (it is the default now)
    code, _, err = sign(bom, trust, sigstore.token(), capsys, "--attest")
    assert code == 0, err
    assert attestation.is_file()

    for option in (["--artifact", str(bom)], ["--all"], ["--attestation", "x.json"]):
        code, out, err = sign(bom, trust, sigstore.token(), capsys, "--no-attest", *option)
        assert code == 2 and out == ""
        assert f"--no-attest and {option[0]} exclude each other" in err


def test_the_verify_hint_names_the_trust_config_and_runs_as_printed(
    bom: Path,
    trust: Path,
    sigstore: MockSigstore,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    # the hint left out --trust-config: pasted, verify checked against another trusted root
    odd = tmp_path / "trust dir" / "it's $HOME.json"
    odd.parent.mkdir()
    odd.write_bytes(trust.read_bytes())
    code, out, err = sign(bom, odd, sigstore.token(), capsys)
    assert code == 0, err
    (line,) = [x for x in out.splitlines() if x.startswith("verify with: ")]
    argv = shlex.split(line.removeprefix("verify with: "))
    assert argv[:3] == ["aibom", "verify", str(bom)]
    assert argv[argv.index("--trust-config") + 1] == str(odd)
    code, out, err = run(argv[1:], capsys)
    assert code == 0, err
    assert out.startswith(f"OK: {bom} (message-signature) signed by {sigstore.identity}")


def test_attestation_subjects_and_predicate(
    make_repo: Callable[..., GitRepo],
    tmp_path: Path,
    bom: Path,
    trust: Path,
    sigstore: MockSigstore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = make_repo()
    human = repo.commit("human work", files={"a.txt": "a"})
    ai = repo.commit(
        "ai work\n\nAI-Origin: ai-generated\nAI-Model: anthropic/claude-opus-4-5-20251101\n"
        "AI-Agent: claude-code/2.0.14",
        files={"b.txt": "b"},
    )
    artefact = tmp_path / "app-1.0.tar.gz"
    artefact.write_bytes(b"release bytes")
    argv = [
        "-C",
        str(repo.path),
        "sign",
        str(bom),
        "--identity-token",
        sigstore.token(),
        "--trust-config",
        str(trust),
        "--artifact",
        str(artefact),
        "--format",
        "json",
    ]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    result = json.loads(out)
    kinds = {b["kind"]: Path(b["path"]) for b in result["bundles"]}
    attestation = kinds["in-toto"]
    assert attestation == bom.with_name("bom.json.intoto.sigstore.json")

    envelope = json.loads(attestation.read_text())["dsseEnvelope"]
    assert envelope["payloadType"] == PAYLOAD_TYPE
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["_type"] == STATEMENT_TYPE
    assert statement["predicateType"] == PREDICATE_TYPE
    digests = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    assert set(digests) == {"bom.json", "app-1.0.tar.gz"}
    predicate = statement["predicate"]
    assert predicate["commits"]["ai"] == {
        "count": 1,
        "sha256": hashlib.sha256(f"{ai}\n".encode()).hexdigest(),
        "form": AI_IDS_FORM,
    }
    assert predicate["commits"]["byOrigin"]["ai-generated"] == 1
    assert predicate["commits"]["total"] == 2
    assert predicate["repository"]["head"] == ai
    assert predicate["repository"]["endpoints"] == {"count": 1, "include": [ai], "exclude": []}
    assert predicate["models"]["listed"] == [
        {"commits": 1, "id": "anthropic/claude-opus-4-5-20251101"}
    ]
    assert predicate["bom"]["serialNumber"] == "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
    assert predicate["bom"]["component"] == "app@1.0"
    # commit ids are in the predicate, never subject digests
    assert not {human, ai} & set(digests.values())

    code, out, err = verify(bom, attestation, sigstore, trust, capsys, "--artifact", str(artefact))
    assert code == 0, err
    assert "(in-toto)" in out and "provenance   2 commits: 1 ai-generated, 1 unknown" in out
    assert "ai commits   1 (50.00%), ids sha256:" in out
    assert "history      not checked: not inside a git repository" in out
    proc = sigstore_cli(bom, attestation, sigstore, trust)
    assert proc.returncode == 0, proc.stderr

    artefact.write_bytes(b"another release")
    code, _, err = verify(bom, attestation, sigstore, trust, capsys, "--artifact", str(artefact))
    assert code == 1
    assert "is not a subject of the attestation" in err


def test_attestation_outside_a_repository_and_range(
    make_repo: Callable[..., GitRepo],
    bom: Path,
    trust: Path,
    sigstore: MockSigstore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = make_repo()
    first = repo.commit("one")
    repo.commit("two\n\nAI-Origin: ai-assisted\nAI-Model: openai/gpt-5")
    base = ["sign", str(bom), "--identity-token", sigstore.token(), "--trust-config", str(trust)]
    code, _, err = run(
        ["-C", str(repo.path), *base, "--attest", "--range", f"{first}..HEAD", "--format", "json"],
        capsys,
    )
    assert code == 0, err
    statement = _statement(bom.with_name("bom.json.intoto.sigstore.json"))
    assert statement["predicate"]["commits"]["total"] == 1
    assert statement["predicate"]["repository"]["revisions"] == [f"{first}..HEAD"]
    ends = statement["predicate"]["repository"]["endpoints"]
    assert ends == {"count": 2, "include": [repo.head()], "exclude": [first]}

    code, _, err = run(["-C", str(repo.path), *base, "--attest", "--range", "nope..HEAD"], capsys)
    assert code == 2 and "'nope' is not a commit" in err

    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("three\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-5")
    repo.git("checkout", "-q", "main")
    code, _, err = run(["-C", str(repo.path), *base, "--attest"], capsys)
    assert code == 0, err
    assert (
        _statement(bom.with_name("bom.json.intoto.sigstore.json"))["predicate"]["commits"]["total"]
        == 2
    )
    code, _, err = run(["-C", str(repo.path), *base, "--all"], capsys)
    assert code == 0, err
    predicate = _statement(bom.with_name("bom.json.intoto.sigstore.json"))["predicate"]
    assert predicate["commits"]["total"] == 3 and predicate["repository"]["revisions"] == ["--all"]
    topic = repo.git("rev-parse", "topic").stdout.strip()
    assert predicate["repository"]["endpoints"]["include"] == sorted({repo.head(), topic})
    code, _, err = run(["-C", str(repo.path), *base, "--all", "--range", "HEAD~1..HEAD"], capsys)
    assert code == 2 and "exclude each other" in err

    outside = bom.parent / "outside"
    outside.mkdir()
    code, _, err = run(["-C", str(outside), *base, "--attest"], capsys)
    assert code == 0, err
    predicate = _statement(bom.with_name("bom.json.intoto.sigstore.json"))["predicate"]
    assert predicate["commits"]["total"] == 0
    assert predicate["notes"] == ["signed outside a git repository"]
    assert predicate["repository"]["endpoints"] is None


def test_verify_recomputes_the_attested_history_in_the_repository(
    make_repo: Callable[..., GitRepo],
    tmp_path: Path,
    bom: Path,
    trust: Path,
    sigstore: MockSigstore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Inside the repository, verify recomputes the AI commits' count and ids digest (and the
    counts, models, agents) and compares; a note edited after signing is exit 1. Outside it,
    the check is skipped (said so), or a usage error with --check-history."""
    repo = make_repo()
    human = repo.commit("human work", files={"a.txt": "a"})
    ai = repo.commit("ai work\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-5")
    repo.aibom("backfill")
    base = ["sign", str(bom), "--identity-token", sigstore.token(), "--trust-config", str(trust)]
    code, _, err = run(["-C", str(repo.path), *base], capsys)
    assert code == 0, err
    attestation = bom.with_name("bom.json.intoto.sigstore.json")
    bundle = bom.with_name("bom.json.sigstore.json")
    here = repo.path

    def check(where: Path, *extra: str, on: Path = attestation) -> tuple[int, str, str]:
        argv = ["-C", str(where), "verify", str(bom), "--bundle", str(on)]
        argv += ["--identity", sigstore.identity, "--issuer", sigstore.issuer]
        return run([*argv, "--trust-config", str(trust), *extra], capsys)

    code, out, err = check(here)
    assert code == 0, err
    assert (
        f"  history      OK: recomputed here ({ai[:12]}): 1 AI commits, same ids digest, "
        "counts, models and agents" in out
    )
    code, out, err = check(here, "--check-history", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["history"] == {
        "checked": True,
        "ok": True,
        "reason": None,
        "revs": [ai],
        "ai_commits": 1,
        "problems": [],
    }
    # a later commit does not change what was attested (the endpoints are commit ids)
    repo.commit("later\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-5")
    assert check(here, "--check-history")[0] == 0

    # a note written after signing claims the human commit for AI
    note = repo.note(ai)
    repo.git("notes", "--ref", "refs/notes/aibom", "add", "-f", "-m", note.strip(), human)
    code, out, err = check(here)
    assert code == 1
    assert "  history      CHANGED: AI commits: 1 attested (ids sha256 " in out
    assert err.startswith("aibom: error: history check failed: AI commits: 1 attested")
    assert len([line for line in err.splitlines() if line.startswith("aibom: error")]) == 1
    code, out, err = check(here, "--no-check-history")
    assert code == 0 and "history" not in out
    # the signature itself is intact: the sigstore CLI still verifies the attestation
    assert sigstore_cli(bom, attestation, sigstore, trust).returncode == 0

    outside = tmp_path / "outside"
    outside.mkdir()
    code, out, err = check(outside)
    assert code == 0 and "history      not checked: not inside a git repository" in out
    code, out, err = check(outside, "--check-history")
    assert code == 2 and out == ""
    assert "--check-history: not inside a git repository" in err
    other = make_repo()
    other.commit("unrelated")
    code, out, err = check(other.path)
    assert code == 0 and f"not checked: commit {ai} is not in this repository" in out
    code, _, err = check(other.path, "--check-history")
    assert code == 2 and f"cannot recompute the attested history: commit {ai}" in err
    code, _, err = check(here, "--check-history", on=bundle)
    assert code == 2 and "is a message signature, it attests no history" in err


def _statement(bundle: Path) -> dict[str, Any]:
    envelope = json.loads(bundle.read_text())["dsseEnvelope"]
    result: dict[str, Any] = json.loads(base64.b64decode(envelope["payload"]))
    return result


# -- tampering -----------------------------------------------------------------------------------
def test_tampered_bom_fails_both_verifiers(
    signed: Path, trust: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = signed.with_name("bom.json.sigstore.json")
    attestation = signed.with_name("bom.json.intoto.sigstore.json")
    text = signed.read_text()
    signed.write_text(text.replace('"version": "1.0"', '"version": "1.1"'))
    assert signed.read_text() != text
    code, out, err = verify(signed, bundle, sigstore, trust, capsys)
    assert code == 1 and out == ""
    assert err.startswith("aibom: error: verification failed:")
    assert len(err.strip().splitlines()) == 1
    code, _, err = verify(signed, attestation, sigstore, trust, capsys)
    assert code == 1 and "is not a subject of the attestation" in err
    assert sigstore_cli(signed, bundle, sigstore, trust).returncode == 1
    assert sigstore_cli(signed, attestation, sigstore, trust).returncode == 1


def _edit_bundle(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))


def _flip(b64: str) -> str:
    raw = bytearray(base64.b64decode(b64))
    raw[len(raw) // 2] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def _set_signature(doc: dict[str, Any]) -> None:
    doc["messageSignature"]["signature"] = _flip(doc["messageSignature"]["signature"])


def _set_log_body(doc: dict[str, Any]) -> None:
    entry = doc["verificationMaterial"]["tlogEntries"][0]
    body = json.loads(base64.b64decode(entry["canonicalizedBody"]))
    body["spec"]["data"]["hash"]["value"] = "0" * 64
    entry["canonicalizedBody"] = base64.b64encode(json.dumps(body).encode()).decode()


def _set_integrated_time(doc: dict[str, Any]) -> None:
    entry = doc["verificationMaterial"]["tlogEntries"][0]
    entry["integratedTime"] = str(int(entry["integratedTime"]) + 1)


def _set_certificate(doc: dict[str, Any]) -> None:
    cert = doc["verificationMaterial"]["certificate"]
    cert["rawBytes"] = _flip(cert["rawBytes"])


def _set_timestamp(doc: dict[str, Any]) -> None:
    stamp = doc["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
    stamp["signedTimestamp"] = _flip(stamp["signedTimestamp"])


@pytest.mark.parametrize(
    "edit",
    [_set_signature, _set_log_body, _set_integrated_time, _set_certificate, _set_timestamp],
)
def test_tampered_bundle_fails_both_verifiers(
    edit: Callable[[dict[str, Any]], None],
    signed: Path,
    trust: Path,
    sigstore: MockSigstore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bundle = signed.with_name("bom.json.sigstore.json")
    _edit_bundle(bundle, edit)
    code, _, err = verify(signed, bundle, sigstore, trust, capsys)
    assert code == 1, err
    assert err.startswith("aibom: error: ") and "Traceback" not in err
    cli = sigstore_cli(signed, bundle, sigstore, trust).returncode
    # sigstore-python ignores a timestamp that does not verify (Rekor's time suffices); aibom
    # is stricter. Every other edit fails both.
    assert cli == (0 if edit is _set_timestamp else 1)


def test_bundles_carry_a_verified_rfc3161_timestamp(
    signed: Path, tmp_path: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = signed.with_name("bom.json.sigstore.json")
    material = json.loads(bundle.read_text())["verificationMaterial"]
    assert len(material["timestampVerificationData"]["rfc3161Timestamps"]) == 1
    # a trust root without the timestamp authority cannot check it: verification fails
    config = json.loads(sigstore.trust_config)
    config["trustedRoot"]["timestampAuthorities"] = []
    no_tsa = tmp_path / "no-tsa.json"
    no_tsa.write_text(json.dumps(config))
    code, _, err = verify(signed, bundle, sigstore, no_tsa, capsys)
    assert code == 1 and "no Timestamp Authorities" in err
    assert sigstore_cli(signed, bundle, sigstore, no_tsa).returncode == 1


def test_tampered_attestation_payload_fails(
    signed: Path, trust: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> None:
    attestation = signed.with_name("bom.json.intoto.sigstore.json")

    def edit(doc: dict[str, Any]) -> None:
        envelope = doc["dsseEnvelope"]
        statement = json.loads(base64.b64decode(envelope["payload"]))
        statement["predicate"]["commits"]["ai"]["count"] = 0
        envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()

    _edit_bundle(attestation, edit)
    code, _, err = verify(signed, attestation, sigstore, trust, capsys)
    assert code == 1 and "verification failed" in err
    assert sigstore_cli(signed, attestation, sigstore, trust).returncode == 1


def test_bundle_that_is_not_a_bundle(
    signed: Path, trust: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = signed.with_name("bom.json.sigstore.json")
    bundle.write_text(bundle.read_text()[:-40])
    code, _, err = verify(signed, bundle, sigstore, trust, capsys)
    assert code == 1 and "is not a valid Sigstore bundle" in err


# -- identity and trust --------------------------------------------------------------------------
def test_wrong_identity_or_issuer(
    signed: Path, trust: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> None:
    for bundle in ("bom.json.sigstore.json", "bom.json.intoto.sigstore.json"):
        path = signed.with_name(bundle)
        code, _, err = verify(
            signed, path, sigstore, trust, capsys, identity="https://ci.aibom.test/other"
        )
        assert code == 1 and "SANs do not match" in err
        code, _, err = verify(
            signed, path, sigstore, trust, capsys, issuer="https://elsewhere.test"
        )
        assert code == 1 and "OIDCIssuer does not match" in err
        wrong = sigstore_cli(signed, path, sigstore, trust, identity="https://ci.aibom.test/other")
        assert wrong.returncode == 1


def test_a_bundle_from_another_instance_is_not_trusted(
    signed: Path, tmp_path: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> None:
    with mock_sigstore() as other:
        other_trust = other.write_trust_config(tmp_path / "other-trust.json")
    bundle = signed.with_name("bom.json.sigstore.json")
    code, _, err = verify(signed, bundle, sigstore, other_trust, capsys)
    assert code == 1 and "verification failed" in err
    assert sigstore_cli(signed, bundle, sigstore, other_trust).returncode == 1


def test_identity_and_issuer_come_from_the_token(
    bom: Path, trust: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> None:
    token = identity_token("https://ci.aibom.test/nightly", "https://issuer-b.aibom.test")
    code, _, err = sign(bom, trust, token, capsys)
    assert code == 0, err
    bundle = bom.with_name("bom.json.sigstore.json")
    code, _, err = verify(
        bom,
        bundle,
        sigstore,
        trust,
        capsys,
        identity="https://ci.aibom.test/nightly",
        issuer="https://issuer-b.aibom.test",
    )
    assert code == 0, err
    code, _, _ = verify(bom, bundle, sigstore, trust, capsys)
    assert code == 1


# -- bad input -----------------------------------------------------------------------------------
def _bad_token(sigstore: MockSigstore) -> dict[str, str]:
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    no_aud = base64.urlsafe_b64encode(
        json.dumps({"iss": sigstore.issuer, "sub": "x", "iat": 1, "exp": 9999999999}).encode()
    )
    return {
        "garbage": "not-a-jwt",
        "expired": sigstore.token(lifetime=-3600),
        "no audience": f"{header}.{no_aud.rstrip(b'=').decode()}.",
    }


@pytest.mark.parametrize("kind", ["garbage", "expired", "no audience"])
def test_invalid_token_is_a_usage_error(
    kind: str, bom: Path, trust: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = sign(bom, trust, _bad_token(sigstore)[kind], capsys)
    assert code == 2 and out == ""
    assert err.startswith("aibom: error: invalid identity token")
    assert not bom.with_name("bom.json.sigstore.json").exists()


def test_a_bad_token_is_said_before_the_history_is_read(
    bom: Path,
    trust: Path,
    sigstore: MockSigstore,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    make_repo: Callable[..., GitRepo],
) -> None:
    """Reading a long history for the attestation takes seconds: a token that cannot sign
    is refused first."""
    from aibom.sign import history

    def unexpected(*args: object, **kwargs: object) -> object:
        raise AssertionError("the history was read before the token was checked")

    monkeypatch.setattr(history, "from_repo", unexpected)
    repo = make_repo()
    repo.commit("one", files={"a.py": "a\n"})
    token = _bad_token(sigstore)["expired"]
    argv = ["-C", str(repo.path), "sign", str(bom), "--identity-token", token]
    code, _, err = run([*argv, "--trust-config", str(trust)], capsys)
    assert code == 2 and err.startswith("aibom: error: invalid identity token"), err


def test_no_token_and_no_ambient_identity(
    bom: Path, trust: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["sign", str(bom), "--trust-config", str(trust)], capsys)
    assert code == 2 and "no identity token" in err and "hint: pass --identity-token" in err


def test_token_from_the_environment(
    bom: Path,
    trust: Path,
    sigstore: MockSigstore,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SIGSTORE_IDENTITY_TOKEN", sigstore.token())
    monkeypatch.setenv("AIBOM_SIGSTORE_TRUST_CONFIG", str(trust))
    code, _, err = run(["sign", str(bom)], capsys)
    assert code == 0, err


def test_unreachable_sigstore(
    bom: Path, sigstore: MockSigstore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead = tmp_path / "dead.json"
    dead.write_text(sigstore.trust_config.replace(sigstore.url, f"http://127.0.0.1:{port}"))
    code, out, err = sign(bom, dead, sigstore.token(), capsys, "--attest")
    assert code == 3 and out == ""
    assert f"cannot reach Sigstore at http://127.0.0.1:{port}" in err
    assert len([line for line in err.splitlines() if line.startswith("aibom: error")]) == 1
    assert not bom.with_name("bom.json.sigstore.json").exists()
    assert not bom.with_name("bom.json.intoto.sigstore.json").exists()


def test_a_failed_second_signature_writes_nothing_and_keeps_old_bundles(
    bom: Path,
    trust: Path,
    sigstore: MockSigstore,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The attestation is signed after the BOM's signature was made and logged; when that
    second signing fails, neither bundle is written and the bundles of an earlier release at
    those places are left as they were (no temporary files either)."""
    import requests
    from sigstore.sign import Signer

    code, _, err = sign(bom, trust, sigstore.token(), capsys)
    assert code == 0, err
    names = ("bom.json.sigstore.json", "bom.json.intoto.sigstore.json")
    before = {name: bom.with_name(name).read_bytes() for name in names}
    listing = sorted(p.name for p in bom.parent.iterdir())

    def refuse(self: Signer, statement: object) -> None:
        raise requests.ConnectionError(
            "Rekor went away",
            request=requests.Request("POST", f"{sigstore.url}/api/v1/log/entries").prepare(),
        )

    monkeypatch.setattr(Signer, "sign_dsse", refuse)
    bom.write_text(bom.read_text().replace('"1.0"', '"1.1"'))
    code, out, err = sign(bom, trust, sigstore.token(), capsys)
    assert code == 3 and out == ""
    assert f"cannot reach Sigstore at {sigstore.url}" in err
    assert {name: bom.with_name(name).read_bytes() for name in names} == before
    assert sorted(p.name for p in bom.parent.iterdir()) == listing


def test_missing_files_and_bad_trust_config(
    signed: Path,
    trust: Path,
    tmp_path: Path,
    sigstore: MockSigstore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = tmp_path / "missing.json"
    bundle = signed.with_name("bom.json.sigstore.json")
    code, _, err = sign(missing, trust, sigstore.token(), capsys)
    assert code == 2 and "does not exist" in err
    code, _, err = verify(missing, bundle, sigstore, trust, capsys)
    assert code == 2 and "missing.json does not exist" in err
    code, _, err = verify(signed, missing, sigstore, trust, capsys)
    assert code == 2 and "missing.json does not exist" in err
    code, _, err = verify(signed, bundle, sigstore, missing, capsys)
    assert code == 2 and "trust config" in err and "does not exist" in err
    junk = tmp_path / "junk.json"
    junk.write_text('{"mediaType": "something/else"}')
    code, _, err = verify(signed, bundle, sigstore, junk, capsys)
    assert code == 2 and "is not a Sigstore client trust config" in err
    code, _, err = sign(signed, junk, sigstore.token(), capsys)
    assert code == 2 and "is not a Sigstore client trust config" in err


def test_verify_usage(signed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["verify", str(signed)], capsys)
    assert code == 2 and "nothing to verify" in err
    bundle = str(signed.with_name("bom.json.sigstore.json"))
    code, _, err = run(["verify", str(signed), "--bundle", bundle], capsys)
    assert code == 2 and "needs --identity, --issuer" in err


def test_bundle_must_not_overwrite_the_input(
    bom: Path, trust: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> None:
    before = bom.read_bytes()
    code, _, err = sign(bom, trust, sigstore.token(), capsys, "--bundle", str(bom))
    assert code == 2 and "would overwrite the file being signed" in err
    assert bom.read_bytes() == before


@pytest.mark.parametrize("option", ["--bundle", "--attestation"])
def test_an_unwritable_bundle_place_is_a_usage_error_and_writes_nothing(
    bom: Path, trust: Path, sigstore: MockSigstore, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bundle path on a file system that refuses files (/proc) was an internal error (exit
    3) after signing, and with --attestation there the BOM's bundle was already written."""
    if not Path("/proc").is_dir():
        pytest.skip("no /proc here")
    target = "/proc/aibom-review.sigstore.json"
    code, _, err = sign(bom, trust, sigstore.token(), capsys, option, target)
    assert code == 2, err
    assert f"{target}: cannot write there" in err and "internal error" not in err
    assert sorted(p.name for p in bom.parent.iterdir()) == ["bom.json", "trust.json"]


def test_bundles_get_the_usual_mode(
    bom: Path, trust: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bundles were written with mkstemp's 0600 whatever the umask."""
    old = os.umask(0o022)
    try:
        code, _, err = sign(bom, trust, sigstore.token(), capsys, "--attest")
    finally:
        os.umask(old)
    assert code == 0, err
    for name in ("bom.json.sigstore.json", "bom.json.intoto.sigstore.json"):
        assert stat.S_IMODE(bom.with_name(name).stat().st_mode) == 0o644


def test_an_artifact_is_never_vouched_for_by_the_boms_own_signature(
    signed: Path,
    trust: Path,
    sigstore: MockSigstore,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``verify --artifact X`` with the BOM's message-signature bundle said OK without
    looking at X (that bundle signs the BOM alone): any file passed."""
    other = tmp_path / "app-1.0.tar.gz"
    other.write_bytes(b"not signed by anyone")
    bundle = signed.with_name("bom.json.sigstore.json")
    code, out, err = verify(signed, bundle, sigstore, trust, capsys, "--artifact", str(other))
    assert code == 2 and "OK" not in out
    assert "cannot vouch for --artifact" in err


def test_help_teaches_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("sign", "verify"):
        code, out, _ = run([command, "--help"], capsys)
        assert code == 0 and "Examples:" in out and f"aibom {command} bom.json" in out


def test_subprocess_cli_exit_codes(
    signed: Path, trust: Path, sigstore: MockSigstore, tmp_path: Path
) -> None:
    """The installed entry point, as a process: exit codes and one-line errors."""
    bundle = signed.with_name("bom.json.sigstore.json")
    aibom = str(Path(sys.executable).with_name("aibom"))
    base = [aibom, "verify", str(signed), "--bundle", str(bundle)]
    ids = ["--issuer", sigstore.issuer, "--trust-config", str(trust)]
    ok = subprocess.run(
        [*base, "--identity", sigstore.identity, *ids], capture_output=True, text=True, timeout=120
    )
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [*base, "--identity", "https://nobody.test", *ids],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1


# -- verify --records (the BOM engineer's verify_records) -----------------------------------------
def _built(repo: GitRepo, tmp_path: Path) -> Path:
    repo.commit("human work", files={"a.py": "x = 1\n"})
    repo.commit(
        "agent work\n\nAI-Origin: ai-generated\nAI-Model: anthropic/claude-opus-4-5-20251101",
        files={"b.py": "y = 2\n"},
    )
    repo.aibom("backfill")
    bom = tmp_path / "release-bom.json"
    repo.aibom("build", "-o", str(bom))
    return bom


def test_verify_records_and_signature_together(
    repo: GitRepo,
    tmp_path: Path,
    trust: Path,
    sigstore: MockSigstore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bom = _built(repo, tmp_path)
    code, _, err = sign(bom, trust, sigstore.token(), capsys)
    assert code == 0, err
    bundle = bom.with_name("release-bom.json.sigstore.json")
    code, out, err = run(["-C", str(repo.path), "verify", "--records", str(bom)], capsys)
    assert code == 0, err
    assert out.startswith("OK: the notes still say what the BOM recorded")
    outside = tmp_path / "outside"
    outside.mkdir()
    code, _, err = run(["-C", str(outside), "verify", "--records", str(bom)], capsys)
    assert code == 2 and "not inside a git repository" in err
    argv = ["-C", str(repo.path), "verify", str(bom), "--bundle", str(bundle)]
    argv += ["--identity", sigstore.identity, "--issuer", sigstore.issuer]
    argv += ["--trust-config", str(trust), "--records", "--format", "json"]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["signature"]["ok"] and data["records"]["ok"] and data["records"]["checked"] > 0


def test_verify_records_detects_an_edited_note(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bom = _built(repo, tmp_path)
    note = repo.note("HEAD")
    assert note, "backfill wrote a record"
    edited = note.replace("anthropic/claude-opus-4-5-20251101", "openai/gpt-5")
    assert edited != note
    repo.git("notes", "--ref", "refs/notes/aibom", "add", "-f", "-m", edited.strip(), "HEAD")
    code, out, err = run(["-C", str(repo.path), "verify", "--records", str(bom)], capsys)
    assert code == 1
    assert out.startswith("CHANGED: ")
    assert err.startswith("aibom: error: records check failed")


def test_verify_records_detects_an_edited_bom(
    repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bom = _built(repo, tmp_path)
    doc = json.loads(bom.read_text())
    models = [c for c in doc["components"] if c.get("type") == "machine-learning-model"]
    assert models, "the BOM lists the model that wrote code"
    models[0]["name"] = "a-model-that-never-wrote-anything"
    bom.write_text(json.dumps(doc, indent=2))
    code, out, _ = run(["-C", str(repo.path), "verify", "--records", str(bom)], capsys)
    assert code == 1 and "CHANGED: " in out


def test_demo_scene(repo: GitRepo, tmp_path: Path) -> None:
    from aibom.demo import _clean_env
    from aibom.sign.demo import scene

    bom = _built(repo, tmp_path)
    lines = scene(repo.path, _clean_env(), bom)
    text = "\n".join(lines)
    assert '--identity-token "$TOKEN"' in text and sigstore_token_not_shown(text)
    assert "OK: release-bom.json (message-signature)" in text
    assert "OK: release-bom.json (in-toto)" in text
    # sign without flags wrote both bundles, named in its output; the attestation's history
    # was recomputed in the repository
    assert "  bundle       release-bom.json.sigstore.json  (message signature" in text
    assert "  attestation  release-bom.json.intoto.sigstore.json  (in-toto statement" in text
    assert f"  predicate    {PREDICATE_TYPE}" in text
    assert "history      OK: recomputed here" in text and "--check-history" in text
    assert "verification failed" in text and lines[-1] == "(exit 1)"
    assert (tmp_path / "tampered-release-bom.json").read_bytes() != bom.read_bytes()


def sigstore_token_not_shown(text: str) -> bool:
    return "eyJ" not in text  # a JWT's base64 header never reaches the narration


def test_bench_sign_runs() -> None:
    """bench/bench_sign.py keeps working (one tiny run; ratios are not asserted here)."""
    bench = Path(__file__).resolve().parents[2] / "bench" / "bench_sign.py"
    argv = [sys.executable, str(bench), "--runs", "1", "--components", "10", "--json"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert set(result["ratios"]) == {
        "aibom sign --no-attest / sigstore sign",
        "aibom sign (with the attestation) / sigstore sign",
        "aibom verify / sigstore verify identity --offline",
    }
    assert all(value > 0 for value in result["ratios"].values())


def test_without_a_trust_config_the_public_root_decides_offline(
    signed: Path, sigstore: MockSigstore, capsys: pytest.CaptureFixture[str]
) -> None:
    """No --trust-config: the public-good trusted root that sigstore-python ships, read
    offline (no network in tests); a bundle of the loopback instance does not chain to it."""
    bundle = signed.with_name("bom.json.sigstore.json")
    argv = ["verify", str(signed), "--bundle", str(bundle)]
    code, out, err = run(
        [*argv, "--identity", sigstore.identity, "--issuer", sigstore.issuer], capsys
    )
    assert code == 1 and out == ""
    assert err.startswith("aibom: error: verification failed") and err.count("\n") == 1


def test_unreachable_rekor_after_fulcio_writes_nothing(
    bom: Path, sigstore: MockSigstore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = json.loads(sigstore.trust_config)
    config["signingConfig"]["rekorTlogUrls"][0]["url"] = f"http://127.0.0.1:{port}"
    dead = tmp_path / "dead-rekor.json"
    dead.write_text(json.dumps(config))
    code, _, err = sign(bom, dead, sigstore.token(), capsys)
    assert code == 3
    assert f"cannot reach Sigstore at http://127.0.0.1:{port}" in err
    assert not bom.with_name("bom.json.sigstore.json").exists()


class _GitHubTokenEndpoint:
    """A loopback stand-in for GitHub Actions' OIDC token endpoint (the ambient identity)."""

    def __init__(self, token: str, status: int = 200) -> None:
        import http.server
        import threading

        self.requests: list[tuple[str, str]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append((self.path, self.headers.get("Authorization", "")))
                body = json.dumps({"value": token}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("status", [200, 500])
def test_ambient_identity_of_a_ci_job(
    status: int,
    bom: Path,
    trust: Path,
    sigstore: MockSigstore,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = "https://ci.aibom.test/acme/app/release.yml@refs/tags/v1.0"
    endpoint = _GitHubTokenEndpoint(identity_token(job, sigstore.issuer), status)
    try:
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
        monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", endpoint.url)
        monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-secret")
        code, out, err = run(["sign", str(bom), "--trust-config", str(trust)], capsys)
    finally:
        endpoint.close()
    assert endpoint.requests and endpoint.requests[0][1] == "bearer request-secret"
    assert "audience=sigstore" in endpoint.requests[0][0]
    if status != 200:
        assert code == 2 and err.startswith("aibom: error: no ambient identity: GitHub")
        assert not bom.with_name("bom.json.sigstore.json").exists()
        return
    assert code == 0, err
    assert f"as {job}" in out
    bundle = bom.with_name("bom.json.sigstore.json")
    code, _, err = verify(bom, bundle, sigstore, trust, capsys, identity=job)
    assert code == 0, err


@pytest.mark.parametrize("status, kind", [(401, "UsageError"), (503, "SigstoreUnavailableError")])
def test_fulcio_answers_are_mapped_to_exit_codes(status: int, kind: str) -> None:
    """A 4xx from Fulcio refuses the token (exit 2); anything else is the service (exit 3)."""
    import requests
    from sigstore._internal.fulcio.client import FulcioClientError

    from aibom.sign.signer import _signing_error

    response = requests.Response()
    response.status_code = status
    response.url = "http://127.0.0.1:9/api/v2/signingCert"
    try:
        try:
            raise requests.HTTPError("refused", response=response)
        except requests.HTTPError as http_error:
            raise FulcioClientError("token refused") from http_error
    except FulcioClientError as exc:
        error = _signing_error(exc, type("Context", (), {"_fulcio": None})())
    from aibom.errors import AibomError

    assert type(error).__name__ == kind and isinstance(error, AibomError)
    expected = "Fulcio refused the identity token (HTTP 401)" if status < 500 else "signing failed"
    assert str(error).startswith(expected)
    assert error.exit_code == (2 if status < 500 else 3)
