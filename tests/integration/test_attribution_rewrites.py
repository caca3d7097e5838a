"""Line ranges follow the code through history rewrites (issue 3, Rewrites).

Attribution records are written directly (``Record.create`` + ``NotesStore``) onto commits made
through the installed hooks, then history is rewritten with real git and the ranges on the new
commits' blobs are asserted exactly: shifted, cut where content changed, kept where only
whitespace changed, followed across renames, united on squash.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aibom import __version__
from aibom.attribution import model
from aibom.gitutil import discover
from aibom.notes.records import Record
from aibom.notes.store import NotesStore
from tests.conftest import GitRepo

OPUS = "anthropic/claude-opus-4-5-20251101"
GPT = "openai/gpt-5-2025-08-07"
AI_ENV = {"CLAUDECODE": "1"}
NO_HOOKS = ("-c", "core.hooksPath=/dev/null")

EDITOR = r"""
import sys
op, path = sys.argv[1], sys.argv[-1]
lines = open(path).read().splitlines()
picks = [i for i, line in enumerate(lines) if line.startswith("pick ")]
if op == "reverse":
    old = [lines[i] for i in picks]
    for i, line in zip(picks, reversed(old)):
        lines[i] = line
elif op in ("squash", "fixup"):
    for i in picks[1:]:
        lines[i] = op + lines[i][4:]
elif op == "edit-first":
    lines[picks[0]] = "edit" + lines[picks[0]][4:]
