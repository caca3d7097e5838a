"""Keep records on the right commit through rewrites.

Git copies notes itself on amend and rebase when ``notes.rewriteRef`` is set (``aibom install``
sets it, with ``cat_sort_uniq``); the post-rewrite hook repeats that copy as a union so records
also survive where the configuration is missing. Cherry-pick copies no notes at all: the
post-commit hook detects it and copies the source's records plus a ``rewrite`` record.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

from aibom import __version__
from aibom.gitutil import Repo, last_reflog_message
from aibom.notes.records import Record
from aibom.notes.store import NotesStore
from aibom.provenance.commits import read_commits

_REWRITING = re.compile(r"^(rebase|pull\b.*--rebase|.*\((pick|squash|fixup|reword|edit)\))")
_PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{40,64})\)")


def reflog_action(repo: Repo) -> str:
    return last_reflog_message(repo) or ""


def is_rebase_step(action: str) -> bool:
    return bool(_REWRITING.match(action))


def is_cherry_pick(repo: Repo, action: str) -> bool:
    return action.startswith("cherry-pick") or (repo.git_dir / "CHERRY_PICK_HEAD").exists()


def parse_rewrite_map(data: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for line in data.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            pairs.append((parts[0], parts[1]))
    return pairs


def copy_notes(repo: Repo, pairs: Sequence[tuple[str, str]], message: str) -> int:
    """Union the note of each old commit into its new commit (squashes unite all of them)."""
    store = NotesStore(repo)
    olds = {old for old, _ in pairs}
    texts = store.read_texts(olds)
    additions: dict[str, list[str]] = defaultdict(list)
    for old, new in pairs:
        if old in texts and old != new:
            additions[new].extend(texts[old].splitlines())
    return store.append_many(additions, message)


def cherry_pick_source(repo: Repo, head_message: str, head_sha: str) -> str | None:
    """Find the commit a cherry-pick copied: ``-x`` line, CHERRY_PICK_HEAD, or a noted twin."""
    found = _PICKED.findall(head_message)
    if found:
        return str(found[-1])
    try:
        text = (repo.git_dir / "CHERRY_PICK_HEAD").read_text().strip()
        if text:
            return text
    except OSError:
        pass
    return _noted_twin(repo, head_sha)


def _noted_twin(repo: Repo, head_sha: str) -> str | None:
    """A commit with a note and the same author, author date and message as ``head_sha``."""
    noted = [c for c in NotesStore(repo).listing() if c != head_sha]
    if not noted:
        return None
    infos = read_commits(repo, ["--no-walk=unsorted"], stdin_revs=[head_sha, *noted])
    head = next((i for i in infos if i.sha == head_sha), None)
    if head is None:
        return None
    for info in infos:
        if (
            info.sha != head_sha
            and info.author == head.author
            and info.authored == head.authored
            and _body(info.message) == _body(head.message)
        ):
            return info.sha
    return None


def _body(message: str) -> str:
    return _PICKED.sub("", message).strip()


def copy_cherry_pick(repo: Repo, source: str, target: str) -> int:
    store = NotesStore(repo)
    text = store.read_text(source)
    if not text.strip():
        return 0
    marker = Record.create(
        "rewrite",
        {
            "operation": "cherry-pick",
            "sources": [source],
            "tool": {"name": "aibom", "version": __version__},
        },
    )
    lines: Iterable[str] = [*text.splitlines(), marker.line]
    return 1 if store.append(target, list(lines)) else 0
