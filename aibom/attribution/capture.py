"""At post-commit: which lines of each committed blob each model/session wrote (hook path).

For every committed file with checkpoint events the states are replayed in order:
base (the file in the parent, or in the commit an amend replaced) -> each event's snapshot ->
the committed blob. Every line carries a label through the replay; a line matched (by
:func:`aibom.attribution.linediff.match`, whitespace-insensitive) keeps its label, a line
written anew takes the label of whoever made that step:

- the step into a ``pre`` event is a person's (edits made since the last checkpoint);
- the step into a ``post`` event is the agent session's (``ai``); at full confidence when a
  pre event of the same session opened it, lower when not (the gap may hold a person's
  edits); an event of an unrecognised payload gives ``unknown``, never ``ai``;
- the last step, to the committed blob, is a person's: lines rewritten there that replaced
  AI lines become ``mixed``, other new lines ``human``.
Lines still labelled base, and lines the commit did not change (the events of a partial
commit's rest start before its parent), were not written in this commit and are left out. Binary,
symlinked, oversized or unreadable states give no credit (the step is skipped, so the
following step is judged against the last known state).
"""

from __future__ import annotations

import os

from aibom._value import Value
from aibom.attribution import checkpoints as store_mod
from aibom.attribution import linediff
from aibom.attribution import model as am
from aibom.attribution.observe import recordable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from aibom.attribution.checkpoints import Event
    from aibom.gitutil import Repo
    from aibom.notes.records import Record

ANCHORED = 0.95  # pre and post hooks of the same session bracket the edit
UNANCHORED = 0.6  # a post hook alone: the diff since the last state may hold human edits
HUMAN_OBSERVED = 0.9  # a pre hook saw the person's state
HUMAN_AFTER = 0.8  # changed after the last checkpoint, no hook fired
MIXED = 0.7
UNKNOWN = 0.3
RENAME_SIMILARITY = 0.5
SHARE_BLOBS_UP_TO = 1000


class Label(Value):
    __slots__ = ("agent", "confidence", "kind", "model", "session")
    kind: str  # base | human | ai | mixed | unknown
    agent: str | None
    model: str | None
    session: str | None
    confidence: float

    def __init__(
        self,
        kind: str,
        agent: str | None = None,
        model: str | None = None,
        session: str | None = None,
        confidence: float = 1.0,
    ) -> None:
        self._set(kind=kind, agent=agent, model=model, session=session, confidence=confidence)


BASE = Label("base")


def _agent(event: Event) -> str:
    return f"{event.agent}/{event.agent_version}" if event.agent_version else event.agent


def _model(raw: str | None) -> str | None:
    if not raw:
        return None
    from aibom.provenance.modelid import normalize_model

    found = normalize_model(raw)
    return found.slug if found is not None else None


def writer_of(event: Event, previous: Event | None) -> Label:
    if event.phase == "pre":
        return Label("human", confidence=HUMAN_OBSERVED)
    if not event.known:
        return Label("unknown", _agent(event), None, event.session, UNKNOWN)
    anchored = (
        previous is not None
        and previous.phase == "pre"
        and previous.agent == event.agent
        and previous.session == event.session
    )
    confidence = ANCHORED if anchored else UNANCHORED
    return Label("ai", _agent(event), _model(event.model), event.session, confidence)


def step(
    labels: Sequence[Label], old: Sequence[str], new: Sequence[str], writer: Label
) -> list[Label]:
    """Carry labels from ``old`` to ``new`` lines; new lines take ``writer`` (or mixed)."""
    matched = linediff.match_lines(old, new)
    out: list[Label | None] = [labels[i] if i >= 0 else None for i in matched]
    fresh = [j for j, label in enumerate(out) if label is None]
    start = 0
    while start < len(fresh):
        end = start
        while end + 1 < len(fresh) and fresh[end + 1] == fresh[end] + 1:
            end += 1
        first, last = fresh[start], fresh[end]
        before = matched[first - 1] if first > 0 else -1
        after = matched[last + 1] if last + 1 < len(new) else len(old)
        kept = linediff.reformatted(old[before + 1 : after], new[first : last + 1])
        if kept is not None:  # a formatter re-wrapped the lines: each keeps its credit
            for j, i in enumerate(kept, first):
                out[j] = labels[before + 1 + i]
            start = end + 1
            continue
        label = writer
        if writer.kind == "human":  # a person rewrote AI lines: mixed
            replaced = [x for x in labels[before + 1 : after] if x.kind in ("ai", "mixed")]
            if replaced:
                ai = replaced[0]
                label = Label("mixed", ai.agent, ai.model, ai.session, MIXED)
        for j in range(first, last + 1):
            out[j] = label
        start = end + 1
    return [label if label is not None else writer for label in out]


