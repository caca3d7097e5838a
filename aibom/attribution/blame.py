"""``git blame`` with authorship: per line the commit that wrote it and who (or what) wrote it.

One ``git blame --porcelain`` per file gives, for every line, the commit and the path and line
number in that commit's blob. While it runs, one ``git log --raw`` of the files' history reads
the notes, trailers and blobs of their commits in bulk; commits it does not reach (lines
moved or copied from other files) are read afterwards in one more bulk pass. Then
:mod:`aibom.attribution.resolve` decides the credit of each line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence

from aibom._value import Value
from aibom.attribution.blameargs import git_flags
from aibom.attribution.gitpath import unquote
from aibom.errors import GitError, UsageError
from aibom.gitutil import Repo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from aibom.attribution import resolve
    from aibom.attribution.model import Conversation, FileAttribution

ORIGINS = ("human", "ai", "mixed", "unknown")  # BlameLine.origin; unknown is not human
_BLAME_TIMEOUT = 600.0
_WORKERS = min(8, os.cpu_count() or 2)  # git blame processes at once
_BINARY_PROBE = 8000  # git's own test: a NUL in the first 8000 bytes


class BlameOptions(Value):
    __slots__ = ("detect_copies", "detect_moves", "ignore_whitespace", "line_ranges", "rev")
    rev: str
    line_ranges: tuple[tuple[int, int], ...]  # -L
    ignore_whitespace: bool  # -w (whitespace-only changes never flip credit)
    detect_moves: bool  # -M
    detect_copies: int  # -C given 0..3 times

    def __init__(
        self,
        rev: str = "HEAD",
        line_ranges: tuple[tuple[int, int], ...] = (),
        ignore_whitespace: bool = True,
        detect_moves: bool = False,
        detect_copies: int = 0,
    ) -> None:
        setter = object.__setattr__
        setter(self, "rev", rev)
        setter(self, "line_ranges", line_ranges)
        setter(self, "ignore_whitespace", ignore_whitespace)
        setter(self, "detect_moves", detect_moves)
        setter(self, "detect_copies", detect_copies)


DEFAULTS = BlameOptions()


class BlameLine(Value):
    __slots__ = (
        "agent",
        "commit",
        "confidence",
        "evidence",
        "line",
        "model",
        "orig_line",
        "orig_path",
        "origin",
        "session",
        "text",
    )
    line: int  # 1-based in options.rev
    text: str
    commit: str
    orig_path: str
    orig_line: int  # 1-based in the blob commit records at orig_path
    origin: str  # "human" | "ai" | "mixed" | "unknown"  (unknown is not human)
    model: str | None  # models.dev provider/model-id
    agent: str | None  # name/version
    session: str | None
    confidence: float
    evidence: str  # hook-observed | inferred | identity | imported | rewrite | trailer | none

    def __init__(
        self,
        line: int,
        text: str,
        commit: str,
        orig_path: str,
        orig_line: int,
        origin: str,
        model: str | None,
        agent: str | None,
        session: str | None,
        confidence: float,
        evidence: str,
    ) -> None:
        setter = object.__setattr__
        setter(self, "line", line)
        setter(self, "text", text)
        setter(self, "commit", commit)
        setter(self, "orig_path", orig_path)
        setter(self, "orig_line", orig_line)
        setter(self, "origin", origin)
        setter(self, "model", model)
        setter(self, "agent", agent)
        setter(self, "session", session)
        setter(self, "confidence", confidence)
        setter(self, "evidence", evidence)


class RawLine(Value):
    """One line of ``git blame --porcelain``, before attribution."""

    __slots__ = ("commit", "content", "line", "orig_line", "orig_path")
    line: int
    commit: str
    orig_path: str
    orig_line: int
    content: bytes  # without the line feed

    def __init__(
        self, line: int, commit: str, orig_path: str, orig_line: int, content: bytes
    ) -> None:
        setter = object.__setattr__
        setter(self, "line", line)
        setter(self, "commit", commit)
        setter(self, "orig_path", orig_path)
        setter(self, "orig_line", orig_line)
        setter(self, "content", content)


class RawBlame(Value):
    """What git said about one file: its porcelain output and the lines parsed from it."""

    __slots__ = ("lines", "path", "porcelain")
    path: str
    porcelain: bytes
    lines: tuple[RawLine, ...]

    def __init__(self, path: str, porcelain: bytes, lines: tuple[RawLine, ...]) -> None:
        setter = object.__setattr__
        setter(self, "path", path)
        setter(self, "porcelain", porcelain)
        setter(self, "lines", lines)

    @property
    def binary(self) -> bool:
        probe = b"\n".join(raw.content for raw in self.lines[:_BINARY_PROBE])
        return b"\0" in probe[:_BINARY_PROBE]


class FileBlame(Value):
    """One file's blame: its credited lines and git's porcelain output they came from."""

    __slots__ = ("binary", "lines", "path", "porcelain", "rev")
    path: str
    rev: str
    binary: bool
    lines: tuple[BlameLine, ...]
    porcelain: bytes

    def __init__(
        self, path: str, rev: str, binary: bool, lines: tuple[BlameLine, ...], porcelain: bytes
    ) -> None:
        setter = object.__setattr__
        setter(self, "path", path)
        setter(self, "rev", rev)
        setter(self, "binary", binary)
        setter(self, "lines", lines)
        setter(self, "porcelain", porcelain)


def blame_files(
    repo: Repo,
    paths: Sequence[str],
    options: BlameOptions = DEFAULTS,
    progress: Callable[[int, int], None] | None = None,
    chains: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, tuple[BlameLine, ...]]:
    """Blame each path (relative to the top of the work tree) at ``options.rev``.

    Binary files yield no lines. Raises :class:`UsageError` for a bad revision, a path that
    is not in the revision or a line range outside the file.
    """
    found = blame_many(repo, paths, options, progress, chains)
    return {blamed.path: blamed.lines for blamed in found}


def blame_file(repo: Repo, path: str, options: BlameOptions = DEFAULTS) -> FileBlame:
    """:func:`blame_files` for one path, keeping git's porcelain output and the binary flag."""
    return blame_many(repo, [path], options)[0]


