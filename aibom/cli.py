"""The ``aibom`` command line: thin click adapters over typed library functions."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import click

from aibom import __version__
from aibom.errors import AibomError, ExitCode, UsageError
from aibom.report import Format, emit

F = TypeVar("F", bound=Callable[..., Any])

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in Format]),
    default=Format.TEXT.value,
    show_default=True,
    help="Output format.",
)


def _repo(ctx: click.Context) -> Any:
    from aibom import gitutil

    return gitutil.discover(ctx.obj.get("cwd"))


def _cfg(repo: Any) -> Any:
    from aibom import config

    return config.load(repo.toplevel)


# Commands of the capability modules, loaded on first use so that one command does not pay
# for importing all the others (start-up is most of a fast command's time). Each module
# exports COMMANDS (top level) and NOTES_COMMANDS; a test keeps this table exact.
LAZY_COMMANDS = {
    "agents": "agents",
    "blame": "attribution",
    "import": "interop",
    "export": "interop",
    "build": "bom",
    "sign": "sign",
    "verify": "sign",
    "trace": "forensics",
    "stats": "forensics",
    "index": "index",
}
LAZY_NOTES_COMMANDS = {"remap": "rewrite"}


class _LazyGroup(click.Group):
    lazy: ClassVar[Mapping[str, str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            _load_area(self.lazy[cmd_name])
        return super().get_command(ctx, cmd_name)


class _Root(_LazyGroup):
    lazy: ClassVar[Mapping[str, str]] = {**LAZY_COMMANDS, "deps": "deps"}


class _Notes(_LazyGroup):
    lazy: ClassVar[Mapping[str, str]] = LAZY_NOTES_COMMANDS


def _load_area(name: str) -> None:
    import importlib

    area = importlib.import_module(f"aibom.cli_{name}")
    if name == "deps":
        cli.add_command(area.deps)
        return
    for command in area.COMMANDS:
        cli.add_command(command)
    for command in area.NOTES_COMMANDS:
        notes.add_command(command)


@click.group(
    cls=_Root,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "-V", "--version", prog_name="aibom")
@click.option(
    "-C",
    "cwd",
    type=click.Path(file_okay=False),
    metavar="PATH",
    help="Run as if started in PATH.",
)
@click.pass_context
def cli(ctx: click.Context, cwd: str | None) -> None:
    """Make AI authorship of code a verifiable fact of a Git repository.

    \b
    Capture:   aibom install        hooks stamp AI-* trailers and write records to git notes
               aibom session start  declare the agent and model you are working with
    Read:      aibom log            one line per commit: origin, model, agent
               aibom show REV       everything recorded about one commit
    Gate:      aibom deps check     new dependencies: exist, not young, not squatted
    Share:     aibom notes push     records travel on refs/notes/aibom
    Demo:      aibom demo           a throwaway repository with human and AI commits

    Exit codes: 0 ok, 1 findings, 2 usage or configuration error, 3 internal error.
    """
    ctx.ensure_object(dict)
    ctx.obj["cwd"] = cwd


# -- install ---------------------------------------------------------------------------------
@cli.command()
@click.option(
    "--pre-commit",
    "pre_commit",
    is_flag=True,
    help="Use the pre-commit framework: print the config snippet instead of writing native hooks.",
)
@FORMAT_OPTION
@click.pass_context
def install(ctx: click.Context, pre_commit: bool, fmt: str) -> None:
    """Install aibom's hooks and git configuration in this repository (opt-in, reversible).

    Native hooks go to the repository's hooks directory; a hook already there is kept and
    runs first. The local git configuration gets notes.rewriteRef / rewriteMode (records follow
    amend and rebase), a cat_sort_uniq merge strategy for refs/notes/aibom, notes.displayRef
    (git log shows the records) and a fetch refspec per remote. Global configuration is never
    touched. `aibom uninstall` removes exactly what this added.
    """
    from aibom.install import install as do_install

    result = do_install(_repo(ctx), pre_commit=pre_commit)
    lines = []
    if result.hooks:
        lines.append(f"installed hooks in {result.hooks_dir}: {', '.join(result.hooks)}")
    lines += [f"warning: {note}" for note in result.notes]
    for hook in result.chained:
        lines.append(f"  kept your existing {hook} hook: it now runs first ({hook}.aibom-chained)")
    for key, value in result.config_added:
        lines.append(f"  git config --local {key} {value}")
    if result.pre_commit_snippet:
        lines.append("add this to .pre-commit-config.yaml:\n")
        lines.append(result.pre_commit_snippet)
    lines.append("share records with: aibom notes push / aibom notes pull")
    emit(dataclasses.asdict(result), "\n".join(lines), Format(fmt))


@cli.command()
@FORMAT_OPTION
@click.pass_context
def uninstall(ctx: click.Context, fmt: str) -> None:
    """Remove aibom's hooks (restoring any chained hook) and the configuration it added.

    Records already written to refs/notes/aibom are kept.
    """
    from aibom.install import uninstall as do_uninstall

    result = do_uninstall(_repo(ctx))
    text = [f"removed hooks: {', '.join(result.removed) or 'none'}"]
    text += [f"restored your {h} hook" for h in result.restored]
    text += [f"  unset {k} {v}" for k, v in result.config_removed]
    text.append("records on refs/notes/aibom are kept")
    emit(dataclasses.asdict(result), "\n".join(text), Format(fmt))


# -- session ---------------------------------------------------------------------------------
@cli.group()
def session() -> None:
    """Declare the agent and model you work with (per worktree, stored in the git dir)."""


@session.command("start")
@click.option(
    "--agent",
    required=True,
    metavar="NAME[/VERSION]",
    help="The agent, optionally with its version, e.g. aider or claude-code/2.0.14.",
)
@click.option(
    "--model",
    "models",
    multiple=True,
    required=True,
    help="Model, e.g. anthropic/claude-opus-4-5-20251101 or 'Claude Opus 4.5'. Repeatable.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help=(
        "Generation parameter: temperature=0.2, top_p=0.9, seed=7, max_tokens=4096, "
        "reasoning_effort=high. Repeatable."
    ),
)
@click.option(
    "--prompt-file",
    type=click.Path(exists=True, dir_okay=False),
    help=(
        "The prompt; its digest is recorded (its text only with store_prompt_text, after secret "
        "redaction)."
    ),
)
@click.option(
    "--system-prompt-file",
    type=click.Path(exists=True, dir_okay=False),
    help="The system prompt; its digest is recorded.",
)
@click.option(
    "--context-file",
    "context_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A file given to the model as context; its digest is recorded. Repeatable.",
)
@click.option(
    "--origin",
    type=click.Choice(["ai-assisted", "ai-generated"]),
    default=None,
    help="Origin of commits in this session [default: session_origin, ai-assisted].",
)
@FORMAT_OPTION
@click.pass_context
def session_start(
    ctx: click.Context,
    agent: str,
    models: tuple[str, ...],
    params: tuple[str, ...],
    prompt_file: str | None,
    system_prompt_file: str | None,
    context_files: tuple[str, ...],
    origin: str | None,
    fmt: str,
) -> None:
    """Open a session: commits from now on are attributed to the --agent and --model given.

    \b
    Example:
      aibom session start --agent claude-code/2.0.14 \\
        --model anthropic/claude-opus-4-5-20251101 --param temperature=0.2
    """
    from aibom.provenance import session as sessions
    from aibom.provenance.modelid import normalize_model
    from aibom.provenance.sources.declared import parse_agent

    repo = _repo(ctx)
    cfg = _cfg(repo)
    parsed_agent = parse_agent(agent)
    if parsed_agent is None:
        raise UsageError(f"--agent {agent!r}: expected NAME or NAME/VERSION")
    if any(ord(c) < 32 for c in agent + "".join(models)):
        raise UsageError("--agent and --model must not contain control characters")
    normalized = []
    for raw in models:
        model = normalize_model(raw)
        if model is None:
            raise UsageError(
                f"--model {raw!r} is not a model name", hint="e.g. anthropic/claude-sonnet-4-5"
            )
        normalized.append(model.slug)
    parameters = dict(sessions.parse_param(p) for p in params)
    current = sessions.start(
        repo.state_dir,
        agent=parsed_agent.name,
        agent_version=parsed_agent.version,
        models=normalized,
        origin=origin or cfg.session_origin,
        parameters=parameters,
        prompt=Path(prompt_file).read_bytes() if prompt_file else None,
        system_prompt=Path(system_prompt_file).read_bytes() if system_prompt_file else None,
        context=[(os.path.basename(p), Path(p).read_bytes()) for p in context_files],
        keep_text=cfg.store_prompt_text,
    )
    emit(
        current.to_json(),
        f"session {current.id} started: {parsed_agent.slug} with {', '.join(normalized)}",
        Format(fmt),
    )


@session.command("end")
@FORMAT_OPTION
@click.pass_context
def session_end(ctx: click.Context, fmt: str) -> None:
    """Close this worktree's session."""
    from aibom.provenance import session as sessions

    ended = sessions.end(_repo(ctx).state_dir)
    text = f"session {ended.id} ended" if ended else "no session was open"
    emit(ended.to_json() if ended else None, text, Format(fmt))


