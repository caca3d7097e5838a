"""The arguments of ``aibom blame``, shared by the click command and the click-free fast path
(:mod:`aibom.attribution.fastblame`): standard library only."""

from __future__ import annotations

import os

from aibom.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMATS = ("text", "json", "porcelain")


def git_flags(whitespace: bool, moves: bool, copies: int) -> list[str]:
    """``git blame``'s ``-w``, ``-M`` and ``-C`` (given up to three times) as asked."""
    return ["-w"] * whitespace + ["-M"] * moves + ["-C"] * max(0, min(copies, 3))


_TO_THE_END = 2**31 - 1  # git blame stops a range at the file's last line


def parse_line_range(text: str) -> tuple[int, int]:
    """A numeric git ``-L``: ``START,END``, ``START,+COUNT``, ``START,-COUNT`` (COUNT lines
    ending at START), ``START`` or ``START,`` (to the end) and ``,END`` (from line 1);
    1-based, inclusive, as ``(start, end)``."""
    start_text, sep, end_text = text.partition(",")
    try:
        start = int(start_text) if start_text or not sep else 1
        if not end_text:
            end = _TO_THE_END if start_text else 0
        elif end_text[0] in "+-":
            count = int(end_text[1:])
            end = start + count - 1 if count > 0 else 0
            if end_text[0] == "-" and count > 0:
                start, end = max(1, start - count + 1), start
        else:
            end = int(end_text)
    except ValueError:
        start, end = 0, 0
    if start < 1 or end < start:
        raise UsageError(
            f"bad line range -L {text}",
            hint="use -L START,END, START,+COUNT, START,-COUNT or START (to the end) with "
            "1 <= START <= END, e.g. -L 10,40",
        )
    return start, end


def git_order(file: str, rev: str, base: str | None) -> tuple[str, str]:
    """``(FILE, REV)`` of two arguments given as ``FILE REV`` or in git's order, ``REV [--]
    FILE``: swapped when the first names no path (from where aibom was started, or -C PATH)
    and the second does."""
    start = base if base is not None else os.getcwd()
    if not os.path.lexists(os.path.join(start, file)) and os.path.lexists(os.path.join(start, rev)):
        return rev, file
    return file, rev


def repo_path(repo: Any, file: str, base: str | None) -> str:
    """FILE (relative to where aibom was started, or -C PATH) relative to the work tree top."""
    if repo.toplevel is None:
        return file.lstrip("/")  # a bare repository: paths are given from its root
    start = base if base is not None else os.getcwd()
    full = os.path.abspath(os.path.join(start, file))
    if os.path.isdir(full) and not os.path.islink(full):
        raise UsageError(
            f"{file} is a directory: aibom blame takes one file",
            hint=f"list its files with: git ls-files {file}",
        )
    # resolve symlinked directories but not the file itself: a symlink is blamed as itself
    parent = os.path.realpath(os.path.dirname(full))
    top = os.path.realpath(repo.toplevel)
    rel = os.path.relpath(os.path.join(parent, os.path.basename(full)), top)
    if rel == os.curdir or rel.startswith(os.pardir + os.sep) or rel == os.pardir:
        raise UsageError(
            f"{file} is outside the repository at {repo.toplevel}",
            hint="give a file of this work tree, or pass -C PATH before the command",
        )
    return rel.replace(os.sep, "/")
