"""Line maps from diffs: where each line of an old blob went in a new one.

Many tree pairs are compared with ONE ``git diff-tree --stdin -r -M -w -p -U0`` (a batch per
rewrite operation, never a process per commit). ``-U0`` hunks say exactly which old lines were
removed and which new lines were added; every other line moved by the sum of the hunks before
it. ``-w`` makes lines that differ only in whitespace equal, so re-indenting or re-spacing a
line keeps its identity (the same rule as :func:`aibom.attribution.model.normalize_line`).
``-M`` follows renames.

Standard library only (post-rewrite and post-commit import this module).
"""

from __future__ import annotations

from bisect import bisect_left

from aibom._value import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from aibom.gitutil import Repo

DIFF_TIMEOUT = 600.0
# git's well-known empty trees (it knows them without the object existing)
EMPTY_TREE = {
    40: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    64: "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
}


class Hunk(Value):
    """One ``@@ -old_start,old_count +new_start,new_count @@`` of a zero-context diff."""

    __slots__ = ("new_count", "new_start", "old_count", "old_start")
    old_start: int
    old_count: int
    new_start: int
    new_count: int

    def __init__(self, old_start: int, old_count: int, new_start: int, new_count: int) -> None:
        self._set(
            old_start=old_start, old_count=old_count, new_start=new_start, new_count=new_count
        )

    @property
    def old_last(self) -> int:
        """The last old line this hunk comes after or replaces (an insertion: the line before)."""
        return self.old_start + self.old_count - 1 if self.old_count else self.old_start


class LineMap(Value):
    """Old line -> new line for one file of a tree pair (``None``: the line did not survive)."""

    __slots__ = ("_lasts", "binary", "hunks")
    hunks: tuple[Hunk, ...]
    binary: bool
    _lasts: tuple[int, ...]

    def __init__(self, hunks: Iterable[Hunk] = (), binary: bool = False) -> None:
        ordered = tuple(sorted(hunks, key=lambda h: (h.old_start, h.new_start)))
        self._set(hunks=ordered, binary=binary, _lasts=tuple(h.old_last for h in ordered))

    def map(self, line: int) -> int | None:
        if self.binary:
            return None
        i = bisect_left(self._lasts, line)
        # hunks[:i] end before ``line``; hunks[i] may remove it
        if i < len(self.hunks):
            h = self.hunks[i]
            if h.old_count and h.old_start <= line <= h.old_last:
                return None
        shift = 0
        for h in self.hunks[:i]:
            shift += h.new_count - h.old_count
        return line + shift

    def map_many(self, lines: Iterable[int]) -> dict[int, int]:
        result: dict[int, int] = {}
        for line in lines:
            new = self.map(line)
            if new is not None:
                result[line] = new
        return result

    def added(self) -> set[int]:
        """New lines no old line maps to (inserted or changed by more than whitespace)."""
        if self.binary:
            return set()
        return {n for h in self.hunks for n in range(h.new_start, h.new_start + h.new_count)}


IDENTITY = LineMap()


class FileChange(Value):
    """One file of a tree diff: where ``old_path`` went (``new_path`` None: deleted)."""

    __slots__ = ("linemap", "new_path", "old_path")
    old_path: str | None  # None: the file is new
    new_path: str | None
    linemap: LineMap

    def __init__(self, old_path: str | None, new_path: str | None, linemap: LineMap) -> None:
        self._set(old_path=old_path, new_path=new_path, linemap=linemap)


class TreeDiff(Value):
    """The changed files between two trees; a path not listed is unchanged."""

    __slots__ = ("by_new", "by_old")
    by_old: Mapping[str, FileChange]
    by_new: Mapping[str, FileChange]

    def __init__(self, changes: Iterable[FileChange] = ()) -> None:
        by_old: dict[str, FileChange] = {}
        by_new: dict[str, FileChange] = {}
        for change in changes:
            if change.old_path is not None:
                by_old[change.old_path] = change
            if change.new_path is not None:
                by_new[change.new_path] = change
        self._set(by_old=by_old, by_new=by_new)

    def follow(self, old_path: str) -> tuple[str | None, LineMap]:
        """Where ``old_path`` is in the new tree, and how its lines moved."""
        change = self.by_old.get(old_path)
        if change is None:
            if old_path in self.by_new:  # replaced by another file (e.g. a rename onto it)
                return None, IDENTITY
            return old_path, IDENTITY
        return change.new_path, change.linemap

    def added(self, new_path: str) -> set[int] | None:
        """New lines of ``new_path`` no old line maps to; ``None`` when the file is unchanged."""
        change = self.by_new.get(new_path)
        if change is None:
            return None
        return change.linemap.added()

    def source_of(self, new_path: str) -> str | None:
        """The old path ``new_path`` came from (None: a new file)."""
        change = self.by_new.get(new_path)
        return new_path if change is None else change.old_path


