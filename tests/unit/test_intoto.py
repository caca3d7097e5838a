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
        endpoints=intoto.Endpoints((AI,)),
        commits=(
            CommitSummary(AI, "ai-generated", ("anthropic/claude-opus-4-5",), "claude-code/2"),
            CommitSummary("c" * 40, "ai-assisted", ("anthropic/claude-opus-4-5", "openai/gpt-5")),
            CommitSummary(HUMAN, "human"),
            CommitSummary("d" * 40, "unknown"),
        ),
    )


def _ids_digest(ids: list[str]) -> str:
    """The documented canonical form, computed independently: what
    ``printf '%s\\n' IDS | LC_ALL=C sort -u | sha256sum`` prints."""
    text = "".join(f"{sha}\n" for sha in sorted(set(ids)))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def test_statement_layout() -> None:
    subjects = (Subject("bom.json", "1" * 64), Subject("app.tar.gz", "2" * 64))
    doc = intoto.statement(subjects, _provenance()).to_json()
    assert doc["_type"] == "https://in-toto.io/Statement/v1"
    assert doc["predicateType"] == intoto.PREDICATE_TYPE
    assert intoto.PREDICATE_TYPE == "https://aibom.dev/attestation/ai-provenance/v2"
    assert doc["subject"] == [
        {"name": "bom.json", "digest": {"sha256": "1" * 64}},
        {"name": "app.tar.gz", "digest": {"sha256": "2" * 64}},
    ]
    predicate = doc["predicate"]
    assert predicate["commits"] == {
        "total": 4,
        "byOrigin": {"ai-generated": 1, "ai-assisted": 1, "human": 1, "unknown": 1},
        "aiShare": 0.5,
        "ai": {
            "count": 2,
            "sha256": _ids_digest([AI, "c" * 40]),
            "form": intoto.AI_IDS_FORM,
        },
    }
    assert predicate["models"] == {
        "distinct": 2,
        "limit": intoto.MAX_LISTED,
        "listed": [
            {"id": "anthropic/claude-opus-4-5", "commits": 2},
            {"id": "openai/gpt-5", "commits": 1},
        ],
    }
    assert predicate["agents"] == {
        "distinct": 1,
        "limit": intoto.MAX_LISTED,
        "listed": [{"name": "claude-code/2", "commits": 1}],
    }
    assert predicate["bom"] == {
        "serialNumber": "urn:uuid:1",
        "specVersion": "1.6",
        "component": "app@1.0",
    }
    assert predicate["repository"] == {
        "head": AI,
        "revisions": ["HEAD"],
        "endpoints": {"count": 1, "include": [AI], "exclude": []},
        "shallow": False,
    }
    assert predicate["lines"] is None and predicate["notes"] == []


def test_commit_ids_are_never_subjects() -> None:
    statement = intoto.statement([Subject("bom.json", "1" * 64)], _provenance())
    assert {s.sha256 for s in statement.subjects} == {"1" * 64}
    predicate = json.dumps(statement.to_json()["predicate"])
    assert AI in predicate  # the release commit (head, endpoint) is in the predicate


def test_ai_ids_digest_canonical_form() -> None:
    """Sorted, lowercase, one LF after each id, duplicates once; the empty list is the
    digest of nothing. Checked against the documented form, computed independently."""
    ids = ["f" * 40, "0" * 40, "a" * 64]
    assert intoto.ai_ids_digest(ids) == _ids_digest(ids)
    assert intoto.ai_ids_digest(reversed(ids)) == intoto.ai_ids_digest(ids)
    assert intoto.ai_ids_digest([i.upper() for i in ids] + ids) == intoto.ai_ids_digest(ids)
    assert intoto.ai_ids_digest([]) == hashlib.sha256(b"").hexdigest()
    expected = hashlib.sha256(("0" * 40 + "\n" + "f" * 40 + "\n").encode()).hexdigest()
    assert intoto.ai_ids_digest(["f" * 40, "0" * 40]) == expected


