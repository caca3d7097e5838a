"""Paths as git prints them (``core.quotePath``, C-style quoting), read back."""

from __future__ import annotations

_ESCAPES = {"a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r"}


def unquote(name: str) -> str:
    """A path as git writes it: C-style quoted when it holds special characters."""
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name
    body = name[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        char = body[i]
        if char != "\\" or i + 1 >= len(body):
            out += char.encode("utf-8", "surrogateescape")
            i += 1
            continue
        nxt = body[i + 1]
        octal = body[i + 1 : i + 4]
        if len(octal) == 3 and all(c in "01234567" for c in octal):
            out.append(int(octal, 8) & 0xFF)
            i += 4
            continue
        out += _ESCAPES.get(nxt, nxt).encode("utf-8", "surrogateescape")
        i += 2
    return out.decode("utf-8", "surrogateescape")
