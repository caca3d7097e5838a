"""Attribution ranges follow the code when git rewrites commits.

For each rewritten commit ``new`` and the commits it was made from (one for amend, pick,
reorder, cherry-pick, filter-repo; several for squash/fixup) this writes ``attribution``
records onto ``new`` whose file entries name ``new``'s blobs and whose ranges are shifted onto
them (``source: {"type": "rewrite", "ref": <old sha>}``). The copies of the old records that
``notes.rewriteRef`` / the post-rewrite union carried over stay; readers ignore them because
their ``blob`` no longer matches.

Per operation, whatever its size: one bulk notes read, one ``cat-file --batch-check`` (trees,
parents' trees and the blobs old records describe), ONE ``git diff-tree --stdin -M -w -U0``
(old tree -> new tree, and each commit against its parent), one ``cat-file --batch`` (the new
blobs, for content hashes). Lines whose content changed lose their credit unless the change is
whitespace-only (``-w``). Lines an old commit introduced that none of its ranges covers take
that commit's generation-record origin (so a human commit squashed between two AI commits
contributes human lines). Lines the rewrite itself introduced (an amend's edit, a conflict
resolution) take the new commit's own generation record, else ``human`` for an amend (its
post-commit detection saw no agent) and ``unknown`` otherwise: never AI credit without
evidence.

When an old commit no longer exists (``git filter-repo`` prunes them), a range is found again
in the new blob by its content hash.

Standard library only: the post-rewrite and post-commit hooks run this.
"""

from __future__ import annotations

import os

from aibom import __version__
from aibom._value import Value
from aibom.attribution import linemap, model
from aibom.attribution.linemap import TreeDiff
from aibom.gitutil import log_mark
from aibom.notes.records import Record, parse_note

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Any

    from aibom.gitutil import Repo

    # (contributor, model_id, agent, session, confidence, evidence)
    _Key = tuple[str, str | None, str | None, str | None, float, str]

_ORIGIN = {"ai-generated": "ai", "ai-assisted": "mixed", "human": "human"}
AMEND_HUMAN_CONFIDENCE = 0.6
_BLOB_TIMEOUT = 600.0


class _Commit:
    """What one commit's note says, parsed once."""

    __slots__ = ("attribution", "generations", "lines", "trailer_key")

    def __init__(self, text: str) -> None:
        records, _ = parse_note(text)
        self.lines = {r.line for r in records}
        self.attribution: list[tuple[Record, model.FileAttribution]] = [
            (r, f) for r in records if r.kind == "attribution" for f in model.from_data(r.data)
        ]
        self.generations = [r for r in records if r.kind == "generation"]
        self.trailer_key: _Key | None = None  # AI-* trailers, for a commit without records

    @property
    def key(self) -> _Key | None:
        """Whose lines this commit's uncovered lines are, at commit level."""
        return commit_key(self.generations) or self.trailer_key


def commit_key(generations: Sequence[Record]) -> _Key | None:
    """A conversation key for lines credited at commit level by ``generations`` (None: none)."""
    origins = {_ORIGIN.get(str(g.data.get("origin")), "unknown") for g in generations}
    origins.discard("unknown")
    if not origins:
        return None
    contributor = origins.pop() if len(origins) == 1 else "mixed"
    models = {m.get("id") for g in generations for m in g.data.get("models") or () if m.get("id")}
    agents = {_agent(g.data.get("agent")) for g in generations} - {None}
    sessions = {g.data.get("session") for g in generations} - {None}
    confidences = [float(g.data.get("confidence") or 0.0) for g in generations]
    return (
        contributor,
        str(models.pop()) if len(models) == 1 else None,
        agents.pop() if len(agents) == 1 else None,
        str(sessions.pop()) if len(sessions) == 1 else None,
        max(confidences) if confidences else 0.0,
        "rewrite",
    )


_TRAILERS = ("AI-Origin", "AI-Model", "AI-Agent", "AI-Session")
_TRAILER_CONFIDENCE = 0.85  # as aibom.provenance.types.BASE_CONFIDENCE[TRAILER]


