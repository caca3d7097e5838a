"""commit-msg hook: stamp AI-Origin / AI-Model / AI-Agent / AI-Session trailers."""

from __future__ import annotations

import sys

from aibom.hookentry._run import configure, run


def _body(argv: list[str]) -> int:
    if not argv:
        print("usage: aibom-commit-msg MESSAGE_FILE", file=sys.stderr)
        return 2
    from aibom import config, gitutil
    from aibom.provenance.capture import stamp_message_file

    repo = gitutil.discover_for_hook()
    cfg = config.load(repo.toplevel)
    configure(cfg.fail_closed)
    if not cfg.stamp_trailers:
        return 0
    stamp_message_file(repo, argv[0], cfg)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run("commit-msg", _body, argv)


if __name__ == "__main__":
    raise SystemExit(main())