@session.command("show")
@FORMAT_OPTION
@click.pass_context
def session_show(ctx: click.Context, fmt: str) -> None:
    """Show this worktree's open session."""
    from aibom.provenance import session as sessions

    current = sessions.load(_repo(ctx).state_dir)
    if current is None:
        emit(None, "no session open (aibom session start --agent A --model M)", Format(fmt))
        return
    text = (
        f"session {current.id}: {current.agent} with {', '.join(current.models)} ({current.origin})"
    )
    emit(current.to_json(), text, Format(fmt))


# -- checkpoint / detect -----------------------------------------------------------------------
@cli.command()
@click.argument("agent")
@click.option("--model", default=None, help="Model, when the payload does not name it.")
@click.option(
    "--session", "session_id", default=None, help="Session id, when the payload has none."
)
@click.option(
    "--file",
    "files",
    multiple=True,
    metavar="PATH",
    help="A file the agent edits (generic form; repeatable). Default: read from the payload.",
)
@click.option(
    "--phase",
    type=click.Choice(["pre", "post"]),
    default=None,
    help="pre: before the edit (the person's state); post: the agent's result. "
    "Default: from the payload's event name.",
)
@FORMAT_OPTION
@click.pass_context
def checkpoint(
    ctx: click.Context,
    agent: str,
    model: str | None,
    session_id: str | None,
    files: tuple[str, ...],
    phase: str | None,
    fmt: str,
) -> None:
    """Record an agent hook event (reads the agent's hook JSON on stdin).

    Each file the payload names is snapshotted in the git dir (before/after states), so the
    post-commit hook can say which lines of the committed blob each model wrote. Wire it into
    the agent with `aibom agents install AGENT`. Never fails the agent: unknown payloads are
    recorded as unknown with a warning.

    \b
    Examples:
      echo "$PAYLOAD" | aibom checkpoint claude-code
      aibom checkpoint aider --file src/app.py --model gpt-4o --session s1 --phase pre
    """
    from aibom.provenance import checkpoint as cp

    repo = _repo(ctx)
    raw = (
        b""
        if sys.stdin is None or sys.stdin.isatty()
        else sys.stdin.buffer.read(cp.MAX_PAYLOAD + 1)
    )
    point, warnings = cp.take(
        repo.state_dir,
        agent,
        raw,
        model=model,
        session=session_id,
        toplevel=repo.toplevel,
        files=files,
        phase=phase,
    )
    for warning in warnings:
        click.echo(f"aibom: warning: {warning}", err=True)
    emit(point.to_json(), "", Format(fmt))