def blame_many(
    repo: Repo,
    paths: Sequence[str],
    options: BlameOptions = DEFAULTS,
    progress: Callable[[int, int], None] | None = None,
    chains: Mapping[str, Sequence[str]] | None = None,
) -> list[FileBlame]:
    """:func:`blame_files` keeping each file's porcelain output and binary flag, in order.
    ``progress(done, total)`` is told the files blamed so far; ``chains``: see
    :func:`raw_blames`."""
    background = _Prefetch(repo, paths, options)
    # an error or Ctrl-C here leaves the read-ahead (a daemon thread) unjoined: waiting for
    # it held up an interrupted trace --surviving for the whole history read (12 s on 20k)
    raws = raw_blames(repo, paths, options, progress, chains=chains)
    known, credited, verdicts = background.result()
    lines = attribute_lines(repo, raws, known, credited, options, verdicts)
    return [
        FileBlame(raw.path, options.rev, raw.binary, lines[raw.path], raw.porcelain) for raw in raws
    ]


def raw_blames(
    repo: Repo,
    paths: Sequence[str],
    options: BlameOptions = DEFAULTS,
    progress: Callable[[int, int], None] | None = None,
    *,
    chains: Mapping[str, Sequence[str]] | None = None,
    workers: int | None = None,
) -> list[RawBlame]:
    """:func:`run_blame` of each path, in order, several ``git blame`` at once (the threads
    only wait on git); the first failure, in path order, is raised. A path with a chain
    (:mod:`aibom.attribution.chains`: the commits that touched it, of a linear history) is
    blamed along it, unless copies from other files are asked for (they need every commit)."""
    raws: list[RawBlame] = []

    def done(raw: RawBlame) -> None:
        raws.append(raw)
        if progress is not None:
            progress(len(raws), len(paths))

    chains = chains if chains and not options.detect_copies else {}
    count = min(len(paths), workers or _WORKERS)
    if count < 2 and not chains:
        for path in paths:
            done(run_blame(repo, path, options))
        return raws
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    with tempfile.TemporaryDirectory(prefix="aibom-blame-") as scratch:
        pool = ThreadPoolExecutor(max_workers=max(count, 1))
        try:
            jobs = [
                pool.submit(_blame_one, repo, path, options, chains.get(path), scratch)
                for path in paths
            ]
            for job in jobs:
                done(job.result())
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    return raws


def _blame_one(
    repo: Repo, path: str, options: BlameOptions, chain: Sequence[str] | None, scratch: str
) -> RawBlame:
    if not chain or options.rev.startswith("-"):
        return run_blame(repo, path, options)
    import hashlib

    from aibom.attribution.chains import graft_lines

    name = hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()
    ancestry = os.path.join(scratch, name)
    with open(ancestry, "w", encoding="ascii") as handle:
        handle.write(graft_lines(options.rev, chain))
    argv = blame_argv(path, options)
    at = argv.index(options.rev)
    proc = repo.git([*argv[:at], "-S", ancestry, *argv[at:]], check=False, timeout=_BLAME_TIMEOUT)
    if proc.returncode != 0:  # not expected; plain blame reports its own error
        return run_blame(repo, path, options)
    return RawBlame(path, proc.stdout, parse_porcelain(proc.stdout))


