"""The in-toto Statement v1, its AI-provenance predicate, DSSE's PAE, and the mock's trust
configuration (no network, no Node)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from aibom.errors import UsageError
from aibom.gitutil import discover
from aibom.sign import history, intoto
from aibom.sign.intoto import BomInfo, CommitSummary, Provenance, Subject
from aibom.testing.sigstore_mock import identity_token, trust_config_json
from tests.conftest import GitRepo

AI = "a" * 40
HUMAN = "b" * 40


def _provenance() -> Provenance:
    return Provenance(
        "aibom/test",
        bom=BomInfo("urn:uuid:1", "1.6", "app@1.0"),
        head=AI,
        revisions=("HEAD",),
        commits=(
            CommitSummary(AI, "ai-generated", ("anthropic/claude-opus-4-5",), "claude-code/2"),
            CommitSummary("c" * 40, "ai-assisted", ("anthropic/claude-opus-4-5", "openai/gpt-5")),
            CommitSummary(HUMAN, "human"),
            CommitSummary("d" * 40, "unknown"),
        ),
    )


def test_statement_layout() -> None:
    subjects = (Subject("bom.json", "1" * 64), Subject("app.tar.gz", "2" * 64))
    doc = intoto.statement(subjects, _provenance()).to_json()
    assert doc["_type"] == "https://in-toto.io/Statement/v1"
    assert doc["predicateType"] == intoto.PREDICATE_TYPE
    assert doc["subject"] == [
        {"name": "bom.json", "digest": {"sha256": "1" * 64}},
        {"name": "app.tar.gz", "digest": {"sha256": "2" * 64}},
    ]
    predicate = doc["predicate"]
    assert predicate["commits"] == {
        "total": 4,
        "byOrigin": {"ai-generated": 1, "ai-assisted": 1, "human": 1, "unknown": 1},
        "ai": [AI, "c" * 40],
    }
    assert predicate["models"] == [
        {"id": "anthropic/claude-opus-4-5", "commits": 2},
        {"id": "openai/gpt-5", "commits": 1},
    ]
    assert predicate["agents"] == [{"name": "claude-code/2", "commits": 1}]
    assert predicate["bom"] == {
        "serialNumber": "urn:uuid:1",
        "specVersion": "1.6",
        "component": "app@1.0",
    }
    assert predicate["repository"] == {"head": AI, "revisions": ["HEAD"], "shallow": False}


def test_commit_ids_are_never_subjects() -> None:
    statement = intoto.statement([Subject("bom.json", "1" * 64)], _provenance())
    assert {s.sha256 for s in statement.subjects} == {"1" * 64}
    assert AI in json.dumps(statement.to_json()["predicate"])


def test_statement_bytes_are_canonical_and_round_trip() -> None:
    statement = intoto.statement([Subject("bom.json", "1" * 64)], _provenance())
    raw = statement.to_bytes()
    assert raw == intoto.statement([Subject("bom.json", "1" * 64)], _provenance()).to_bytes()
    assert b" " not in raw.replace(b"aibom/test", b"")
    assert raw == json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    back = intoto.parse_statement(raw)
    assert back == statement
    assert back.find("1" * 64) == Subject("bom.json", "1" * 64)
    assert back.find("2" * 64) is None


@pytest.mark.parametrize(
    "doc, reason",
    [
        ({"_type": "https://in-toto.io/Statement/v0.1", "subject": []}, "not an in-toto"),
        ({"_type": intoto.STATEMENT_TYPE, "subject": []}, "no subjects"),
        ({"_type": intoto.STATEMENT_TYPE, "subject": [{"name": "x"}]}, "without a digest"),
        (
            {"_type": intoto.STATEMENT_TYPE, "subject": [{"name": "x", "digest": {"md5": "0"}}]},
            "without a sha256",
        ),
    ],
)
def test_parse_rejects_what_is_not_a_statement(doc: dict[str, object], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        intoto.parse_statement(json.dumps(doc).encode())


def test_a_statement_needs_a_subject() -> None:
    with pytest.raises(UsageError):
        intoto.statement([], _provenance())


def test_subjects_are_file_digests_and_names_are_unique(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = tmp_path / "a" / "app.tar.gz"
    one.write_bytes(b"x" * (3 << 20))  # more than one read chunk
    two = tmp_path / "b" / "app.tar.gz"
    two.write_bytes(b"y")
    (subject,) = intoto.subjects_for([one])
    assert subject == Subject("app.tar.gz", hashlib.sha256(b"x" * (3 << 20)).hexdigest())
    with pytest.raises(UsageError, match=r"two subjects named 'app\.tar\.gz'"):
        intoto.subjects_for([one, two])


def test_pae_matches_the_dsse_specification() -> None:
    # the example of the DSSE v1 protocol description
    assert (
        intoto.pae("http://example.com/HelloWorld", b"hello world")
        == b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert intoto.pae("", b"") == b"DSSEv1 0  0 "


def test_the_dsse_signature_sigstore_makes_covers_our_pae() -> None:
    """Independent check of the envelope: sigstore-python's DSSE signature verifies over the PAE
    computed here, with the signing key, and not over the bare payload."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from sigstore import dsse

    key = ec.generate_private_key(ec.SECP256R1())
    statement = intoto.statement([Subject("bom.json", "1" * 64)], _provenance())
    envelope = json.loads(dsse._sign(key, dsse.Statement(statement.to_bytes())).to_json())
    payload = base64.b64decode(envelope["payload"])
    assert payload == statement.to_bytes()
    signature = base64.b64decode(envelope["signatures"][0]["sig"])
    key.public_key().verify(
        signature, intoto.pae(intoto.PAYLOAD_TYPE, payload), ec.ECDSA(hashes.SHA256())
    )
    with pytest.raises(InvalidSignature):
        key.public_key().verify(signature, payload, ec.ECDSA(hashes.SHA256()))