@cli.command()
@FORMAT_OPTION
@click.pass_context
def detect(ctx: click.Context, fmt: str) -> None:
    """Show what aibom would conclude about a commit made here now, and why."""
    from aibom.provenance import detect as det
    from aibom.provenance.capture import context
    from aibom.provenance.generation import evidence_json

    repo = _repo(ctx)
    cfg = _cfg(repo)
    result = det.detect(context(repo, cfg), det.default_sources(ancestry=cfg.process_ancestry))
    data = {
        "origin": result.origin.value,
        "confidence": result.confidence,
        "agent": result.agent.slug if result.agent else None,
        "models": [m.slug for m in result.models],
        "session": result.session,
        "evidence": [evidence_json(e) for e in result.evidence],
    }
    lines = [f"origin      {result.origin.value} (confidence {result.confidence:.2f})"]
    if result.agent:
        lines.append(f"agent       {result.agent.slug}")
    if result.models:
        lines.append(f"models      {', '.join(m.slug for m in result.models)}")
    lines += [
        f"evidence    {e.source.value}: {e.detail} ({e.confidence:.2f})" for e in result.evidence
    ]
    emit(data, "\n".join(lines), Format(fmt))


# -- reading ---------------------------------------------------------------------------------
@cli.command()
@click.argument("rev", default="HEAD")
@click.option(
    "--db",
    metavar="PATH|URL",
    default=None,
    help="Look the commit (an id, 4+ hex digits) up in an index (see aibom index), in any "
    "of its repositories, instead of this repository.",
)
@FORMAT_OPTION
@click.pass_context
def show(ctx: click.Context, rev: str, db: str | None, fmt: str) -> None:
    """Everything recorded about one commit (REV, default HEAD): origin, model, agent,
    records and evidence.

    \b
    Examples:
      aibom show HEAD~3
      aibom show 3f2a9c1 --db fleet.sqlite3     # from the index, whichever repository
    """
    if db is not None:
        from aibom.cli_index import show_indexed

        show_indexed(rev, db, fmt, ctx.obj.get("cwd"))
        return
    from aibom.notes.store import NotesStore
    from aibom.provenance.commits import read_commits
    from aibom.provenance.summary import summarize

    repo = _repo(ctx)
    sha = _resolve(repo, rev)
    info = read_commits(repo, ["-1", "--no-walk", sha])[0]
    note = NotesStore(repo).read(sha)
    summary = summarize(info, note)
    data = summary.to_json() | {
        "trailers": [{"key": t.key, "value": t.value} for t in info.trailers],
        "record_list": [dict(r.data) for r in note.records],
        "bad": [{"line": b.line[:200], "reason": b.reason} for b in note.bad],
    }
    emit(data, _show_text(summary, note), Format(fmt))