class _Prefetch:
    """Read while ``git blame`` runs: the history of ``paths`` (notes, trailers, blobs),
    the credit of its commits and what :func:`formatting_verdicts` says of them."""

    def __init__(self, repo: Repo, paths: Sequence[str], options: BlameOptions) -> None:
        import threading

        self._found: tuple[
            resolve.History | None,
            dict[str, resolve.CommitCredit],
            dict[tuple[str, str], dict[int, int]],
        ] = (None, {}, {})
        self._thread = threading.Thread(target=self._run, args=(repo, paths, options), daemon=True)
        self._thread.start()

    def _run(self, repo: Repo, paths: Sequence[str], options: BlameOptions) -> None:
        from aibom.attribution import resolve  # imported here, while git blame runs

        try:
            known = resolve.history(repo, options.rev, paths)
            credited = known.credits(known.raw)
            verdicts = formatting_verdicts(repo, known, credited, paths, options)
            self._found = (known, credited, verdicts)
        except Exception:  # only a head start: blame reports a bad revision, and the bulk
            pass  # lookup after it reads the same facts without this

    def result(
        self,
    ) -> tuple[
        resolve.History | None,
        dict[str, resolve.CommitCredit],
        dict[tuple[str, str], dict[int, int]],
    ]:
        self._thread.join()
        return self._found


def attribute_lines(
    repo: Repo,
    raws: Sequence[RawBlame],
    known: resolve.History | None = None,
    credited: Mapping[str, resolve.CommitCredit] | None = None,
    options: BlameOptions | None = None,
    verdicts: Mapping[tuple[str, str], dict[int, int]] | None = None,
) -> dict[str, tuple[BlameLine, ...]]:
    """Credit the lines of several blames: what ``known`` lacks is read in one bulk pass.

    ``credited``: commit credits already worked out from ``known`` (the fast path does that
    while git blame runs); the others ``known`` holds are worked out here. With ``options``
    that ignore whitespace (``-w``, the default), a line a formatting-only commit last
    touched is credited to the line it re-formatted (:mod:`aibom.attribution.formatting`;
    ``verdicts``: its answers already read for some commits, see :func:`formatting_verdicts`).
    """
    from aibom.attribution import resolve

    texts = [raw for raw in raws if not raw.binary]
    ready = dict(credited or {})
    credits: dict[str, resolve.CommitCredit] = {}

    def credit_of(commits: set[str]) -> None:
        """Fill ``credits`` for ``commits``: from what is ready, then from ``known``."""
        credits.update({sha: ready[sha] for sha in commits - credits.keys() if sha in ready})
        if known is not None:
            credits.update(known.credits(commits - credits.keys()))

    credit_of({line.commit for raw in texts for line in raw.lines})
    through = _formatting(repo, texts, options, known, credits, credit_of, verdicts)
    wanted = {line.commit for raw in texts for line in raw.lines}
    wanted.update(commit for commit, _, _ in through.values())
    credit_of(wanted)
    blobs = dict(known.blobs) if known is not None else {}
    credits.update(resolve.lookup(repo, sorted(wanted - credits.keys())))
    blobs.update(resolve.real_blobs(repo, _described(credits, texts, through) - blobs.keys()))
    crediter = _Crediter(credits, blobs)
    result: dict[str, tuple[BlameLine, ...]] = {raw.path: () for raw in raws}
    for raw in texts:
        result[raw.path] = tuple(crediter.line(line, through) for line in raw.lines)
    return result


