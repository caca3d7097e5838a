"""pre-commit hook: the dependency gate on what the commit adds.

Fast path (most commits): one ``git diff --cached --name-only`` and string tests on the
names; when no manifest, lockfile, doc or .py file is staged the hook exits without loading
anything else. Otherwise it enables site-packages (the shim starts Python with ``-S``) and
runs the gate.
"""

from __future__ import annotations

import sys

from aibom.hookentry._run import configure, run

TYPE_CHECKING = False
if TYPE_CHECKING:
    from aibom.gitutil import Repo

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def staged_names(repo: Repo) -> list[str]:
    head = repo.git(["rev-parse", "-q", "--verify", "HEAD^{commit}"], check=False)
    base = "HEAD" if head.returncode == 0 else EMPTY_TREE
    args = ["diff", "--cached", "--name-only", "-z", "--no-renames", "--diff-filter=ACMRT", base]
    data = repo.git(args).stdout
    return [p.decode("utf-8", "surrogateescape") for p in data.split(b"\0") if p]


def _body(argv: list[str]) -> int:
    from aibom import gitutil
    from aibom.deps.paths import kind_of

    repo = gitutil.discover_for_hook()
    if not any(kind_of(p) is not None for p in staged_names(repo)):
        from aibom.deps import handoff

        handoff.clear(repo)
        return 0
    if sys.flags.no_site:
        import site

        site.main()
    from aibom import config
    from aibom.deps.service import run_hook

    cfg = config.load(repo.toplevel)
    configure(cfg.fail_closed)
    return run_hook(repo, cfg)


def main(argv: list[str] | None = None) -> int:
    return run("deps", _body, argv)


if __name__ == "__main__":
    raise SystemExit(main())