def trailer_key(values: Sequence[Sequence[str]]) -> _Key | None:
    """A conversation key from a commit's AI-Origin, AI-Model, AI-Agent, AI-Session values."""
    origins, models, agents, sessions = (set(v) for v in values)
    contributors = {_ORIGIN[o.strip().lower()] for o in origins if o.strip().lower() in _ORIGIN}
    if len(contributors) != 1:
        return None

    def one(found: set[str]) -> str | None:
        return found.pop().strip() if len(found) == 1 else None

    contributor = contributors.pop()
    return (contributor, one(models), one(agents), one(sessions), _TRAILER_CONFIDENCE, "rewrite")


def _read_trailers(
    repo: Repo, groups: Mapping[str, Sequence[str]], infos: Mapping[str, _Commit]
) -> None:
    """Trailer keys of the old commits without generation records, with one ``git log``.

    Only where they can matter: squashes (their messages end up in the body of one message,
    whose trailer block is the last one's) and sources that hold ranges.
    """
    wanted = sorted(
        {
            old
            for olds in groups.values()
            if len(olds) > 1 or any(infos[o].attribution for o in olds)
            for old in olds
            if not infos[old].generations
        }
    )
    if not wanted:
        return
    field_format, field = log_mark("F")  # markers no trailer value can spell
    value_format, value = log_mark("V")
    fields = "".join(
        f"{field_format}%(trailers:key={k},valueonly,separator={value_format})" for k in _TRAILERS
    )
    argv = ["log", "--no-walk=unsorted", "--stdin", "--ignore-missing", f"--format=%H{fields}%x00"]
    stdin = "".join(c + "\n" for c in wanted).encode()
    proc = repo.git(argv, input=stdin, check=False, timeout=linemap.DIFF_TIMEOUT)
    if proc.returncode != 0:
        return
    for chunk in proc.stdout.decode("utf-8", "replace").split("\0"):
        parts = chunk.strip("\n").split(field)
        if len(parts) == 1 + len(_TRAILERS) and parts[0] in infos:
            values = [[v for v in p.split(value) if v.strip()] for p in parts[1:]]
            infos[parts[0]].trailer_key = trailer_key(values)


def _agent(agent: Any) -> str | None:
    if not isinstance(agent, dict) or not agent.get("name"):
        return None
    version = agent.get("version")
    return f"{agent['name']}/{version}" if version else str(agent["name"])


def _conversation_key(c: model.Conversation) -> _Key:
    return (c.contributor, c.model_id, c.agent, c.session, c.confidence, c.evidence)


# -- one new commit ------------------------------------------------------------------------------
class _Claims:
    """New lines per new path, each claimed once, grouped by conversation key."""

    def __init__(self) -> None:
        self.taken: dict[str, set[int]] = {}
        self.by_key: dict[str, dict[_Key, set[int]]] = {}

    def block(self, path: str, lines: Iterable[int]) -> None:
        self.taken.setdefault(path, set()).update(lines)

    def claim(self, path: str, key: _Key, lines: Iterable[int]) -> None:
        taken = self.taken.setdefault(path, set())
        fresh = set(lines) - taken
        if fresh:
            taken.update(fresh)
            self.by_key.setdefault(path, {}).setdefault(key, set()).update(fresh)

    def take(self) -> dict[str, dict[_Key, set[int]]]:
        found, self.by_key = self.by_key, {}
        return found


class _Plan:
    """Everything git was asked, for one operation."""

    def __init__(
        self,
        trees: Mapping[str, str],
        parents: Mapping[str, str],
        blobs: Mapping[str, str],
        diffs: Mapping[tuple[str, str], TreeDiff],
    ) -> None:
        self.trees = trees
        self.parents = parents
        self.blobs = blobs  # "commit:path" -> blob id
        self.diffs = diffs

    def diff(self, old: str, new: str) -> TreeDiff | None:
        if old not in self.trees or new not in self.trees:
            return None
        return self.diffs.get((self.trees[old], self.trees[new]))

    def introduced(self, commit: str) -> TreeDiff | None:
        if commit not in self.trees:
            return None
        parent = self.parents.get(commit) or linemap.empty_tree(self.trees[commit])
        return self.diffs.get((parent, self.trees[commit]))

    def valid(self, commit: str, entry: model.FileAttribution) -> bool:
        return self.blobs.get(f"{commit}:{entry.path}") == entry.blob


