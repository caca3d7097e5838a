"""``aibom`` commands of the attribution area (registered by :func:`aibom.cli._register`).

Imported for every ``aibom`` command: the blame engine is imported inside the command. The
common forms of ``aibom blame`` do not come here at all: :mod:`aibom.attribution.fastblame`
runs them without click (see :mod:`aibom._entry`), and hands everything else to this command.
"""

from __future__ import annotations

import sys

import click

from aibom.attribution.blameargs import FORMATS, git_order, parse_line_range, repo_path
from aibom.errors import UsageError


@click.command("blame")
@click.argument("file")
@click.argument("rev", required=False, default="HEAD")
@click.option(
    "-L",
    "line_ranges",
    multiple=True,
    metavar="START,END",
    help="Only these lines (START,END, START,+COUNT, START,-COUNT or START to the end; "
    "1-based). Repeatable.",
)
@click.option(
    "-w/--no-w",
    "ignore_whitespace",
    default=True,
    help="Ignore whitespace-only changes (on by default): re-indenting a line never takes its "
    "credit. --no-w lets them take it.",
)
@click.option(
    "-M", "detect_moves", is_flag=True, help="Follow lines moved or copied within the file."
)
@click.option(
    "-C",
    "detect_copies",
    count=True,
    help="Follow lines moved or copied from other files (give up to 3 times to look harder).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text (aligned), json (lines and summary) or porcelain (git's, plus aibom-* headers).",
)
@click.pass_context
def blame(
    ctx: click.Context,
    file: str,
    rev: str,
    line_ranges: tuple[str, ...],
    ignore_whitespace: bool,
    detect_moves: bool,
    detect_copies: int,
    fmt: str,
) -> None:
    """Who or what wrote each line of FILE at REV (default HEAD): the commit, the origin
    (human, ai, mixed or unknown), model, agent, session and confidence. git's order, REV
    [--] FILE, works too.

    A line's credit comes from the attribution records of the commit that last changed it
    (line ranges observed by the agent hooks, carried through rewrites or imported), else
    from that commit's generation record or AI-* trailers. Nothing recorded is "unknown",
    which is not "human". Uncommitted changes are not shown: this is the file as REV has it.

    \b
    Examples:
      aibom blame src/app.py
      aibom blame src/app.py v1.2 -L 10,40 -L 90,+5
      aibom blame src/app.py -C --format json | jq '.summary.shares'
      aibom blame src/app.py --format porcelain   # git's porcelain + aibom-origin, ...

    \b
    Porcelain: git's output plus aibom-origin, aibom-model, aibom-agent, aibom-session,
    aibom-confidence and aibom-evidence lines in a line's header block whenever they change
    for its commit ("-" when missing); keep the last ones seen per commit.
    """
    from aibom import gitutil
    from aibom.attribution.blame import BlameOptions, blame_file
    from aibom.report.blame import BlameFormat, render

    repo = gitutil.discover(ctx.obj.get("cwd"))
    if ctx.get_parameter_source("rev") is not click.core.ParameterSource.DEFAULT:
        file, rev = git_order(file, rev, ctx.obj.get("cwd"))
    path = repo_path(repo, file, ctx.obj.get("cwd"))
    options = BlameOptions(
        rev=rev,
        line_ranges=tuple(parse_line_range(r) for r in line_ranges),
        ignore_whitespace=ignore_whitespace,
        detect_moves=detect_moves,
        detect_copies=min(detect_copies, 3),
    )
    found = blame_file(repo, path, options)
    if found.binary:
        raise UsageError(
            f"{path} is a binary file in {rev}: it has no lines to blame",
            hint=f"see its history with: git log --oneline {rev} -- {path}",
        )
    sys.stdout.buffer.write(render(found, BlameFormat(fmt)))
    sys.stdout.buffer.flush()


COMMANDS: tuple[click.Command, ...] = (blame,)
NOTES_COMMANDS: tuple[click.Command, ...] = ()  # subcommands of ``aibom notes``