def test_the_predicate_is_bounded_whatever_the_history() -> None:
    """v1 listed every AI commit id (2 MB for 47,325 of them): the predicate grew with the
    history. Now 100 commits and 100,000 commits with 1,000 models and agents give a
    predicate of the same small size; the lists say how many they leave out."""

    def sized(commits: int) -> tuple[int, dict[str, object]]:
        history = tuple(
            CommitSummary(
                hashlib.sha1(str(i).encode()).hexdigest(),
                ORIGIN_CYCLE[i % 4],
                (f"vendor/model-{i % 1000:04d}",),
                f"agent-{i % 1000:04d}/1.0",
            )
            for i in range(commits)
        )
        provenance = Provenance("aibom/test", head=history[0].sha, commits=history)
        predicate = provenance.to_json()
        return len(json.dumps(predicate, sort_keys=True, separators=(",", ":"))), predicate

    small, _ = sized(100)
    large, predicate = sized(100_000)
    assert large < 5_000 and large - small < 400, (small, large)
    assert predicate["commits"]["ai"]["count"] == 50_000  # type: ignore[index]
    models = predicate["models"]
    # 1,000 models, only half of them on AI commits (the ones counted)
    assert models["distinct"] == 500 and len(models["listed"]) == intoto.MAX_LISTED  # type: ignore[index]


ORIGIN_CYCLE = ("ai-generated", "ai-assisted", "human", "unknown")


def test_endpoints_are_listed_up_to_a_limit() -> None:
    few = intoto.Endpoints(("1" * 40,), ("2" * 40,))
    assert few.to_json() == {"count": 2, "include": ["1" * 40], "exclude": ["2" * 40]}
    assert few.revs() == ["1" * 40, "^" + "2" * 40]
    many = intoto.Endpoints(tuple(f"{i:040x}" for i in range(intoto.MAX_ENDPOINTS + 1)))
    assert many.to_json() == {
        "count": intoto.MAX_ENDPOINTS + 1,
        "include": None,
        "exclude": None,
    }


def test_statement_bytes_are_canonical_and_round_trip() -> None:
    statement = intoto.statement([Subject("bom.json", "1" * 64)], _provenance())
    raw = statement.to_bytes()
    assert raw == intoto.statement([Subject("bom.json", "1" * 64)], _provenance()).to_bytes()
    assert b" " not in raw.replace(intoto.AI_IDS_FORM.encode(), b"")
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
    assert intoto.bom_info(b'{"bomFormat": "CycloneDX", "metadata": ["x"]}') == BomInfo()


def _with_metrics(**values: str) -> bytes:
    properties = [{"name": f"aibom:metrics:lines:{k}", "value": v} for k, v in values.items()]
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "metadata": {"properties": properties}}
    return json.dumps(doc).replace("origin_", "origin:").replace("share_", "share:").encode()


def test_bom_info_takes_the_ai_line_share_from_an_aibom_boms_metrics() -> None:
    info = intoto.bom_info(
        _with_metrics(
            release="8000",
            origin_ai="1843",
            origin_mixed="1867",
            origin_human="892",
            origin_unknown="3398",
            share_ai="0.4637",
        )
    )
    assert info.lines is not None
    assert info.lines.to_json() == {
        "source": "bom",
        "release": 8000,
        "byOrigin": {"ai-generated": 1843, "ai-assisted": 1867, "human": 892, "unknown": 3398},
        "aiShare": 0.4637,
    }
    provenance = Provenance("aibom/test", bom=info)
    assert provenance.to_json()["lines"]["aiShare"] == 0.4637
    # absent, malformed or out of range: no line figures rather than wrong ones
    assert intoto.bom_info(_with_metrics(release="10")).lines is None
    assert intoto.bom_info(_with_metrics(release="x", share_ai="0.5")).lines is None
    assert intoto.bom_info(_with_metrics(release="10", share_ai="nan")).lines is None
    assert intoto.bom_info(_with_metrics(release="10", share_ai="1.5")).lines is None