def _old_lines(entry: model.FileAttribution) -> dict[int, model.Conversation]:
    """Line -> owning conversation of one file entry (the later one wins on overlaps)."""
    owners: dict[int, model.Conversation] = {}
    for conversation in entry.conversations:
        for r in conversation.ranges:
            for line in range(r.start, r.end + 1):
                owners[line] = conversation
    return owners


def _carry_source(
    plan: _Plan, old: str, new: str, info: _Commit, claims: _Claims, texts: _Texts
) -> None:
    """Claim ``old``'s surviving attributed lines, then its other introduced lines."""
    diff = plan.diff(old, new)
    if diff is None:
        _relocate(old, new, info, claims, texts)
        return
    covered: dict[str, set[int]] = {}
    for _, entry in info.attribution:
        if not plan.valid(old, entry):
            continue
        new_path, lmap = diff.follow(entry.path)
        owners = _old_lines(entry)
        covered.setdefault(entry.path, set()).update(owners)
        if new_path is None:
            continue
        for old_line, new_line in lmap.map_many(sorted(owners)).items():
            claims.claim(new_path, _conversation_key(owners[old_line]), (new_line,))
    key = info.key
    introduced = plan.introduced(old)
    if key is None or introduced is None:
        return
    for path, change in introduced.by_new.items():
        lines = change.linemap.added() - covered.get(path, set())
        new_path, lmap = diff.follow(path)
        if new_path is not None and lines:
            claims.claim(new_path, key, lmap.map_many(lines).values())


def _relocate(old: str, new: str, info: _Commit, claims: _Claims, texts: _Texts) -> None:
    """``old`` is gone: find each range in ``new``'s blob at the same path by its content hash."""
    for _, entry in info.attribution:
        lines = texts.lines(new, entry.path)
        if lines is None:
            continue
        same = texts.blob(new, entry.path) == entry.blob
        windows = Windows(lines)
        for conversation in entry.conversations:
            key = _conversation_key(conversation)
            for r in conversation.ranges:
                start = r.start if same else windows.find(r)
                if start is not None:
                    claims.claim(entry.path, key, range(start, start + r.size))


class Windows:
    """Content hashes of a blob's windows of lines, computed once per window size."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = [model.normalize_line(line) for line in lines]
        self.by_size: dict[int, dict[str, list[int]]] = {}

    def _index(self, size: int) -> dict[str, list[int]]:
        index = self.by_size.get(size)
        if index is None:
            index = {}
            for start in range(1, len(self.lines) - size + 2):
                digest = model.content_hash(self.lines[start - 1 : start - 1 + size])
                index.setdefault(digest, []).append(start)
            self.by_size[size] = index
        return index

    def find(self, r: model.LineRange) -> int | None:
        """The start of a window with ``r``'s content hash, nearest to ``r.start``."""
        if not r.content_hash or r.size > len(self.lines):
            return None
        starts = self._index(r.size).get(r.content_hash)
        return min(starts, key=lambda s: (abs(s - r.start), s)) if starts else None


def find_range(lines: Sequence[str], r: model.LineRange) -> int | None:
    return Windows(lines).find(r)


def _fresh_lines(plan: _Plan, new: str, olds: Sequence[str]) -> dict[str, set[int]]:
    """Lines ``new`` introduced that are in none of ``olds``' blobs (the rewrite wrote them)."""
    introduced = plan.introduced(new)
    if introduced is None:
        return {}
    fresh: dict[str, set[int]] = {}
    for path, change in introduced.by_new.items():
        lines = change.linemap.added()
        for old in olds:
            diff = plan.diff(old, new)
            added = diff.added(path) if diff is not None else set()
            lines &= added if added is not None else set()
        if lines:
            fresh[path] = lines
    return fresh


def _fresh_key(operation: str, own: Sequence[Record]) -> _Key:
    key = commit_key(own)
    if key is not None:
        return key
    if operation == "amend":
        return ("human", None, None, None, AMEND_HUMAN_CONFIDENCE, "inferred")
    return ("unknown", None, None, None, 0.0, "rewrite")


