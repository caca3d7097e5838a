"""``aibom index`` and ``aibom show --db`` (registered by :func:`aibom.cli._register`):
thin adapters over :mod:`aibom.forensics.index`."""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING, Any

import click

from aibom.cli import FORMAT_OPTION
from aibom.errors import AibomError, UsageError
from aibom.report import Format, emit

if TYPE_CHECKING:
    from aibom.forensics.facts import CommitFacts


class _Progress:
    """One self-overwriting line on stderr, only at a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.live = sys.stderr.isatty()
        self.shown = False

    def __call__(self, text: str) -> None:
        if self.live:
            sys.stderr.write(f"\r{self.label}: {text}\033[K")
            sys.stderr.flush()
            self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


@click.command("index")
@click.argument(
    "repos", nargs=-1, type=click.Path(exists=True, file_okay=False), metavar="[REPO]..."
)
@click.option(
    "--db",
    metavar="PATH|URL",
    default=None,
    help="The index: an SQLite file, or a postgresql:// URL for a fleet "
    "[default: <git dir>/aibom/index.sqlite3 of the first repository].",
)
@click.option("--rebuild", is_flag=True, help="Throw the index away and build it from scratch.")
@FORMAT_OPTION
@click.pass_context
def index(
    ctx: click.Context, repos: tuple[str, ...], db: str | None, rebuild: bool, fmt: str
) -> None:
    """Build or update the forensics index of one or many repositories.

    Only what changed since the last run is read: new commits, commits whose notes changed,
    and commits a history rewrite dropped. A damaged index, or one of another schema
    version, is rebuilt (with a message). Indexers take turns; Ctrl-C keeps what was
    written, and the next run carries on. Then query across repositories with --db.

    \b
    Examples:
      aibom index                                   # this repository, index in its git dir
      aibom index ~/src/api ~/src/web --db fleet.sqlite3
      aibom index ~/src/* --db postgresql://aibom@db.internal/aibom
      aibom trace --model anthropic/claude-opus-4-5 --db fleet.sqlite3
    """
    from aibom import gitutil
    from aibom.forensics import index as ix

    targets = [gitutil.discover(p) for p in repos] or [gitutil.discover(ctx.obj.get("cwd"))]
    location = db if db is not None else ix.default_location(targets[0])
    database = ix.open_database(location, create=True)
    progress = _Progress("indexing")
    try:
        result = ix.build(database, targets, rebuild=rebuild, progress=progress)
    except KeyboardInterrupt:
        raise AibomError(
            "interrupted: the batches written so far are kept",
            hint="run the same aibom index again to carry on",
        ) from None
    finally:
        progress.done()
        database.close()
    if result.rebuilt and not rebuild:
        click.echo(
            f"aibom: warning: rebuilt the index at {result.location}: {result.rebuilt}", err=True
        )
    for repo in result.repositories:
        for warning in repo.warnings:
            click.echo(f"aibom: warning: {warning}", err=True)
    emit(dataclasses.asdict(result), _index_text(result), Format(fmt))


def _index_text(result: Any) -> str:
    lines = [f"index {result.location} ({result.kind})"]
    if result.rebuilt:
        lines.append(f"rebuilt: {result.rebuilt}")
    width = max((len(r.label) for r in result.repositories), default=0)
    for r in result.repositories:
        lines.append(
            f"  {r.label:<{width}}  {r.added} new, {r.updated} re-read (notes changed), "
            f"{r.removed} dropped, {r.total} commits indexed"
        )
    return "\n".join(lines)


def show_indexed(rev: str, db: str, fmt: str, cwd: str | None = None) -> None:
    """``aibom show REV --db DB``: the commit's facts as the index holds them, any repository.

    REV is a commit id; a name (HEAD, a branch) is resolved in the repository around us."""
    from aibom.forensics import index as ix

    source = ix.open_source(db)
    try:
        found = source.find(rev if _is_hex(rev) else _resolved(rev, cwd))
    finally:
        source.close()
    if not found:
        raise UsageError(
            f"no commit {rev!r} in the index at {source.db.location}",
            hint="run aibom index on its repository, or check the id",
        )
    data = [_facts_json(f) for f in found]
    emit(
        data if len(data) > 1 else data[0], "\n\n".join(_facts_text(f) for f in found), Format(fmt)
    )


def _is_hex(text: str) -> bool:
    return len(text) >= 4 and all(c in "0123456789abcdefABCDEF" for c in text)


def _resolved(rev: str, cwd: str | None) -> str:
    from aibom import gitutil

    try:
        repo = gitutil.discover(cwd)
    except UsageError:
        raise UsageError(
            f"{rev!r} is not a commit id", hint="outside a repository give the commit's id"
        ) from None
    proc = repo.git(["rev-parse", "-q", "--verify", rev + "^{commit}"], check=False)
    if proc.returncode != 0:
        raise UsageError(f"{rev!r} is not a commit in this repository")
    return proc.stdout.decode().strip()


def _facts_json(facts: CommitFacts) -> dict[str, Any]:
    data = facts.asdict()
    data["attribution"] = facts.attribution.asdict()
    data["files"] = [f.asdict() for f in facts.files]
    return data


def _facts_text(facts: Any) -> str:
    a = facts.attribution
    lines = [
        f"commit      {facts.sha}",
        f"repository  {facts.repository}",
        f"subject     {facts.subject}",
        f"author      {facts.author_name} <{facts.author_email}>",
        f"origin      {a.origin} ({a.source})",
    ]
    if a.models:
        lines.append(f"models      {', '.join(a.models)}")
    if a.agent:
        lines.append(f"agent       {a.agent}")
    if a.sessions:
        lines.append(f"session     {', '.join(a.sessions)}")
    for change in facts.files:
        lines.append(f"file        {change.path} (+{change.added} -{change.deleted})")
    return "\n".join(lines)


COMMANDS: tuple[click.Command, ...] = (index,)
NOTES_COMMANDS: tuple[click.Command, ...] = ()  # subcommands of ``aibom notes``
