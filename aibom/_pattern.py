"""Anchored character-class patterns without ``import re`` (schema ``pattern``, hook path).

aibom's schemas use patterns such as ``^sha256:[0-9a-f]{64}$``: an anchored sequence of
literals and character classes, each with an optional quantifier. :func:`compile` handles that
subset exactly like ``re.search`` (including ``$`` matching before one final newline) and
returns None for anything else, in which case the caller uses ``re``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

_ESCAPABLE = frozenset(".^$*+?{}[]\\|()/-:@#~%&=!<>,;'\" _")
_SPECIAL = frozenset(".^$*+?{}[]\\|()")

Item = tuple[frozenset[str], int, int]  # (characters, min repeats, max repeats or -1)


class Anchored:
    """A compiled pattern with the two members the validator uses: ``search`` and ``pattern``."""

    __slots__ = ("items", "pattern")

    def __init__(self, pattern: str, items: Sequence[Item]) -> None:
        self.pattern = pattern
        self.items = tuple(items)

    def search(self, text: str) -> bool:
        positions = {0}
        n = len(text)
        for chars, lo, hi in self.items:
            nxt: set[int] = set()
            for start in positions:
                pos = start
                count = 0
                while count < lo:
                    if pos < n and text[pos] in chars:
                        pos += 1
                        count += 1
                    else:
                        break
                if count < lo:
                    continue
                nxt.add(pos)
                while (hi < 0 or count < hi) and pos < n and text[pos] in chars:
                    pos += 1
                    count += 1
                    nxt.add(pos)
            if not nxt:
                return False
            positions = nxt
        return n in positions or (n > 0 and text[-1] == "\n" and n - 1 in positions)


def compile(pattern: str) -> Anchored | None:
    """Compile ``^...$`` patterns of literals and classes; None when outside the subset."""
    if (
        len(pattern) < 2
        or pattern[0] != "^"
        or not pattern.endswith("$")
        or pattern.endswith("\\$")
    ):
        return None
    try:
        items = _parse(pattern[1:-1])
    except ValueError:
        return None
    return Anchored(pattern, items)


def _parse(body: str) -> list[Item]:
    items: list[Item] = []
    i = 0
    while i < len(body):
        chars, i = _atom(body, i)
        lo, hi, i = _quantifier(body, i)
        items.append((chars, lo, hi))
    return items


def _atom(body: str, i: int) -> tuple[frozenset[str], int]:
    c = body[i]
    if c == "\\":
        if i + 1 >= len(body) or body[i + 1] not in _ESCAPABLE:
            raise ValueError("unsupported escape")
        return frozenset(body[i + 1]), i + 2
    if c == "[":
        return _char_class(body, i + 1)
    if c in _SPECIAL:
        raise ValueError("unsupported syntax")
    return frozenset(c), i + 1


def _char_class(body: str, i: int) -> tuple[frozenset[str], int]:
    if i < len(body) and body[i] == "^":
        raise ValueError("negated classes are not supported")
    chars: set[str] = set()
    first = True
    while i < len(body):
        c = body[i]
        if c == "]" and not first:
            return frozenset(chars), i + 1
        first = False
        if c == "\\":
            if i + 1 >= len(body) or body[i + 1] not in _ESCAPABLE:
                raise ValueError("unsupported escape in class")
            c = body[i + 1]
            i += 2
        elif c == "[":
            raise ValueError("nested class syntax")
        else:
            i += 1
        if i + 1 < len(body) and body[i] == "-" and body[i + 1] != "]":
            end = body[i + 1]
            if end in "\\[":
                raise ValueError("unsupported range end")
            if ord(end) < ord(c):
                raise ValueError("bad range")
            chars.update(chr(o) for o in range(ord(c), ord(end) + 1))
            i += 2
        else:
            chars.add(c)
    raise ValueError("unterminated class")


def _quantifier(body: str, i: int) -> tuple[int, int, int]:
    if i >= len(body):
        return 1, 1, i
    c = body[i]
    if c == "*":
        lo, hi, i = 0, -1, i + 1
    elif c == "+":
        lo, hi, i = 1, -1, i + 1
    elif c == "?":
        lo, hi, i = 0, 1, i + 1
    elif c == "{":
        end = body.find("}", i)
        if end < 0:
            raise ValueError("unterminated repeat")
        lo_s, comma, hi_s = body[i + 1 : end].partition(",")
        if not lo_s.isdigit() or (hi_s and not hi_s.isdigit()):
            raise ValueError("unsupported repeat")
        lo = int(lo_s)
        hi = (int(hi_s) if hi_s else -1) if comma else lo
        if hi >= 0 and hi < lo:
            raise ValueError("bad repeat")
        i = end + 1
    else:
        return 1, 1, i
    if i < len(body) and body[i] in "?+*{":
        raise ValueError("lazy or possessive quantifiers are not supported")
    return lo, hi, i