open(path, "w").write("\n".join(lines) + "\n")
"""

# (contributor, model_id) -> ranges
Spans = dict[tuple[str, str | None], list[tuple[int, int]]]


# -- helpers -------------------------------------------------------------------------------------
def numbered(prefix: str, count: int, start: int = 1) -> list[str]:
    return [f"{prefix}{i} = {i}" for i in range(start, start + count)]


def text(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def blob_of(repo: GitRepo, rev: str, path: str) -> str:
    return repo.git("rev-parse", f"{rev}:{path}").stdout.strip()


def file_lines(repo: GitRepo, rev: str, path: str) -> list[str]:
    return repo.git("show", f"{rev}:{path}").stdout.splitlines()


def attribute(
    repo: GitRepo,
    rev: str,
    path: str,
    lines: list[int] | range,
    *,
    contributor: str = "ai",
    model_id: str | None = OPUS,
    session: str = "s-1",
) -> None:
    """Write an attribution record for ``lines`` of ``path`` in ``rev`` (as a checkpoint would)."""
    sha = repo.git("rev-parse", rev).stdout.strip()
    content = file_lines(repo, sha, path)
    conversation = model.Conversation(
        contributor,
        model.ranges_for(lines, content),
        model_id=model_id,
        agent="claude-code/2.0.14",
        session=session,
        confidence=0.95,
        evidence="hook-observed",
    )
    entry = model.FileAttribution(path, blob_of(repo, sha, path), [conversation])
    record = Record.create("attribution", model.to_body([entry], __version__, ("checkpoint", None)))
    assert NotesStore(discover(repo.path)).append(sha, [record.line])


def records(repo: GitRepo, rev: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in repo.note(rev).splitlines() if line.strip()]


def spans(repo: GitRepo, rev: str, path: str, *, source: str = "rewrite") -> Spans:
    """The ranges that hold for ``path`` in ``rev``: entries naming its real blob, of ``source``."""
    blob = blob_of(repo, rev, path)
    found: Spans = {}
    for record in records(repo, rev):
        if record["kind"] != "attribution" or record.get("source", {}).get("type") != source:
            continue
        for entry in model.from_data(record):
            if entry.path != path or entry.blob != blob:
                continue
            for c in entry.conversations:
                found.setdefault((c.contributor, c.model_id), []).extend(
                    (r.start, r.end) for r in c.ranges
                )
    return {k: sorted(v) for k, v in found.items()}


def hashes_hold(repo: GitRepo, rev: str, path: str) -> None:
    """Every remapped range's content hash is the hash of the new blob's lines it names."""
    content = file_lines(repo, rev, path)
    blob = blob_of(repo, rev, path)
    checked = 0
    for record in records(repo, rev):
        if record["kind"] != "attribution":
            continue
        for entry in model.from_data(record):
            if entry.path == path and entry.blob == blob:
                for c in entry.conversations:
                    for r in c.ranges:
                        expected = model.content_hash(content[r.start - 1 : r.end])
                        assert r.content_hash == expected
                        checked += 1
    assert checked


def by_subject(repo: GitRepo, rev_range: str) -> dict[str, str]:
    out = repo.git("log", "--format=%H %s", rev_range).stdout
    return {line.split(" ", 1)[1]: line.split(" ", 1)[0] for line in out.splitlines()}


def plain_commit(repo: GitRepo, message: str, files: dict[str, str]) -> str:
    for name, content in files.items():
        repo.write(name, content)
        repo.git("add", name)
    repo.git(*NO_HOOKS, "commit", "-q", "-m", message)
    return repo.head()


def sequence_editor(tmp_path: Path, op: str) -> dict[str, str]:
    script = tmp_path / "seq_editor.py"
    script.write_text(EDITOR)
    return {"GIT_SEQUENCE_EDITOR": f"{sys.executable} {script} {op}"}


def strip_rewrite_config(repo: GitRepo) -> None:
    repo.git("config", "--unset-all", "notes.rewriteRef")
    repo.git("config", "--unset-all", "notes.rewriteMode")


@pytest.fixture(params=["installed-config", "hook-only"])
def rrepo(request: pytest.FixtureRequest, make_repo: Callable[..., GitRepo]) -> GitRepo:
    repo = make_repo(install=True)
    if request.param == "hook-only":
        strip_rewrite_config(repo)
    return repo


def blame_origins(repo: GitRepo, path: str) -> list[tuple[str, str | None]]:
    """(origin, model) per line of ``path`` at HEAD, from the blame engine."""
    from aibom.attribution.blame import BlameOptions, blame_files

    lines = blame_files(discover(repo.path), [path], BlameOptions())[path]
    return [(line.origin, line.model) for line in lines]


# -- amend ---------------------------------------------------------------------------------------
def test_human_amend_shifts_cuts_and_keeps_whitespace_edits(rrepo: GitRepo) -> None:
    lines = numbered("x", 6)
    old = rrepo.commit("feature", files={"x.py": text(lines)}, env=AI_ENV)
    attribute(rrepo, old, "x.py", range(1, 7))
    edited = ["import os", *lines]  # a new first line
    edited[3] = "x3 = 'changed by a person'"  # old line 3
    edited[4] = "    " + lines[3]  # old line 4, re-indented only
    rrepo.write("x.py", text(edited))
    rrepo.git("add", "x.py")
    rrepo.git("commit", "-q", "--amend", "--no-edit")
    new = rrepo.head()
    assert new != old
    assert spans(rrepo, new, "x.py") == {
        ("ai", OPUS): [(2, 3), (5, 7)],  # old 1-2 and 4-6, shifted by one; 4 only re-indented
        ("human", None): [(1, 1), (4, 4)],  # the amend's own lines
    }
    hashes_hold(rrepo, new, "x.py")
    # the copied checkpoint record names the old blob: stale, so it no longer applies
    assert spans(rrepo, new, "x.py", source="checkpoint") == {}
    remapped = [r for r in records(rrepo, new) if r.get("source", {}).get("type") == "rewrite"]
    assert [r["source"]["ref"] for r in remapped] == [old]
    evidence = {c["evidence"] for r in remapped for f in r["files"] for c in f["conversations"]}
    assert evidence == {"hook-observed", "inferred"}  # carried evidence kept


@pytest.mark.parametrize("seed", range(4))
def test_random_amends_credit_exactly_the_surviving_ai_lines(repo: GitRepo, seed: int) -> None:
    """Random inserts, deletes, rewrites and re-indents, amended a few times in a row: after each
    amend the AI lines are exactly the original AI lines still there (whitespace aside), and
    every other line the amends wrote is human."""
    import random

    rng = random.Random(seed)
    lines = [f"v{seed}_{i} = {rng.randrange(10**6)}" for i in range(40)]
    ai = set(rng.sample(lines, 25))
    old = repo.commit("ai work", files={"r.py": text(lines)}, env=AI_ENV)
    attribute(repo, old, "r.py", [n for n, line in enumerate(lines, 1) if line in ai])
    written: set[str] = set()  # what the amends wrote (normalised)
    for round_ in range(3):
        for _ in range(8):
            i = rng.randrange(len(lines))
            action = rng.choice(["insert", "delete", "rewrite", "indent"])
            if action == "insert":
                lines.insert(i, f"p{round_}_{rng.randrange(10**6)} = 0")
                written.add(model.normalize_line(lines[i]))
            elif action == "delete" and len(lines) > 5:
                del lines[i]
            elif action == "rewrite":
                lines[i] = f"r{round_}_{rng.randrange(10**6)} = 1"
                written.add(model.normalize_line(lines[i]))
            else:
                lines[i] = "    " + lines[i]
        repo.write("r.py", text(lines))
        repo.git("add", "r.py")
        repo.git("commit", "-q", "--amend", "--no-edit")
        found = spans(repo, "HEAD", "r.py")
        credited = {n for s, e in found.get(("ai", OPUS), []) for n in range(s, e + 1)}
        ai_norm = {model.normalize_line(line) for line in ai}
        expected = {n for n, line in enumerate(lines, 1) if model.normalize_line(line) in ai_norm}
        assert credited == expected
        human = {n for s, e in found.get(("human", None), []) for n in range(s, e + 1)}
        assert human == {n for n, ln in enumerate(lines, 1) if model.normalize_line(ln) in written}
        hashes_hold(repo, "HEAD", "r.py")


def test_amend_with_git_mv_and_an_edit_follows_the_rename(rrepo: GitRepo) -> None:
    lines = numbered("m", 8)
    old = rrepo.commit("module", files={"old_name.py": text(lines)}, env=AI_ENV)
    attribute(rrepo, old, "old_name.py", range(3, 9))
    rrepo.git("mv", "old_name.py", "pkg_new.py")
    edited = list(lines)
    edited[4] = "m5 = 'edited'"
    rrepo.write("pkg_new.py", text(edited))
    rrepo.git("add", "pkg_new.py")
    rrepo.git("commit", "-q", "--amend", "--no-edit")
    new = rrepo.head()
    assert rrepo.git("ls-tree", "--name-only", new).stdout.split() == ["pkg_new.py"]
    assert spans(rrepo, new, "pkg_new.py") == {
        ("ai", OPUS): [(3, 4), (6, 8)],
        ("ai", None): [(1, 2)],  # no range covered them: the commit's own (env-detected) origin
        ("human", None): [(5, 5)],
    }
    hashes_hold(rrepo, new, "pkg_new.py")


def test_amend_without_attribution_adds_no_attribution(rrepo: GitRepo) -> None:
    old = rrepo.commit("plain", files={"p.txt": "a\n"}, env=AI_ENV)
    rrepo.git("commit", "-q", "--amend", "-m", "plain, reworded")
    assert rrepo.note() == rrepo.note(old)  # the generation record moved, nothing else


def test_crlf_to_lf_is_whitespace_and_deleted_or_binary_files_drop_out(rrepo: GitRepo) -> None:
    """A formatter's line-ending change keeps credit; files that are gone or binary get none."""
    lines = numbered("w", 4)
    files = {
        "win.py": "".join(line + "\r\n" for line in lines),
        "gone.py": text(lines),
        "img.dat": text(lines),
    }
    old = rrepo.commit("three files", files=files, env=AI_ENV)
    for path in files:
        attribute(rrepo, old, path, [2, 3])
    (rrepo.path / "win.py").write_bytes(text(lines).encode())  # CRLF -> LF
    rrepo.git("rm", "-q", "gone.py")
    (rrepo.path / "img.dat").write_bytes(b"\x00\x01binary\x00" + text(lines).encode())
    rrepo.git("add", "win.py", "img.dat")
    rrepo.git("commit", "-q", "--amend", "--no-edit")
    new = rrepo.head()
    assert spans(rrepo, new, "win.py") == {("ai", OPUS): [(2, 3)], ("ai", None): [(1, 1), (4, 4)]}
    assert spans(rrepo, new, "img.dat") == {}
    described = {f["path"] for r in records(rrepo, new) for f in r.get("files", ())}
    assert "gone.py" in described  # only the stale copy from the old commit names it
    assert all(
        f["path"] != "gone.py"
        for r in records(rrepo, new)
        if r.get("source", {}).get("type") == "rewrite"
        for f in r["files"]
    )


