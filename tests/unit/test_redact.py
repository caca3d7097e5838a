"""aibom.provenance.redact: one positive case per kind, negatives, idempotence, fuzzing.

Every fake secret is assembled at run time so that the repository holds no literal a
secret scanner would flag.
"""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibom.provenance.redact import Redacted, kinds, redact

B62 = "a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ"  # 36 mixed characters


def b62(n: int, shift: int = 0) -> str:
    """A deterministic, random-looking alphanumeric string of length n."""
    return "".join(B62[(i * 7 + shift) % len(B62)] for i in range(n))


def b64(n: int) -> str:
    alphabet = B62 + "+/"
    return "".join(alphabet[(i * 11 + 3) % len(alphabet)] for i in range(n))


HEX48 = hashlib.sha256(b"not a secret").hexdigest()[:48]
PEM_BODY = "\n".join(b64(64) for _ in range(4))


def pem(label: str) -> str:
    dash = "-" * 5
    return (
        f"{dash}BEGIN {label}{dash}\n{PEM_BODY}\n{dash}END {label}{dash}"
        if label
        else f"{dash}BEGIN PRIVATE KEY{dash}\n{PEM_BODY}\n{dash}END PRIVATE KEY{dash}"
    )


# (kind, text, secret that must disappear, text that must survive)
CASES: list[tuple[str, str, str, str]] = [
    ("aws-access-key-id", "key id AKIA" + "Q3ZX7J2PLM4N8RT5 ok", "AKIA" + "Q3ZX7J2PLM4N8RT5", "ok"),
    ("aws-access-key-id", "ASIA" + "Q3ZX7J2PLM4N8RT5", "ASIA" + "Q3ZX7J2PLM4N8RT5", ""),
    (
        "aws-secret-access-key",
        "aws_secret_access_key = " + b64(40) + "\n",
        b64(40),
        "aws_secret_access_key = ",
    ),
    (
        "aws-secret-access-key",
        '{"SecretAccessKey": "' + b64(40) + '"}',
        b64(40),
        "SecretAccessKey",
    ),
    (
        "gcp-service-account",
        '{"type": "service_account", "private_key": "'
        + pem("").replace("\n", "\\n")
        + '\\n", "client_email": "x@y.iam.gserviceaccount.com"}',
        PEM_BODY.split("\n")[0],
        '"client_email"',
    ),
    ("gcp-api-key", "key=AIza" + b62(35), "AIza" + b62(35), "key="),
    (
        "azure-storage-key",
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey="
        + b64(86)
        + "==;EndpointSuffix=core.windows.net",
        b64(86),
        "AccountName=acct;AccountKey=",
    ),
    (
        "azure-shared-access-key",
        "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey="
        + b64(44)
        + "=",
        b64(44),
        "SharedAccessKeyName=Root",
    ),
    (
        "azure-sas-token",
        "https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sig=" + b62(43) + "%3D",
        b62(43),
        "sv=2022-11-02&sig=",
    ),
    ("github-token", "use ghp_" + b62(36) + " please", "ghp_" + b62(36), "please"),
    ("github-token", "gho_" + b62(36), "gho_" + b62(36), ""),
    ("github-token", "ghu_" + b62(36), "ghu_" + b62(36), ""),
    ("github-token", "ghs_" + b62(36), "ghs_" + b62(36), ""),
    ("github-token", "ghr_" + b62(36), "ghr_" + b62(36), ""),
    (
        "github-token",
        "github_pat_" + b62(22) + "_" + b62(59, 3),
        "github_pat_" + b62(22),
        "",
    ),
    ("gitlab-token", "glpat-" + b62(20), "glpat-" + b62(20), ""),
    ("gitlab-token", "token gldt-" + b62(24) + ".", "gldt-" + b62(24), "token"),
    ("gitlab-token", "glrt-" + b62(24), "glrt-" + b62(24), ""),
    ("gitlab-token", "glptt-" + b62(40), "glptt-" + b62(40), ""),
    ("slack-token", "xoxb-" + "123456789012-" + b62(24), b62(24), ""),
    ("slack-token", "xoxp-" + "1234-5678-" + b62(32), b62(32), ""),
    ("slack-token", "xoxa-2-" + b62(30), b62(30), ""),
    ("slack-token", "xoxr-" + b62(30), b62(30), ""),
    ("slack-token", "xoxs-" + b62(30), b62(30), ""),
    (
        "slack-webhook",
        "post to https://hooks.slack.com/services/T0" + b62(8) + "/B0" + b62(8) + "/" + b62(24),
        b62(24),
        "https://hooks.slack.com/services/",
    ),
    ("openai-api-key", "OPENAI_API_KEY sk-" + b62(48), "sk-" + b62(48), "OPENAI_API_KEY"),
    ("openai-api-key", "sk-proj-" + b62(60) + "_" + b62(40), "sk-proj-" + b62(60), ""),
    ("openai-api-key", "sk-svcacct-" + b62(60), "sk-svcacct-" + b62(60), ""),
    (
        "anthropic-api-key",
        "sk-ant-api03-" + b62(80) + "-" + b62(10) + "AA",
        "sk-ant-api03-" + b62(80),
        "",
    ),
    ("stripe-key", "sk_live_" + b62(24), "sk_live_" + b62(24), ""),
    ("stripe-key", "rk_live_" + b62(24), "rk_live_" + b62(24), ""),
    ("npm-token", "//registry/:_authToken=npm_" + b62(36), "npm_" + b62(36), ""),
    ("pypi-token", "password = pypi-" + "AgEI" + b62(60), "AgEI" + b62(60), "password = "),
    ("huggingface-token", "HF token hf_" + b62(34), "hf_" + b62(34), "HF token"),
    ("private-key", "key:\n" + pem("PRIVATE KEY") + "\nthanks", PEM_BODY[:64], "thanks"),
    ("private-key", pem("RSA PRIVATE KEY"), PEM_BODY[:64], ""),
    ("private-key", pem("EC PRIVATE KEY"), PEM_BODY[:64], ""),
    ("private-key", pem("OPENSSH PRIVATE KEY"), PEM_BODY[:64], ""),
    ("private-key", pem("ENCRYPTED PRIVATE KEY"), PEM_BODY[:64], ""),
    ("private-key", pem("PGP PRIVATE KEY BLOCK"), PEM_BODY[:64], ""),
    (
        "private-key",
        "truncated: " + "-" * 5 + "BEGIN RSA PRIVATE KEY" + "-" * 5 + "\n" + PEM_BODY + "\n\nbye",
        PEM_BODY[-64:],
        "bye",
    ),
    (
        "jwt",
        "Cookie: session=eyJ"
        + "hbGciOiJIUzI1NiJ9."
        + "eyJ"
        + "zdWIiOiIxMjM0NTY3ODkwIn0."
        + b62(43),
        "zdWIiOiIxMjM0NTY3ODkwIn0",
        "Cookie: session=",
    ),
    (
        "url-password",
        "git clone https://alice:" + "s3cr3t-Pa55" + "@git.example.com/repo.git",
        "s3cr3t-Pa55",
        "https://alice:[REDACTED:url-password]@git.example.com/repo.git",
    ),
    (
        "url-password",
        "DATABASE_URL=postgres://app:" + "hunter2x" + "@db:5432/app",
        "hunter2x",
        "postgres://app:[REDACTED:url-password]@db:5432/app",
    ),
    (
        "secret-assignment",
        "db password=" + "Tr0ub4dor&3" + " and user=bob",
        "Tr0ub4dor&3",
        "password=[REDACTED:secret-assignment] and user=bob",
    ),
    ("secret-assignment", "secret: " + "x9Kp2mQw", "x9Kp2mQw", "secret: [REDACTED"),
    ("secret-assignment", 'token = "' + "my-t0ken-value" + '"', "my-t0ken-value", 'token = "['),
    ("secret-assignment", "api_key: '" + "abcdef123" + "'", "abcdef123", "api_key: '["),
    ("secret-assignment", '"client_secret": "' + "Xy7" + 'pqrs"', "Xy7pqrs", '"client_secret": '),
    ("secret-assignment", "export DB_PASSWORD=" + "hunter", "hunter", "export DB_PASSWORD="),
    ("secret-assignment", "mysql --password " + "S3cure!pw", "S3cure!pw", "mysql --password "),
    (
        "authorization-header",
        "curl -H 'Authorization: Basic " + b64(24) + "='",
        b64(24),
        "Authorization: Basic ",
    ),
    ("bearer-token", "send Bearer " + b62(30) + " along", b62(30), "send Bearer "),
    ("high-entropy", "the value " + b64(40) + " is odd", b64(40), "the value "),
    ("high-entropy", "hex " + HEX48 + ".", HEX48, "hex "),
]