def replay(
    base: Sequence[str],
    states: Sequence[tuple[Sequence[str], Label]],
    final: Sequence[str],
) -> list[Label]:
    """Labels of the ``final`` lines after the states (lines, writer) in order."""
    labels: list[Label] = [BASE] * len(base)
    current: Sequence[str] = base
    for lines, writer in [*states, (final, Label("human", confidence=HUMAN_AFTER))]:
        labels = step(labels, current, lines, writer)
        current = lines
    return labels


def conversations(labels: Sequence[Label], text: Sequence[str]) -> list[am.Conversation]:
    groups: dict[Label, list[int]] = {}
    for number, label in enumerate(labels, 1):
        if label.kind != "base":
            groups.setdefault(label, []).append(number)
    found = []
    for label, lines in groups.items():
        ranges = am.ranges_for(lines, text)
        if ranges:
            found.append(
                am.Conversation(
                    label.kind,
                    ranges,
                    model_id=label.model,
                    agent=label.agent,
                    session=label.session,
                    confidence=label.confidence,
                    evidence="hook-observed",
                )
            )
    return sorted(found, key=lambda c: c.ranges[0].start)


class _Snapshots:
    """Lines of snapshots, each read and split once."""

    def __init__(self, store: str) -> None:
        self.store = store
        self.cache: dict[str, list[str] | None] = {}

    def lines(self, digest: str | None) -> list[str] | None:
        if digest is None:
            return None
        if digest not in self.cache:
            data = store_mod.read_snapshot(self.store, digest)
            ok = data is not None and not linediff.is_binary(data)
            self.cache[digest] = linediff.split_lines(data or b"") if ok else None
        return self.cache[digest]


def file_labels(
    events: Sequence[Event], base: bytes | None, committed: bytes, snaps: _Snapshots
) -> tuple[list[Label], list[str]] | None:
    """(labels, committed text lines) for one file, or None when it gives no line credit."""
    if linediff.is_binary(committed) or (base is not None and linediff.is_binary(base)):
        return None
    states: list[tuple[Sequence[str], Label]] = []
    previous: Event | None = None
    for event in events:
        if event.state == "missing":
            lines: list[str] | None = []
        elif event.has_text:
            lines = snaps.lines(event.digest)
        else:
            lines = None
        if lines is None:  # binary / symlink / large / lost snapshot: no credit from it
            previous = None
            continue
        states.append((lines, writer_of(event, previous)))
        previous = event
    if not states:
        return None
    text = linediff.split_lines(committed)
    before = linediff.split_lines(base or b"")
    labels = replay(before, states, text)
    # a line the commit did not change was not written in it, whatever the events say (they
    # may start before the base: the rest of a partial commit, a consume that was skipped)
    for j, i in enumerate(linediff.match_lines(before, text)):
        if i >= 0:
            labels[j] = BASE
    return labels, text


def _last_text(events: Sequence[Event]) -> Event | None:
    """The last event of a path that saw it as text (its state before a move, when the last
    event saw it gone)."""
    for event in reversed(events):
        if event.has_text:
            return event
    return None


def _renamed_from(orphans: Mapping[str, Event], committed: bytes, snaps: _Snapshots) -> str | None:
    """An event path that vanished from the work tree whose last state this blob resembles."""
    new = linediff.split_lines(committed)
    if not new:
        return None
    best, score = None, RENAME_SIMILARITY
    for path, last in orphans.items():
        old = snaps.lines(last.digest)
        if not old:
            continue
        same = sum(1 for i in linediff.match_lines(old, new) if i >= 0)
        ratio = same / max(len(old), len(new))
        if ratio >= score:
            best, score = path, ratio
    return best


def _renames(
    committed: Mapping[str, str],
    by_path: Mapping[str, Sequence[Event]],
    orphans: dict[str, Event],
    blobs: Mapping[str, bytes],
    base_rev: str,
    snaps: _Snapshots,
) -> dict[str, str]:
    """New path -> old path, for files new in this commit whose events (if any) do not start
    from a pre hook that saw the file, that resemble the last state of a file gone from the
    work tree (a file renamed or moved between checkpoints, after them, or by the agent's
    edit: a Codex patch's ``*** Move to:``). Consumes ``orphans`` it pairs."""
    found: dict[str, str] = {}
    if not orphans:
        return found
    for path in sorted(committed):
        data = blobs.get(committed[path])
        own = by_path.get(path, ())
        seen = own and own[0].phase == "pre" and own[0].state != "missing"
        if data is None or f"{base_rev}:{path}" in blobs or seen:
            continue
        old = _renamed_from(orphans, data, snaps)
        if old is not None:
            found[path] = old
            orphans.pop(old)
    return found


