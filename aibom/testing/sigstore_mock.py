"""A loopback Sigstore (Fulcio, CT log, Rekor, timestamp authority) for tests and the demo.

:func:`mock_sigstore` starts ``sigstore_mock_server.mjs`` (Node.js, the npm package
``@sigstore/mock`` behind a small HTTP server, see the script for every adaptation it makes)
on 127.0.0.1 and yields a :class:`MockSigstore`: its client trust configuration (signing
config with the loopback URLs + trusted root with the mock's freshly generated keys) and
unsigned test identity tokens the mock Fulcio accepts. Nothing leaves the machine.

The npm package is found in ``$AIBOM_SIGSTORE_MOCK`` (a ``node_modules`` directory, or a
directory holding one) or in a checkout's ``tests/node/node_modules`` (``npm ci --prefix
tests/node``): the checkout this module is in, or the current directory.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibom.errors import UsageError

SERVER_SCRIPT = Path(__file__).with_name("sigstore_mock_server.mjs")
MOCK_PACKAGE = "@sigstore/mock"
TEST_ISSUER = "https://oidc.aibom.test"
TEST_IDENTITY = "https://ci.aibom.test/release"
START_TIMEOUT = 20.0
CLIENT_TRUST_CONFIG = "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json"
TRUSTED_ROOT = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
SIGNING_CONFIG = "application/vnd.dev.sigstore.signingconfig.v0.2+json"
OPERATOR = "aibom-loopback-mock"


class MockUnavailableError(UsageError):
    """Node.js or the @sigstore/mock package is not installed."""


@dataclass(frozen=True)
class MockSigstore:
    """A running loopback Sigstore."""

    url: str
    trust_config: str  # ClientTrustConfig JSON
    identity: str = TEST_IDENTITY
    issuer: str = TEST_ISSUER

    def token(
        self,
        *,
        identity: str | None = None,
        issuer: str | None = None,
        lifetime: int = 600,
    ) -> str:
        """An unsigned OIDC identity token (the mock Fulcio does not check signatures)."""
        return identity_token(identity or self.identity, issuer or self.issuer, lifetime=lifetime)

    def write_trust_config(self, path: Path) -> Path:
        path.write_text(self.trust_config, encoding="utf-8")
        return path


def identity_token(subject: str, issuer: str, *, lifetime: int = 600) -> str:
    """An unsigned JWT with the claims sigstore-python requires (aud sigstore, iat, exp)."""
    now = int(time.time())
    header = {"alg": "none", "typ": "JWT"}
    claims = {
        "iss": issuer,
        "sub": subject,
        "aud": "sigstore",
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
    }
    return f"{_b64url(header)}.{_b64url(claims)}."


def _b64url(data: Mapping[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def find_node_modules(checkout: Path | None = None) -> Path | None:
    """The node_modules directory that holds @sigstore/mock, or None."""
    candidates: list[Path] = []
    configured = os.environ.get("AIBOM_SIGSTORE_MOCK")
    if configured:
        base = Path(configured)
        candidates += [base, base / "node_modules"]
    # a checkout of aibom: the one given, the one this module lives in (editable install),
    # or the current directory (pip install . from a checkout, then run there)
    roots = [checkout] if checkout else [Path(__file__).resolve().parents[2], Path.cwd()]
    candidates += [root / "tests" / "node" / "node_modules" for root in roots]
    for candidate in candidates:
        if (candidate / MOCK_PACKAGE / "package.json").is_file():
            return candidate
    return None


def unavailable_reason(checkout: Path | None = None) -> str | None:
    """Why the mock cannot start here (one line), or None when it can."""
    if shutil.which("node") is None:
        return "Node.js is not installed (the loopback Sigstore needs it)"
    if find_node_modules(checkout) is None:
        return (
            f"the npm package {MOCK_PACKAGE} was not found "
            "(run `npm ci --prefix tests/node` or set AIBOM_SIGSTORE_MOCK)"
        )
    return None


@contextmanager
def mock_sigstore(checkout: Path | None = None) -> Iterator[MockSigstore]:
    """Start the loopback Sigstore; stop it on exit."""
    reason = unavailable_reason(checkout)
    if reason is not None:
        raise MockUnavailableError(reason)
    modules = find_node_modules(checkout)
    env = dict(os.environ, NODE_PATH=str(modules))
    proc = subprocess.Popen(
        ["node", str(SERVER_SCRIPT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        info = _read_banner(proc)
        yield MockSigstore(url=info["url"], trust_config=trust_config_json(info))
    finally:
        _stop(proc)


def _read_banner(proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    import selectors

    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout=START_TIMEOUT):
            raise MockUnavailableError(f"the loopback Sigstore did not start in {START_TIMEOUT} s")
    line = proc.stdout.readline()
    if not line:
        err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
        raise MockUnavailableError(f"the loopback Sigstore failed to start: {err[-300:]}")
    data: dict[str, Any] = json.loads(line)
    return data


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.stdin is not None:
        proc.stdin.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def trust_config_json(info: Mapping[str, Any]) -> str:
    """A ClientTrustConfig for the mock: its URLs and the keys it generated at start."""
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
    url = info["url"]
    valid = {"start": start}
    service = {"url": url, "majorApiVersion": 1, "validFor": valid, "operator": OPERATOR}
    tsa = {**service, "url": f"{url}/api/v1/timestamp"}
    root = {
        "mediaType": TRUSTED_ROOT,
        "tlogs": [_log(url, info["rekor_key"], valid)],
        "certificateAuthorities": [
            {
                "subject": {"organization": "sigstore.mock", "commonName": "sigstore"},
                "uri": url,
                "certChain": {"certificates": [{"rawBytes": info["fulcio_root"]}]},
                "validFor": valid,
            }
        ],
        "ctlogs": [_log(url, info["ctlog_key"], valid)],
        "timestampAuthorities": [_tsa(url, info["tsa_chain"], valid)]
        if "tsa_chain" in info
        else [],
    }
    signing = {
        "mediaType": SIGNING_CONFIG,
        "caUrls": [service],
        "oidcUrls": [],
        "rekorTlogUrls": [service],
        "tsaUrls": [tsa] if "tsa_chain" in info else [],
        "rekorTlogConfig": {"selector": "ANY"},
        "tsaConfig": {"selector": "ANY"},
    }
    config = {"mediaType": CLIENT_TRUST_CONFIG, "trustedRoot": root, "signingConfig": signing}
    return json.dumps(config, indent=2, sort_keys=True) + "\n"


def _tsa(url: str, chain: Sequence[str], valid: dict[str, str]) -> dict[str, object]:
    return {
        "subject": {"organization": "sigstore.mock", "commonName": "tsa"},
        "uri": f"{url}/api/v1/timestamp",
        "certChain": {"certificates": [{"rawBytes": cert} for cert in chain]},
        "validFor": valid,
    }


def _log(url: str, key_b64: str, valid: dict[str, str]) -> dict[str, object]:
    key_id = base64.b64encode(hashlib.sha256(base64.b64decode(key_b64)).digest()).decode()
    return {
        "baseUrl": url,
        "hashAlgorithm": "SHA2_256",
        "publicKey": {
            "rawBytes": key_b64,
            "keyDetails": "PKIX_ECDSA_P256_SHA_256",
            "validFor": valid,
        },
        "logId": {"keyId": key_id},
    }
