"""``aibom`` commands of the forensics area (registered by :func:`aibom.cli._register`):
``aibom trace`` and ``aibom stats``, thin adapters over :mod:`aibom.forensics`.

Imported for every ``aibom`` command: the forensics modules are imported inside the commands.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from aibom.errors import FindingsError, UsageError

if TYPE_CHECKING:
    from aibom.forensics.facts import CommitFacts
    from aibom.forensics.query import TraceQuery
    from aibom.forensics.source import FactsSource
    from aibom.forensics.stats import LineFates
    from aibom.forensics.surviving import Surviving
    from aibom.forensics.trace import TraceResult

_TRACE_FORMATS = ("text", "json", "csv")
_STATS_FORMATS = ("text", "json", "markdown")
_BY = ("origin", "model", "agent", "author", "month")


class Progress:
    """A one-line counter on stderr, only when stderr is a terminal."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.live = sys.stderr.isatty()
        self.shown = False

    def __call__(self, count: int) -> None:
        if self.live and (count < 100 or count % 100 == 0):
            sys.stderr.write(f"\r{self.what}: {count}")
            sys.stderr.flush()
            self.shown = True

    def note(self, text: str) -> None:
        if self.live:
            sys.stderr.write(f"\r{text}\033[K")
            sys.stderr.flush()
            self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _revs(rev_range: str | None) -> list[str] | None:
    if rev_range is None:
        return None
    text = rev_range.strip()
    if not text or text.startswith("-"):
        raise UsageError(
            f"bad revision range {rev_range!r}", hint="e.g. --range v1.0..HEAD or --range main~50.."
        )
    return [text]


def _source(ctx: click.Context, db: str | None, warn: bool) -> FactsSource:
    """The facts source: the repository itself, or an index given with --db."""
    if db is not None:
        from aibom.forensics.index import open_source

        return open_source(db)
    from aibom import gitutil
    from aibom.forensics.source import GitSource

    source = GitSource(gitutil.discover(ctx.obj.get("cwd")))
    if warn:
        info = source.info()
        if info.shallow:
            click.echo(
                "aibom: warning: shallow clone: commits before the shallow boundary are not "
                "searched (git fetch --unshallow to search all history)",
                err=True,
            )
        if not info.has_notes:
            click.echo(
                "aibom: warning: no aibom notes (refs/notes/aibom) here: only AI-* trailers "
                "are searched (aibom notes pull fetches the records; aibom backfill records "
                "what other tools' trailers say, such as Co-authored-by or Assisted-by)",
                err=True,
            )
    return source


def _close(source: FactsSource) -> None:
    close = getattr(source, "close", None)
    if callable(close):
        close()


def _check_output(output: str | None) -> None:
    """Before any work: OUTPUT's folder exists and is writable, OUTPUT is not a folder."""
    if output is None:
        return
    folder = os.path.dirname(os.path.abspath(output))
    if os.path.isdir(output) or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise _unwritable(output, "no writable folder for it")


def _unwritable(output: str, why: str) -> UsageError:
    return UsageError(
        f"cannot write {output!r}: {why}",
        hint="give -o a file path in an existing, writable folder",
    )


def _write(text: str, output: str | None) -> None:
    """To stdout, or to OUTPUT atomically (a temporary file renamed into place at the end:
    Ctrl-C or an error leaves no half-written file). Undecodable bytes of git paths and
    messages are written back as they were, as on stdout."""
    if output is None:
        sys.stdout.write(text)
        return
    import tempfile

    folder = os.path.dirname(os.path.abspath(output))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".aibom-", dir=folder)
    except OSError as exc:
        raise _unwritable(output, exc.strerror or str(exc)) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
            fh.write(text)
        os.replace(tmp, output)
    except BaseException as exc:
        os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _unwritable(output, exc.strerror or str(exc)) from exc
        raise


_OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the report to this file (only once the work succeeded).",
)
_DB = click.option(
    "--db",
    metavar="PATH|URL",
    help="Query an index (SQLite file or postgresql:// URL, see aibom index) across "
    "repositories instead of this repository's history.",
)
_RANGE = click.option(
    "--range",
    "rev_range",
    metavar="RANGE",
    help="Only commits in this git revision range, e.g. v1.0..HEAD [default: HEAD's history].",
)


