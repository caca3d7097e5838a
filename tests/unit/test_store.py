"""aibom.notes.store against real git: bulk reads, locked appends, fast-import batches."""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Callable

import pytest

from aibom import gitutil
from aibom.notes.records import Record
from aibom.notes.store import NotesStore, cat_blobs
from tests.conftest import GitRepo

REF = "refs/notes/aibom"


def rec(source: str) -> str:
    return Record.create(
        "rewrite",
        {"operation": "remap", "sources": [source], "tool": {"name": "aibom", "version": "0"}},
    ).line


def many_commits(repo: GitRepo, count: int) -> list[str]:
    """``count`` commits on main in one git fast-import."""
    chunks = []
    for i in range(count):
        msg = f"c{i}".encode()
        chunks.append(
            b"commit refs/heads/main\ncommitter T <t@e> %d +0000\n" % (1700000000 + i)
            + b"data %d\n%s\n" % (len(msg), msg)
            + b"M 644 inline f.txt\ndata %d\n%s\n" % (len(msg), msg)
        )
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo.path, input=b"".join(chunks), check=True
    )
    return repo.git("rev-list", "--reverse", "main").stdout.split()


def note_paths(repo: GitRepo) -> list[str]:
    return repo.git("ls-tree", "-r", "--name-only", REF).stdout.split()


@pytest.fixture
def store_repo(make_repo: Callable[..., GitRepo]) -> tuple[GitRepo, NotesStore]:
    repo = make_repo()
    return repo, NotesStore(gitutil.discover(repo.path))


def test_append_unions_and_reports_change(store_repo: tuple[GitRepo, NotesStore]) -> None:
    repo, store = store_repo
    sha = repo.commit("one")
    a, b = rec("a" * 40), rec("b" * 40)
    assert store.append(sha, [b]) is True
    assert store.append(sha, [a, b]) is True
    assert store.append(sha, [a]) is False  # nothing new
    assert repo.note(sha) == "".join(x + "\n" for x in sorted([a, b]))
    note = store.read(sha)
    assert [r.line for r in note.records] == sorted([a, b]) and note.bad == ()
    # one notes commit per change, not per call
    assert repo.git("rev-list", "--count", REF).stdout.strip() == "2"


def test_append_keeps_foreign_lines_byte_for_byte(
    store_repo: tuple[GitRepo, NotesStore],
) -> None:
    repo, store = store_repo
    sha = repo.commit("one")
    odd = b"  leading and trailing space  \r\nnot json {\n\xff\xfe latin-1 \xe9\n"
    blob = repo.hash_object(odd)
    repo.git("notes", "--ref", REF, "add", "-C", blob, sha)
    assert store.append(sha, [rec("a" * 40)])
    raw = subprocess.run(
        ["git", "notes", "--ref", REF, "show", sha], cwd=repo.path, capture_output=True, check=True
    ).stdout
    for line in odd.split(b"\n")[:-1]:
        assert line in raw.split(b"\n")
    assert rec("a" * 40).encode() in raw
    note = store.read(sha)
    assert len(note.records) == 1 and len(note.bad) == 3


def test_bulk_read(store_repo: tuple[GitRepo, NotesStore]) -> None:
    repo, store = store_repo
    shas = [repo.commit(f"c{i}") for i in range(3)]
    store.append(shas[0], [rec("a" * 40)])
    store.append(shas[2], [rec("c" * 40), "garbage"])
    listing = store.listing()
    assert set(listing) == {shas[0], shas[2]}
    texts = store.read_texts()
    assert texts[shas[0]] == rec("a" * 40) + "\n"
    assert store.read_texts([shas[1], shas[2]]).keys() == {shas[2]}
    notes = store.read_all()
    assert len(notes[shas[2]].records) == 1 and notes[shas[2]].bad[0].line == "garbage"
    assert store.read(shas[1]).records == ()
    blobs = cat_blobs(store.repo, [listing[shas[0]], "0" * 40, listing[shas[0]]])
    assert blobs == {listing[shas[0]]: (rec("a" * 40) + "\n").encode()}


def test_empty_store(store_repo: tuple[GitRepo, NotesStore]) -> None:
    repo, store = store_repo
    repo.commit("one")
    assert store.listing() == {} and store.read_texts() == {} and store.read_all() == {}
    assert store.append_many({}, "nothing") == 0


def test_append_many_on_fanned_out_notes_tree(store_repo: tuple[GitRepo, NotesStore]) -> None:
    repo, store = store_repo
    shas = many_commits(repo, 300)
    # git itself writes 300 notes (one process): it fans the notes tree out
    first = rec("0" * 40)
    store.append(shas[0], [first])
    pairs = "".join(f"{shas[0]} {s}\n" for s in shas[1:290])
    repo.git("notes", "--ref", REF, "copy", "--stdin", input=pairs)
    paths = note_paths(repo)
    assert len(paths) == 290 and all(p[2] == "/" for p in paths), paths[:3]

    extra = rec("e" * 40)
    changed = store.append_many(
        {
            shas[5]: [extra],  # an existing note, fanned out: replaced by the union
            shas[6]: [first],  # already there: unchanged
            shas[295]: [extra],  # a new note
        },
        "aibom: test batch",
    )
    assert changed == 2
    paths = note_paths(repo)
    objects = Counter(p.replace("/", "") for p in paths)
    assert len(objects) == 291 and max(objects.values()) == 1  # no duplicate note
    assert repo.note(shas[5]) == "".join(x + "\n" for x in sorted([first, extra]))
    assert repo.note(shas[6]) == first + "\n"
    assert repo.note(shas[295]) == extra + "\n"
    assert repo.git("log", "-1", "--format=%s", REF).stdout.strip() == "aibom: test batch"
    # git agrees: one note per object, and git notes add still works on the result
    assert len(repo.git("notes", "--ref", REF, "list").stdout.splitlines()) == 291
    assert store.append(shas[7], [extra]) is True
    assert len(store.listing()) == 291


def test_append_many_flat_to_fanned_out(store_repo: tuple[GitRepo, NotesStore]) -> None:
    """fast-import alone, crossing the 256-note threshold in one batch and then another."""
    repo, store = store_repo
    shas = many_commits(repo, 280)
    line = rec("1" * 40)
    assert store.append_many({s: [line] for s in shas[:200]}, "first") == 200
    assert store.append_many({s: [line, rec(s)] for s in shas[150:280]}, "second") == 130
    objects = Counter(p.replace("/", "") for p in note_paths(repo))
    assert len(objects) == 280 and max(objects.values()) == 1
    assert repo.note(shas[160]) == "".join(x + "\n" for x in sorted([line, rec(shas[160])]))
    assert repo.note(shas[10]) == line + "\n"


def test_writes_without_a_git_identity(
    store_repo: tuple[GitRepo, NotesStore], hermetic: dict[str, str]
) -> None:
    repo, store = store_repo
    sha = repo.commit("one")
    with open(hermetic["GIT_CONFIG_GLOBAL"], "w") as fh:
        fh.write("[user]\n\tuseConfigOnly = true\n")
    assert repo.git("var", "GIT_COMMITTER_IDENT", check=False).returncode != 0
    assert store.append(sha, [rec("a" * 40)])
    assert store.append_many({sha: [rec("b" * 40)]}, "batch") == 1
    assert len(store.read(sha).records) == 2
    assert "aibom@localhost" in repo.git("log", "--format=%ce", REF).stdout