# -- rebase --------------------------------------------------------------------------------------
def _two_ai_commits(repo: GitRepo) -> tuple[str, str]:
    """base: f.py with 10 lines; topic: a-end (OPUS appends 3), a-top (GPT inserts 2 on top);
    main: m (a human inserts a line in the middle of the base lines)."""
    base = numbered("b", 10)
    plain_commit(repo, "base", {"f.py": text(base)})
    repo.git("checkout", "-q", "-b", "topic")
    end = repo.commit("a-end", files={"f.py": text(base + numbered("e", 3))}, env=AI_ENV)
    attribute(repo, end, "f.py", range(11, 14))
    top = numbered("t", 2) + base + numbered("e", 3)
    first = repo.commit("a-top", files={"f.py": text(top)}, env=AI_ENV)
    attribute(repo, first, "f.py", [1, 2], model_id=GPT, session="s-2")
    repo.git("checkout", "-q", "main")
    plain_commit(repo, "m", {"f.py": text([*base[:5], "mid = 0", *base[5:]])})
    repo.git("checkout", "-q", "topic")
    return end, first


def test_rebase_onto_a_changed_base_shifts_ranges(rrepo: GitRepo) -> None:
    _two_ai_commits(rrepo)
    rrepo.git("rebase", "-q", "main")
    new = by_subject(rrepo, "main..topic")
    assert spans(rrepo, new["a-end"], "f.py") == {("ai", OPUS): [(12, 14)]}
    assert spans(rrepo, new["a-top"], "f.py") == {("ai", GPT): [(1, 2)]}
    hashes_hold(rrepo, new["a-end"], "f.py")
    assert blame_origins(rrepo, "f.py") == (
        [("ai", GPT)] * 2 + [("unknown", None)] * 11 + [("ai", OPUS)] * 3  # no records: unknown
    )


