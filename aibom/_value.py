"""Immutable value objects for the hook path, without importing ``dataclasses``.

On the machines aibom targets, ``import dataclasses`` (with ``inspect`` and ``re``) costs more
than the whole start-up of Python, and the hooks must run in under twice ``python -c pass``.
Core types therefore subclass :class:`Value`: ``__slots__``, an explicit ``__init__``, and
equality, hashing, ``repr`` and ``replace`` over the slots. Modules off the hook path (CLI,
reports, BOM) use frozen dataclasses as usual; the types on the path of ``aibom blame``
(timed as a whole process against ``git blame``) are Value classes too.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Self


class Value:
    __slots__: tuple[str, ...] = ()

    def _set(self, **fields: Any) -> None:
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _astuple(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._astuple() == other._astuple()  # type: ignore[attr-defined,unused-ignore]

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._astuple()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({inner})"

    def asdict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def replace(self, **changes: Any) -> Self:
        fields = self.asdict()
        fields.update(changes)
        return type(self)(**fields)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.asdict()))


def _rebuild(cls: type[Value], fields: dict[str, Any]) -> Value:
    return cls(**fields)