def _formatting(
    repo: Repo,
    texts: Sequence[RawBlame],
    options: BlameOptions | None,
    known: resolve.History | None,
    credits: Mapping[str, resolve.CommitCredit],
    credit_of: Callable[[set[str]], None],
    verdicts: Mapping[tuple[str, str], dict[int, int]] | None,
) -> dict[tuple[str, str, int], tuple[str, str, int]]:
    """Where the lines formatting-only commits last touched came from (``-w`` only).

    Skipped when no commit in the files' history says anything of AI: looking through a
    formatter run cannot change a credit there (most files, in most repositories).
    """
    if options is None or not options.ignore_whitespace or not texts:
        return {}
    if known is not None and not options.detect_copies and not mentions_ai(known):
        return {}
    from aibom.attribution import formatting, resolve

    def covered(commit: str, path: str, line: int) -> bool:
        """The commit's records give a range over the line (then git's answer stands); a
        line they leave out (an agent's edit that also re-formatted a person's lines) is
        looked through."""
        if commit not in credits:
            credit_of({commit})
        found = credits.get(commit)
        return found is not None and resolve.owner(found.files.get(path, ()), line) is not None

    keys = {(line.commit, line.orig_path, line.orig_line) for raw in texts for line in raw.lines}
    return formatting.look_through(repo, keys, covered, blame_flags(options), verdicts)


def formatting_verdicts(
    repo: Repo,
    known: resolve.History,
    credits: Mapping[str, resolve.CommitCredit],
    paths: Sequence[str],
    options: BlameOptions,
) -> dict[tuple[str, str], dict[int, int]]:
    """What :mod:`~aibom.attribution.formatting` says of every commit of ``known`` that
    changed one of ``paths`` without line ranges for it, read ahead (while git blame runs);
    {} when not needed. Only the (commit, path) pairs the commit changed are asked about:
    every commit times every path was 20 million pairs (and cache lines) for 200 files of a
    100,000-commit history."""
    if not options.ignore_whitespace or not mentions_ai(known):
        return {}
    from aibom.attribution import formatting

    wanted = set(paths)
    pairs: set[tuple[str, str]] = set()
    for sha, path in known.blobs:
        if path in wanted:
            found = credits.get(sha)
            if found is None or path not in found.files:
                pairs.add((sha, path))
    return formatting.verdicts(repo, pairs)


_AI_MARKS = ("ai-generated", "ai-assisted", '"ai"', '"mixed"', "AI-Model", "ai-model")


def mentions_ai(known: resolve.History) -> bool:
    """Some trailer or note of the history may credit AI (it may say yes too often)."""
    return any(mark in text for texts in known.raw.values() for text in texts for mark in _AI_MARKS)


def _described(
    credits: Mapping[str, resolve.CommitCredit],
    raws: Sequence[RawBlame],
    through: Mapping[tuple[str, str, int], tuple[str, str, int]],
) -> set[tuple[str, str]]:
    """(commit, path) pairs some attribution record describes: only their blobs are needed."""
    pairs = set()
    for raw in raws:
        for line in raw.lines:
            commit, path, _ = through.get((line.commit, line.orig_path, line.orig_line), _NO_KEY)
            if not commit:
                commit, path = line.commit, line.orig_path
            found = credits.get(commit)
            if found is not None and path in found.files:
                pairs.add((commit, path))
    return pairs


_NO_KEY = ("", "", 0)


class _Crediter:
    """Credits lines, reusing what a (commit, path) and a conversation resolve to across the
    many lines they cover."""

    def __init__(
        self, credits: Mapping[str, resolve.CommitCredit], blobs: Mapping[tuple[str, str], str]
    ) -> None:
        from aibom.attribution import resolve

        self.credits = credits
        self.blobs = blobs
        self.resolve = resolve
        self.owners: dict[tuple[str, str], dict[int, Conversation] | None] = {}
        self.entries: dict[tuple[str, str], tuple[FileAttribution, ...]] = {}
        self.converted: dict[int, resolve.Credit] = {}

    def credit(self, commit: str, path: str, number: int) -> resolve.Credit:
        found = self.credits.get(commit)
        if found is None:
            return self.resolve.UNKNOWN
        if not found.files:
            return found.fallback(path)
        key = (commit, path)
        if key not in self.owners:
            entries = found.entries(path, self.blobs.get(key))
            self.entries[key] = entries
            self.owners[key] = self.resolve.owners(entries)
        by_line = self.owners[key]
        if by_line is not None:
            owner = by_line.get(number)
        else:
            owner = self.resolve.owner(self.entries[key], number)
        if owner is None:
            return found.fallback(path)
        credit = self.converted.get(id(owner))
        if credit is None:
            credit = self.converted[id(owner)] = self.resolve.from_conversation(owner)
        return credit

    def line(
        self, raw: RawLine, through: Mapping[tuple[str, str, int], tuple[str, str, int]]
    ) -> BlameLine:
        source = through.get((raw.commit, raw.orig_path, raw.orig_line)) if through else None
        if source is None:
            credit = self.credit(raw.commit, raw.orig_path, raw.orig_line)
        else:
            credit = self.credit(*source)
        return BlameLine(  # positional: a third cheaper than keywords, 1000s of times a file
            raw.line,
            line_text(raw.content),
            raw.commit,
            raw.orig_path,
            raw.orig_line,
            credit.origin,
            credit.model,
            credit.agent,
            credit.session,
            credit.confidence,
            credit.evidence,
        )


