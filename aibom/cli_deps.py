"""``aibom deps``: the dependency gate on the command line (thin adapters over aibom.deps)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from aibom.errors import UsageError


@click.group()
def deps() -> None:
    """Stop hallucinated, slopsquatted and typosquatted dependencies before they land.

    \b
    aibom deps check             what the staged change adds (the pre-commit hook does this)
    aibom deps check --base main what HEAD adds since its merge base with main (CI)
    aibom deps check --all       every dependency of the repository (an audit)
    aibom deps cache clear       forget cached registry answers

    Registries come from your pip/uv/npm configuration (index-url, extra-index-url, npm
    registry), or [tool.aibom.deps] pypi_index_url / npm_registry.
    """


@deps.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--base", metavar="REF", help="Compare HEAD with its merge base with REF (CI).")
@click.option("--all", "audit", is_flag=True, help="Check every dependency, not only new ones.")
@click.option(
    "--offline/--online",
    default=None,
    help="Answer from the cache only (names not cached are reported as unverified).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="Output format (SARIF 2.1.0 for code scanning).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the report to this file (written only when the check ran).",
)
@click.pass_context
def check(
    ctx: click.Context,
    paths: tuple[str, ...],
    base: str | None,
    audit: bool,
    offline: bool | None,
    fmt: str,
    output: str | None,
) -> None:
    """Check the dependencies a change adds: manifests, lockfiles, install commands in docs,
    agent rules, Dockerfiles and scripts, and new imports in .py files.

    Each finding says why (with the evidence) and how to fix it. Exit status: 0 nothing
    blocks, 1 a finding at or above deps.block (default: high), 2 usage error, 3 internal.

    \b
    Examples:
      aibom deps check
      aibom deps check --base origin/main --format sarif -o deps.sarif
      aibom deps check --all requirements.txt
    """
    from aibom import config, gitutil
    from aibom.deps import gate, service
    from aibom.report.deps import DepsFormat, render

    if base is not None and audit:
        raise UsageError("--base and --all exclude each other")
    repo = gitutil.discover(ctx.obj.get("cwd"))
    if repo.toplevel is None:
        raise UsageError("aibom deps check needs a work tree (this repository is bare)")
    cfg = config.load(repo.toplevel)
    mode = "all" if audit else "base" if base is not None else "staged"
    scope = gate.Scope(mode, base, gate.cwd_relative(paths, repo))
    result = service.check(repo, cfg, scope, offline=offline, progress=_progress())
    text = render(result, DepsFormat(fmt))
    _write(text, output)
    ctx.exit(result.exit_code)


def _progress() -> Callable[[str], None] | None:
    """Status lines on stderr while registries are asked, only for a person at a terminal."""
    if not sys.stderr.isatty():
        return None

    def say(text: str) -> None:
        click.echo(f"aibom deps: {text}...", err=True)

    return say


def _write(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text + "\n")
        return
    target = Path(output)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text + "\n", encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"-o {output}: cannot write it ({exc.strerror})") from None


@deps.group("cache")
def cache() -> None:
    """The on-disk cache of registry answers (AIBOM_CACHE_DIR, else ~/.cache/aibom)."""


@cache.command("clear")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def cache_clear(fmt: str) -> None:
    """Remove every cached registry answer."""
    from aibom.deps.cache import RegistryCache
    from aibom.report import Format, emit

    store = RegistryCache()
    removed = store.clear()
    data: dict[str, Any] = {"removed": removed, "directory": str(store.directory)}
    emit(data, f"removed {removed} cached answer(s) from {store.directory}", Format(fmt))