def test_history_from_a_repository(make_repo: Callable[..., GitRepo], tmp_path: Path) -> None:
    repo = make_repo()
    human = repo.commit("human", files={"a": "a"})
    ai = repo.commit("agent\n\nAI-Origin: ai-assisted\nAI-Model: openai/gpt-5", files={"b": "b"})
    provenance = history.from_repo(discover(repo.path), ["HEAD"], BomInfo())
    assert provenance.head == ai and not provenance.shallow
    assert provenance.endpoints == intoto.Endpoints((ai,))
    predicate = provenance.to_json()
    assert predicate["commits"]["ai"]["count"] == 1
    assert predicate["commits"]["ai"]["sha256"] == _ids_digest([ai])
    assert predicate["commits"]["byOrigin"]["ai-assisted"] == 1
    assert predicate["models"]["listed"] == [{"id": "openai/gpt-5", "commits": 1}]
    ranged = history.from_repo(discover(repo.path), [f"{human}..HEAD"], BomInfo())
    assert ranged.endpoints == intoto.Endpoints((ai,), (human,))
    assert ranged.revisions == (f"{human}..HEAD",) and len(ranged.commits) == 1
    empty = history.from_repo(discover(repo.path), [f"{ai}..{ai}"], BomInfo())
    assert empty.endpoints == intoto.Endpoints((ai,), (ai,)) and empty.commits == ()
    predicate = empty.to_json()
    assert history.recheck(discover(repo.path), intoto.PREDICATE_TYPE, predicate).ok

    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))
    shallow = history.from_repo(discover(clone), ["HEAD"], BomInfo())
    assert shallow.shallow and len(shallow.commits) == 1
    assert any("shallow clone" in note for note in shallow.notes)


def test_endpoints_of_all_refs_include_a_detached_head(
    make_repo: Callable[..., GitRepo],
) -> None:
    """``git log --all`` walks HEAD too; ``git rev-parse --all`` lists only refs. A detached
    HEAD's commits must be in the endpoints, or a verifier would count fewer commits."""
    repo = make_repo()
    repo.diverge()
    main, topic = repo.head(), repo.git("rev-parse", "topic").stdout.strip()
    repo.git("checkout", "-q", "--detach")
    detached = repo.commit("detached work")
    args = ["--exclude=refs/notes/*", "--all"]
    ends = history.endpoints(discover(repo.path), args, detached)
    assert ends == intoto.Endpoints(tuple(sorted({main, topic, detached})))
    provenance = history.from_repo(discover(repo.path), args, BomInfo())
    assert provenance.revisions == ("--all",) and len(provenance.commits) == 4


def _signed_predicate(repo: GitRepo, revs: list[str]) -> dict[str, object]:
    return history.from_repo(discover(repo.path), revs, BomInfo()).to_json()


def test_recheck_in_the_repository(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    human = repo.commit("human", files={"a": "a"})
    repo.commit("agent\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-5", files={"b": "b"})
    repo.aibom("backfill")
    predicate = _signed_predicate(repo, ["HEAD"])
    here = discover(repo.path)
    check = history.recheck(here, intoto.PREDICATE_TYPE, predicate)
    assert check.checked and check.ok and check.ai_commits == 1
    # later commits do not matter: the endpoints are commit ids, not HEAD
    repo.commit("later\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-5")
    assert history.recheck(here, intoto.PREDICATE_TYPE, predicate).ok
    # a note added afterwards that makes the human commit an AI one is a change
    note = repo.note("HEAD~1")
    repo.git("notes", "--ref", "refs/notes/aibom", "add", "-f", "-m", note.strip(), human)
    changed = history.recheck(here, intoto.PREDICATE_TYPE, predicate)
    assert changed.checked and not changed.ok
    assert changed.problems[0].startswith("AI commits: 1 attested (ids sha256 ")
    assert ", 2 here (ids sha256 " in changed.problems[0]
    assert any(p.startswith("commits by origin:") for p in changed.problems)


def test_recheck_cannot_check_everything(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.commit("one")
    here = discover(repo.path)
    predicate = _signed_predicate(repo, ["HEAD"])
    v1 = history.recheck(here, intoto.PREDICATE_V1, predicate)
    assert not v1.checked and "not https://aibom.dev/attestation/ai-provenance/v2" in v1.reason
    outside = history.without_repo(BomInfo()).to_json()
    nothing = history.recheck(here, intoto.PREDICATE_TYPE, outside)
    assert not nothing.checked and "outside a repository" in nothing.reason
    other = make_repo()
    other.commit("another history")
    missing = history.recheck(discover(other.path), intoto.PREDICATE_TYPE, predicate)
    assert not missing.checked
    assert missing.reason == f"commit {repo.head()} is not in this repository"


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