def line_text(content: bytes) -> str:
    """A line's text without its end of line (LF or CRLF); undecodable bytes escaped."""
    if content.endswith(b"\r"):
        content = content[:-1]
    return content.decode("utf-8", "surrogateescape")


# -- git blame -------------------------------------------------------------------------------
def blame_flags(options: BlameOptions) -> list[str]:
    """``-w``, ``-M`` and ``-C`` as ``options`` ask."""
    return git_flags(options.ignore_whitespace, options.detect_moves, options.detect_copies)


def blame_argv(path: str, options: BlameOptions) -> list[str]:
    argv = ["-c", "core.quotePath=false", "blame", "--porcelain", *blame_flags(options)]
    for start, end in options.line_ranges:
        if start < 1 or end < start:
            raise UsageError(
                f"bad line range {start},{end}", hint="use -L START,END with 1 <= START <= END"
            )
        argv += ["-L", f"{start},{end}"]
    return [*argv, options.rev, "--", path]


def run_blame(repo: Repo, path: str, options: BlameOptions = DEFAULTS) -> RawBlame:
    """One ``git blame --porcelain`` of ``path`` at ``options.rev``, parsed."""
    if options.rev.startswith("-"):
        raise UsageError(f"bad revision {options.rev!r}", hint="a revision cannot start with '-'")
    if ".." in options.rev or options.rev.startswith("^"):
        # git would blame the range's bottom commit for every line older than the range
        # (a boundary), and that commit's own record would then wrongly claim those lines
        raise UsageError(
            f"{options.rev!r} is a range, not one revision",
            hint="give the one commit to blame the file at, e.g. HEAD~3 or v1.2",
        )
    proc = repo.git(blame_argv(path, options), check=False, timeout=_BLAME_TIMEOUT)
    if proc.returncode != 0:
        raise _blame_error(proc.args, proc.returncode, proc.stderr, path, options.rev)
    return RawBlame(path, proc.stdout, parse_porcelain(proc.stdout))


_BAD_REVISION = (
    "bad revision",
    "unknown revision",
    "ambiguous argument",
    "Non commit",  # a tree or a blob (HEAD^{tree}, HEAD:path)
    "expected commit type",
    "but the object dereferences to",
)


def _blame_error(
    args: list[str], code: int, stderr: bytes, path: str, rev: str
) -> UsageError | GitError:
    text = stderr.decode("utf-8", "replace").strip()
    message = text.removeprefix("fatal: ").splitlines()[0] if text else ""
    if "no such path" in text:
        return UsageError(
            f"{path} is not in {rev}",
            hint=f"list the files of {rev} with: git ls-tree -r --name-only {rev}",
        )
    if any(sign in text for sign in _BAD_REVISION):
        hint = "give a commit, branch or tag: see git rev-parse REV"
        if rev == "HEAD":
            hint = "HEAD names no commit yet: commit first, or give a REV"
        return UsageError(f"bad revision {rev!r}", hint=hint)
    if "has only" in text:
        return UsageError(message, hint="line ranges are -L START,END within the file")
    return GitError(args, code, text)


def parse_porcelain(data: bytes) -> tuple[RawLine, ...]:
    """The lines of ``git blame --porcelain`` output.

    Each line starts with ``<sha> <orig> <final> [<count>]``; the commit's header lines follow
    the first time it appears, and ``filename`` again wherever the commit has several paths;
    the line's content follows after a TAB.
    """
    lines: list[RawLine] = []
    paths: dict[str, str] = {}
    commit, orig, final = "", 0, 0
    expect_sha = True  # the first row, and every row after a content row
    for row in data.split(b"\n"):
        if expect_sha:
            fields = row.split(b" ", 3)
            if len(fields) >= 3 and fields[1].isdigit() and fields[2].isdigit():
                commit, orig, final = fields[0].decode("ascii"), int(fields[1]), int(fields[2])
                expect_sha = False
        elif row[:1] == b"\t":
            lines.append(RawLine(final, commit, paths.get(commit, ""), orig, row[1:]))
            expect_sha = True
        elif row.startswith(b"filename "):
            paths[commit] = unquote(row[9:].decode("utf-8", "surrogateescape"))
    return tuple(lines)