@click.command("trace")
@click.option("--model", metavar="PROVIDER/MODEL[@VERSION]", help="A model family or snapshot.")
@click.option("--agent", metavar="AGENT[/VERSION]", help="An agent, e.g. claude-code.")
@click.option("--session", metavar="ID", help="An AI-Session id.")
@_RANGE
@click.option(
    "--surviving",
    is_flag=False,
    flag_value="HEAD",
    default=None,
    metavar="[REV]",
    help="Also list the lines of REV [HEAD] still attributed to it (one blame per file).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_TRACE_FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--fail-if-found",
    is_flag=True,
    help="Exit 1 when anything matches (for CI); nothing found is exit 0.",
)
@_DB
@_OUTPUT
@click.pass_context
def trace(
    ctx: click.Context,
    model: str | None,
    agent: str | None,
    session: str | None,
    rev_range: str | None,
    surviving: str | None,
    fmt: str,
    fail_if_found: bool,
    db: str | None,
    output: str | None,
) -> None:
    """Which commits, files and surviving lines did a model version, agent or session write?

    A family (anthropic/claude-opus-4-5) matches every snapshot of it; @VERSION matches one
    exactly; display names and aliases ('Claude Opus 4.5', 4o) work; case and separators do
    not matter. Commits known from aibom notes, AI-* trailers and imported git-ai / Agent
    Trace records are all searched. --fail-if-found exits 1 only when something matches: an
    unknown model is an empty result, exit 0 even with --fail-if-found; a malformed one is a
    usage error (exit 2). In CSV, a text cell (path, model, agent, line...) that begins with
    = + - @, TAB or CR gets a leading ' so that a spreadsheet does not run it as a formula;
    the number columns are never changed.

    \b
    Examples:
      aibom trace --model anthropic/claude-opus-4-5
      aibom trace --model openai/gpt-4o@2024-08-06 --range v1.0..HEAD --surviving
      aibom trace --agent claude-code --format csv -o claude.csv
      aibom trace --model 'Claude Opus 4.5' --fail-if-found   # in CI
    """
    from aibom.forensics.query import TraceQuery
    from aibom.forensics.trace import trace as run_trace
    from aibom.report.forensics import TraceFormat, render_trace

    query = TraceQuery.build(model=model, agent=agent, session=session, revs=_revs(rev_range))
    _check_output(output)
    if surviving is not None and db is not None:
        raise UsageError("--surviving needs the repository itself", hint="leave out --db")
    source = _source(ctx, db, warn=True)
    progress = Progress(f"tracing {query.label}")
    try:
        result = run_trace(source, query, progress=progress)
        lines = _surviving(source, result, query, surviving, progress)
    finally:
        progress.done()
        _close(source)
    _write(render_trace(result, lines, TraceFormat(fmt)), output)
    if fail_if_found and result.found:
        raise FindingsError(
            f"{len(result.commits)} commits by {query.label}",
            hint="--fail-if-found: anything found fails the run",
        )


def _surviving(
    source: FactsSource, result: TraceResult, query: TraceQuery, rev: str | None, progress: Progress
) -> Surviving | None:
    if rev is None:
        return None
    from aibom.forensics.source import GitSource
    from aibom.forensics.surviving import surviving

    if not isinstance(source, GitSource):
        raise UsageError("--surviving needs the repository itself", hint="leave out --db")

    def blamed(done: int, total: int) -> None:
        progress.note(
            f"blaming the files of {len(result.commits)} commits at {rev}: {done}/{total}"
        )

    blamed(0, 0)
    return surviving(source.repo, result, query, rev, blamed)


@click.command("stats")
@_RANGE
@click.option(
    "--by",
    type=click.Choice(_BY),
    default="origin",
    show_default=True,
    help="Group commits and lines by this.",
)
@click.option(
    "--lines/--no-lines",
    default=True,
    show_default=True,
    help="Replay the history for the alive / modified-by-people line figures.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_STATS_FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@_DB
@_OUTPUT
@click.pass_context
def stats(
    ctx: click.Context,
    rev_range: str | None,
    by: str,
    lines: bool,
    fmt: str,
    db: str | None,
    output: str | None,
) -> None:
    """How much code did AI write here, and how much of it is still alive?

    Commits and lines added by origin, model, agent, author or month (of the commit date, in
    UTC); the share of AI lines still alive at the tip; the share of AI lines later modified
    by people (commits whose origin is human; unattributed commits are counted apart). The
    line figures replay the history hunk by hunk like blame -w (renames followed, a merged
    branch's lines kept by their authors); --no-lines skips them.

    \b
    Examples:
      aibom stats
      aibom stats --by model --range v1.0..HEAD
      aibom stats --by month --format markdown >> $GITHUB_STEP_SUMMARY
    """
    from aibom.forensics import stats as st
    from aibom.forensics.source import GitSource
    from aibom.report.forensics import StatsFormat, render_stats

    revs = _revs(rev_range)
    _check_output(output)
    source = _source(ctx, db, warn=True)
    progress = Progress("reading commits")
    fates = None
    if lines and isinstance(source, GitSource):
        repo, tip = source.repo, _tip(rev_range)

        def fates(commits: dict[str, CommitFacts]) -> LineFates:
            def replayed(done: int, total: int) -> None:
                progress.note(f"replaying the history of {tip}: {done}/{total} commits")

            return st.line_fates(repo, tip, lambda sha: _origin(commits, sha), replayed)

    try:
        result = st.stats(source, revs, st.By(by), fates=fates, progress=progress)
    finally:
        progress.done()
        _close(source)
    _write(render_stats(result, StatsFormat(fmt)), output)


def _tip(rev_range: str | None) -> str:
    """The revision whose history is replayed: the range's right end, else HEAD."""
    if rev_range is None:
        return "HEAD"
    right = rev_range.rpartition("..")[2].lstrip(".")
    return right or "HEAD"


def _origin(commits: dict[str, CommitFacts], sha: str) -> str:
    facts = commits.get(sha)
    return facts.origin if facts is not None else "unknown"


COMMANDS: tuple[click.Command, ...] = (trace, stats)
NOTES_COMMANDS: tuple[click.Command, ...] = ()  # subcommands of ``aibom notes``
