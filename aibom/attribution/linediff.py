"""Which lines of a new text are old lines, and which were written anew (hook path).

No ``difflib`` (it pulls in ``collections``, ``heapq`` and more on every agent tool call):
common prefix and suffix are trimmed, lines unique to both sides anchor the match (the
patience rule, longest increasing run by ``bisect``), the gaps between anchors recurse, and
small gaps without unique lines fall back to an exact longest-common-subsequence table.
Lines are compared through :func:`aibom.attribution.model.normalize_line`, so re-indenting,
re-spacing or a CRLF/LF change keeps a line's identity.
"""

from __future__ import annotations

from aibom.attribution.model import normalize_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

SMALL_TABLE = 40_000  # cells of the exact LCS table for a gap without unique lines
BINARY_PROBE = 8000  # git's rule: a NUL in the first 8000 bytes makes a file binary


def is_binary(data: bytes) -> bool:
    return b"\x00" in data[:BINARY_PROBE]


def split_lines(data: bytes) -> list[str]:
    """Lines as git counts them (LF-terminated; a last line without LF still counts).

    Bytes that are not UTF-8 are kept as surrogate escapes, so Latin-1 files diff fine.
    """
    if not data:
        return []
    text = data.decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def keys(lines: Sequence[str]) -> list[str]:
    return [normalize_line(line) for line in lines]


def match(a: Sequence[str], b: Sequence[str]) -> list[int]:
    """For every index of ``b``, the index of the ``a`` line it is, or -1 when new."""
    out = [-1] * len(b)
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            out[blo] = alo
            alo += 1
            blo += 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi -= 1
            bhi -= 1
            out[bhi] = ahi
        if alo == ahi or blo == bhi:
            continue
        anchors = _unique_anchors(a, alo, ahi, b, blo, bhi)
        if anchors:
            prev_a, prev_b = alo, blo
            for i, j in anchors:
                out[j] = i
                stack.append((prev_a, i, prev_b, j))
                prev_a, prev_b = i + 1, j + 1
            stack.append((prev_a, ahi, prev_b, bhi))
        elif (ahi - alo) * (bhi - blo) <= SMALL_TABLE:
            for i, j in _lcs(a, alo, ahi, b, blo, bhi):
                out[j] = i
    return out


def _unique_anchors(
    a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Pairs of lines that occur exactly once on each side, longest run in order of both."""
    in_a: dict[str, int] = {}
    for i in range(alo, ahi):
        key = a[i]
        in_a[key] = -1 if key in in_a else i
    in_b: dict[str, int] = {}
    for j in range(blo, bhi):
        key = b[j]
        if key in in_a and in_a[key] >= 0:
            in_b[key] = -1 if key in in_b else j
    pairs = sorted((in_a[k], j) for k, j in in_b.items() if j >= 0)
    if not pairs:
        return []
    return _increasing(pairs)


def _increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of ``pairs`` (sorted by a) that also increases in b."""
    from bisect import bisect_left

    tails: list[int] = []  # b value ending the best run of each length
    tail_at: list[int] = []  # index into pairs of that run's end
    back = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(n)
        else:
            tails[k] = j
            tail_at[k] = n
        back[n] = tail_at[k - 1] if k else -1
    run: list[tuple[int, int]] = []
    n = tail_at[-1]
    while n >= 0:
        run.append(pairs[n])
        n = back[n]
    run.reverse()
    return run


def _lcs(
    a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int
) -> list[tuple[int, int]]:
    n, m = ahi - alo, bhi - blo
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = table[i], table[i + 1]
        ai = a[alo + i]
        for j in range(m - 1, -1, -1):
            row[j] = below[j + 1] + 1 if ai == b[blo + j] else max(below[j], row[j + 1])
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if a[alo + i] == b[blo + j]:
            pairs.append((alo + i, blo + j))
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


BLOCK = 128


def _common_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the common prefix; whole blocks are compared as slices (at C speed)."""
    n, lo = min(len(a), len(b)), 0
    while lo + BLOCK <= n and a[lo : lo + BLOCK] == b[lo : lo + BLOCK]:
        lo += BLOCK
    while lo < n and a[lo] == b[lo]:
        lo += 1
    return lo


def match_lines(a: Sequence[str], b: Sequence[str]) -> list[int]:
    """:func:`match` over raw lines, compared whitespace-insensitively.

    Lines equal as they stand are trimmed from both ends first, so only the changed middle
    is normalised (most edits touch a few lines of a long file).
    """
    lo = _common_prefix(a, b)
    tail = _common_prefix(a[lo:][::-1], b[lo:][::-1])
    hi_a, hi_b = len(a) - tail, len(b) - tail
    out = list(range(lo))
    out += [i + lo if i >= 0 else -1 for i in match(keys(a[lo:hi_a]), keys(b[lo:hi_b]))]
    shift = hi_a - hi_b
    out += [j + shift for j in range(hi_b, len(b))]
    return out


_CLOSERS = (",)", ",]", ",}")


def format_key(lines: Sequence[str]) -> str:
    """A block's text as a formatter would not change it.

    All whitespace (re-indenting, re-wrapping one line into many), ``'`` versus ``"``, a
    trailing comma before a closing bracket and backslash continuations are ignored: what
    black, ruff format or prettier do to code, and nothing a person's real edit is made of.
    """
    joined = "".join(_unbroken(line) for line in lines)
    text = "".join(joined.split()).replace("'", '"')
    for closer in _CLOSERS:
        text = text.replace(closer, closer[1])
    return text


def _unbroken(line: str) -> str:
    stripped = line.rstrip()
    return stripped[:-1] if stripped.endswith("\\") else stripped


def reformatted(old: Sequence[str], new: Sequence[str]) -> list[int] | None:
    """For a block ``new`` that only re-formats the non-empty block ``old``: per new line, the
    index of the old line its first character came from; otherwise None."""
    if not old or not new or format_key(old) != format_key(new):
        return None
    starts: list[int] = []  # offset of every old line's first character in the key
    offset = 0
    for line in old:
        starts.append(offset)
        offset += len(format_key([line]))
    out: list[int] = []
    offset, i = 0, 0
    for line in new:
        while i + 1 < len(old) and starts[i + 1] <= offset:
            i += 1
        out.append(i)
        offset += len(format_key([line]))
    return out


def changed_lines(old: Sequence[str], new: Sequence[str]) -> list[int]:
    """1-based numbers of the lines of ``new`` that are not (whitespace-equal) old lines."""
    return [j + 1 for j, i in enumerate(match_lines(old, new)) if i < 0]