@pytest.mark.parametrize(("kind", "text", "secret", "kept"), CASES)
def test_each_kind_is_redacted(kind: str, text: str, secret: str, kept: str) -> None:
    result = redact(text)
    assert secret not in result.text
    assert kept in result.text
    assert f"[REDACTED:{kind}]" in result.text
    assert kind in result.kinds
    assert result.count >= 1


def test_every_kind_has_a_positive_case() -> None:
    tested = {kind for kind, _, _, _ in CASES}
    assert tested == set(kinds())


def test_counts_and_sorted_kinds() -> None:
    text = "a ghp_" + b62(36) + " b ghp_" + b62(36, 5) + " c AKIA" + "Q3ZX7J2PLM4N8RT5"
    result = redact(text)
    assert result.count == 3
    assert result.kinds == ("aws-access-key-id", "github-token")
    assert (
        result.text
        == "a [REDACTED:github-token] b [REDACTED:github-token] c [REDACTED:aws-access-key-id]"
    )


def test_specific_kind_wins_over_context() -> None:
    token = "ghp_" + b62(36)
    assert redact("GITHUB_TOKEN=" + token).kinds == ("github-token",)
    assert redact(f"https://x-access-token:{token}@github.com/o/r").kinds == ("github-token",)


def test_result_is_a_frozen_dataclass() -> None:
    result = redact("nothing here")
    assert result == Redacted("nothing here", 0, ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.count = 1  # type: ignore[misc]


NEGATIVES = [
    "Please refactor the parser so that it handles nested quotes, then add tests.",
    "The password must be at least 12 characters long; the token expires after an hour.",
    "Password: required. Token: optional. Secret: none.",
    "Fix the bug introduced in commit 3f2c9a8b1d4e5f60718293a4b5c6d7e8f9012345 please.",
    "See da39a3ee5e6b4b0d3255bfef95601890afd80709 and e3b0c44298fc1c149afbf4c8996fb924"
    "27ae41e4649b934ca495991b7852b855 (sha256).",
    "Request id 550e8400-e29b-41d4-a716-446655440000 failed; retry 123e4567-e89b-12d3-a456-4266141"
    "74000.",
    "Edit src/aibom/provenance/redact.py and /usr/local/lib/python3.11/site-packages/foo2/bar.py",
    "Open https://github.com/org/repo/blob/main/src/Foo3Bar.tsx#L10-L20 and http://localhost:8080/api",
    "Clone ssh://git@github.com:22/org/repo.git or git@github.com:org/repo.git",
    "The URL https://user@example.com/path has a user but no password.",
    "def login(user, password):\n    token = get_token(user, password)\n    return token\n",
    "self.password = password\nself.token = nextchar\nsecret = os.environ['SECRET']\n",
    "password: str = Field(...)\napi_key: Optional[str] = None\ntoken: SecretStr\n",
    'API_KEY = os.getenv("API_KEY")\nTOKEN = "${GITHUB_TOKEN}"\npassword = "{{ vault_pw }}"\n',
    "client_secret = settings.CLIENT_SECRET\naccess_key = config['aws']['access_key']\n",
    "max_tokens=1024, temperature=0.2, top_p=0.9, num_tokens = 5, token_count: 42",
    "if password == confirm_password: pass\nif token != expected: raise ValueError\n",
    "Use getUserAccountDetailsByIdentifier and TestMyComponentRendersCorrectlyWithProps2.",
    "sizeEndCentDir64Locator = struct.calcsize(structEndArchive64Locator)",
    "Target x86_64-unknown-linux-gnu and aarch64-apple-darwin; image python:3.11-slim-bookworm.",
    "Timestamps like 2024-01-15T10:30:00.123456+00:00 and versions 1.2.3-rc.4+build.567.",
    "pip install 'requests>=2.31' 'hypothesis==6.100.0'; npm install left-pad@1.3.0",
    "sk-learn is not a key, and neither is sk-1 or hf_hub_download or AKIAxyz.",
    "The Bearer token scheme is described in RFC 6750; Basic authentication in RFC 7617.",
    "",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_no_false_positives(text: str) -> None:
    result = redact(text)
    assert result.text == text, result.text
    assert result.count == 0
    assert result.kinds == ()


def test_all_case_texts_are_idempotent() -> None:
    for _, text, _, _ in CASES:
        once = redact(text).text
        assert redact(once).text == once
        assert redact(once).count == 0


def test_placeholder_in_input_is_left_alone() -> None:
    text = "password=[REDACTED:secret-assignment] https://u:[REDACTED:url-password]@h/"
    assert redact(text) == Redacted(text, 0, ())


# --------------------------------------------------------------------------- property tests

SECRETS = st.sampled_from([case[2] for case in CASES if len(case[2]) >= 8 and case[1] == case[2]])
PLANTED = st.sampled_from(
    [
        "ghp_" + b62(36),
        "github_pat_" + b62(22) + "_" + b62(59, 3),
        "glpat-" + b62(20),
        "xoxb-" + "123456789012-" + b62(24),
        "sk-" + b62(48),
        "sk-proj-" + b62(60),
        "sk-ant-api03-" + b62(80),
        "sk_live_" + b62(24),
        "npm_" + b62(36),
        "pypi-" + "AgEI" + b62(60),
        "hf_" + b62(34),
        "AKIA" + "Q3ZX7J2PLM4N8RT5",
        "AIza" + b62(35),
        "eyJ" + "hbGciOiJIUzI1NiJ9." + "eyJ" + "zdWIiOiIxMjM0NTY3ODkwIn0." + b62(43),
        pem("RSA PRIVATE KEY"),
        b64(40),
    ]
)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
PROSE = st.lists(
    st.sampled_from(
        ["the", "password", "token", "=", ":", "key", "https://", "@", "user:", "\n", "'", '"',
         "secret", "AKIA", "eyJ", "sk-", "ghp_", "-----BEGIN", "[REDACTED:x]", "0123456789abcdef"]
    ),
    max_size=12,
).map(" ".join)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(text=TEXT | PROSE)
def test_never_raises_and_is_idempotent(text: str) -> None:
    first = redact(text)
    assert isinstance(first.text, str)
    assert first.count >= len(first.kinds)
    assert list(first.kinds) == sorted(set(first.kinds))
    second = redact(first.text)
    assert second.text == first.text


@settings(max_examples=500, deadline=None)
@given(before=TEXT | PROSE, secret=PLANTED, after=TEXT | PROSE)
def test_planted_secret_never_survives(before: str, secret: str, after: str) -> None:
    text = f"{before} {secret} {after}"
    result = redact(text)
    assert secret not in result.text
    assert result.count >= 1
    assert redact(result.text).text == result.text


# --------------------------------------------------------------------------- cost


def test_import_is_cheap_and_compiles_lazily() -> None:
    code = (
        "import sys, aibom.provenance.redact as r; "
        "assert not r._RULES; r.redact('x'); assert r._RULES; print('ok')"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "ok"
