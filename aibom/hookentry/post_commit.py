"""post-commit hook: append a generation record to the new commit's note."""

from __future__ import annotations

from aibom.hookentry._run import run


def _body(argv: list[str]) -> int:
    from aibom import config, gitutil
    from aibom.provenance.capture import record_head

    repo = gitutil.discover_for_hook()
    cfg = config.load(repo.toplevel)
    record_head(repo, cfg)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run("post-commit", _body, argv)


if __name__ == "__main__":
    raise SystemExit(main())
