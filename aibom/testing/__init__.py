"""Test helpers shipped with aibom (the README demo uses them too): a loopback registry.

Imported lazily, so that ``python -m aibom.testing.registry`` runs the module only once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aibom.testing.registry import Fault, LoopbackRegistry

__all__ = ["Fault", "LoopbackRegistry"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from aibom.testing import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
