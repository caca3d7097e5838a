"""``aibom backfill``: records for commits that skipped the hooks, inferred from the commit.

Aider commits with ``--no-verify``, forge-side merges and history from before installation
carry trailers and identities but no note. Backfill derives a generation record from those
alone (never from today's environment), marks it ``inferred`` and lowers its confidence.
All notes are written with one ``git fast-import``.
"""

from __future__ import annotations

from dataclasses import dataclass

from aibom.config import Config
from aibom.gitutil import Repo
from aibom.notes.store import NotesStore
from aibom.provenance import generation
from aibom.provenance.capture import detect_commit
from aibom.provenance.commits import read_commits
from aibom.provenance.types import INFERRED_FACTOR, Detection


@dataclass(frozen=True)
class BackfillResult:
    scanned: int
    already: int
    human: int
    written: int
    dry_run: bool
    commits: tuple[tuple[str, str], ...]  # (sha, origin) of commits given records


def inferred(detection: Detection) -> Detection:
    evidence = tuple(
        e.replace(confidence=round(e.confidence * INFERRED_FACTOR, 3)) for e in detection.evidence
    )
    return detection.replace(
        confidence=round(detection.confidence * INFERRED_FACTOR, 3), evidence=evidence
    )


def backfill(
    repo: Repo, cfg: Config, rev_args: list[str], *, dry_run: bool = False
) -> BackfillResult:
    infos = read_commits(repo, rev_args or ["HEAD"])
    store = NotesStore(repo)
    notes = store.read_all(info.sha for info in infos)
    additions: dict[str, list[str]] = {}
    done: list[tuple[str, str]] = []
    already = human = 0
    for info in infos:
        note = notes.get(info.sha)
        if note is not None and any(r.kind == "generation" for r in note.records):
            already += 1
            continue
        detection = detect_commit(None, cfg, info, live=False)
        if not detection.origin.is_ai:
            human += 1
            continue
        record = generation.build(
            inferred(detection), committed=info.committed, session=None, inferred=True
        )
        additions[info.sha] = [record.line]
        done.append((info.sha, detection.origin.value))
    written = 0 if dry_run else store.append_many(additions, "aibom backfill")
    return BackfillResult(len(infos), already, human, written, dry_run, tuple(done))
