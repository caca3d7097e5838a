"""sha256 without ``import hashlib`` (which loads OpenSSL bindings) on the hook path."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:
        from _sha256 import sha256  # CPython <= 3.11
    except ImportError:  # pragma: no cover - other versions and interpreters
        try:
            from _sha2 import sha256  # CPython >= 3.12
        except ImportError:
            from hashlib import sha256

__all__ = ["digest", "hexdigest", "sha256"]


def digest(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``."""
    return "sha256:" + sha256(data).hexdigest()


def hexdigest(data: bytes) -> str:
    return sha256(data).hexdigest()
