"""``aibom`` commands of the agents area (registered by :func:`aibom.cli._register`)."""

from __future__ import annotations

import dataclasses
from typing import Any

import click

from aibom.report import Format, emit

# not imported from aibom.cli: that module imports this one while it registers commands
FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in Format]),
    default=Format.TEXT.value,
    show_default=True,
    help="Output format.",
)


def _maybe_repo(ctx: click.Context, global_: bool) -> Any:
    from aibom import gitutil
    from aibom.errors import NotARepositoryError

    try:
        return gitutil.discover(ctx.obj.get("cwd") if ctx.obj else None)
    except NotARepositoryError:
        if global_:
            return None
        raise


def _where(entries: tuple[tuple[str, str | None], ...]) -> str:
    return ", ".join(f"{event}[{matcher}]" if matcher else event for event, matcher in entries)


GLOBAL_OPTION = click.option(
    "--global",
    "global_",
    is_flag=True,
    help="The agent's user-level configuration instead of this project's (only when asked).",
)


@click.group()
def agents() -> None:
    """Wire coding agents' hooks to `aibom checkpoint` (line-level attribution).

    \b
    Example:
      aibom agents install claude-code     # writes .claude/settings.local.json hooks
      aibom agents status
      aibom agents uninstall claude-code   # removes exactly what install wrote
    """


@agents.command("install")
@click.argument("agent", metavar="AGENT")
@GLOBAL_OPTION
@FORMAT_OPTION
@click.pass_context
def install_cmd(ctx: click.Context, agent: str, global_: bool, fmt: str) -> None:
    """Add aibom's checkpoint hooks to AGENT's project-local hook file.

    AGENT is one of claude-code, codex, cursor, gemini-cli, copilot. Entries already in
    the file are kept; `aibom agents uninstall AGENT` removes exactly what this adds.

    \b
    Example:
      aibom agents install claude-code
      aibom agents install cursor --format json
    """
    from aibom.attribution.agents_setup import install

    result = install(_maybe_repo(ctx, global_), agent, global_=global_)
    if result.changed:
        text = [f"{result.agent}: added {_where(result.entries)} to {result.config_file}"]
    else:
        text = [f"{result.agent}: hooks already in {result.config_file}; nothing changed"]
    if result.note:
        text.append(f"note: {result.note}")
    emit(dataclasses.asdict(result), "\n".join(text), Format(fmt))


@agents.command("uninstall")
@click.argument("agent", metavar="AGENT")
@GLOBAL_OPTION
@FORMAT_OPTION
@click.pass_context
def uninstall_cmd(ctx: click.Context, agent: str, global_: bool, fmt: str) -> None:
    """Remove the hook entries `aibom agents install AGENT` wrote (and nothing else).

    \b
    Example:
      aibom agents uninstall claude-code
    """
    from aibom.attribution.agents_setup import uninstall

    result = uninstall(_maybe_repo(ctx, global_), agent, global_=global_)
    if result.file_removed:
        text = f"{result.agent}: removed {result.config_file} (aibom had created it)"
    elif result.changed:
        text = f"{result.agent}: removed {_where(result.entries)} from {result.config_file}"
    else:
        text = f"{result.agent}: {result.note or 'no aibom hooks found; nothing changed'}"
    emit(dataclasses.asdict(result), text, Format(fmt))


@agents.command("status")
@click.argument("names", metavar="[AGENT]...", nargs=-1)
@GLOBAL_OPTION
@FORMAT_OPTION
@click.pass_context
def status_cmd(ctx: click.Context, names: tuple[str, ...], global_: bool, fmt: str) -> None:
    """Show which agents have aibom's checkpoint hooks (all known agents by default).

    \b
    Example:
      aibom agents status claude-code --format json
    """
    from aibom.attribution.agents_setup import status

    found = status(_maybe_repo(ctx, global_), list(names), global_=global_)
    lines = []
    for s in found:
        state = "installed" if s.installed else f"not installed (missing {_where(s.missing)})"
        lines.append(f"{s.agent:<12} {state}  {s.config_file}")
    emit([dataclasses.asdict(s) for s in found], "\n".join(lines), Format(fmt))


COMMANDS: tuple[click.Command, ...] = (agents,)
NOTES_COMMANDS: tuple[click.Command, ...] = ()  # subcommands of ``aibom notes``
