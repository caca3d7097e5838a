"""Line maps from zero-context diffs: parsing git's patch output and shifting line numbers."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibom.attribution import linemap, model
from aibom.attribution.linemap import Hunk, LineMap
from aibom.attribution.rewrite import commit_key, find_range, group_pairs, parse_commit_map
from aibom.errors import UsageError
from aibom.gitutil import discover
from aibom.notes.records import Record
from tests.conftest import GitRepo


def test_map_shifts_removes_and_inserts() -> None:
    # old 1-10; insert 2 lines after old 3; replace old 6-7 by one line; delete old 9
    lmap = LineMap([Hunk(3, 0, 4, 2), Hunk(6, 2, 8, 1), Hunk(9, 1, 9, 0)])
    assert [lmap.map(n) for n in range(1, 11)] == [1, 2, 3, 6, 7, None, None, 9, None, 10]
    assert lmap.added() == {4, 5, 8}


def test_insertion_at_the_top_and_identity() -> None:
    assert LineMap([Hunk(0, 0, 1, 3)]).map(1) == 4
    assert linemap.IDENTITY.map(7) == 7
    assert LineMap(binary=True).map(1) is None and LineMap(binary=True).added() == set()


def _apply(old: list[str], hunks: list[Hunk]) -> list[str]:
    """Build the new file the hunks describe (new lines are fresh strings)."""
    out: list[str] = []
    pos = 1
    for h in sorted(hunks, key=lambda h: h.old_start):
        keep_to = h.old_start if h.old_count == 0 else h.old_start - 1
        out.extend(old[pos - 1 : keep_to])
        out.extend(f"new{len(out) + i}" for i in range(h.new_count))
        pos = keep_to + 1 + h.old_count
    out.extend(old[pos - 1 :])
    return out


@st.composite
def edits(draw: st.DrawFn) -> tuple[int, list[Hunk]]:
    size = draw(st.integers(0, 30))
    hunks: list[Hunk] = []
    old_pos, shift = 0, 0  # old lines consumed so far; new - old offset
    while old_pos < size and draw(st.booleans()):
        gap = draw(st.integers(0, size - old_pos))
        removed = draw(st.integers(0, size - old_pos - gap))
        added = draw(st.integers(0 if removed else 1, 4))
        if removed:
            start = old_pos + gap + 1
            hunks.append(Hunk(start, removed, start + shift if added else start + shift - 1, added))
            old_pos = start + removed - 1
        else:
            after = old_pos + gap
            hunks.append(Hunk(after, 0, after + shift + 1, added))
            old_pos = after + 1  # hunks never touch: keep the next one strictly after
        shift += added - removed
    return size, hunks


@settings(max_examples=200, deadline=None)
@given(edits())
def test_map_agrees_with_applying_the_hunks(case: tuple[int, list[Hunk]]) -> None:
    size, hunks = case
    old = [f"old{n}" for n in range(1, size + 1)]
    new = _apply(old, hunks)
    lmap = LineMap(hunks)
    for n, line in enumerate(old, 1):
        mapped = lmap.map(n)
        if mapped is None:
            assert line not in new
        else:
            assert new[mapped - 1] == line
    assert {i for i, line in enumerate(new, 1) if line.startswith("new")} == lmap.added()


def test_parse_patch_with_rename_binary_quoted_and_spaced_paths() -> None:
    patch = b"\n".join(
        [
            b"diff --git a/old.py b/new.py",
            b"similarity index 80%",
            b"rename from old.py",
            b"rename to new.py",
            b"index 1111111..2222222 100644",
            b"--- a/old.py",
            b"+++ b/new.py",
            b"@@ -2 +2,2 @@ def f():",
            b"-x",
            b"+--- a/not-a-header",
            b"+y",
            b"diff --git a/img.png b/img.png",
            b"Binary files a/img.png and b/img.png differ",
            b'diff --git "a/t\\303\\251\\tx" "b/t\\303\\251\\tx"',
            b"new file mode 100644",
            b"--- /dev/null",
            b'+++ "b/t\\303\\251\\tx"',
            b"@@ -0,0 +1 @@",
            b"+hello",
            b"diff --git a/with space.txt b/with space.txt",
            b"deleted file mode 100644",
            b"--- a/with space.txt\t",
            b"+++ /dev/null",
            b"@@ -1 +0,0 @@",
            b"-bye",
        ]
    )
    diff = linemap.parse_patch(patch.split(b"\n"))
    assert diff.follow("old.py") == ("new.py", LineMap([Hunk(2, 1, 2, 2)]))
    assert diff.follow("img.png")[1].binary
    assert diff.added("t\u00e9\tx") == {1} and diff.source_of("t\u00e9\tx") is None
    assert diff.follow("with space.txt") == (None, LineMap([Hunk(1, 1, 0, 0)]))
    assert diff.follow("untouched.c") == ("untouched.c", linemap.IDENTITY)
    assert diff.added("untouched.c") is None


def test_diff_trees_is_one_batch_and_ignores_whitespace(make_repo: object) -> None:
    repo: GitRepo = make_repo()  # type: ignore[operator]
    repo.commit("one", files={"a.py": "a\nb\nc\n", "b.py": "1\n2\n3\n4\n5\n6\n"})
    repo.git("mv", "b.py", "moved.py")
    repo.commit("two", files={"a.py": "a\n  b\nC\n", "moved.py": "0\n1\n2\n3\n4\n5\n6\n"})
    real = discover(repo.path)
    trees = linemap.resolve(real, ["HEAD~1^{tree}", "HEAD^{tree}", "HEAD:nope", "HEAD~1:a.py"])
    assert set(trees) == {"HEAD~1^{tree}", "HEAD^{tree}", "HEAD~1:a.py"}
    pair = (trees["HEAD~1^{tree}"], trees["HEAD^{tree}"])
    diff = linemap.diff_trees(real, [pair, (pair[1], pair[1])])[pair]
    path, lmap = diff.follow("a.py")
    assert path == "a.py" and [lmap.map(n) for n in (1, 2, 3)] == [1, 2, None]
    path, lmap = diff.follow("b.py")
    assert path == "moved.py" and lmap.map(1) == 2 and lmap.added() == {1}


def test_find_range_by_content_hash() -> None:
    lines = ["x", "alpha", "beta", "y", "alpha", "beta"]
    r = model.LineRange(5, 6, model.content_hash(["alpha", " beta"]))
    assert find_range(lines, r) == 5  # nearest to where it was
    assert find_range(lines, model.LineRange(1, 2, model.content_hash(["alpha", "beta"]))) == 2
    assert find_range(lines, model.LineRange(1, 2, model.content_hash(["gone", "beta"]))) is None
    assert find_range(lines, model.LineRange(1, 2)) is None  # no hash, no guess


def test_commit_map_parsing() -> None:
    old, new, null = "a" * 40, "b" * 40, "0" * 40
    text = f"old                                      new\n{old} {new}\n{new} {null}\n\n"
    assert parse_commit_map(text) == [(old, new)]
    with pytest.raises(UsageError, match="line 2"):
        parse_commit_map(f"old new\n{old}\n")


def test_group_pairs_keeps_squash_order() -> None:
    assert group_pairs([("a", "s"), ("b", "s"), ("c", "c"), ("d", "e"), ("a", "s")]) == {
        "s": ["a", "b"],
        "e": ["d"],
    }


def _generation(origin: str, models: list[str]) -> Record:
    body = {
        "origin": origin,
        "confidence": 0.8,
        "inferred": False,
        "models": [
            {"provider": m.split("/")[0], "model": m.split("/")[1], "version": None, "id": m}
            for m in models
        ],
        "agent": {"name": "claude-code", "version": "2.0.14"} if models else None,
        "session": "s-9" if models else None,
        "evidence": [],
        "timestamps": {"committed": "2026-01-01T00:00:00Z"},
        "tool": {"name": "aibom", "version": "0"},
    }
    return Record.create("generation", body)


def test_commit_key_from_generation_records() -> None:
    ai = _generation("ai-generated", ["anthropic/claude-opus-4-5-20251101"])
    human = _generation("human", [])
    key = commit_key([ai])
    assert key is not None and key[0] == "ai" and key[2] == "claude-code/2.0.14"
    assert key[1] == "anthropic/claude-opus-4-5-20251101" and key[5] == "rewrite"
    assert commit_key([human]) == ("human", None, None, None, 0.8, "rewrite")
    mixed = commit_key([ai, human])
    assert mixed is not None and mixed[0] == "mixed"
    assert commit_key([]) is None


def test_random_edits_against_real_git(make_repo: object) -> None:
    """git's own -U0 hunks, parsed and applied, reproduce every surviving line."""
    repo: GitRepo = make_repo()  # type: ignore[operator]
    rng = random.Random(7)
    old = [f"line {i} {rng.random():.6f}" for i in range(200)]
    new = list(old)
    for _ in range(40):
        i = rng.randrange(len(new))
        choice = rng.random()
        if choice < 0.3:
            new.insert(i, f"inserted {rng.random():.6f}")
        elif choice < 0.6:
            del new[i]
        elif choice < 0.8:
            new[i] = f"changed {rng.random():.6f}"
        else:
            new[i] = "\t" + new[i] + "  "  # whitespace only: must survive
    repo.commit("old", files={"f.txt": "\n".join(old) + "\n"})
    repo.commit("new", files={"f.txt": "\n".join(new) + "\n"})
    real = discover(repo.path)
    trees = linemap.resolve(real, ["HEAD~1^{tree}", "HEAD^{tree}"])
    pair = (trees["HEAD~1^{tree}"], trees["HEAD^{tree}"])
    _, lmap = linemap.diff_trees(real, [pair])[pair].follow("f.txt")
    survived = 0
    for n, line in enumerate(old, 1):
        mapped = lmap.map(n)
        if mapped is not None:
            assert model.normalize_line(new[mapped - 1]) == model.normalize_line(line)
            survived += 1
    assert 100 < survived < 200
    whitespace_only = [ln for ln in new if ln.startswith("\t")]
    assert whitespace_only  # the edit mix did produce some


def test_trailer_key() -> None:
    from aibom.attribution.rewrite import trailer_key

    gpt = "openai/gpt-5-2025-08-07"
    assert trailer_key([["AI-Assisted "], [gpt], ["codex/0.46.0"], []]) == (
        "mixed",
        gpt,
        "codex/0.46.0",
        None,
        0.85,
        "rewrite",
    )
    assert trailer_key([["human"], [], [], []]) == ("human", None, None, None, 0.85, "rewrite")
    assert trailer_key([[], [gpt], [], []]) is None  # a model alone says nothing of the origin
    assert trailer_key([["human", "ai-generated"], [], [], []]) is None  # contradictory
    two = trailer_key([["ai-generated"], [gpt, "anthropic/claude-opus-4-5"], [], []])
    assert two is not None and two[1] is None  # several models: none named