def test_bom_info() -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.7",
        "serialNumber": "urn:uuid:2",
        "metadata": {"component": {"name": "app"}},
    }
    assert intoto.bom_info(json.dumps(doc).encode()) == BomInfo("urn:uuid:2", "1.7", "app")
    assert intoto.bom_info(b"<bom xmlns='http://cyclonedx.org/schema/bom/1.6'/>") == BomInfo()
    assert intoto.bom_info(b'{"bomFormat": "SPDX"}') == BomInfo()
    assert intoto.bom_info(b"\xff\xfe") == BomInfo()
    assert intoto.bom_info(b"[1, 2]") == BomInfo()


def test_history_from_a_repository(make_repo: Callable[..., GitRepo], tmp_path: Path) -> None:
    repo = make_repo()
    repo.commit("human", files={"a": "a"})
    ai = repo.commit("agent\n\nAI-Origin: ai-assisted\nAI-Model: openai/gpt-5", files={"b": "b"})
    provenance = history.from_repo(discover(repo.path), ["HEAD"], BomInfo())
    assert provenance.head == ai and not provenance.shallow
    predicate = provenance.to_json()
    assert predicate["commits"]["ai"] == [ai]
    assert predicate["commits"]["byOrigin"]["ai-assisted"] == 1
    assert predicate["models"] == [{"id": "openai/gpt-5", "commits": 1}]

    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))
    shallow = history.from_repo(discover(clone), ["HEAD"], BomInfo())
    assert shallow.shallow and len(shallow.commits) == 1
    assert any("shallow clone" in note for note in shallow.notes)


def test_history_of_a_repository_without_notes_or_commits(
    make_repo: Callable[..., GitRepo],
) -> None:
    repo = make_repo()
    empty = history.from_repo(discover(repo.path), ["HEAD"], BomInfo())
    assert empty.commits == () and empty.notes == ("the repository has no commits",)
    repo.commit("plain")
    plain = history.from_repo(discover(repo.path), ["HEAD"], BomInfo())
    assert [c.origin for c in plain.commits] == ["unknown"]
    assert any("every commit is unknown" in note for note in plain.notes)


def test_identity_token_claims() -> None:
    token = identity_token("https://ci.example.test/job", "https://issuer.example.test")
    _, claims, signature = token.split(".")
    assert signature == ""
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert decoded["aud"] == "sigstore"
    assert decoded["sub"] == "https://ci.example.test/job"
    assert decoded["exp"] > decoded["iat"]
    from sigstore.oidc import IdentityToken

    parsed = IdentityToken(token)
    assert parsed.identity == "https://ci.example.test/job"
    assert parsed.issuer == "https://issuer.example.test"


def test_mock_trust_config_is_a_client_trust_config() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from sigstore.models import ClientTrustConfig

    def key() -> str:
        public = ec.generate_private_key(ec.SECP256R1()).public_key()
        der = public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode()

    info = {
        "url": "http://127.0.0.1:1",
        "fulcio_root": key(),  # not a certificate: only the layout is checked here
        "ctlog_key": key(),
        "rekor_key": key(),
    }
    config = ClientTrustConfig.from_json(trust_config_json(info))
    signing = config.signing_config
    assert signing.get_fulcio().url.startswith("http://127.0.0.1:1")
    doc = json.loads(trust_config_json(info))
    log_id = doc["trustedRoot"]["tlogs"][0]["logId"]["keyId"]
    expected = hashlib.sha256(base64.b64decode(info["rekor_key"])).digest()
    assert base64.b64decode(log_id) == expected
