"""Offline verification of a BOM's Sigstore bundle (a message signature or an attestation).

Everything is checked against the trusted root, without network: the certificate chains to
the Fulcio root and was valid when Rekor logged the entry (the signed integration time), its
SCT, the identity (SAN) and OIDC issuer asked for, the log entry's inclusion proof, signed
checkpoint and promise, the signature over the file (or the DSSE envelope), and the log
entry's consistency with the bundle. For an attestation, the file's sha256 must be one of the
statement's subjects (and so must every ``--artifact``).

One check is stricter than sigstore-python's: it ignores an RFC 3161 timestamp that does not
verify (the log's integration time is enough for it); aibom fails the bundle, since such a
timestamp can only be damaged or forged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aibom.errors import FindingsError, UsageError
from aibom.sign import intoto
from aibom.sign.trust import load

if TYPE_CHECKING:
    from sigstore.models import Bundle
    from sigstore.verify import Verifier


class VerificationFailedError(FindingsError):
    """The signature, the identity or the file does not check out (exit 1)."""


@dataclass(frozen=True)
class VerifyRequest:
    file: Path
    bundle: Path
    identity: str
    issuer: str
    trust_config: Path | None = None
    artifacts: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Verified:
    file: Path
    sha256: str
    bundle: Path
    kind: str  # message-signature | in-toto
    identity: str
    issuer: str
    log_index: int
    integrated_time: int | None
    timestamps: int = 0  # RFC 3161 timestamps, each verified
    subjects: tuple[intoto.Subject, ...] = ()
    predicate_type: str | None = None
    predicate: Mapping[str, Any] = field(default_factory=dict)


def verify(request: VerifyRequest) -> Verified:
    for path in (request.file, request.bundle, *request.artifacts):
        if not path.is_file():
            raise UsageError(f"{path} does not exist or is not a file")
    bundle = _read_bundle(request.bundle)
    config = load(request.trust_config, offline=True)
    from sigstore.verify import Verifier, policy

    verifier = Verifier(trusted_root=config.trusted_root)
    expected = policy.Identity(identity=request.identity, issuer=request.issuer)
    sha256 = intoto.file_sha256(request.file)
    entry = bundle.log_entry._inner
    base = Verified(
        file=request.file,
        sha256=sha256,
        bundle=request.bundle,
        kind="in-toto" if bundle._dsse_envelope is not None else "message-signature",
        identity=request.identity,
        issuer=request.issuer,
        log_index=int(entry.log_index),
        integrated_time=int(entry.integrated_time) if entry.integrated_time else None,
    )
    if base.kind == "message-signature" and request.artifacts:
        raise UsageError(
            f"{request.bundle} is a signature of {request.file} alone: it cannot vouch for "
            f"--artifact {request.artifacts[0]}",
            hint="give the attestation bundle (aibom sign --artifact ... writes "
            "FILE.intoto.sigstore.json)",
        )
    if base.kind == "message-signature":
        _checked(lambda: verifier.verify_artifact(request.file.read_bytes(), bundle, expected))
        return replace(base, timestamps=_timestamps(verifier, bundle))
    payload_type, payload = _checked(lambda: verifier.verify_dsse(bundle, expected))
    base = replace(base, timestamps=_timestamps(verifier, bundle))
    return _attested(base, request, payload_type, payload)


def _timestamps(verifier: Verifier, bundle: Bundle) -> int:
    """How many RFC 3161 timestamps the bundle has; all must verify against the trusted root."""
    data = bundle.verification_material.timestamp_verification_data
    stamps = len(data.rfc3161_timestamps) if data is not None else 0
    if stamps == 0:
        return 0
    verified = _checked(lambda: verifier._verify_timestamp_authority(bundle))
    if len(verified) < stamps:
        raise VerificationFailedError(
            f"verification failed: {stamps - len(verified)} of the bundle's {stamps} RFC 3161 "
            "timestamp(s) do not verify against the trusted root's timestamp authorities"
        )
    return stamps


def _read_bundle(path: Path) -> Bundle:
    from sigstore.models import Bundle

    try:
        return Bundle.from_json(path.read_bytes())
    except Exception as exc:
        raise VerificationFailedError(
            f"{path} is not a valid Sigstore bundle: {_one_line(exc)}"
        ) from exc


def _checked(check: Any) -> Any:
    from sigstore.errors import VerificationError

    try:
        return check()
    except VerificationError as exc:
        raise VerificationFailedError(f"verification failed: {_one_line(exc)}") from exc
    except ValueError as exc:
        raise VerificationFailedError(f"verification failed: {_one_line(exc)}") from exc


def _attested(
    base: Verified, request: VerifyRequest, payload_type: str, payload: bytes
) -> Verified:
    if payload_type != intoto.PAYLOAD_TYPE:
        raise VerificationFailedError(
            f"verification failed: the envelope holds {payload_type!r}, not an in-toto statement"
        )
    try:
        statement = intoto.parse_statement(payload)
    except ValueError as exc:
        raise VerificationFailedError(f"verification failed: {exc}") from exc
    for path in (request.file, *request.artifacts):
        digest = base.sha256 if path is request.file else intoto.file_sha256(path)
        if statement.find(digest) is None:
            raise VerificationFailedError(
                f"verification failed: {path} (sha256 {digest[:16]}...) is not a subject of "
                "the attestation",
                hint="the file was changed after signing, or it is not the attested one",
            )
    return replace(
        base,
        subjects=statement.subjects,
        predicate_type=statement.predicate_type,
        predicate=statement.predicate,
    )


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
