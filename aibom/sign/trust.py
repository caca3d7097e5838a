"""Which Sigstore instance to trust: a ClientTrustConfig file, or the public-good instance.

A ClientTrustConfig (``application/vnd.dev.sigstore.clienttrustconfig.v0.1+json``) holds
the signing config (Fulcio, Rekor, TSA URLs) and the trusted root (their keys and
certificates) of one instance; ``--trust-config`` points at one for a private instance. Without
it the public-good instance's configuration comes from sigstore-python's TUF client (online
for signing, its local cache for offline verification).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aibom.errors import AibomError, UsageError

if TYPE_CHECKING:
    from sigstore.models import ClientTrustConfig

HTTP_TIMEOUT = 30.0  # seconds, for every request to Fulcio and Rekor


class SigstoreUnavailableError(AibomError):
    """Sigstore could not be reached or answered with an error (exit 3)."""


def load(path: Path | None, *, offline: bool) -> ClientTrustConfig:
    """The trust configuration in ``path``, or the public-good instance's."""
    import logging

    from sigstore.models import ClientTrustConfig

    # sigstore-python logs warnings (e.g. "TUF repository is loaded in offline mode") that
    # Python would print as stray stderr lines; aibom reports its own one-line errors
    logging.getLogger("sigstore").setLevel(logging.ERROR)

    if path is None:
        return _public_good(offline)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UsageError(f"trust config {path} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read trust config {path}: {exc}") from exc
    try:
        config = ClientTrustConfig.from_json(raw)
        config.trusted_root  # noqa: B018 - validates the media type and keys now
    except Exception as exc:
        raise UsageError(
            f"{path} is not a Sigstore client trust config: {_first_line(exc)}",
            hint="expected application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
        ) from exc
    return config


def _public_good(offline: bool) -> ClientTrustConfig:
    from sigstore.models import ClientTrustConfig

    try:
        return ClientTrustConfig.production(offline=offline)
    except Exception as exc:
        raise SigstoreUnavailableError(
            f"cannot load the public Sigstore trust root: {_first_line(exc)}",
            hint="pass --trust-config FILE (a ClientTrustConfig for your Sigstore instance)",
        ) from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
