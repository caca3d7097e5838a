"""post-merge hook: record the merge commit ``git merge`` (or ``git pull``) just made.

Git runs commit-msg for a merge but not post-commit; post-merge runs instead. Fast-forward and
``--squash`` merges make no merge commit and are left alone.
"""

from __future__ import annotations

from aibom.hookentry._run import configure, run


def _body(argv: list[str]) -> int:
    from aibom import config, gitutil
    from aibom.provenance.capture import record_head

    repo = gitutil.discover_for_hook()
    cfg = config.load(repo.toplevel)
    configure(cfg.fail_closed)
    entry = gitutil.last_reflog_entry(repo)
    if entry is not None and "Fast-forward" in entry[2]:
        return 0  # HEAD moved to an existing commit: nothing was made here
    second_parent = repo.git(["rev-parse", "-q", "--verify", "HEAD^2"], check=False)
    if second_parent.returncode != 0:
        return 0  # fast-forward or squash: no merge commit
    from aibom.notes.store import NotesStore

    head = repo.out(["rev-parse", "HEAD"]).strip()
    if any(r.kind == "generation" for r in NotesStore(repo).read(head).records):
        return 0  # an existing merge commit this HEAD moved to, already recorded
    record_head(repo, cfg)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run("post-merge", _body, argv)


if __name__ == "__main__":
    raise SystemExit(main())