def _new_records(
    plan: _Plan,
    operation: str,
    new: str,
    olds: Sequence[str],
    infos: Mapping[str, _Commit],
    texts: _Texts,
) -> list[Record]:
    claims = _Claims()
    target = infos[new]
    inherited = {line for old in olds for line in infos[old].lines}
    own_gens = [g for g in target.generations if g.line not in inherited]
    for record, entry in target.attribution:
        if record.line not in inherited and plan.valid(new, entry):
            claims.block(entry.path, _old_lines(entry))  # observed at commit: not ours to say
    per_source: dict[str, dict[str, dict[_Key, set[int]]]] = {}
    for old in reversed(olds):  # the newest source speaks first for a line
        _carry_source(plan, old, new, infos[old], claims, texts)
        per_source[old] = claims.take()
    last = olds[-1]
    for path, lines in _fresh_lines(plan, new, olds).items():
        claims.claim(path, _fresh_key(operation, own_gens), lines)
    for path, keyed in claims.take().items():
        for key, lines in keyed.items():
            per_source[last].setdefault(path, {}).setdefault(key, set()).update(lines)
    records = []
    for old in olds:
        files = _files(new, per_source[old], texts)
        if files:
            body = model.to_body(files, __version__, ("rewrite", old))
            records.append(Record.create("attribution", body))
    return records


def _files(
    new: str, keyed: Mapping[str, Mapping[_Key, set[int]]], texts: _Texts
) -> list[model.FileAttribution]:
    files = []
    for path in sorted(keyed):
        lines = texts.lines(new, path)
        blob = texts.blob(new, path)
        if lines is None or blob is None:
            continue
        conversations = []
        for key in sorted(keyed[path], key=_sort_key):
            ranges = model.ranges_for(keyed[path][key], lines)
            if ranges:
                contributor, model_id, agent, session, confidence, evidence = key
                conversations.append(
                    model.Conversation(
                        contributor,
                        ranges,
                        model_id=model_id,
                        agent=agent,
                        session=session,
                        confidence=confidence,
                        evidence=evidence,
                    )
                )
        if conversations:
            files.append(model.FileAttribution(path, blob, conversations))
    return files


def _sort_key(key: _Key) -> tuple[str, ...]:
    return tuple("" if part is None else str(part) for part in key)


# -- blobs of the new commits --------------------------------------------------------------------
class _Texts:
    """The new commits' blobs at the paths that get ranges, read with one ``cat-file --batch``."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._wanted: set[str] = set()
        self._read: dict[str, tuple[str, bytes]] = {}

    def want(self, commit: str, path: str) -> None:
        self._wanted.add(f"{commit}:{path}")

    def load(self) -> None:
        specs = [s for s in sorted(self._wanted - set(self._read)) if "\n" not in s]
        self._read.update(read_blobs(self.repo, specs))

    def blob(self, commit: str, path: str) -> str | None:
        found = self._read.get(f"{commit}:{path}")
        return found[0] if found else None

    def lines(self, commit: str, path: str) -> list[str] | None:
        found = self._read.get(f"{commit}:{path}")
        if found is None or b"\0" in found[1][:8000]:
            return None  # missing, or binary: no line ranges
        return split_lines(found[1])


def split_lines(data: bytes) -> list[str]:
    """A blob's lines as git counts them (LF-terminated; a last line without LF counts)."""
    text = data.decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_blobs(repo: Repo, specs: Sequence[str]) -> dict[str, tuple[str, bytes]]:
    """``rev:path`` -> (blob id, content) for many specs with one ``git cat-file --batch``."""
    if not specs:
        return {}
    stdin = "".join(s + "\n" for s in specs).encode("utf-8", "surrogateescape")
    data = repo.git(["cat-file", "--batch"], input=stdin, timeout=_BLOB_TIMEOUT).stdout
    found: dict[str, tuple[str, bytes]] = {}
    pos = 0
    for spec in specs:
        end = data.find(b"\n", pos)
        if end < 0:
            break
        header = data[pos:end].split(b" ")
        pos = end + 1
        if len(header) != 3 or header[1] not in (b"blob", b"tree", b"commit", b"tag"):
            continue  # "<spec> missing" / "ambiguous"
        size = int(header[2])
        if header[1] == b"blob":
            found[spec] = (header[0].decode(), data[pos : pos + size])
        pos += size + 1
    return found


# -- the operation ---------------------------------------------------------------------------------
def group_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """new -> the old commits it was made from, in rewrite order (squashes have several)."""
    groups: dict[str, list[str]] = {}
    for old, new in pairs:
        if old != new and old not in groups.setdefault(new, []):
            groups[new].append(old)
    return {new: olds for new, olds in groups.items() if olds}


