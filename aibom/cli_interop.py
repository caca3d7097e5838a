"""``aibom import`` / ``aibom export``: git-ai notes and Agent Trace records in and out.

Thin adapters over :mod:`aibom.interop` (registered by :func:`aibom.cli._register`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from aibom.errors import UsageError
from aibom.report import Format, dump_json, emit

_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in Format]),
    default=Format.TEXT.value,
    show_default=True,
    help="Output format.",
)
_DRY_RUN = click.option(
    "--dry-run", is_flag=True, help="Read and convert, report what would be written, write nothing."
)
_SHOWN_PROBLEMS = 20


def _repo(ctx: click.Context) -> Any:
    from aibom import gitutil

    return gitutil.discover(ctx.obj.get("cwd") if ctx.obj else None)


def _keep_text(repo: Any) -> bool:
    from aibom import config

    return bool(config.load(repo.toplevel).store_prompt_text)


def _progress(text: str) -> None:
    """A status line for a person at a terminal (never in pipes, CI or tests)."""
    if sys.stderr.isatty():
        click.echo(f"aibom: {text}...", err=True)


def _warn(problems: Sequence[Any]) -> None:
    for problem in problems[:_SHOWN_PROBLEMS]:
        click.echo(f"aibom: warning: {problem.render()}", err=True)
    if len(problems) > _SHOWN_PROBLEMS:
        rest = len(problems) - _SHOWN_PROBLEMS
        click.echo(f"aibom: warning: {rest} more (see --format json)", err=True)


def _import_text(result: Any) -> str:
    verb = "would add" if result.dry_run else "added"
    text = (
        f"read {result.foreign} {result.source} record(s) from {result.origin}: "
        f"{result.records} attribution record(s) on {result.commits} commit(s), "
        f"{result.ranges} range(s), {result.lines} line(s); {verb} {result.new_records} new"
    )
    if not result.dry_run:
        text += f" ({result.notes_written} note(s) written)"
    if result.own_exports:
        text += f"; left out {result.own_exports} export(s) of records already here"
    if result.problems:
        text += f"; {len(result.problems)} problem(s) reported on stderr"
    return text


# -- import ------------------------------------------------------------------------------------
@click.group("import")
def import_group() -> None:
    """Import foreign attribution into aibom records (refs/notes/aibom).

    \b
    aibom import git-ai          git-ai's notes (refs/notes/ai, authorship/3.0.0)
    aibom import agent-trace     Agent Trace records (.agent-trace/traces.jsonl)

    Imported ranges become `attribution` records with evidence "imported" on the commits they
    annotate, so blame, trace, stats and the BOM see them. Importing twice adds nothing.
    """


@import_group.command("git-ai")
@click.option(
    "--ref",
    default="refs/notes/ai",
    show_default=True,
    metavar="REF",
    help="The notes ref git-ai writes.",
)
@_DRY_RUN
@_FORMAT
@click.pass_context
def import_gitai(ctx: click.Context, ref: str, dry_run: bool, fmt: str) -> None:
    """Import git-ai authorship logs: per commit, which lines each AI session wrote.

    Models are normalised to models.dev ids, prompts are kept as digests (their text only
    with store_prompt_text, after secret redaction). Malformed notes are reported and skipped.

    \b
    Examples:
      git fetch origin refs/notes/ai:refs/notes/ai
      aibom import git-ai --dry-run
      aibom import git-ai --format json
    """
    from aibom.interop import convert, gitai

    repo = _repo(ctx)
    ref = gitai.full_ref(ref)
    if not gitai.ref_exists(repo, ref):
        raise UsageError(
            f"{ref} does not exist here: no git-ai notes to import",
            hint="fetch them first: git fetch origin refs/notes/ai:refs/notes/ai",
        )
    _progress(f"reading {ref}")
    result = convert.run_import(
        repo, gitai.GitAiNotes(ref), dry_run=dry_run, keep_text=_keep_text(repo)
    )
    _warn(result.problems)
    emit(result.to_json(), _import_text(result), Format(fmt))


@import_group.command("agent-trace")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@_DRY_RUN
@_FORMAT
@click.pass_context
def import_agenttrace(ctx: click.Context, file: str | None, dry_run: bool, fmt: str) -> None:
    """Import Agent Trace v0.1 records (JSON Lines; FILE defaults to .agent-trace/traces.jsonl).

    Each record's vcs.revision names the commit it annotates; lines that are not valid
    records, or name no commit here, are reported as FILE:LINE and skipped.

    \b
    Examples:
      aibom import agent-trace
      aibom import agent-trace exported.jsonl --dry-run --format json
    """
    from aibom.interop import agenttrace, convert

    repo = _repo(ctx)
    path = file or os.path.join(repo.toplevel or repo.git_dir, agenttrace.DEFAULT_FILE)
    store = agenttrace.AgentTraceFile(path, file or agenttrace.DEFAULT_FILE)
    _progress(f"reading {store.label()}")
    result = convert.run_import(repo, store, dry_run=dry_run, keep_text=_keep_text(repo))
    _warn(result.problems)
    emit(result.to_json(), _import_text(result), Format(fmt))


# -- export ------------------------------------------------------------------------------------
@click.group("export")
def export_group() -> None:
    """Export aibom's records in a foreign format.

    \b
    aibom export agent-trace     Agent Trace v0.1 records (.agent-trace/traces.jsonl)
    """


@export_group.command("agent-trace", context_settings={"ignore_unknown_options": True})
@click.argument("revs", nargs=-1, type=click.UNPROCESSED, metavar="[RANGE]...")
@click.option(
    "-o",
    "--output",
    default=None,
    metavar="FILE",
    help="Where the records go [default: .agent-trace/traces.jsonl]; '-' for stdout.",
)
@_FORMAT
@click.pass_context
def export_agenttrace(
    ctx: click.Context, revs: tuple[str, ...], output: str | None, fmt: str
) -> None:
    """Write Agent Trace v0.1 records for the commits in RANGE (default HEAD's history).

    One record per commit and contributor session from aibom's attribution records; for
    the files of a commit that no range covers, one from its generation record covering
    the lines the commit added there. Every record is checked against the specification
    before anything is written. In FILE, aibom's earlier records of the same commits are
    replaced; other tools' lines are kept. With -o -, the records go to stdout and the
    summary to stderr.

    \b
    Examples:
      aibom export agent-trace
      aibom export agent-trace main~20..main -o traces.jsonl
      aibom export agent-trace --all -o - | jq .files
    """
    from aibom.interop import agenttrace

    repo = _repo(ctx)
    _check_revs(repo, revs)
    _progress("reading records")
    result = agenttrace.export(repo, _log_args(revs))
    if output == "-":
        sys.stdout.write(agenttrace.render_jsonl(result.records))
        sys.stdout.flush()
        summary = result.to_json() | {"output": "-", "kept_lines": 0}
        text = (
            dump_json(summary) if Format(fmt) is Format.JSON else _export_text(result, "stdout", 0)
        )
        click.echo(text, err=True)
        return
    path = output or os.path.join(repo.toplevel or repo.git_dir, agenttrace.DEFAULT_FILE)
    try:
        _, kept = agenttrace.write_jsonl(path, result.records)
    except OSError as exc:
        raise UsageError(f"-o {path}: cannot write it ({exc.strerror})") from None
    data = result.to_json() | {"output": path, "kept_lines": kept}
    emit(data, _export_text(result, path, kept), Format(fmt))


def _export_text(result: Any, where: str, kept: int) -> str:
    text = (
        f"wrote {len(result.records)} Agent Trace record(s) for {result.commits} commit(s) "
        f"to {where}: {result.from_ranges} from line ranges, {result.from_generation} from "
        f"commit-level records"
    )
    if result.stale:
        text += f"; left out {result.stale} stale file entr(ies)"
    if kept:
        text += f"; kept {kept} other line(s)"
    return text


def _check_revs(repo: Any, revs: tuple[str, ...]) -> None:
    from aibom import revisions

    revisions.check(repo, revs, hint="RANGE is revisions or ranges, e.g. HEAD~10..HEAD or --all")
    if not revs:
        proc = repo.git(["rev-parse", "-q", "--verify", "HEAD^{commit}"], check=False)
        if proc.returncode != 0:
            raise UsageError("this repository has no commits yet: nothing to export")


def _log_args(revs: tuple[str, ...]) -> list[str]:
    """RANGE for git log (default HEAD); ``--all`` and friends leave out the notes refs."""
    from aibom import revisions

    return revisions.log_args(revs or ("HEAD",))


COMMANDS: tuple[click.Command, ...] = (import_group, export_group)
NOTES_COMMANDS: tuple[click.Command, ...] = ()  # subcommands of ``aibom notes``