# -- git ---------------------------------------------------------------------------------------
def empty_tree(oid: str) -> str:
    return EMPTY_TREE.get(len(oid), EMPTY_TREE[40])


def diff_trees(repo: Repo, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], TreeDiff]:
    """``(old_tree, new_tree)`` -> their diff, for all pairs with one ``git diff-tree --stdin``."""
    wanted = list(dict.fromkeys(p for p in pairs if p[0] != p[1]))
    result: dict[tuple[str, str], TreeDiff] = {p: TreeDiff() for p in pairs}
    if not wanted:
        return result
    argv = [
        "-c",
        "core.quotePath=false",
        "diff-tree",
        "--stdin",
        "--always",
        "-r",
        "-M",
        "-w",
        "-p",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--no-relative",
        "--src-prefix=a/",
        "--dst-prefix=b/",
    ]
    stdin = "".join(f"{old} {new}\n" for old, new in wanted).encode()
    proc = repo.git(argv, input=stdin, timeout=DIFF_TIMEOUT)
    result.update(parse_batch(proc.stdout))
    return result


def parse_batch(data: bytes) -> dict[tuple[str, str], TreeDiff]:
    """Split ``diff-tree --stdin`` output at its ``<old> <new>`` header lines."""
    result: dict[tuple[str, str], TreeDiff] = {}
    key: tuple[str, str] | None = None
    chunk: list[bytes] = []
    for line in data.split(b"\n"):
        header = _pair_header(line)
        if header is not None:
            if key is not None:
                result[key] = parse_patch(chunk)
            key, chunk = header, []
        else:
            chunk.append(line)
    if key is not None:
        result[key] = parse_patch(chunk)
    return result


def _is_hex(text: bytes) -> bool:
    return len(text) in (40, 64) and all(c in b"0123456789abcdef" for c in text)


def is_oid(text: str) -> bool:
    """A full object id (SHA-1 or SHA-256, lower-case hex)."""
    return _is_hex(text.encode("ascii", "replace"))


def _pair_header(line: bytes) -> tuple[str, str] | None:
    parts = line.split(b" ")
    if len(parts) == 2 and _is_hex(parts[0]) and _is_hex(parts[1]):
        return parts[0].decode(), parts[1].decode()
    return None


class _FileState:
    __slots__ = ("binary", "hunks", "new", "old")

    def __init__(self) -> None:
        self.old: str | None = None
        self.new: str | None = None
        self.hunks: list[Hunk] = []
        self.binary = False

    def done(self) -> FileChange | None:
        if self.old is None and self.new is None:
            return None
        return FileChange(self.old, self.new, LineMap(self.hunks, self.binary))


def parse_patch(lines: Sequence[bytes]) -> TreeDiff:
    """The files and hunks of one ``git diff -p -U0`` (``a/`` and ``b/`` prefixes)."""
    changes: list[FileChange] = []
    state: _FileState | None = None
    for raw in lines:
        if raw.startswith(b"diff --git "):
            if state is not None and (done := state.done()) is not None:
                changes.append(done)
            state = _FileState()
            state.old, state.new = _git_header_paths(raw)
        elif state is None:
            continue
        elif raw.startswith(b"@@ "):
            hunk = parse_hunk_header(raw)
            if hunk is not None:
                state.hunks.append(hunk)
        elif state.hunks:
            continue  # patch text (+/- lines may look like headers)
        else:
            _header_line(state, raw)
    if state is not None and (done := state.done()) is not None:
        changes.append(done)
    return TreeDiff(changes)


