"""post-rewrite hook: carry records from rewritten commits to their new commits (a union).

Git passes ``amend`` or ``rebase`` as the argument and ``old new`` lines on stdin. Run by the
pre-commit framework, stdin is not forwarded; for an amend the reflog gives the pair, and for
a rebase git's own ``notes.rewriteRef`` copy (set by ``aibom install``) is relied on.
"""

from __future__ import annotations

import os
import sys

from aibom.hookentry._run import run


def _read_stdin() -> str:
    if sys.stdin is None or sys.stdin.isatty():
        return ""
    try:
        return sys.stdin.read()
    except (OSError, ValueError):
        return ""


def _body(argv: list[str]) -> int:
    from aibom import gitutil
    from aibom.notes import rewrite

    operation = (argv[0] if argv else os.environ.get("PRE_COMMIT_REWRITE_COMMAND", "")) or "rebase"
    repo = gitutil.discover_for_hook()
    pairs = rewrite.parse_rewrite_map(_read_stdin())
    if not pairs and operation == "amend":
        # Not --verify: it takes exactly one revision and would fail on two.
        proc = repo.git(["rev-parse", "HEAD@{1}", "HEAD"], check=False)
        revs = proc.stdout.decode().split() if proc.returncode == 0 else []
        if len(revs) == 2:
            pairs = [(revs[0], revs[1])]
    if pairs:
        rewrite.copy_notes(repo, pairs, f"aibom: notes follow {operation}", operation)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run("post-rewrite", _body, argv)


if __name__ == "__main__":
    raise SystemExit(main())
