"""post-commit hook: append a generation record to the new commit's note."""

from __future__ import annotations

import os
import sys

from aibom.hookentry._run import configure, run


def _body(argv: list[str]) -> int:
    from aibom import config, gitutil
    from aibom.provenance.capture import record_head

    repo = gitutil.discover_for_hook()
    cfg = config.load(repo.toplevel)
    configure(cfg.fail_closed)
    outcome = record_head(repo, cfg)
    if os.environ.get("AIBOM_DEBUG"):
        via = "commit-msg hand-off" if outcome.handoff else "own detection"
        print(f"aibom post-commit: {outcome.action} {outcome.commit} ({via})", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run("post-commit", _body, argv)


if __name__ == "__main__":
    raise SystemExit(main())