def build(
    repo: Repo, changes: Sequence[tuple[str, str]], base_rev: str, rev: str = "HEAD"
) -> tuple[list[am.FileAttribution], set[str], dict[str, bytes]]:
    """(file attributions, event paths to consume, blobs read) for a commit's changes.

    The blobs read (by object name) include every committed blob, so the generation record's
    digests need no second ``git cat-file``.
    """
    from aibom.notes.store import cat_blobs

    store = store_mod.store_dir(repo.state_dir)
    events = store_mod.load(store)
    if not events:
        return [], set(), {}
    by_path: dict[str, list[Event]] = {}
    for event in events:
        by_path.setdefault(event.path, []).append(event)
    committed = {p: oid for p, oid in changes if recordable(p)}
    top = repo.toplevel or ""
    orphans: dict[str, Event] = {}
    for p, evs in by_path.items():
        last = _last_text(evs)
        if last is not None and p not in committed and not os.path.lexists(os.path.join(top, p)):
            orphans[p] = last
    snaps = _Snapshots(store)
    wanted = {p for p in committed if p in by_path} | (set(committed) if orphans else set())
    # every committed blob rides along (the generation record digests them) unless the commit
    # is huge and few of its files were seen by an agent
    shared = len(committed) <= SHARE_BLOBS_UP_TO or orphans
    mine = committed.values() if shared else [committed[p] for p in wanted]
    names = [*mine, *(f"{base_rev}:{p}" for p in wanted), *(f"{rev}:{p}" for p in orphans)]
    blobs = cat_blobs(repo, names) if wanted or orphans else {}
    renamed = _renames(committed, by_path, orphans, blobs, base_rev, snaps)
    if renamed:  # a renamed file's base is the parent's file at its old path
        blobs.update(cat_blobs(repo, [f"{base_rev}:{old}" for old in renamed.values()]))
    files: list[am.FileAttribution] = []
    consumed: set[str] = set()
    for path in sorted(committed):
        old = renamed.get(path)
        data = blobs.get(committed[path])
        if data is None or (old is None and path not in by_path):
            continue
        events = sorted([*by_path.get(old or "", ()), *by_path.get(path, ())], key=lambda e: e.seq)
        if old is not None:  # the file was under one name or the other all along
            events = [e for e in events if e.state != "missing"]
        result = file_labels(events, blobs.get(f"{base_rev}:{old or path}"), data, snaps)
        if result is not None:
            labels, text = result
            parts = conversations(labels, text)
            if parts:
                files.append(am.FileAttribution(path, committed[path], parts))
        if old is not None:
            consumed.add(old)
        if path in by_path and _settled(top, path, data):
            consumed.add(path)
    # files gone from the work tree and from the commit (deleted, or made and dropped before
    # committing): their events can never be used, and must not be matched to a later file
    consumed.update(p for p in orphans if f"{rev}:{p}" not in blobs)
    return files, consumed, blobs


def _settled(toplevel: str, path: str, committed: bytes) -> bool:
    """The work tree holds what was committed (or nothing): the events are used up.

    Otherwise (a partial commit, ``git add -p``) they stay, and the next commit replays them
    from its own parent, so lines committed now count as base there.
    """
    full = os.path.join(toplevel, path)
    try:
        if os.path.islink(full):  # git records a symlink as its target
            return os.fsencode(os.readlink(full)) == committed
        with open(full, "rb") as fh:
            return fh.read(len(committed) + 1) == committed
    except OSError:
        return True


def record_for_commit(
    repo: Repo, changes: Sequence[tuple[str, str]], base_rev: str, rev: str = "HEAD"
) -> tuple[Record | None, dict[str, bytes]]:
    """The ``attribution`` record of a new commit (None without line facts) and the blobs read
    on the way; consumes the events it used."""
    from aibom import __version__
    from aibom.notes.records import Record

    files, consumed, blobs = build(repo, changes, base_rev, rev)
    record = None
    if files:
        record = Record.create("attribution", am.to_body(files, __version__, ("checkpoint", None)))
    if consumed:
        store_mod.consume(store_mod.store_dir(repo.state_dir), consumed)
    return record, blobs
