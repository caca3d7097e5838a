"""Detection sources that read what agents and tools leave behind (standard library only).

Each class implements :class:`aibom.provenance.types.Source`: a ``kind`` and
``detect(ctx) -> Sequence[Evidence]`` that never raises on odd data and never runs git.
Submodules are imported lazily (``aibom.provenance.detect`` imports only what a hook needs);
the names below are also reachable as attributes of this package.
"""

from __future__ import annotations

__all__ = ["AncestrySource", "EnvironmentSource", "ForeignTrailerSource", "IdentitySource"]

_LAZY = {
    "AncestrySource": "ancestry",
    "EnvironmentSource": "environment",
    "ForeignTrailerSource": "foreign",
    "IdentitySource": "identity",
    "merge_by_agent": "_common",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(__import__(f"{__name__}.{module}", fromlist=[name]), name)