def _header_line(state: _FileState, raw: bytes) -> None:
    if raw.startswith(b"--- "):
        state.old = _patch_path(raw[4:], b"a/")
    elif raw.startswith(b"+++ "):
        state.new = _patch_path(raw[4:], b"b/")
    elif raw.startswith(b"rename from "):
        state.old = unquote(raw[12:])
    elif raw.startswith(b"rename to "):
        state.new = unquote(raw[10:])
    elif raw.startswith(b"copy to "):
        state.new = unquote(raw[8:])
    elif raw.startswith(b"new file mode"):
        state.old = None
    elif raw.startswith(b"deleted file mode"):
        state.new = None
    elif raw.startswith(b"Binary files "):
        state.binary = True


def _git_header_paths(raw: bytes) -> tuple[str | None, str | None]:
    """``diff --git a/X b/Y``: exact when unquoted and X == Y (else later lines say)."""
    rest = raw[len(b"diff --git ") :]
    if rest.startswith(b'"'):
        end = _quoted_end(rest)
        old = unquote(rest[:end])
        new_part = rest[end + 1 :]
        new = unquote(new_part)
        return _strip(old, "a/"), _strip(new, "b/")
    half = (len(rest) - 1) // 2
    if rest[:2] == b"a/" and rest[half : half + 3] == b" b/" and rest[2:half] == rest[half + 3 :]:
        path = rest[2:half].decode("utf-8", "surrogateescape")
        return path, path
    return None, None


def _strip(path: str | None, prefix: str) -> str | None:
    if path is None:
        return None
    return path[len(prefix) :] if path.startswith(prefix) else path


def _quoted_end(text: bytes) -> int:
    """Index just past the closing quote of a C-quoted string starting at 0."""
    i = 1
    while i < len(text):
        if text[i : i + 1] == b"\\":
            i += 2
            continue
        if text[i : i + 1] == b'"':
            return i + 1
        i += 1
    return len(text)


def _patch_path(text: bytes, prefix: bytes) -> str | None:
    if text == b"/dev/null":
        return None
    if text.endswith(b"\t"):  # git marks names with spaces by a trailing TAB
        text = text[:-1]
    path = unquote(text)
    return path[len(prefix) :] if path.startswith(prefix.decode()) else path


_ESCAPES = {ord("n"): 10, ord("t"): 9, ord('"'): 34, ord("\\"): 92, ord("a"): 7, ord("b"): 8}
_ESCAPES.update({ord("f"): 12, ord("r"): 13, ord("v"): 11})


def unquote(text: bytes) -> str:
    """A path as git prints it: C-quoted (``"a\\tb"``, octal bytes) or as is."""
    if not (text.startswith(b'"') and text.endswith(b'"') and len(text) >= 2):
        return text.decode("utf-8", "surrogateescape")
    out = bytearray()
    body = text[1:-1]
    i = 0
    while i < len(body):
        c = body[i]
        if c != 92 or i + 1 >= len(body):
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1]
        if 48 <= nxt <= 55 and i + 3 < len(body) + 1:
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
            continue
        out.append(_ESCAPES.get(nxt, nxt))
        i += 2
    return out.decode("utf-8", "surrogateescape")


def _count(text: bytes) -> tuple[int, int]:
    start, _, count = text.partition(b",")
    return int(start), int(count) if count else 1


def parse_hunk_header(raw: bytes) -> Hunk | None:
    """``@@ -a[,b] +c[,d] @@ ...`` -> Hunk (counts default to 1)."""
    parts = raw.split(b" ")
    if len(parts) < 4 or not parts[1].startswith(b"-") or not parts[2].startswith(b"+"):
        return None
    try:
        old_start, old_count = _count(parts[1][1:])
        new_start, new_count = _count(parts[2][1:])
    except ValueError:
        return None
    return Hunk(old_start, old_count, new_start, new_count)


def resolve(repo: Repo, specs: Sequence[str]) -> dict[str, str]:
    """``rev`` / ``rev:path`` / ``rev^{tree}`` -> object id, with one ``cat-file --batch-check``.

    Specs that do not resolve (or hold a newline) are left out.
    """
    usable = [s for s in dict.fromkeys(specs) if "\n" not in s]
    if not usable:
        return {}
    stdin = "".join(s + "\n" for s in usable).encode("utf-8", "surrogateescape")
    proc = repo.git(["cat-file", "--batch-check=%(objectname)"], input=stdin, timeout=DIFF_TIMEOUT)
    answers = proc.stdout.decode("utf-8", "surrogateescape").split("\n")
    found: dict[str, str] = {}
    for spec, answer in zip(usable, answers, strict=False):
        if _is_hex(answer.encode()):
            found[spec] = answer
    return found
