"""Read and append records on ``refs/notes/aibom``.

Reads are bulk (one ``git notes list`` plus one ``git cat-file --batch``); single appends use
``git notes add`` under the repository lock; batches use one ``git fast-import``.
"""

from __future__ import annotations

import os
import time

from aibom import gitutil
from aibom._value import Value
from aibom.errors import GitError
from aibom.gitutil import Repo
from aibom.notes.lock import locked
from aibom.notes.records import BadLine, Record, merge_lines, note_lines, parse_note

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

# Notes commits need an author and a committer; with no identity configured
# (user.useConfigOnly, CI) aibom signs its own notes commits.
FALLBACK_IDENT = {
    "GIT_AUTHOR_NAME": "aibom",
    "GIT_AUTHOR_EMAIL": "aibom@localhost",
    "GIT_COMMITTER_NAME": "aibom",
    "GIT_COMMITTER_EMAIL": "aibom@localhost",
}


class Note(Value):
    __slots__ = ("bad", "commit", "records")
    commit: str
    records: tuple[Record, ...]
    bad: tuple[BadLine, ...]

    def __init__(self, commit: str, records: tuple[Record, ...], bad: tuple[BadLine, ...]) -> None:
        self._set(commit=commit, records=tuple(records), bad=tuple(bad))


class NotesStore:
    def __init__(self, repo: Repo, ref: str = gitutil.NOTES_REF) -> None:
        self.repo = repo
        self.ref = ref

    # -- reading ---------------------------------------------------------------------------
    def read_text(self, commit: str) -> str:
        proc = self.repo.git(["notes", "--ref", self.ref, "show", commit], check=False)
        if proc.returncode != 0:
            return ""
        return proc.stdout.decode("utf-8", "surrogateescape")

    def read(self, commit: str) -> Note:
        records, bad = parse_note(self.read_text(commit))
        return Note(commit, tuple(records), tuple(bad))

    def listing(self) -> dict[str, str]:
        """annotated object -> note blob, for every note on the ref."""
        proc = self.repo.git(["notes", "--ref", self.ref, "list"], check=False)
        if proc.returncode != 0:
            return {}
        result: dict[str, str] = {}
        for line in proc.stdout.decode().splitlines():
            blob, _, obj = line.partition(" ")
            if obj:
                result[obj] = blob
        return result

    def read_texts(self, commits: Iterable[str] | None = None) -> dict[str, str]:
        """Raw note text per commit, in bulk. ``commits`` must be full object names."""
        listing = self.listing()
        if commits is not None:
            wanted = set(commits)
            listing = {c: b for c, b in listing.items() if c in wanted}
        blobs = cat_blobs(self.repo, list(listing.values()))
        return {c: blobs.get(b, b"").decode("utf-8", "surrogateescape") for c, b in listing.items()}

    def read_all(self, commits: Iterable[str] | None = None) -> dict[str, Note]:
        notes: dict[str, Note] = {}
        for commit, text in self.read_texts(commits).items():
            records, bad = parse_note(text)
            notes[commit] = Note(commit, tuple(records), tuple(bad))
        return notes

    # -- writing ---------------------------------------------------------------------------
    def append(self, commit: str, lines: Sequence[str]) -> bool:
        """Union ``lines`` into the note of ``commit``. Returns False when nothing changed.

        The common case (a new commit, no note yet) costs one git call: ``notes add`` without
        ``-f`` either creates the note or reports that one exists, and only then is it read.
        """
        with locked(os.path.join(self.repo.shared_dir, "notes.lock")):
            fresh = merge_lines(lines)
            if fresh and _stripspace_safe(fresh) and self._create(commit, fresh):
                return True
            existing = note_lines(self.read_text(commit))
            merged = merge_lines(existing, lines)
            if merged == merge_lines(existing):
                return False
            self._write_one(commit, merged)
            return True

    def _notes_add(self, args: list[str], data: bytes | None) -> gitutil.Completed:
        proc = self.repo.git(args, input=data, check=False)
        if proc.returncode != 0 and _ident_missing(proc.stderr):
            proc = self.repo.git(args, input=data, check=False, env=FALLBACK_IDENT)
        return proc

    def _create(self, commit: str, text: str) -> bool:
        """Add a note where none exists; False when ``commit`` already has one."""
        args = ["notes", "--ref", self.ref, "add", "-F", "-", commit]
        proc = self._notes_add(args, text.encode("utf-8", "surrogateescape"))
        if proc.returncode == 0:
            return True
        if b"existing notes" in proc.stderr:
            return False
        raise GitError(["git", *args], proc.returncode, proc.stderr.decode("utf-8", "replace"))

    def _write_one(self, commit: str, text: str) -> None:
        data = text.encode("utf-8", "surrogateescape")
        if _stripspace_safe(text):
            args = ["notes", "--ref", self.ref, "add", "-f", "-F", "-", commit]
            proc = self._notes_add(args, data)
        else:
            # ``-C blob`` stores the bytes as they are; ``-F -`` would run git's stripspace
            # over them (trailing whitespace, CRs), changing foreign lines kept verbatim.
            blob = self.repo.git(["hash-object", "-w", "--stdin"], input=data).stdout
            args = ["notes", "--ref", self.ref, "add", "-f", "-C", blob.decode().strip(), commit]
            proc = self._notes_add(args, None)
        if proc.returncode != 0:
            raise GitError(["git", *args], proc.returncode, proc.stderr.decode("utf-8", "replace"))

    def append_many(self, additions: Mapping[str, Sequence[str]], message: str) -> int:
        """Union many notes in one ``git fast-import``; returns how many notes changed."""
        if not additions:
            return 0
        with locked(os.path.join(self.repo.shared_dir, "notes.lock")):
            existing = self.read_texts(additions.keys())
            changed: dict[str, str] = {}
            for commit, lines in additions.items():
                old = note_lines(existing.get(commit, ""))
                merged = merge_lines(old, lines)
                if merged != merge_lines(old):
                    changed[commit] = merged
            if changed:
                self._fast_import(changed, message)
            return len(changed)

    def _fast_import(self, notes: Mapping[str, str], message: str) -> None:
        tip = self.repo.git(["rev-parse", "-q", "--verify", self.ref + "^{commit}"], check=False)
        parent = tip.stdout.decode().strip() if tip.returncode == 0 else ""
        ident = committer_ident(self.repo)
        header = f"commit {self.ref}\ncommitter {ident} {int(time.time())} +0000\n"
        chunks: list[bytes] = [header.encode()]
        chunks.append(_data(message.encode("utf-8")))
        if parent:
            chunks.append(f"from {parent}\n".encode())
        for commit, text in notes.items():
            chunks.append(f"N inline {commit}\n".encode())
            chunks.append(_data(text.encode("utf-8", "surrogateescape")))
        chunks.append(b"\n")
        self.repo.git(["fast-import", "--quiet"], input=b"".join(chunks))