def _show_text(summary: Any, note: Any) -> str:
    conf = f", confidence {summary.confidence:.2f}" if summary.confidence is not None else ""
    lines = [
        f"commit      {summary.sha}",
        f"subject     {summary.subject}",
        f"origin      {summary.origin} ({summary.basis}{conf})",
    ]
    if summary.models:
        lines.append(f"models      {', '.join(summary.models)}")
    if summary.agent:
        lines.append(f"agent       {summary.agent}")
    if summary.session:
        lines.append(f"session     {summary.session}")
    for record in note.records:
        data = record.data
        if record.kind == "generation":
            flag = " inferred" if data.get("inferred") else ""
            lines.append(f"record      generation {data['origin']}{flag} {record.id[:19]}")
            for ev in data.get("evidence", []):
                lines.append(f"  evidence  {ev['source']}: {ev['detail']} ({ev['confidence']})")
            if data.get("parameters"):
                params = ", ".join(f"{k}={v}" for k, v in sorted(data["parameters"].items()))
                lines.append(f"  params    {params}")
            if data.get("prompt"):
                lines.append(f"  prompt    {data['prompt']['digest']}")
            if data.get("blobs"):
                lines.append(f"  blobs     {len(data['blobs'])} file(s) with sha256")
        elif record.kind == "dependency":
            lines.append(f"record      dependency {data['origin']} {record.id[:19]}")
            for dep in data.get("added", []):
                lines.append(
                    f"  added     {dep['ecosystem']}:{dep['name']} {dep.get('spec', '')}".rstrip()
                    + f"  ({dep['path']}:{dep['line']})"
                )
            for found in data.get("findings", []):
                state = "blocking" if found["blocking"] else "warning"
                lines.append(f"  finding   {found['rule']} {found['name']} ({state})")
        else:
            lines.append(
                f"record      {record.kind} {data.get('operation', '')} from "
                + ", ".join(s[:12] for s in data.get("sources", []))
            )
    for bad in note.bad:
        lines.append(f"warning     ignored a malformed note line: {bad.reason}")
    return "\n".join(lines)


