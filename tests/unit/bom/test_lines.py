"""Line facts for the BOM: blame limited to the commits that touched a file gives the same
lines as plain blame; ranges and counts."""

from __future__ import annotations

from collections.abc import Callable

from aibom.bom import history as hist
from aibom.bom import lines as ln
from aibom.gitutil import discover
from tests.conftest import GitRepo
from tests.unit.bom.scripted import build_scripted

Blamed = dict[str, tuple[ln.LineFact, ...]]


def _plain_and_chained(repo: GitRepo) -> tuple[Blamed, Blamed, dict[str, tuple[str, ...]]]:
    r = discover(repo.path)
    head = repo.head()
    history = hist.read_history(r, [head], shallow=False)
    chains = ln.chains_for(r, history, head)
    paths = sorted(repo.git("ls-files").stdout.split())
    plain = ln.blame(r, head, paths)
    chained = ln.blame(r, head, paths, chains)
    return plain, chained, chains


def test_chained_blame_equals_plain_blame(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    build_scripted(repo.path)
    for i in range(6):  # unrelated commits between the ones that touch the files
        repo.commit(f"noise {i}", files={f"noise{i}.txt": f"{i}\n"})
    repo.commit("edit util", files={"src/util.py": "def add(a, b):\n    return b + a\n"})
    plain, chained, chains = _plain_and_chained(repo)
    assert "src/util.py" in chains and len(chains["src/util.py"]) == 3
    assert plain == chained and plain["src/util.py"]


def test_a_renamed_file_keeps_plain_blame(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.commit("one", files={"old.py": "a\nb\nc\n"})
    repo.commit("two", files={"x.txt": "x\n"})
    repo.git("mv", "old.py", "new.py")
    repo.git("commit", "-q", "-m", "rename")
    plain, chained, chains = _plain_and_chained(repo)
    assert "new.py" not in chains  # its first commit adds it and deletes old.py
    first = repo.git("rev-list", "--max-parents=0", "HEAD").stdout.strip()
    assert {f.commit for f in plain["new.py"]} == {first}
    assert plain == chained


def test_no_chains_for_merges(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.diverge()
    repo.git("merge", "-q", "--no-ff", "--no-edit", "topic")
    r = discover(repo.path)
    head = repo.head()
    assert ln.chains_for(r, hist.read_history(r, [head], shallow=False), head) == {}


def test_a_range_takes_its_chains_from_the_whole_ancestry(
    make_repo: Callable[..., GitRepo],
) -> None:
    repo = make_repo()
    build_scripted(repo.path)
    repo.commit("later", files={"src/util.py": "def add(a, b):\n    return b + a\n"})
    r = discover(repo.path)
    head = repo.head()
    ranged = hist.read_history(r, [f"^{repo.head()}~1", head], shallow=False)
    chains = ln.chains_for(r, ranged, head)
    assert len(ranged.commits) == 1 and len(chains["src/util.py"]) == 3
    full = ln.chains_for(r, hist.read_history(r, [head], shallow=False), head)
    assert chains == full
    paths = ["src/util.py", "src/app.py", "requirements.txt"]
    assert ln.blame(r, head, paths, chains) == ln.blame(r, head, paths)


def _fact(
    line: int, origin: str, model: str | None = "m/x", session: str | None = "s"
) -> ln.LineFact:
    return ln.LineFact(line, "c" * 40, origin, model, session)


def test_summary_counts_and_ranges() -> None:
    facts = [
        _fact(1, "human", None, None),
        _fact(2, "ai"),
        _fact(3, "ai"),
        _fact(4, "mixed"),
        _fact(5, "ai", "m/y"),
        _fact(6, "unknown", None, None),
        _fact(7, "ai"),
    ]
    summary = ln.summarize("f.py", facts)
    assert summary.total == 7
    assert dict(summary.by_origin) == {"ai": 4, "mixed": 1, "human": 1, "unknown": 1}
    assert dict(summary.by_model) == {"m/x": 4, "m/y": 1}
    assert [(r.start, r.end, r.origin, r.model) for r in summary.ranges] == [
        (2, 3, "ai", "m/x"),
        (4, 4, "mixed", "m/x"),
        (5, 5, "ai", "m/y"),
        (7, 7, "ai", "m/x"),
    ]
    assert round(summary.ai_share, 4) == round(5 / 7, 4)
    assert ln.summarize("empty", []).ai_share == 0.0
