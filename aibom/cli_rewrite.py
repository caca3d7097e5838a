"""``aibom`` commands of the rewrite area (registered by :func:`aibom.cli._register`)."""

from __future__ import annotations

import os
import sys

import click

from aibom.errors import UsageError
from aibom.gitutil import Repo, discover
from aibom.report import Format, emit

DEFAULT_MAP = os.path.join("filter-repo", "commit-map")
# Not aibom.cli's FORMAT_OPTION: importing aibom.cli here would be circular (it imports us).
FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in Format]),
    default=Format.TEXT.value,
    show_default=True,
    help="Output format.",
)


def _repo(ctx: click.Context) -> Repo:
    return discover((ctx.find_root().obj or {}).get("cwd"))


@click.command("remap")
@click.option(
    "--map",
    "map_path",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="The old -> new commit map (default: .git/filter-repo/commit-map).",
)
@FORMAT_OPTION
@click.pass_context
def remap(ctx: click.Context, map_path: str | None, fmt: str) -> None:
    """Move records onto the commits a whole-history rewrite made, line ranges remapped.

    git filter-repo (and tools like it) rewrite every commit but leave git notes on the old
    ones. Run this right after the rewrite: each old commit's records are copied to its new
    commit, and attribution ranges are shifted onto the new blobs (changed lines lose their
    credit; where an old commit is already pruned, ranges are found again by content hash).
    Safe to run twice.

    \b
    Examples:
      git filter-repo --replace-text expressions.txt
      aibom notes remap
      aibom notes remap --map saved-commit-map --format json
    """
    from aibom.attribution import rewrite

    repo = _repo(ctx)
    path = map_path or os.path.join(repo.git_dir, DEFAULT_MAP)
    try:
        with open(path, encoding="utf-8") as fh:
            data = fh.read()
    except OSError as exc:
        raise UsageError(
            f"cannot read the commit map {path}: {exc.strerror}",
            hint="git filter-repo writes it to .git/filter-repo/commit-map; pass --map FILE",
        ) from exc
    pairs = rewrite.parse_commit_map(data)
    if sys.stderr.isatty():
        click.echo(f"aibom: remapping the records of {len(pairs)} rewritten commits...", err=True)
    outcome = rewrite.remap_history(repo, pairs)
    text = (
        f"{outcome.pairs} rewritten commits: {outcome.notes_changed} notes updated, "
        f"{outcome.attribution_records} attribution records remapped"
        + (
            f" ({outcome.gone} old commits were gone: ranges found by content)"
            if outcome.gone
            else ""
        )
    )
    emit(outcome.asdict(), text, Format(fmt))


COMMANDS: tuple[click.Command, ...] = ()
NOTES_COMMANDS: tuple[click.Command, ...] = (remap,)  # subcommands of ``aibom notes``