def _resolve(repo: Any, rev: str) -> str:
    proc = repo.git(["rev-parse", "-q", "--verify", rev + "^{commit}"], check=False)
    if proc.returncode != 0:
        raise UsageError(f"{rev!r} is not a commit in this repository")
    return str(proc.stdout.decode().strip())


def _has_commits(repo: Any) -> bool:
    return bool(repo.out(["rev-parse", "-q", "--verify", "HEAD"], check=False).strip())


_REVS_HINT = "REVS are revisions or ranges, e.g. HEAD~10..HEAD or --all"


def _revs_checked(repo: Any, revs: tuple[str, ...]) -> None:
    """Bad revisions and options are the user's mistake (exit 2), not an internal error."""
    from aibom import revisions

    revisions.check(repo, revs, hint=_REVS_HINT)


def _git_log_args(revs: tuple[str, ...]) -> list[str]:
    """REVS for git log; ``--all`` and friends leave out the notes refs themselves."""
    from aibom import revisions

    return revisions.log_args(revs)


REVS = click.argument("revs", nargs=-1, type=click.UNPROCESSED)
REVS_SETTINGS = {"ignore_unknown_options": True}


@cli.command(context_settings=REVS_SETTINGS)
@REVS
@click.option(
    "-n", "--max-count", type=click.IntRange(min=1), default=None, help="Show at most N commits."
)
@FORMAT_OPTION
@click.pass_context
def log(ctx: click.Context, revs: tuple[str, ...], max_count: int | None, fmt: str) -> None:
    """One line per commit: origin, basis, model, agent, subject.

    REVS select commits as for git log: revisions, ranges (HEAD~10..HEAD) or options such
    as --all or --since=2.weeks; default HEAD.

    \b
    basis: observed  a record written by the hooks when the commit was made
           inferred  a record aibom backfill derived later from trailers and identities
           trailer   no record; the commit's AI-* trailers
           imported  line records brought in by aibom import (git-ai, Agent Trace)
           -         nothing known (unknown is not human)
    """
    from aibom.notes.store import NotesStore
    from aibom.provenance.commits import read_commits
    from aibom.provenance.summary import summarize_many

    repo = _repo(ctx)
    if not _has_commits(repo) and not revs:
        emit([], "no commits yet", Format(fmt))
        return
    _revs_checked(repo, revs)
    args = _git_log_args(revs) if revs else ["HEAD"]
    if max_count:
        args.insert(0, f"--max-count={max_count}")
    infos = read_commits(repo, args)
    notes = NotesStore(repo).read_all(i.sha for i in infos)
    rows = summarize_many(infos, notes)
    width = max((len(r.origin) for r in rows), default=5)
    basis = {"record": "observed", "inferred-record": "inferred", "trailer": "trailer"}
    basis |= {"git-ai": "imported", "agent-trace": "imported"}
    lines = [
        f"{r.sha[:10]}  {r.origin:<{width}}  {basis.get(r.basis, '-'):<8}  "
        f"{(r.models[0] if r.models else '-'):<40}  {(r.agent or '-'):<18}  {r.subject[:60]}"
        for r in rows
    ]
    emit([r.to_json() for r in rows], "\n".join(lines), Format(fmt))