def test_interactive_rebase_reorder(rrepo: GitRepo, tmp_path: Path) -> None:
    _two_ai_commits(rrepo)
    rrepo.git("rebase", "-q", "-i", "main", env=sequence_editor(tmp_path, "reverse"))
    order = rrepo.git("log", "--format=%s", "main..topic").stdout.split()
    assert order == ["a-end", "a-top"]
    new = by_subject(rrepo, "main..topic")
    # a-top now comes first: its lines are on top of main's file; a-end's follow all of it
    assert spans(rrepo, new["a-top"], "f.py") == {("ai", GPT): [(1, 2)]}
    assert spans(rrepo, new["a-end"], "f.py") == {("ai", OPUS): [(14, 16)]}
    hashes_hold(rrepo, new["a-top"], "f.py")
    assert blame_origins(rrepo, "f.py")[13:] == [("ai", OPUS)] * 3


def _ai_human_ai(repo: GitRepo) -> list[str]:
    """base; topic: a1 (OPUS writes 4 lines), h (a person edits a1's line 2 and adds one),
    a2 (GPT appends 2 lines)."""
    plain_commit(repo, "base", {"base.txt": "base\n"})
    repo.git("checkout", "-q", "-b", "topic")
    one = numbered("a", 4)
    a1 = repo.commit("a1", files={"s.py": text(one)}, env=AI_ENV)
    attribute(repo, a1, "s.py", range(1, 5))
    two = [one[0], "a2 = 'by a person'", one[2], one[3], "h = 1"]
    h = repo.commit("h", files={"s.py": text(two)})
    three = [*two, *numbered("g", 2)]
    a2 = repo.commit("a2", files={"s.py": text(three)}, env=AI_ENV)
    attribute(repo, a2, "s.py", [6, 7], model_id=GPT, session="s-2")
    return [a1, h, a2]


@pytest.mark.parametrize("op", ["squash", "fixup"])
def test_squash_of_two_ai_commits_with_a_human_commit_between(
    rrepo: GitRepo, tmp_path: Path, op: str
) -> None:
    olds = _ai_human_ai(rrepo)
    rrepo.git("rebase", "-q", "-i", "main", env=sequence_editor(tmp_path, op))
    assert rrepo.git("rev-list", "--count", "main..topic").stdout.strip() == "1"
    head = rrepo.head()
    assert spans(rrepo, head, "s.py") == {
        ("ai", OPUS): [(1, 1), (3, 4)],  # a1's lines the person did not touch
        ("human", None): [(2, 2), (5, 5)],  # h's lines: human, not the AI neighbours' credit
        ("ai", GPT): [(6, 7)],
    }
    hashes_hold(rrepo, head, "s.py")
    refs = sorted(r["source"].get("ref", "") for r in records(rrepo, head) if r.get("source"))
    assert refs.count(olds[0]) == 1 and refs.count(olds[2]) == 1
    assert blame_origins(rrepo, "s.py") == [
        ("ai", OPUS),
        ("human", None),
        ("ai", OPUS),
        ("ai", OPUS),
        ("human", None),
        ("ai", GPT),
        ("ai", GPT),
    ]


def test_squash_keeps_the_lines_of_a_trailer_only_ai_commit(rrepo: GitRepo, tmp_path: Path) -> None:
    """A commit with AI-* trailers and no note: its squashed lines keep its trailers' origin."""
    plain_commit(rrepo, "base", {"base.txt": "base\n"})
    rrepo.git("checkout", "-q", "-b", "topic")
    rrepo.write("t.py", text(numbered("t", 2)))
    rrepo.git("add", "t.py")
    message = f"trailer only\n\nAI-Origin: ai-generated\nAI-Model: {GPT}\n"
    rrepo.git(*NO_HOOKS, "commit", "-q", "-m", message)
    assert rrepo.note() == ""
    rrepo.commit("h", files={"t.py": text([*numbered("t", 2), "h = 1"])})
    a = rrepo.commit("a", files={"t.py": text([*numbered("t", 2), "h = 1", "a = 1"])}, env=AI_ENV)
    attribute(rrepo, a, "t.py", [4])
    rrepo.git("rebase", "-q", "-i", "main", env=sequence_editor(tmp_path, "squash"))
    assert spans(rrepo, "HEAD", "t.py") == {
        ("ai", GPT): [(1, 2)],
        ("human", None): [(3, 3)],
        ("ai", OPUS): [(4, 4)],
    }


