"""Keep records on the right commit through rewrites.

Git copies notes itself on amend and rebase when ``notes.rewriteRef`` is set (``aibom install``
sets it, with ``cat_sort_uniq``); the post-rewrite hook repeats that copy as a union so records
also survive where the configuration is missing. Cherry-pick copies no notes at all: the
post-commit hook detects it and copies the source's records plus a ``rewrite`` record.
"""

from __future__ import annotations

import os
import sys

from aibom import __version__
from aibom.gitutil import Repo, last_reflog_message
from aibom.notes.records import Record, note_lines
from aibom.notes.store import NotesStore
from aibom.provenance.commits import read_commits

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

_STEPS = ("(pick)", "(squash)", "(fixup)", "(reword)", "(edit)")
_PICKED = "(cherry picked from commit "
_HEX = frozenset("0123456789abcdef")


def reflog_action(repo: Repo) -> str:
    """The newest HEAD reflog message, e.g. ``rebase (pick): subject``.

    Without a reflog (``core.logAllRefUpdates=false``) a rebase in progress is still told by
    its state directory.
    """
    message = last_reflog_message(repo)
    if message is None and _rebasing(repo):
        return "rebase"
    return message or ""


def _rebasing(repo: Repo) -> bool:
    return any(
        os.path.isdir(os.path.join(repo.git_dir, name)) for name in ("rebase-merge", "rebase-apply")
    )


def is_rebase_step(action: str) -> bool:
    """``rebase (pick): subject`` and friends; only the part before ``: `` is the action.

    (A commit subject such as ``Handle (fixup) lines`` must not make a commit look like one.)
    """
    head = action.split(": ", 1)[0]
    word = head.split(" ", 1)[0]
    return word == "rebase" or (word == "pull" and "--rebase" in head) or head.endswith(_STEPS)


def is_cherry_pick(repo: Repo, action: str) -> bool:
    """A cherry-pick, also one finished by ``git commit`` after a conflict.

    (``git commit`` removes CHERRY_PICK_HEAD before post-commit runs and logs
    ``commit (cherry-pick)``.)
    """
    return action.startswith(("cherry-pick", "commit (cherry-pick)")) or os.path.exists(
        os.path.join(repo.git_dir, "CHERRY_PICK_HEAD")
    )


def parse_rewrite_map(data: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for line in data.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            pairs.append((parts[0], parts[1]))
    return pairs


def copy_notes(
    repo: Repo, pairs: Sequence[tuple[str, str]], message: str, operation: str = "rebase"
) -> int:
    """Union the note of each old commit into its new commit (squashes unite all of them)."""
    return carry_notes(repo, pairs, message, operation)[0]


def carry_notes(
    repo: Repo, pairs: Sequence[tuple[str, str]], message: str, operation: str
) -> tuple[int, int]:
    """Copy the old notes and add remapped attribution records, in one notes write.

    Returns (notes changed, attribution records remapped).
    """
    store = NotesStore(repo)
    parts = _split_parts(repo, pairs) if operation == "rebase" else []
    texts = store.read_texts({c for pair in (*pairs, *parts) for c in pair})
    additions: dict[str, list[str]] = {}
    for old, new in pairs:
        if old in texts and old != new:
            additions.setdefault(new, []).extend(note_lines(texts[old]))
    for old, part in parts:
        if old in texts and part not in texts:  # a part the sequencer made: no records at all
            additions.setdefault(part, []).extend(note_lines(texts[old]))
    remapped = _remapped(repo, [*pairs, *parts], operation, texts)
    for new, lines in remapped.items():
        additions.setdefault(new, []).extend(lines)
    return store.append_many(additions, message), sum(len(v) for v in remapped.values())


def _remapped(
    repo: Repo, pairs: Sequence[tuple[str, str]], operation: str, texts: Mapping[str, str]
) -> dict[str, list[str]]:
    """Attribution ranges shifted onto the new blobs; a failure here never stops the copy.

    The amends a rebase makes itself (squash and fixup steps) are left to the rebase's own
    post-rewrite, which sees every source. A person's ``commit --amend`` at an ``edit`` stop is
    remapped at once, although the picked commit has no note yet (the rebase copies notes at
    its end): its own lines are the person's.
    """
    from aibom.attribution import rewrite as attribution

    everyone = False
    if operation == "amend":
        if is_rebase_step(reflog_action(repo)):
            return {}
        everyone = _rebasing(repo)
    try:
        known = {c: texts.get(c, "") for pair in pairs for c in pair}  # no note: read already
        return attribution.remap(repo, pairs, operation, texts=known, everyone=everyone)
    except Exception as exc:  # the generation records must still follow the rewrite
        print(f"aibom: warning: line attribution not remapped: {exc}", file=sys.stderr)
        return {}


def _split_parts(repo: Repo, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """(old, part) for the other commits an ``edit`` stop turned one commit into."""
    from aibom.attribution import rewrite as attribution

    try:
        return attribution.split_parts(repo, pairs)
    except Exception as exc:
        print(f"aibom: warning: split commits not followed: {exc}", file=sys.stderr)
        return []


def cherry_pick_source(repo: Repo, head_message: str, head_sha: str) -> str | None:
    """Find the commit a cherry-pick copied: ``-x`` line, CHERRY_PICK_HEAD, or a noted twin."""
    found = picked_from(head_message)
    if found:
        return found[-1]
    try:
        with open(os.path.join(repo.git_dir, "CHERRY_PICK_HEAD"), encoding="utf-8") as fh:
            text = fh.read().strip()
        if text:
            return text
    except OSError:
        pass
    return _noted_twin(repo, head_sha)


def _noted_twin(repo: Repo, head_sha: str) -> str | None:
    """A commit with a note and the same author, author date and subject as ``head_sha``.

    Only the subject is compared: a conflicted pick finished with ``git commit --no-edit``
    keeps git's ``# Conflicts:`` lines in the message.
    """
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
            and _subject(info.message) == _subject(head.message)
        ):
            return info.sha
    return None


def _subject(message: str) -> str:
    return _body(message).split("\n\n", 1)[0].strip()


def _picked_spans(message: str) -> list[tuple[int, int, str]]:
    """``(cherry picked from commit <40-64 hex>)`` occurrences: (start, end, sha)."""
    spans: list[tuple[int, int, str]] = []
    start = message.find(_PICKED)
    while start != -1:
        pos = start + len(_PICKED)
        end = pos
        while end < len(message) and message[end] in _HEX:
            end += 1
        if 40 <= end - pos <= 64 and message[end : end + 1] == ")":
            spans.append((start, end + 1, message[pos:end]))
        start = message.find(_PICKED, pos)
    return spans


def picked_from(message: str) -> list[str]:
    """The commits named by ``git cherry-pick -x`` lines, in order."""
    return [sha for _, _, sha in _picked_spans(message)]


def _body(message: str) -> str:
    for start, end, _ in reversed(_picked_spans(message)):
        message = message[:start] + message[end:]
    return message.strip()


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
    # the pick is new: no note of its own yet (post-commit copies before it records anything)
    remapped = _remapped(repo, [(source, target)], "cherry-pick", {source: text, target: ""})
    lines: Iterable[str] = [*note_lines(text), marker.line, *remapped.get(target, ())]
    return 1 if store.append(target, list(lines)) else 0