@cli.command(context_settings=REVS_SETTINGS)
@REVS
@click.option("--dry-run", is_flag=True, help="Say what would be recorded; write nothing.")
@FORMAT_OPTION
@click.pass_context
def backfill(ctx: click.Context, revs: tuple[str, ...], dry_run: bool, fmt: str) -> None:
    """Record commits that skipped the hooks, inferred from their trailers and identities.

    REVS select commits as for git log (default: all of HEAD). Records are marked inferred
    and carry a lower confidence; commits that already have a record are left alone.
    """
    from aibom.provenance.backfill import backfill as do_backfill

    repo = _repo(ctx)
    if not _has_commits(repo) and not revs:
        emit(None, "no commits yet", Format(fmt))
        return
    _revs_checked(repo, revs)
    result = do_backfill(repo, _cfg(repo), _git_log_args(revs), dry_run=dry_run)
    verb = "would record" if dry_run else "recorded"
    text = (
        f"scanned {result.scanned} commits: {result.already} already recorded, "
        f"{result.human} without AI evidence (left unknown), {verb} "
        f"{len(result.commits) if dry_run else result.written} inferred"
    )
    emit(dataclasses.asdict(result), text, Format(fmt))


# -- notes sync ------------------------------------------------------------------------------
@cli.group(cls=_Notes)
def notes() -> None:
    """Share records (refs/notes/aibom) with a remote, losslessly."""


@notes.command("push")
@click.argument("remote", default="origin")
@FORMAT_OPTION
@click.pass_context
def notes_push(ctx: click.Context, remote: str, fmt: str) -> None:
    """Fetch, merge (union) and push the notes; retries when another clone pushed first."""
    from aibom.notes import sync

    result = sync.push(_repo(ctx), remote)
    text = (
        f"pushed refs/notes/aibom to {remote} (attempt {result.attempts})"
        if result.pushed
        else "nothing to push"
    )
    emit(dataclasses.asdict(result), text, Format(fmt))


@notes.command("pull")
@click.argument("remote", default="origin")
@FORMAT_OPTION
@click.pass_context
def notes_pull(ctx: click.Context, remote: str, fmt: str) -> None:
    """Fetch the remote's notes and merge them into yours (a union of records)."""
    from aibom.notes import sync

    result = sync.pull(_repo(ctx), remote)
    text = (
        f"merged notes from {remote}"
        if result.merged
        else f"notes from {remote} already merged"
        if result.fetched
        else f"{remote} has no aibom notes yet"
    )
    emit(dataclasses.asdict(result), text, Format(fmt))


# -- demo ------------------------------------------------------------------------------------
@cli.command()
@click.option(
    "--keep",
    "keep",
    type=click.Path(file_okay=False),
    default=None,
    help="Build the demo repository here and keep it.",
)
@FORMAT_OPTION
def demo(keep: str | None, fmt: str) -> None:
    """Build a throwaway repository with human and AI commits, then show aibom log."""
    from aibom.demo import run_demo

    run_demo(Path(keep) if keep else None, Format(fmt))


def main(argv: list[str] | None = None) -> int:
    try:
        code = cli.main(args=argv, prog_name="aibom", standalone_mode=False)
        if isinstance(code, int) and code:
            return code  # ctx.exit(N) in standalone_mode=False comes back as a return value
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return ExitCode.USAGE
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return ExitCode.INTERNAL
    except AibomError as exc:
        click.echo(exc.render(), err=True)
        return int(exc.exit_code)
    except BrokenPipeError:
        return ExitCode.OK
    except Exception as exc:
        if os.environ.get("AIBOM_DEBUG"):
            raise
        click.echo(
            f"aibom: internal error: {type(exc).__name__}: {exc}\n"
            "  hint: rerun with AIBOM_DEBUG=1 for a traceback and report it",
            err=True,
        )
        return ExitCode.INTERNAL
    return ExitCode.OK


if __name__ == "__main__":
    from aibom.cli import main as _main

    sys.exit(_main())
