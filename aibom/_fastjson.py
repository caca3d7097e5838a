"""Canonical JSON for the hook path, through the C accelerator without ``import json``.

``json`` imports ``re`` (and ``enum``), which on slow machines costs more than a third of a
Python start-up. The encoder and scanner in the built-in ``_json`` module need neither. The
output is byte-identical to ``json.dumps(obj, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` (tested); if this interpreter's ``_json`` differs, ``json`` is used.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def _nan(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


class _ScanContext:
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = staticmethod(_nan)


def _fallback_dumps(obj: Any) -> str:
    import json

    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _fallback_loads(text: str) -> Any:
    import json

    return json.loads(text)


def _default(obj: Any) -> Any:
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def _make() -> tuple[Callable[[Any], str], Callable[[str], Any]]:
    try:
        import _json

        encoder = _json.make_encoder(
            None, _default, _json.encode_basestring, None, ":", ",", True, False, False
        )
        scanner = _json.make_scanner(_ScanContext())  # type: ignore[arg-type]
    except Exception:  # pragma: no cover - another interpreter's private API
        return _fallback_dumps, _fallback_loads

    def dumps(obj: Any) -> str:
        return "".join(encoder(obj, 0))

    def loads(text: str) -> Any:
        start = _skip_ws(text, 0)
        try:
            value, end = scanner(text, start)
        except (StopIteration, SystemError, ValueError):
            # json's own error with its position. Without ``json`` imported, the C scanner
            # cannot build a JSONDecodeError for some inputs (an unterminated string) and
            # raises SystemError instead: the fallback parses again and raises properly.
            return _fallback_loads(text)
        if _skip_ws(text, end) != len(text):
            return _fallback_loads(text)
        return value

    return dumps, loads


def _skip_ws(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in " \t\n\r":
        pos += 1
    return pos


dumps, loads = _make()
