"""Keyless signing of a BOM (and an in-toto attestation) with sigstore-python.

One Fulcio certificate signs both: the BOM as a message signature (a ``hashedrekord`` entry,
what ``sigstore verify identity`` checks against the file) and, unless the request has no
attestation path, the in-toto Statement in a DSSE envelope (a ``dsse`` entry). Both places are
reserved (a temporary file beside each) before anything is signed; bundles are written only
after every signature was made and logged, so a failure of either signing writes nothing and
leaves earlier bundles at those places as they were.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aibom.errors import UsageError
from aibom.outfile import OutputFile
from aibom.sign import intoto
from aibom.sign.trust import HTTP_TIMEOUT, SigstoreUnavailableError, load

if TYPE_CHECKING:
    from sigstore.models import Bundle
    from sigstore.oidc import IdentityToken
    from sigstore.sign import SigningContext


@dataclass(frozen=True)
class SignRequest:
    file: Path
    bundle: Path
    provenance: intoto.Provenance
    token: str | None = None
    trust_config: Path | None = None
    attestation: Path | None = None  # where the in-toto bundle goes; None: no attestation
    artifacts: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Signed:
    bundle: Path
    kind: str  # message-signature | in-toto
    log_index: int
    integrated_time: int | None


@dataclass(frozen=True)
class SignResult:
    file: Path
    sha256: str
    identity: str
    issuer: str
    signatures: tuple[Signed, ...]
    subjects: tuple[intoto.Subject, ...] = ()
    statement: intoto.Statement | None = None  # what the attestation signed


def sign(request: SignRequest) -> SignResult:
    """Sign ``request.file``; write its bundle (and the attestation's) when all succeeded."""
    _check_inputs(request)
    identity = _identity(request.token)
    data = request.file.read_bytes()
    subjects: tuple[intoto.Subject, ...] = ()
    statement = None
    if request.attestation is not None:
        subjects = intoto.subjects_for((request.file, *request.artifacts))
        statement = intoto.statement(subjects, request.provenance)
    context = _context(request.trust_config)
    paths = [request.bundle, *([request.attestation] if request.attestation else [])]
    files = [OutputFile(path) for path in paths]
    try:
        for out in files:  # an unwritable place fails before anything is signed and logged
            _writing(out, out.reserve)
        bundles = _sign_all(context, identity, data, statement)
        # temporary files first: a write that fails there leaves nothing behind; a stream or
        # device (written in place, it cannot be taken back) comes last
        for out, bundle in sorted(zip(files, bundles, strict=True), key=lambda p: p[0].in_place):
            _writing(out, lambda: out.write(bundle.to_json()))  # noqa: B023 - called at once
        for out in files:
            _writing(out, out.commit)
    finally:
        for out in files:
            out.discard()
    kinds = ("message-signature", "in-toto")[: len(paths)]
    return SignResult(
        file=request.file,
        sha256=hashlib.sha256(data).hexdigest(),
        identity=identity.identity,
        issuer=identity.issuer,
        signatures=tuple(map(_signed, paths, kinds, bundles)),
        subjects=subjects,
        statement=statement,
    )


def _check_inputs(request: SignRequest) -> None:
    for path in (request.file, *request.artifacts):
        if not path.is_file():
            raise UsageError(f"{path} does not exist or is not a file")
    outputs = [request.bundle, *([request.attestation] if request.attestation else [])]
    if len({p.resolve() for p in outputs}) != len(outputs):
        raise UsageError("the bundle and the attestation must go to different files")
    for out in outputs:
        if out.resolve() == request.file.resolve():
            raise UsageError(f"{out}: the bundle would overwrite the file being signed")
        if not out.resolve().parent.is_dir():
            raise UsageError(f"{out.parent} is not a directory")


def identity_token(token: str | None) -> str:
    """The identity token to sign with (``token``, else the CI's ambient one), checked; a
    :class:`UsageError` when there is none or it is not a valid, unexpired OIDC token."""
    return str(_identity(token))  # IdentityToken.__str__: the raw token


def _identity(token: str | None) -> IdentityToken:
    from sigstore.oidc import IdentityError, IdentityToken, detect_credential

    raw = token
    if raw is None:
        try:
            raw = detect_credential()
        except IdentityError as exc:
            raise UsageError(f"no ambient identity: {_one_line(exc)}") from exc
    if not raw:
        raise UsageError(
            "no identity token",
            hint="pass --identity-token T (or SIGSTORE_IDENTITY_TOKEN), or run in CI with an "
            "ambient OIDC identity (e.g. GitHub Actions with permissions id-token: write)",
        )
    try:
        return IdentityToken(raw.strip())
    except IdentityError as exc:
        raise UsageError(
            f"invalid identity token: {_one_line(exc)}",
            hint="an OIDC JWT with iss, sub, aud 'sigstore', iat and exp, not expired",
        ) from exc


def _context(trust_config: Path | None) -> SigningContext:
    from sigstore.sign import SigningContext

    config = load(trust_config, offline=False)
    try:
        context = SigningContext.from_trust_config(config)
    except Exception as exc:
        raise UsageError(f"unusable signing config: {_one_line(exc)}") from exc
    _add_timeouts(context)
    return context


def _sign_all(
    context: SigningContext,
    identity: IdentityToken,
    data: bytes,
    statement: intoto.Statement | None,
) -> list[Bundle]:
    from sigstore import dsse

    try:
        with context.signer(identity, cache=True) as signer:
            bundles = [signer.sign_artifact(data)]
            if statement is not None:
                bundles.append(signer.sign_dsse(dsse.Statement(statement.to_bytes())))
            return bundles
    except (UsageError, SigstoreUnavailableError):
        raise
    except Exception as exc:
        raise _signing_error(exc, context) from exc


def _signing_error(exc: Exception, context: SigningContext) -> Exception:
    import requests
    from sigstore._internal.fulcio.client import FulcioClientError
    from sigstore.oidc import ExpiredIdentity

    where = _url_of(exc) or getattr(context._fulcio, "url", "the configured Sigstore")
    if isinstance(exc, ExpiredIdentity):
        return UsageError("the identity token has expired", hint="get a fresh token")
    if isinstance(exc, requests.Timeout):
        return SigstoreUnavailableError(f"Sigstore at {where} did not answer in {HTTP_TIMEOUT} s")
    if isinstance(exc, requests.ConnectionError):
        return SigstoreUnavailableError(
            f"cannot reach Sigstore at {where}",
            hint="check --trust-config (its signing config names the Fulcio and Rekor URLs)",
        )
    status = _http_status(exc)
    if isinstance(exc, FulcioClientError) and status is not None and 400 <= status < 500:
        return UsageError(
            f"Fulcio refused the identity token (HTTP {status}): {_one_line(exc) or 'no reason'}"
        )
    return SigstoreUnavailableError(f"signing failed: {type(exc).__name__}: {_one_line(exc)}")


def _url_of(exc: BaseException) -> str | None:
    """The service the failed request went to (scheme, host and port)."""
    seen: BaseException | None = exc
    while seen is not None:
        url = getattr(getattr(seen, "request", None), "url", None)
        if isinstance(url, str):
            from urllib.parse import urlsplit

            parts = urlsplit(url)
            return f"{parts.scheme}://{parts.netloc}"
        seen = seen.__cause__ or seen.__context__
    return None


def _http_status(exc: BaseException) -> int | None:
    seen: BaseException | None = exc
    while seen is not None:
        response = getattr(seen, "response", None)
        if response is not None and getattr(response, "status_code", None) is not None:
            return int(response.status_code)
        seen = seen.__cause__ or seen.__context__
    return None


def _add_timeouts(context: SigningContext) -> None:
    """sigstore-python's Fulcio and Rekor sessions send without a timeout: add one."""
    from requests import PreparedRequest, Response
    from requests.adapters import HTTPAdapter

    class _Timeout(HTTPAdapter):
        def send(
            self,
            request: PreparedRequest,
            stream: bool = False,
            timeout: float | tuple[float, float] | tuple[float, None] | None = None,
            verify: bool | str = True,
            cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
            proxies: Mapping[str, str] | None = None,
        ) -> Response:
            return super().send(
                request, stream, HTTP_TIMEOUT if timeout is None else timeout, verify, cert, proxies
            )

    sessions = [
        getattr(context._fulcio, "session", None),
        getattr(context._rekor, "_session", None),
    ]
    sessions += [getattr(tsa, "_session", None) for tsa in context._tsa_clients]
    for session in sessions:
        if session is not None and hasattr(session, "mount"):
            session.mount("http://", _Timeout())
            session.mount("https://", _Timeout())


def _signed(path: Path, kind: str, bundle: Bundle) -> Signed:
    entry = bundle.log_entry._inner
    integrated = entry.integrated_time
    return Signed(path, kind, int(entry.log_index), int(integrated) if integrated else None)


def _writing(out: OutputFile, step: Callable[[], None]) -> None:
    try:
        step()
    except OSError as exc:
        raise UsageError(
            f"{out.path}: cannot write there ({exc.strerror or type(exc).__name__})",
            hint="choose a writable directory for --bundle / --attestation",
        ) from exc


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else ""