def _needs_work(olds: Sequence[str], infos: Mapping[str, _Commit]) -> bool:
    if any(infos[o].attribution for o in olds):
        return True
    keys = [infos[o].key for o in olds]
    return len(olds) > 1 and len({k[0] for k in keys if k is not None}) > 1


def _ask_git(
    repo: Repo, groups: Mapping[str, Sequence[str]], infos: Mapping[str, _Commit]
) -> _Plan:
    commits = sorted({c for new, olds in groups.items() for c in (new, *olds)})
    specs = [f"{c}^{{tree}}" for c in commits] + [f"{c}^^{{tree}}" for c in commits]
    for commit in commits:
        specs.extend(f"{commit}:{entry.path}" for _, entry in infos[commit].attribution)
    found = linemap.resolve(repo, specs)
    trees = {c: found[f"{c}^{{tree}}"] for c in commits if f"{c}^{{tree}}" in found}
    parents = {c: found[f"{c}^^{{tree}}"] for c in commits if f"{c}^^{{tree}}" in found}
    pairs: list[tuple[str, str]] = []
    for new, olds in groups.items():
        for commit in (new, *olds):
            if commit in trees:
                pairs.append(
                    (parents.get(commit) or linemap.empty_tree(trees[commit]), trees[commit])
                )
        pairs.extend((trees[o], trees[new]) for o in olds if o in trees and new in trees)
    return _Plan(trees, parents, found, linemap.diff_trees(repo, pairs))


def _want_texts(
    plan: _Plan, groups: Mapping[str, Sequence[str]], infos: Mapping[str, _Commit], texts: _Texts
) -> None:
    """Every path of a new commit that may get ranges."""
    for new, olds in groups.items():
        introduced = plan.introduced(new)
        if introduced is not None:
            for path in introduced.by_new:
                texts.want(new, path)
        for old in olds:
            diff = plan.diff(old, new)
            for _, entry in infos[old].attribution:
                where = entry.path if diff is None else diff.follow(entry.path)[0]
                if where is not None:
                    texts.want(new, where)
            source = plan.introduced(old)
            if diff is not None and source is not None:
                for path in source.by_new:
                    moved = diff.follow(path)[0]
                    if moved is not None:
                        texts.want(new, moved)
    texts.load()


def remap(
    repo: Repo,
    pairs: Iterable[tuple[str, str]],
    operation: str,
    *,
    texts: Mapping[str, str] | None = None,
    everyone: bool = False,
) -> dict[str, list[str]]:
    """new commit -> the remapped attribution record lines to union into its note.

    ``texts`` may hold the note texts already read (old and new commits); the others are read
    in one bulk pass. ``everyone``: also new commits whose sources hold no attribution (the
    rewrite's own lines still get their origin).
    """
    from aibom.notes.store import NotesStore

    groups = group_pairs(pairs)
    if not groups:
        return {}
    commits = {c for new, olds in groups.items() for c in (new, *olds)}
    known = dict(texts or {})
    missing = commits - set(known)
    if missing:
        known.update(NotesStore(repo).read_texts(missing))
    infos = {c: _Commit(known.get(c, "")) for c in commits}
    _read_trailers(repo, groups, infos)
    groups = {new: olds for new, olds in groups.items() if everyone or _needs_work(olds, infos)}
    if not groups:
        return {}
    plan = _ask_git(repo, groups, infos)
    blobs = _Texts(repo)
    _want_texts(plan, groups, infos, blobs)
    result: dict[str, list[str]] = {}
    for new, olds in groups.items():
        records = _new_records(plan, operation, new, olds, infos, blobs)
        if records:
            result[new] = [r.line for r in records]
    return result


# -- whole-history rewrites (git filter-repo) ------------------------------------------------------
_NULL = frozenset("0")


class RemapOutcome(Value):
    __slots__ = ("attribution_records", "gone", "notes_changed", "pairs")
    pairs: int
    notes_changed: int
    attribution_records: int
    gone: int  # old commits no longer in the repository (ranges found again by content hash)

    def __init__(self, pairs: int, notes_changed: int, attribution_records: int, gone: int) -> None:
        self._set(
            pairs=pairs,
            notes_changed=notes_changed,
            attribution_records=attribution_records,
            gone=gone,
        )