def _stripspace_safe(text: str) -> bool:
    """True when git's stripspace (``notes add -F``) would leave ``text`` unchanged."""
    return all(line and line == line.rstrip() for line in text.split("\n")[:-1]) and (
        text.endswith("\n")
    )


def _data(payload: bytes) -> bytes:
    return f"data {len(payload)}\n".encode() + payload + b"\n"


def _ident_missing(stderr: bytes) -> bool:
    text = stderr.decode("utf-8", "replace")
    return "tell me who you are" in text or "unable to auto-detect" in text or "empty ident" in text


def committer_ident(repo: Repo) -> str:
    proc = repo.git(["var", "GIT_COMMITTER_IDENT"], check=False)
    if proc.returncode == 0:
        ident = proc.stdout.decode("utf-8", "replace").strip()
        name_email = ident.rsplit(" ", 2)[0]
        if "<" in name_email:
            return name_email
    return "aibom <aibom@localhost>"


def cat_blobs(repo: Repo, oids: Sequence[str]) -> dict[str, bytes]:
    """Contents of many objects with one ``git cat-file --batch``."""
    if not oids:
        return {}
    unique = list(dict.fromkeys(oids))
    proc = repo.git(
        ["cat-file", "--batch"],
        input=("\n".join(unique) + "\n").encode("utf-8", "surrogateescape"),
    )
    data = proc.stdout
    result: dict[str, bytes] = {}
    pos = 0
    for oid in unique:
        end = data.index(b"\n", pos)
        line = data[pos:end]
        pos = end + 1
        # "<name> missing" / "<name> ambiguous" echo the name asked for, which may hold spaces
        if line.endswith((b" missing", b" ambiguous")):
            continue
        header = line.split()  # "<oid> <type> <size>"
        if len(header) < 3:
            continue
        size = int(header[2])
        result[oid] = data[pos : pos + size]
        pos += size + 1
    return result
