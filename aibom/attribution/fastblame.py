"""``aibom blame`` without click, for its common forms: git blame starts first, the rest after.

``aibom blame FILE [REV] [-L RANGE]... [-w|--no-w] [-M] [-C]... [--format F]`` (or ``REV
FILE``, git's order) is what people and editors run, over and over. Through click, start-up
alone (importing click and registering the commands) costs more than ``git blame`` itself.
Here ``git blame --porcelain`` is started before anything but the standard library is
imported, and while it runs the history of the file (notes, trailers, blobs) is read and
credited; what is left after git has answered is parsing its output, crediting lines and
rendering.

Anything else (``--help``, another option, a bad value, a symlink, a path outside the work
tree, git failing, a binary file) returns ``None``, and the click command runs instead: it
alone reports errors, so both paths say the same things. The same argv gives the same
bytes on both paths (tested).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from aibom._spawn import Started

_FLAGS = {"-w": ("w", True), "--no-w": ("w", False), "-M": ("M", True)}
_COPIES = {"-C": 1, "-CC": 2, "-CCC": 3}
_BLAME_TIMEOUT = 600.0


class Args:
    """What the common forms of ``aibom blame`` say."""

    __slots__ = ("copies", "file", "fmt", "moves", "ranges", "rev", "whitespace")

    def __init__(self) -> None:
        self.file = ""
        self.rev = "HEAD"
        self.ranges: list[str] = []
        self.whitespace = True
        self.moves = False
        self.copies = 0
        self.fmt = "text"


def parse(argv: Sequence[str]) -> Args | None:
    """The arguments after ``blame``, or None for anything but the common forms."""
    from aibom.attribution.blameargs import FORMATS

    args, positional, i = Args(), [], 0
    while i < len(argv):
        token = argv[i]
        if token in _FLAGS:
            name, value = _FLAGS[token]
            if name == "w":
                args.whitespace = value
            else:
                args.moves = value
        elif token in _COPIES:
            args.copies = min(3, args.copies + _COPIES[token])
        elif token in ("-L", "--format") and i + 1 < len(argv):
            i += 1
            if token == "-L":
                args.ranges.append(argv[i])
            else:
                args.fmt = argv[i]
        elif token.startswith("-L") and len(token) > 2:
            args.ranges.append(token[2:])
        elif token.startswith("--format="):
            args.fmt = token.partition("=")[2]
        elif token and not token.startswith("-"):
            positional.append(token)
        else:
            return None
        i += 1
    if not 1 <= len(positional) <= 2 or args.fmt not in FORMATS:
        return None
    args.file = positional[0]
    if len(positional) == 2:
        from aibom.attribution.blameargs import git_order

        args.file, args.rev = git_order(positional[0], positional[1], None)
    return args


def _plain_file(file: str) -> bool:
    """A regular file of the work tree reached without symlinks: git resolves it from the
    current directory exactly as :func:`~aibom.attribution.blameargs.repo_path` does."""
    full = os.path.abspath(file)
    parent = os.path.dirname(full)
    return (
        os.path.isfile(full)
        and not os.path.islink(full)
        and os.path.realpath(parent) == parent
        and os.path.realpath(os.getcwd()) == os.getcwd()
    )


def main(argv: Sequence[str]) -> int | None:
    """Run ``aibom blame`` with the arguments after ``blame``: an exit code, or None when the
    click command must run instead."""
    args = parse(argv)
    if args is None or args.rev.startswith(("-", "^")) or ".." in args.rev:
        return None
    if not _plain_file(args.file):
        return None
    from aibom import _spawn
    from aibom.attribution.blameargs import git_flags, parse_line_range
    from aibom.errors import AibomError, ExitCode
    from aibom.gitutil import _git_env

    try:
        ranges = tuple(parse_line_range(r) for r in args.ranges)
    except AibomError:
        return None
    git_argv = ["git", "-c", "core.quotePath=false", "blame", "--porcelain"]
    git_argv += git_flags(args.whitespace, args.moves, args.copies)
    for start, end in ranges:
        git_argv += ["-L", f"{start},{end}"]
    try:
        started = _spawn.start([*git_argv, args.rev, "--", args.file], env=_git_env())
    except OSError:
        return None
    try:
        return _finish(args, started)
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("aborted\n")
        return int(ExitCode.INTERNAL)
    except Exception:  # an AibomError or a bug: the click command says what is wrong
        if os.environ.get("AIBOM_DEBUG"):
            raise
        return None


def _finish(args: Args, started: Started) -> int | None:
    from aibom import gitutil
    from aibom.attribution import blame, resolve
    from aibom.attribution.blameargs import repo_path
    from aibom.errors import AibomError

    done = False
    try:
        repo = gitutil.discover(None)
        if repo.toplevel is None:
            return None
        path = repo_path(repo, args.file, None)
        try:
            known: resolve.History | None = resolve.history(repo, args.rev, [path])
        except AibomError:  # only a head start: the bulk lookup after blame reads the same
            known = None
        credited = known.credits(known.raw) if known is not None else {}
        options = blame.BlameOptions(args.rev, (), args.whitespace, args.moves, args.copies)
        verdicts = (
            blame.formatting_verdicts(repo, known, credited, [path], options)
            if known is not None
            else {}
        )
        from aibom.report.blame import BlameFormat, render

        code, porcelain, _ = started.wait(_BLAME_TIMEOUT)
        done = True
    finally:
        if not done:
            started.kill()
    if code != 0:
        return None
    raw = blame.RawBlame(path, porcelain, blame.parse_porcelain(porcelain))
    if raw.binary:
        return None
    lines = blame.attribute_lines(repo, [raw], known, credited, options, verdicts)[path]
    found = blame.FileBlame(path, args.rev, False, lines, porcelain)

    sys.stdout.buffer.write(render(found, BlameFormat(args.fmt)))
    sys.stdout.buffer.flush()
    return 0


def _quiet_stdout() -> None:
    """After a reader closed the pipe: no second error when Python flushes at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
