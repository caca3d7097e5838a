"""Blame through formatter runs: a commit that only re-formats lines (quotes, trailing commas,
wrapping, indentation) does not take their credit, in either direction."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from aibom.attribution import formatting
from tests.blame_support import SONNET, generation
from tests.conftest import GitRepo
from tests.integration.test_blame import add_note, ai_commit, blame, origins

AI_CODE = "def f(x):\n    return g('a', x)\n\n\nvalues = [1, 2, 3,]\n"
# what black would make of it: double quotes, the magic trailing comma explodes the list
FORMATTED = 'def f(x):\n    return g("a", x)\n\n\nvalues = [\n    1,\n    2,\n    3,\n]\n'


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    repo = make_repo()
    repo.commit("start", files={"README": "r\n"})
    return repo


def _human(repo: GitRepo, message: str, files: dict[str, str]) -> str:
    sha = repo.commit(message, files=files)
    add_note(repo, sha, generation("human", None, agent=None, session=None, confidence=0.6))
    return sha


def test_a_formatter_commit_keeps_the_ais_lines(repo: GitRepo) -> None:
    ai_commit(repo, "ai", {"m.py": AI_CODE}, {"m.py": [(1, 5)]}, slug=SONNET)
    fmt = _human(repo, "black", {"m.py": FORMATTED})
    lines = blame(repo, "m.py")
    assert [line.text for line in lines] == FORMATTED.splitlines()
    assert origins(lines) == ["ai"] * 9 and {line.model for line in lines} == {SONNET}
    assert lines[1].commit == fmt  # git's answer for the commit, the AI's for the credit
    assert origins(blame(repo, "m.py", ignore_whitespace=False))[1] == "human"  # --no-w


def test_an_ai_formatting_pass_does_not_take_a_persons_lines(repo: GitRepo) -> None:
    _human(repo, "person", {"m.py": AI_CODE})
    repo.commit(
        "ai: format\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-5-codex",
        files={"m.py": FORMATTED},
    )
    assert set(origins(blame(repo, "m.py"))) == {"human"}


def test_an_agent_edit_that_also_formats_a_persons_lines_does_not_take_them(
    repo: GitRepo,
) -> None:
    # the agent's commit has line ranges for m.py (the line it wrote); the lines it only
    # re-formatted are not in them, and stay the person's
    _human(repo, "person", {"m.py": AI_CODE})
    ai_commit(repo, "ai", {"m.py": "import g\n" + FORMATTED}, {"m.py": [(1, 1)]})
    assert origins(blame(repo, "m.py")) == ["ai"] + ["human"] * 9


def test_formatted_twice_and_real_edits(repo: GitRepo) -> None:
    ai_commit(repo, "ai", {"m.py": AI_CODE}, {"m.py": [(1, 5)]}, slug=SONNET)
    _human(repo, "black", {"m.py": FORMATTED})
    twice = FORMATTED.replace("    return", "        return").replace('"a"', "'a'")
    _human(repo, "reindent", {"m.py": twice})
    assert set(origins(blame(repo, "m.py"))) == {"ai"}
    # a real change in the same hunk as re-formatting: the person takes the hunk
    edited = twice.replace("        return g('a', x)", '        return h("a", x)')
    _human(repo, "edit", {"m.py": edited})
    assert origins(blame(repo, "m.py"))[1] == "human"


def test_the_cli_shows_it(repo: GitRepo) -> None:
    ai_commit(repo, "ai", {"m.py": AI_CODE}, {"m.py": [(1, 5)]}, slug=SONNET)
    _human(repo, "black", {"m.py": FORMATTED})
    for module in ("aibom", "aibom.cli"):
        proc = repo._run([sys.executable, "-m", module, "blame", "m.py"], None, None, True)
        rows = proc.stdout.splitlines()
        assert [row.split()[1] for row in rows[:9]] == ["ai"] * 9 and "9 lines" in rows[9]


def test_hunks_are_read_by_their_counts() -> None:
    sha = "a" * 40
    patch = (
        f"{sha}\n"
        "diff --git a/x.py b/x.py\n"
        "index 1..2 100644\n"
        "--- a/x.py\n"
        "+++ b/x.py\n"
        "@@ -2,2 +2 @@\n"
        "--- a removed line that looks like a header\n"
        "-x\n"
        "++++ an added one too\n"
        "\\ No newline at end of file\n"
        "@@ -9 +8,0 @@\n"
        "-gone\n"
    ).encode()
    assert list(formatting._hunks(patch)) == [
        (
            sha,
            sha + "^",
            "x.py",
            2,
            ["-- a removed line that looks like a header", "x"],
            2,
            ["+++ an added one too"],
        ),
        (sha, sha + "^", "x.py", 9, ["gone"], 8, []),
    ]


def test_verdicts_are_cached_and_a_damaged_cache_is_not_trusted(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aibom.gitutil import discover

    ai_commit(repo, "ai", {"m.py": AI_CODE}, {"m.py": [(1, 5)]}, slug=SONNET)
    _human(repo, "black", {"m.py": FORMATTED})
    diffs: list[int] = []
    real = formatting._diffed

    def counted(*args: object) -> object:
        diffs.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(formatting, "_diffed", counted)
    assert set(origins(blame(repo, "m.py"))) == {"ai"}
    assert set(origins(blame(repo, "m.py"))) == {"ai"}
    assert len(diffs) == 1  # the second blame read the verdicts back
    root = Path(formatting._Cache(discover(repo.path)).root)
    (shard,) = root.iterdir()
    shard.write_bytes(b"\xff not a cache line\n" + shard.read_bytes().replace(b":", b";"))
    assert set(origins(blame(repo, "m.py"))) == {"ai"}
    assert set(origins(blame(repo, "m.py"))) == {"ai"}
    assert len(diffs) == 2  # lines that do not parse are skipped; the next blame re-diffed


def test_files_without_ai_in_their_history_are_not_diffed(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _human(repo, "person", {"m.py": AI_CODE})
    _human(repo, "black", {"m.py": FORMATTED})
    monkeypatch.setattr(formatting, "_diffed", lambda *a: pytest.fail("diffed"))
    assert set(origins(blame(repo, "m.py"))) == {"human"}


def test_only_the_pairs_a_commit_changed_are_diffed_and_cached(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blaming many files of a long history: the formatting verdicts are asked for each
    (commit, path) the commit changed, not for every commit times every path (20 million
    pairs, and a 1.2 GB cache, for 200 files of a 100,000-commit history)."""
    from aibom.attribution.blame import blame_files
    from aibom.gitutil import discover

    changed = 0
    for n in range(12):
        path = f"f{n % 4}.py"
        ai = "\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-5-codex" if n % 2 else ""
        repo.commit(f"edit {n}{ai}", files={path: f"x = {n}\n"})
        changed += 1
    asked: list[int] = []
    real = formatting.verdicts

    def counting(r: object, pairs: set[tuple[str, str]]) -> object:
        asked.append(len(pairs))
        return real(r, pairs)  # type: ignore[arg-type]

    monkeypatch.setattr(formatting, "verdicts", counting)
    paths = [f"f{n}.py" for n in range(4)]
    blame_files(discover(repo.path), paths)
    assert asked and asked[0] <= changed  # 12 changes of 4 files, not 13 commits x 4 paths
