"""``aibom build``: the CycloneDX AI-BOM (a thin adapter over :mod:`aibom.bom.builder`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from aibom.errors import UsageError
from aibom.report import Format, dump_json


def _epoch() -> int | None:
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw.strip() == "":
        return None
    from datetime import UTC, datetime

    bad = UsageError(
        f"SOURCE_DATE_EPOCH={raw!r} is not a number of seconds (0 to 253402300799)",
        hint="e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)",
    )
    if not raw.strip().isdigit():
        raise bad
    epoch = int(raw.strip())
    try:  # the BOM's timestamp: a year past 9999 cannot be written
        datetime.fromtimestamp(epoch, UTC)
    except (ValueError, OverflowError, OSError):
        raise bad from None
    return epoch


def _write(path: Path, text: str) -> None:
    """Write whole or not at all (:mod:`aibom.outfile`): a reader never sees half a BOM, and a
    failure leaves no file. A path that cannot be written (no permission, a read-only or
    special file system, a full disk) is a usage error with a hint."""
    from aibom.outfile import write_file

    try:
        write_file(path, text)
    except OSError as exc:
        raise UsageError(
            f"-o {path}: cannot write there ({exc.strerror or type(exc).__name__})",
            hint="choose a writable directory, or omit -o to write the BOM to standard output",
        ) from exc


def summary_text(summary: Any) -> str:
    models = ", ".join(summary.models) or "none"
    lines = [
        f"CycloneDX {summary.spec} {summary.format}: {summary.release} {summary.version}",
        f"  commits     {summary.commits} ({summary.ai_commits} AI)",
        f"  components  {summary.components}: {summary.files} files, "
        f"{len(summary.models)} models, {summary.dependencies} dependencies",
        f"  models      {models}",
        f"  AI lines    {summary.ai_line_share:.1%} of the release's lines",
        f"  sessions    {summary.sessions}, reviews {summary.reviews}, notes {summary.notes}",
    ]
    spent = "  ".join(f"{name} {seconds:.2f}s" for name, seconds in summary.timings)
    lines.append(f"  timings     {spent}")
    return "\n".join(lines)


def _summary_data(summary: Any) -> dict[str, Any]:
    import dataclasses

    data = dataclasses.asdict(summary)
    data["timings"] = dict(summary.timings)
    return data


@click.command("build")
@click.option("--range", "span", metavar="A..B", help="Cover the commits of A..B (release B).")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Cover the commits of every ref (release: HEAD, or the newest tip if HEAD has none).",
)
@click.option(
    "--spec",
    type=click.Choice(["1.6", "1.7"]),
    default="1.6",
    show_default=True,
    help="CycloneDX specification version.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "xml"]),
    default="json",
    show_default=True,
    help="Format of the BOM itself.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the BOM here (only once it validated) [default: standard output].",
)
@click.option(
    "--report",
    type=click.Choice([f.value for f in Format]),
    default=Format.TEXT.value,
    show_default=True,
    help="Format of the summary (on stdout with -o, else on stderr).",
)
@click.option("--name", help="Release name [default: the origin remote's or directory's name].")
@click.pass_context
def build(
    ctx: click.Context,
    span: str | None,
    everything: bool,
    spec: str,
    fmt: str,
    output: Path | None,
    report: str,
    name: str | None,
) -> None:
    """Build a CycloneDX AI-BOM of the release from history, notes, blame and manifests.

    The BOM lists the release (name, version from the tag, commit), the models that wrote
    code (machine-learning-model components with a model card), the agents, one file
    component per AI-touched file (AI share of its lines, line ranges, commits), the
    dependencies (purl, hashes from lockfiles, the commit, origin and model that added each),
    a formulation per AI session, Reviewed-by annotations and aibom: metrics. It is
    validated against the official schema before anything is written, and reproducible:
    the same repository state and SOURCE_DATE_EPOCH give the same bytes (the timestamp is
    the release commit's time unless SOURCE_DATE_EPOCH is set).

    \b
    Examples:
      aibom build -o bom.cdx.json                 HEAD and its whole history
      aibom build --range v1.0..v1.1 -o bom.json  the commits of one release
      aibom build --spec 1.7 --format xml > bom.xml
      aibom build -o bom.json --report json       summary as JSON on stdout
    """
    from aibom import gitutil
    from aibom.bom.builder import BuildOptions, Selection
    from aibom.bom.builder import build as do_build
    from aibom.bom.model import OutputFormat, Spec

    if span and everything:
        raise UsageError("--range and --all exclude each other", hint="give one of them")
    if output is not None and not output.resolve().parent.is_dir():
        raise UsageError(f"-o {output}: the directory {output.resolve().parent} does not exist")
    repo = gitutil.discover(ctx.obj.get("cwd") if ctx.obj else None)
    options = BuildOptions(
        selection=Selection(range=span, all=everything),
        spec=Spec(spec),
        format=OutputFormat(fmt),
        name=name,
        epoch=_epoch(),
    )
    if sys.stderr.isatty():
        click.echo("aibom: reading history, notes, blame and manifests ...", err=True)
    result = do_build(repo, options)
    for warning in result.summary.warnings:
        click.echo(f"aibom: warning: {warning}", err=True)
    if output is None:
        sys.stdout.write(result.text)
    else:
        _write(output, result.text)
    rendered = (
        dump_json(_summary_data(result.summary))
        if report == Format.JSON.value
        else summary_text(result.summary)
    )
    click.echo(rendered, err=output is None)


COMMANDS: tuple[click.Command, ...] = (build,)
NOTES_COMMANDS: tuple[click.Command, ...] = ()  # subcommands of ``aibom notes``
