"""Blame through formatter runs: a commit that only re-formatted lines does not take them.

``git blame -w`` already ignores whitespace-only changes. A formatter does more: it swaps
quotes, adds or drops a trailing comma, joins or wraps lines. When such a run is a commit of
its own, git blames the re-formatted lines on it, and its author (a person, usually, or a
CI bot) would take the AI's lines, or an agent's formatting pass a person's.

For the lines no line range of their commit covers (a commit with ranges says which lines
it wrote; the lines an agent's edit only re-formatted are not among them), the hunks of
those commits are read with one ``git diff-tree --stdin -p -U0``; a hunk whose old and new
lines are the same code to a formatter (:func:`aibom.attribution.linediff.reformatted`) maps
each new line to the old line it came from, and the old lines are blamed in the parent, one
``git blame -L ...`` per formatting commit and file (formatter runs are few). That repeats
for lines a formatter touched twice, up to :data:`ROUNDS` times. A hunk that mixes a real
edit with re-formatting keeps git's answer: only a change that is entirely formatting is
looked through.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from aibom.attribution.gitpath import unquote
from aibom.attribution.linediff import reformatted
from aibom.gitutil import Repo

ROUNDS = 3
_TIMEOUT = 600.0

Key = tuple[str, str, int]  # (commit, path in that commit, line in its blob)
Mapping_ = dict[int, int]  # new line -> the old line it re-formats (formatting-only hunks)


def look_through(
    repo: Repo,
    lines: Iterable[Key],
    covered: Callable[[str, str, int], bool],
    blame_flags: Sequence[str] = ("-w",),
    ready: Mapping[tuple[str, str], Mapping_] | None = None,
) -> dict[Key, Key]:
    """For blamed lines that a formatting-only change last touched: where each came from
    (the commit, path and line that wrote its code). ``covered(commit, path, line)``: that
    commit's records give a line range over it (then git's answer stands). ``ready``:
    :func:`verdicts` already read (while git blame ran) for some of the pairs."""
    found: dict[Key, Key] = {}
    pending = {key for key in lines if not covered(*key)}
    for _ in range(ROUNDS):
        if not pending:
            break
        moved = _parents_lines(repo, pending, ready or {})
        if not moved:
            break
        sources = _blame_parents(repo, moved, blame_flags)
        step: dict[Key, Key] = {}
        for key, (parent, path, line) in moved.items():
            source = sources.get((parent, path, line))
            if source is not None:
                step[key] = source
        for start, via in list(found.items()):
            if via in step:
                found[start] = step[via]
        for key, source in step.items():
            found.setdefault(key, source)
        pending = {s for s in step.values() if not covered(*s)}
    return found


# -- the hunks -------------------------------------------------------------------------------
def verdicts(repo: Repo, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Mapping_]:
    """The formatting-only hunks of each (commit, path): from the cache, the rest diffed
    (with one ``git diff-tree``) and cached."""
    cache = _Cache(repo)
    known = cache.get(pairs)
    missing = pairs - known.keys()
    if missing:
        found = _diffed(repo, missing)
        cache.put(found)
        known.update(found)
    return known


def _parents_lines(
    repo: Repo, keys: set[Key], ready: Mapping[tuple[str, str], Mapping_]
) -> dict[Key, Key]:
    """For each key in a formatting-only hunk of its commit: (parent, old path, old line)."""
    pairs = {(commit, path) for commit, path, _ in keys}
    known = {pair: ready[pair] for pair in pairs if pair in ready}
    if pairs - known.keys():
        known.update(verdicts(repo, pairs - known.keys()))
    moved: dict[Key, Key] = {}
    for commit, path, line in keys:
        old = known.get((commit, path), {}).get(line)
        if old is not None:
            moved[(commit, path, line)] = (commit + "^", path, old)
    return moved


def _diffed(repo: Repo, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Mapping_]:
    """The formatting-only hunks of each (commit, path) against the first parent, with one
    ``git diff-tree --stdin``: every pair asked gets an answer (empty: none, a root commit,
    a merge), or none at all when git fails (then nothing is cached)."""
    argv = [
        "-c",
        "core.quotePath=false",
        "--literal-pathspecs",
        "diff-tree",
        "--stdin",
        "-p",
        "-U0",
        "--no-renames",
        "--no-color",
        "--diff-algorithm=myers",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "--",
        *sorted({path for _, path in pairs}),
    ]
    feed = "".join(f"{commit}\n" for commit in sorted({c for c, _ in pairs})).encode()
    proc = repo.git(argv, input=feed, check=False, timeout=_TIMEOUT)
    if proc.returncode != 0:
        return {}
    found: dict[tuple[str, str], Mapping_] = {pair: {} for pair in pairs}
    for commit, _, path, old_start, old, new_start, new in _hunks(proc.stdout):
        into = found.get((commit, path))
        if into is None:
            continue
        mapping = reformatted(old, new)
        if mapping is not None:
            for j, i in enumerate(mapping):
                into[new_start + j] = old_start + i
    return found


class _Cache:
    """Formatting-only hunks per (commit, path): facts of immutable commits, so kept for
    good under ``<git common dir>/aibom/blame-cache/``, a repeated blame diffs nothing.

    Files by the first three hex digits of the commit, lines ``commit TAB path TAB
    new:old ...`` appended in one write each; a line that does not parse is skipped (its
    pair is diffed again). Any trouble with the files only means no cache.
    """

    DIR = "formatting-v1"  # a new rule for formatting-only hunks takes a new directory

    def __init__(self, repo: Repo) -> None:
        self.root = os.path.join(repo.shared_dir, "blame-cache", self.DIR)

    def get(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Mapping_]:
        found: dict[tuple[str, str], Mapping_] = {}
        for shard in sorted({commit[:3] for commit, _ in pairs}):
            try:
                with open(os.path.join(self.root, shard), encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
            except OSError:
                continue
            for row in text.split("\n"):
                commit, _, rest = row.partition("\t")
                path, _, lines = rest.partition("\t")
                if (commit, path) in pairs:
                    mapping = _decode(lines)
                    if mapping is not None:
                        found[(commit, path)] = mapping
        return found

    def put(self, found: dict[tuple[str, str], Mapping_]) -> None:
        shards: dict[str, list[str]] = {}
        for (commit, path), mapping in sorted(found.items()):
            if _is_sha(commit) and _storable(path):
                shards.setdefault(commit[:3], []).append(f"{commit}\t{path}\t{_encode(mapping)}\n")
        try:
            os.makedirs(self.root, exist_ok=True)
            for shard, rows in shards.items():
                with open(os.path.join(self.root, shard), "a", encoding="utf-8") as fh:
                    fh.write("".join(rows))
        except (OSError, ValueError):  # never fail a blame over its cache
            pass


def _storable(path: str) -> bool:
    """A path a cache line can hold: no TAB or line end, and valid UTF-8 (a non-UTF-8 name
    is kept as surrogate escapes, which a text file cannot write: such pairs are not cached)."""
    if any(c in path for c in "\t\n\r"):
        return False
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _encode(mapping: Mapping_) -> str:
    return " ".join(f"{new}:{old}" for new, old in sorted(mapping.items())) or "-"


def _decode(text: str) -> Mapping_ | None:
    """The mapping of a cache line, or None for a line that does not parse."""
    if text == "-":
        return {}
    found: Mapping_ = {}
    for item in text.split(" "):
        new, sep, old = item.partition(":")
        if not sep or not new.isdigit() or not old.isdigit():
            return None
        found[int(new)] = int(old)
    return found or None


def _hunks(
    data: bytes,
) -> Iterator[tuple[str, str, str, int, list[str], int, list[str]]]:
    """(commit, parent, path, old start, old lines, new start, new lines) of each hunk of
    ``git diff-tree --stdin -p -U0`` output. git prints each commit's id, then its patch
    against the first parent (none for a root commit or a merge: nothing to look through)."""
    commit = path = ""
    rows = data.decode("utf-8", "surrogateescape").split("\n")
    i = 0
    while i < len(rows):
        raw = rows[i]
        i += 1
        if _is_sha(raw):
            commit, path = raw, ""
        elif raw.startswith("+++ "):
            name = unquote(raw[4:])
            path = name[2:] if name.startswith("b/") else ""  # /dev/null: a deletion
        elif raw.startswith("@@ ") and path and commit:
            header = _hunk_header(raw)
            if header is None:
                continue
            old_start, old_count, new_start, new_count = header
            old: list[str] = []
            new: list[str] = []
            while i < len(rows) and len(old) + len(new) < old_count + new_count:
                line = rows[i]
                i += 1
                if line[:1] == "-" and len(old) < old_count:
                    old.append(line[1:])
                elif line[:1] == "+":
                    new.append(line[1:])
                # "\ No newline at end of file" is not counted in the header
            yield commit, commit + "^", path, old_start, old, new_start, new


def _hunk_header(raw: str) -> tuple[int, int, int, int] | None:
    """``@@ -a,b +c,d @@``: starts and counts (a count left out is 1)."""
    try:
        old, new = raw.split(" ")[1:3]
        old_start, _, old_count = old[1:].partition(",")
        new_start, _, new_count = new[1:].partition(",")
        return int(old_start), int(old_count or 1), int(new_start), int(new_count or 1)
    except (ValueError, IndexError):
        return None


def _is_sha(text: str) -> bool:
    return len(text) == 40 and all(c in "0123456789abcdef" for c in text)


# -- the parents -----------------------------------------------------------------------------
def _blame_parents(repo: Repo, moved: dict[Key, Key], flags: Sequence[str]) -> dict[Key, Key]:
    """Blame the old lines in the parents: (parent, path, line) -> (commit, path, line)."""
    from aibom.attribution.blame import parse_porcelain

    asked: dict[tuple[str, str], set[int]] = {}
    for parent, path, line in moved.values():
        asked.setdefault((parent, path), set()).add(line)
    found: dict[Key, Key] = {}
    for (parent, path), numbers in sorted(asked.items()):
        argv = ["-c", "core.quotePath=false", "blame", "--porcelain", *flags]
        for start, end in _ranges(numbers):
            argv += ["-L", f"{start},{end}"]
        proc = repo.git([*argv, parent, "--", path], check=False, timeout=_TIMEOUT)
        if proc.returncode != 0:
            continue
        for raw in parse_porcelain(proc.stdout):
            found[(parent, path, raw.line)] = (raw.commit, raw.orig_path, raw.orig_line)
    return found


def _ranges(numbers: set[int]) -> Iterator[tuple[int, int]]:
    ordered = sorted(numbers)
    start = prev = ordered[0]
    for n in ordered[1:]:
        if n != prev + 1:
            yield start, prev
            start = n
        prev = n
    yield start, prev