def parse_commit_map(data: str) -> list[tuple[str, str]]:
    """filter-repo's ``commit-map``: a header line ``old new``, then ``<old> <new>`` per commit.

    A new id of zeros (the commit was pruned) has nowhere to go and is left out.
    """
    from aibom.errors import UsageError

    pairs: list[tuple[str, str]] = []
    for number, line in enumerate(data.splitlines(), 1):
        parts = line.split()
        if not parts or (number == 1 and parts == ["old", "new"]):
            continue
        if len(parts) != 2 or not all(linemap.is_oid(p) for p in parts):
            raise UsageError(
                f"commit map line {number} is not '<old sha> <new sha>': {line[:80]!r}",
                hint="pass the map git filter-repo writes: .git/filter-repo/commit-map",
            )
        old, new = parts
        if set(new) != _NULL and old != new:
            pairs.append((old, new))
    return pairs


def remap_history(repo: Repo, pairs: Sequence[tuple[str, str]]) -> RemapOutcome:
    """Carry every record of each old commit to its new one and remap the line ranges."""
    from aibom.notes import rewrite as notes_rewrite

    olds = sorted({old for old, _ in pairs})
    present = linemap.resolve(repo, [f"{old}^{{commit}}" for old in olds])
    changed, remapped = notes_rewrite.carry_notes(
        repo, pairs, "aibom: notes follow a history rewrite", "filter-repo"
    )
    return RemapOutcome(len(pairs), changed, remapped, len(olds) - len(present))


# -- split commits (``edit``, ``git reset HEAD^``, several commits, ``rebase --continue``) --------
def _onto(repo: Repo) -> str | None:
    for name in ("rebase-merge", "rebase-apply"):
        try:
            with open(os.path.join(repo.git_dir, name, "onto"), encoding="utf-8") as fh:
                found = fh.read().strip()
        except OSError:
            continue
        if linemap.is_oid(found):
            return found
    return None


def split_parts(repo: Repo, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(old, part)`` for the commits an ``edit`` stop made before the one git maps.

    git maps the edited commit only to the commit HEAD was at ``rebase --continue``; the
    earlier parts (of a split, or the picked commit when more commits were added on top of
    it) are new commits between it and the previous rewritten commit (or the rebase's
    ``onto``). One ``git rev-list --parents`` finds them while the rebase's state
    directory still exists (post-rewrite runs before it is removed).
    """
    onto = _onto(repo)
    made = _committed_in_this_rebase(repo)
    if onto is None or not pairs or not made:
        return []
    targets: dict[str, str] = {}
    for old, new in pairs:
        targets[new] = old  # a squash's last source
    argv = ["rev-list", "--parents", "--stdin"]
    stdin = "".join(f"{new}\n" for new in targets) + f"^{onto}\n"
    proc = repo.git(argv, input=stdin.encode(), check=False, timeout=linemap.DIFF_TIMEOUT)
    if proc.returncode != 0:
        return []
    first_parent: dict[str, str | None] = {}
    for line in proc.stdout.decode().splitlines():
        parts = line.split()
        if parts:
            first_parent[parts[0]] = parts[1] if len(parts) > 1 else None
    extra: list[tuple[str, str]] = []
    olds = set(targets.values())
    for new, old in targets.items():
        part = first_parent.get(new)
        while part is not None and part in made and part not in targets and part not in olds:
            extra.append((old, part))
            part = first_parent.get(part)
    return extra


def _committed_in_this_rebase(repo: Repo) -> set[str]:
    """Commits made at ``edit`` stops since the rebase started (from the HEAD reflog): the
    picked commit itself and what ``git commit`` added after it or instead of it."""
    try:
        with open(os.path.join(repo.git_dir, "logs", "HEAD"), "rb") as fh:
            data = fh.read()
    except OSError:
        return set()
    made: set[str] = set()
    for raw in reversed(data.rstrip(b"\n").split(b"\n")):
        head, _, message = raw.partition(b"\t")
        action = message.split(b": ", 1)[0]
        if action.endswith(b"(start)"):
            break
        oids = head.split(b" ", 2)
        if len(oids) == 3 and action.startswith((b"commit", b"rebase (edit)")):
            made.add(oids[1].decode())
    return made