def test_rebase_edit_stop_with_a_human_amend(rrepo: GitRepo, tmp_path: Path) -> None:
    _two_ai_commits(rrepo)
    proc = rrepo.git("rebase", "-i", "main", env=sequence_editor(tmp_path, "edit-first"))
    assert "Stopped" in proc.stdout + proc.stderr
    content = file_lines(rrepo, "HEAD", "f.py")
    content[12] = "e2 = 'reviewed by a person'"  # a-end's second line
    rrepo.write("f.py", text(content))
    rrepo.git("add", "f.py")
    rrepo.git("commit", "-q", "--amend", "--no-edit")
    rrepo.git("rebase", "--continue")
    new = by_subject(rrepo, "main..topic")
    assert spans(rrepo, new["a-end"], "f.py") == {
        ("ai", OPUS): [(12, 12), (14, 14)],
        ("human", None): [(13, 13)],
    }
    assert spans(rrepo, new["a-top"], "f.py") == {("ai", GPT): [(1, 2)]}


def test_rebase_edit_and_split_into_two_commits(rrepo: GitRepo, tmp_path: Path) -> None:
    """edit, reset HEAD^, commit the parts: git maps the old commit to the last part only."""
    plain_commit(rrepo, "base", {"base.txt": "base\n"})
    rrepo.git("checkout", "-q", "-b", "topic")
    both = rrepo.commit(
        "both", files={"a.py": text(numbered("a", 3)), "b.py": text(numbered("b", 4))}, env=AI_ENV
    )
    attribute(rrepo, both, "a.py", [1, 2, 3])
    attribute(rrepo, both, "b.py", [2, 3], model_id=GPT)
    rrepo.commit("later", files={"c.txt": "c\n"})
    proc = rrepo.git("rebase", "-i", "main", env=sequence_editor(tmp_path, "edit-first"))
    assert "Stopped" in proc.stdout + proc.stderr
    rrepo.git("reset", "-q", "HEAD^")
    rrepo.git("add", "a.py")
    rrepo.git("commit", "-q", "-m", "part a")  # a person splits the commit: human records
    rrepo.git("add", "b.py")
    rrepo.git("commit", "-q", "-m", "part b")
    rrepo.git("rebase", "--continue")
    new = by_subject(rrepo, "main..topic")
    assert set(new) == {"part a", "part b", "later"}
    assert spans(rrepo, new["part a"], "a.py") == {("ai", OPUS): [(1, 3)]}
    assert spans(rrepo, new["part b"], "b.py") == {
        ("ai", GPT): [(2, 3)],
        ("ai", None): [(1, 1), (4, 4)],
    }
    # the first part's lines are the agent's, although a person made that commit
    assert blame_origins(rrepo, "a.py") == [("ai", OPUS)] * 3


def test_rebase_edit_stop_with_a_commit_added_on_top(rrepo: GitRepo, tmp_path: Path) -> None:
    """git maps the edited commit to the added one; the picked commit keeps its own records."""
    _two_ai_commits(rrepo)
    proc = rrepo.git("rebase", "-i", "main", env=sequence_editor(tmp_path, "edit-first"))
    assert "Stopped" in proc.stdout + proc.stderr
    rrepo.commit("added by hand", files={"notes.txt": "one\ntwo\n"})
    rrepo.git("rebase", "--continue")
    new = by_subject(rrepo, "main..topic")
    assert set(new) == {"a-end", "added by hand", "a-top"}
    assert spans(rrepo, new["a-end"], "f.py") == {("ai", OPUS): [(12, 14)]}
    gens = [r["origin"] for r in records(rrepo, new["a-end"]) if r["kind"] == "generation"]
    assert gens == ["ai-generated"]
    assert spans(rrepo, new["added by hand"], "notes.txt") == {("human", None): [(1, 2)]}
    assert blame_origins(rrepo, "notes.txt") == [("human", None)] * 2
    assert blame_origins(rrepo, "f.py")[13:] == [("ai", OPUS)] * 3


def test_pull_rebase(make_repo: Callable[..., GitRepo], tmp_path: Path) -> None:
    origin = make_repo("origin", bare=True)
    a = make_repo("a", install=True)
    strip_rewrite_config(a)  # the post-rewrite hook alone does it
    base = numbered("b", 6)
    plain_commit(a, "base", {"f.py": text(base)})
    a.git("remote", "add", "origin", str(origin.path))
    a.git("push", "-q", "origin", "main")
    a.git("clone", "-q", str(origin.path), str(tmp_path / "b"))
    b = GitRepo(tmp_path / "b")
    plain_commit(b, "from b", {"f.py": text(["header = 1", "header = 2", *base])})
    b.git("push", "-q", "origin", "main")
    local = a.commit("local ai", files={"f.py": text([*base, *numbered("z", 3)])}, env=AI_ENV)
    attribute(a, local, "f.py", [7, 8, 9])
    a.git("pull", "-q", "--rebase", "origin", "main")
    head = a.head()
    assert head != local
    assert spans(a, head, "f.py") == {("ai", OPUS): [(9, 11)]}
    hashes_hold(a, head, "f.py")


