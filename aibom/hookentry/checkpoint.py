"""``aibom-checkpoint AGENT [--model M] [--session S] [--file F]... [--phase pre|post]``.

An agent hook event, read on stdin. Agent hooks fire on every tool call, so this entry point
stays on the hook path's budget: standard library and aibom core only (no click). It never
fails the agent: bad payloads are recorded as unknown with a warning, and internal errors
fail open like the git hooks.
"""

from __future__ import annotations

import sys

from aibom.hookentry._run import run

USAGE = (
    "usage: aibom-checkpoint AGENT [--model MODEL] [--session ID] [--file PATH]... "
    "[--phase pre|post]  (payload JSON on stdin)"
)
_SINGLE = ("--model", "--session", "--phase")


def parse_options(argv: list[str]) -> tuple[str, dict[str, str | None], list[str]] | None:
    """(agent, {--model, --session, --phase}, files) or None for a usage error."""
    agent: str | None = None
    options: dict[str, str | None] = dict.fromkeys(_SINGLE)
    files: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if name in options or name == "--file":
            if not eq:
                if i + 1 >= len(argv):
                    return None
                value = argv[i + 1]
                i += 1
            if name == "--file":
                files.append(value)
            else:
                options[name] = value
        elif arg.startswith("-") or agent is not None:
            return None
        else:
            agent = arg
        i += 1
    if not agent:
        return None
    return agent, options, files


def parse_args(argv: list[str]) -> tuple[str, str | None, str | None] | None:
    parsed = parse_options(argv)
    if parsed is None:
        return None
    agent, options, _ = parsed
    return agent, options["--model"], options["--session"]


def _body(argv: list[str]) -> int:
    parsed = parse_options(argv)
    if parsed is None:
        print(USAGE, file=sys.stderr)
        return 2
    from aibom import gitutil
    from aibom.errors import NotARepositoryError, UsageError
    from aibom.provenance import checkpoint as cp

    agent, options, files = parsed
    try:
        repo = gitutil.discover_for_hook()
    except NotARepositoryError:
        return 0  # an agent hook installed with --global fires outside repositories too
    stdin = sys.stdin
    raw = b"" if stdin is None or stdin.isatty() else stdin.buffer.read(cp.MAX_PAYLOAD + 1)
    try:
        _, warnings = cp.take(
            repo.state_dir,
            agent,
            raw,
            model=options["--model"],
            session=options["--session"],
            toplevel=repo.toplevel,
            files=files,
            phase=options["--phase"],
        )
    except UsageError as exc:
        print(f"aibom checkpoint: {exc.message} ({exc.hint})", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"aibom checkpoint: warning: {warning}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run("checkpoint", _body, argv)


if __name__ == "__main__":
    raise SystemExit(main())
