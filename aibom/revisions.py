"""REVS arguments of the commands that read history with ``git log`` (log, backfill, sign's
attestation, export): revisions, ranges and the git options that only *select* commits.

Anything else is a usage error (exit 2) before git runs: an option that changes what git
prints (``--pretty``, ``-p``, ``--graph``) would break the parse of aibom's own format, one
that writes a file (``--output``) or reads stdin (``--stdin``) must never be passed on, and an
option git does not know used to surface as git's "unrecognized argument" with exit 3.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aibom.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aibom.gitutil import Repo

# Options without a value (``--branches``, ``--tags``, ``--remotes``, ``--ancestry-path`` and
# ``--no-walk`` may also carry one, joined with ``=``).
_FLAGS = frozenset(
    {
        "--all",
        "--branches",
        "--tags",
        "--remotes",
        "--not",
        "--merges",
        "--no-merges",
        "--no-min-parents",
        "--no-max-parents",
        "--first-parent",
        "--exclude-first-parent-only",
        "--all-match",
        "--invert-grep",
        "--regexp-ignore-case",
        "--basic-regexp",
        "--extended-regexp",
        "--fixed-strings",
        "--perl-regexp",
        "--remove-empty",
        "--full-history",
        "--dense",
        "--sparse",
        "--simplify-merges",
        "--show-pulls",
        "--simplify-by-decoration",
        "--ancestry-path",
        "--date-order",
        "--author-date-order",
        "--topo-order",
        "--reverse",
        "--no-walk",
        "--do-walk",
        "--cherry-pick",
        "--cherry-mark",
        "--left-only",
        "--right-only",
        "--cherry",
        "--ignore-missing",
    }
)
_OPTIONAL_VALUE = frozenset({"--branches", "--tags", "--remotes", "--ancestry-path", "--no-walk"})
# Options with a value, given as ``--opt=value`` or as ``--opt value``.
_VALUED = frozenset(
    {
        "--skip",
        "--since",
        "--after",
        "--until",
        "--before",
        "--since-as-filter",
        "--max-age",
        "--min-age",
        "--author",
        "--committer",
        "--grep",
        "--min-parents",
        "--max-parents",
        "--glob",
        "--exclude",
    }
)
_SHORT_FLAGS = frozenset({"-i", "-E", "-F", "-P"})  # git log takes them one by one
_COUNT = re.compile(r"-[0-9]+")  # -5: at most five commits
# Suffixes that name several commits (HEAD^@ its parents, HEAD^! it without its parents,
# HEAD^-2 it without its second parent): the commit they hang on is what must exist.
_MULTI = re.compile(r"\^(?:@|!|-[0-9]*)$")


def _is_option_known(token: str) -> bool:
    """True if ``token`` (beginning with ``-``) is a commit-selecting option of git log."""
    name, eq, _ = token.partition("=")
    if eq:
        return name in _VALUED or name in _OPTIONAL_VALUE
    return token in _FLAGS or token in _SHORT_FLAGS or bool(_COUNT.fullmatch(token))


def check(repo: Repo, revs: Sequence[str], *, hint: str) -> None:
    """A :class:`UsageError` unless every one of ``revs`` is a commit, a range of commits or a
    commit-selecting option of git log; ``hint`` goes under the message.

    Options are then tried with one ``git log --max-count=0``, so that a value git rejects
    (``--grep=[``, ``--ancestry-path`` without a bottom) is a usage error too.
    """
    options = False
    waiting: str | None = None  # an option whose value is the next token
    for rev in revs:
        if waiting is not None:
            waiting = None
            continue
        if rev.startswith("-"):
            if rev in _VALUED:
                waiting = rev
            elif not _is_option_known(rev):
                raise UsageError(
                    f"{rev!r} is not a revision or an option that selects commits", hint=hint
                )
            options = True
            continue
        for part in rev.replace("...", "..").split(".."):
            _check_commit(repo, part, hint)
    if waiting is not None:
        raise UsageError(f"option {waiting} needs a value", hint=f"e.g. {waiting}=VALUE")
    if options:
        proc = repo.git(["log", *revs, "--max-count=0", "--"], check=False)
        if proc.returncode != 0:
            lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = lines[0] if lines else f"exit status {proc.returncode}"
            raise UsageError(f"git log rejected {' '.join(revs)!r}: {reason}", hint=hint)


def _check_commit(repo: Repo, part: str, hint: str) -> None:
    if not part:  # the open end of a range: HEAD.. or ..HEAD
        return
    base = _MULTI.sub("", part[1:] if part.startswith("^") else part)
    proc = repo.git(
        ["rev-parse", "-q", "--verify", "--end-of-options", base + "^{commit}"], check=False
    )
    if proc.returncode != 0:
        raise UsageError(f"{part!r} is not a commit in this repository", hint=hint)


def log_args(revs: Sequence[str]) -> list[str]:
    """REVS for git log; ``--all`` and friends leave out the notes refs themselves."""
    args: list[str] = []
    for rev in revs:
        if rev in ("--all", "--branches", "--remotes", "--glob") or rev.startswith("--glob="):
            args.append("--exclude=refs/notes/*")
        args.append(rev)
    return args