def _spawned_for(repo: GitRepo, commits: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """git subcommands the post-rewrite work runs for a rebase of ``commits`` AI commits."""
    from aibom import _spawn
    from aibom.notes import rewrite

    base = numbered("b", 5)
    plain_commit(repo, "base", {"f.py": text(base)})
    repo.git("checkout", "-q", "-b", "topic")
    for i in range(commits):
        sha = plain_commit(repo, f"c{i}", {f"m{i % 3}.py": text(numbered(f"c{i}_", 2))})
        attribute(repo, sha, f"m{i % 3}.py", [1, 2])
    repo.git("checkout", "-q", "main")
    plain_commit(repo, "main moves", {"f.py": text(["top = 0", *base])})
    repo.git("checkout", "-q", "topic")
    old = by_subject(repo, "main..topic")
    repo.git(*NO_HOOKS, "-c", "notes.rewrite.rebase=false", "rebase", "-q", "main")
    new = by_subject(repo, "main..topic")
    pairs = [(old[s], new[s]) for s in old]
    calls: list[str] = []
    real = _spawn.run

    def counting(argv: Any, **kwargs: Any) -> Any:
        args = list(argv[1:])
        while args[0] in ("-C", "-c"):
            args = args[2:]
        calls.append(args[0])
        return real(argv, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(_spawn, "run", counting)
        changed, remapped = rewrite.carry_notes(discover(repo.path), pairs, "test", "rebase")
    assert changed == commits and remapped == commits
    for subject, sha in new.items():
        path = f"m{int(subject[1:]) % 3}.py"
        assert spans(repo, sha, path) == {("ai", OPUS): [(1, 2)]}
    return calls


def test_remap_runs_a_fixed_number_of_git_processes(
    make_repo: Callable[..., GitRepo], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batched: the same git calls for 3 rewritten commits as for 30, one diff-tree each."""
    small = _spawned_for(make_repo(install=True), 3, monkeypatch)
    large = _spawned_for(make_repo(install=True), 30, monkeypatch)
    assert sorted(small) == sorted(large)
    assert large.count("diff-tree") == 1
    # discover 1, notes read 2, remap 4 (these commits have no generation records: one git log
    # reads their trailers), notes write 4
    assert len(large) <= 11, large


# -- cherry-pick ---------------------------------------------------------------------------------
def test_cherry_pick_range_with_a_conflict_skipped(repo: GitRepo) -> None:
    base = numbered("b", 5)
    plain_commit(repo, "base", {"f.py": text(base), "g.txt": "g\n", "k.py": text(base)})
    repo.git("checkout", "-q", "-b", "topic")
    p1 = repo.commit("p1", files={"f.py": text([*base, *numbered("p", 2)])}, env=AI_ENV)
    attribute(repo, p1, "f.py", [6, 7])
    repo.commit("conflicting", files={"g.txt": "topic\n"})
    p3 = repo.commit("p3", files={"k.py": text([*base, *numbered("q", 3)])}, env=AI_ENV)
    attribute(repo, p3, "k.py", [6, 7, 8], model_id=GPT)
    repo.git("checkout", "-q", "main")
    plain_commit(repo, "main edits", {"g.txt": "main\n", "f.py": text(["top = 0", *base])})
    proc = repo.git("cherry-pick", "main..topic", check=False)
    assert proc.returncode != 0  # the middle commit conflicts
    repo.git("cherry-pick", "--skip")
    new = by_subject(repo, "main~2..main")
    assert set(new) == {"p1", "p3"}
    assert spans(repo, new["p1"], "f.py") == {("ai", OPUS): [(7, 8)]}
    assert spans(repo, new["p3"], "k.py") == {("ai", GPT): [(6, 8)]}
    for subject, old in (("p1", p1), ("p3", p3)):
        refs = [r["source"].get("ref") for r in records(repo, new[subject]) if r.get("source")]
        assert refs.count(old) == 1  # ranges of the right source, not the skipped one's


def test_cherry_pick_from_another_remote(make_repo: Callable[..., GitRepo], tmp_path: Path) -> None:
    base = numbered("b", 4)
    here = make_repo("here", install=True)
    plain_commit(here, "base", {"f.py": text(base)})
    here.git("clone", "-q", str(here.path), str(tmp_path / "fork"))
    fork = GitRepo(tmp_path / "fork")
    fork.aibom("install")
    sha = fork.commit("fork ai", files={"f.py": text([*base, "fork = 1", "fork = 2"])}, env=AI_ENV)
    attribute(fork, sha, "f.py", [5, 6])
    plain_commit(here, "local", {"f.py": text(["local = 0", *base])})
    here.git("remote", "add", "fork", str(fork.path))
    here.git("fetch", "-q", "fork", "main")
    here.aibom("notes", "pull", "fork")  # the fork's records, united with ours
    here.git("cherry-pick", sha)
    assert spans(here, "HEAD", "f.py") == {("ai", OPUS): [(6, 7)]}
    hashes_hold(here, "HEAD", "f.py")


def test_cherry_pick_conflict_resolution_is_not_ai(repo: GitRepo) -> None:
    base = numbered("b", 3)
    plain_commit(repo, "base", {"c.py": text(base)})
    repo.git("checkout", "-q", "-b", "side")
    source = repo.commit("ai", files={"c.py": text([*base, "ai = 1", "ai = 2"])}, env=AI_ENV)
    attribute(repo, source, "c.py", [4, 5])
    repo.git("checkout", "-q", "main")
    plain_commit(repo, "human", {"c.py": text([*base, "human = 1"])})
    assert repo.git("cherry-pick", source, check=False).returncode != 0
    repo.write("c.py", text([*base, "human = 1", "ai = 2", "resolved = 3"]))
    repo.git("add", "c.py")
    repo.git("cherry-pick", "--continue")
    # ai = 2 survived the resolution: still AI; the resolution's own line is unknown, not AI
    assert spans(repo, "HEAD", "c.py") == {("ai", OPUS): [(5, 5)], ("unknown", None): [(6, 6)]}


# -- through the real capture path (aibom checkpoint -> post-commit record) ----------------------
CALC = "def total(xs):\n    return sum(xs)\n\n\ndef mean(xs):\n    return total(xs) / len(xs)\n"
CALC_AI = CALC.replace("    return total", "    if not xs:\n        return 0.0\n    return total")


def _agent_edit(repo: GitRepo, content: str) -> None:
    flags = ["--file", "calc.py", "--model", "gpt-4o", "--session", "ai-1"]
    repo.aibom("checkpoint", "aider", *flags, "--phase", "pre")
    repo.write("calc.py", content)
    repo.aibom("checkpoint", "aider", *flags, "--phase", "post")


def test_checkpointed_lines_through_amend_and_rebase(repo: GitRepo) -> None:
    repo.commit("calc", files={"calc.py": CALC})
    repo.git("checkout", "-q", "-b", "topic")
    _agent_edit(repo, CALC_AI)
    repo.git("commit", "-q", "-am", "AI edit")
    assert spans(repo, "HEAD", "calc.py", source="checkpoint") == {
        ("ai", "openai/gpt-4o"): [(6, 7)]
    }
    _agent_edit(repo, CALC_AI + "\n\ndef zero():\n    return 0\n")
    repo.git("commit", "-q", "--amend", "-am", "AI edit, amended")
    # the first edit's lines came along onto the amended blob; the amend's are its own record
    assert spans(repo, "HEAD", "calc.py") == {("ai", "openai/gpt-4o"): [(6, 7)]}
    repo.git("checkout", "-q", "main")
    repo.commit("header", files={"calc.py": '"""Statistics."""\n\n' + CALC})
    repo.git("checkout", "-q", "topic")
    repo.git("rebase", "-q", "main")
    assert spans(repo, "HEAD", "calc.py") == {("ai", "openai/gpt-4o"): [(8, 9), (11, 14)]}
    origins = blame_origins(repo, "calc.py")
    assert [n for n, (origin, _) in enumerate(origins, 1) if origin == "ai"] == [
        8,
        9,
        11,
        12,
        13,
        14,
    ]
    assert {m for _, m in origins if m} == {"openai/gpt-4o"}


# -- whole-history rewrites ----------------------------------------------------------------------
def _history(repo: GitRepo) -> list[str]:
    base = numbered("b", 4)
    plain_commit(repo, "base", {"f.py": text(base), "secret.txt": "password=hunter2\n"})
    one = repo.commit("one", files={"f.py": text([*base, *numbered("o", 3)])}, env=AI_ENV)
    attribute(repo, one, "f.py", [5, 6, 7])
    two = repo.commit("two", files={"g.py": text(numbered("g", 3))}, env=AI_ENV)
    attribute(repo, two, "g.py", [2, 3], model_id=GPT)
    return [one, two]


def _fast_export_rewrite(repo: GitRepo) -> Path:
    """filter-repo without filter-repo: drop secret.txt and a line of f.py, write its map."""
    stream = repo.git("fast-export", "--show-original-ids", "--reencode=yes", "main").stdout
    out: list[str] = []
    old_f = text([*numbered("b", 4), *numbered("o", 3)])
    new_f = text(["# header", *numbered("b", 4), *numbered("o", 3)])
    stream = stream.replace(f"data {len(old_f)}\n{old_f}", f"data {len(new_f)}\n{new_f}")
    for line in stream.split("\n"):
        if line.startswith("M ") and line.endswith(" secret.txt"):
            continue
        out.append(line)
    edited = "\n".join(out)
    marks = repo.path / "marks"
    repo.git("update-ref", "-d", "refs/heads/main")
    repo.git("fast-import", "--quiet", "--force", f"--export-marks={marks}", input=edited)
    # original-oid lines come in export order: pair them with the marks fast-import gave
    originals = [ln.split()[1] for ln in edited.split("\n") if ln.startswith("original-oid ")]
    commit_marks = [ln.split()[1] for ln in edited.split("\n") if ln.startswith("mark :")]
    mark_to_sha = dict(ln.split() for ln in marks.read_text().splitlines())
    pairs = [
        (old, mark_to_sha[mark])
        for old, mark in zip(originals, commit_marks, strict=True)
        if repo.git("cat-file", "-t", old).stdout.strip() == "commit"
    ]
    commit_map = repo.path / ".git" / "filter-repo" / "commit-map"
    commit_map.parent.mkdir(parents=True, exist_ok=True)
    commit_map.write_text("old" + " " * 38 + "new\n" + "".join(f"{o} {n}\n" for o, n in pairs))
    repo.git("reset", "-q", "--hard", "main")
    return commit_map


def test_remap_after_a_fast_export_rewrite(repo: GitRepo) -> None:
    one, two = _history(repo)
    commit_map = _fast_export_rewrite(repo)
    proc = repo.aibom("notes", "remap", "--map", str(commit_map), "--format", "json")
    summary = json.loads(proc.stdout)
    assert summary["pairs"] == 3 and summary["attribution_records"] == 2
    new = by_subject(repo, "main")
    assert new["one"] != one and new["two"] != two
    # the line the rewrite inserted is nobody's known work: unknown, never AI
    assert spans(repo, new["one"], "f.py") == {("ai", OPUS): [(6, 8)], ("unknown", None): [(1, 1)]}
    # g1 was no range's: it keeps its commit's (environment-detected) origin, now explicit
    assert spans(repo, new["two"], "g.py") == {("ai", GPT): [(2, 3)], ("ai", None): [(1, 1)]}
    assert [r["kind"] for r in records(repo, new["two"])].count("generation") == 1
    assert blame_origins(repo, "f.py")[5:] == [("ai", OPUS)] * 3
    again = json.loads(repo.aibom("notes", "remap", "--format", "json").stdout)  # default map
    assert again["notes_changed"] == 0  # idempotent


FILTER_REPO = shutil.which("git-filter-repo", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(FILTER_REPO is None, reason="git-filter-repo is not installed")
def test_remap_after_a_real_filter_repo(repo: GitRepo, tmp_path: Path) -> None:
    """filter-repo prunes the old commits and blobs: ranges are found again by content hash."""
    one, _ = _history(repo)
    replacements = tmp_path / "replace.txt"
    # a line inserted above the AI lines of f.py (shifts them); g.py's AI line 3 redacted
    replacements.write_text("regex:b1 = 1==>b1 = 1\\nextra = 0\ng3 = 3==>g3 = 'redacted'\n")
    repo.git("filter-repo", "--force", "--replace-text", str(replacements))
    commit_map = repo.path / ".git" / "filter-repo" / "commit-map"
    assert repo.git("cat-file", "-e", one, check=False).returncode != 0  # really gone
    proc = repo.aibom("notes", "remap", "--map", str(commit_map), "--format", "json")
    summary = json.loads(proc.stdout)
    assert summary["gone"] == 3 and summary["attribution_records"] == 1
    new = by_subject(repo, "main")
    assert file_lines(repo, new["one"], "f.py")[:2] == ["b1 = 1", "extra = 0"]
    assert spans(repo, new["one"], "f.py") == {("ai", OPUS): [(6, 8)]}  # shifted, found
    hashes_hold(repo, new["one"], "f.py")
    # g.py's range 2-3 changed inside: without the old blob it cannot be cut, so it is dropped
    assert spans(repo, new["two"], "g.py") == {}
    assert [r["kind"] for r in records(repo, new["two"])].count("generation") == 1


def test_remap_with_a_bad_map_is_a_usage_error(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit("c")
    bad = tmp_path / "map"
    bad.write_text("old new\nnot-a-sha also-not\n")
    proc = repo.aibom("notes", "remap", "--map", str(bad), check=False)
    assert proc.returncode == 2
    assert "line 2" in proc.stderr and "Traceback" not in proc.stderr
    missing = repo.aibom("notes", "remap", "--map", str(tmp_path / "nope"), check=False)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_rewrite_benchmark_runs() -> None:
    """bench/bench_rewrite.py keeps working (tiny run; its ratios are not asserted here)."""
    import subprocess

    bench = Path(__file__).resolve().parents[2] / "bench" / "bench_rewrite.py"
    proc = subprocess.run(
        [sys.executable, str(bench), "--runs", "1", "--commits", "6", "--json"],
        text=True,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["remapped_records"] == [6]
    assert all(value > 0 for value in result["ratios"].values())
