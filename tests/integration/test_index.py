"""aibom index end to end: the same trace/stats answers from git, SQLite and PostgreSQL over
a scripted fleet of repositories; incremental updates (new commits, notes added to old
commits, rewritten history); interrupted runs; corrupt and outdated indexes; concurrency."""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from aibom import gitutil
from aibom.cli import main
from aibom.forensics import index as ix
from aibom.forensics import stats as st
from aibom.forensics.facts import CommitFacts
from aibom.forensics.index import source as ix_source
from aibom.forensics.index import writer
from aibom.forensics.query import TraceQuery
from aibom.forensics.source import GitSource
from aibom.forensics.trace import trace
from aibom.testing import postgres
from aibom.testing.synthrepo import generate
from tests.conftest import GitRepo

QUERIES = (
    {"model": "anthropic/claude-opus-4-5"},  # family: every snapshot
    {"model": "openai/gpt-4o"},  # a family with three snapshots
    {"model": "openai/gpt-4o@2024-08-06"},  # one snapshot
    {"model": "Claude Opus 4.5"},  # a display name
    {"model": "google/gemini-2.5-pro"},
    {"model": "mistral/devstral-2"},  # no commits at all
    {"agent": "claude-code"},
    {"agent": "codex/0.46.0"},
    {"session": "sess-scripted-1"},
)


# -- the fleet -------------------------------------------------------------------------------
def _scripted(repo: GitRepo) -> GitRepo:
    """Trailer-only commits (one with a display name), a human commit, a session."""
    repo.commit("human start", files={"a.py": "a = 1\n"})
    repo.commit(
        "ai change\n\nAI-Origin: ai-generated\nAI-Model: Claude Opus 4.5\n"
        "AI-Agent: claude-code/2.0.14\nAI-Session: sess-scripted-1",
        files={"a.py": "a = 1\nb = 2\nc = 3\n"},
    )
    repo.commit(
        "assisted\n\nAI-Origin: ai-assisted\nAI-Model: openai/gpt-4o-2024-08-06\n"
        "AI-Agent: codex/0.46.0",
        files={"b.py": "x = 1\n"},
    )
    repo.commit("human edit", files={"a.py": "a = 10\nb = 2\nc = 3\n"})
    return repo


@pytest.fixture
def fleet(tmp_path: Path, make_repo: Callable[..., GitRepo]) -> list[gitutil.Repo]:
    generate(tmp_path / "alpha", commits=240, seed=1)
    generate(tmp_path / "beta", commits=160, seed=2)
    scripted = _scripted(make_repo("gamma"))
    return [gitutil.discover(p) for p in (tmp_path / "alpha", tmp_path / "beta", scripted.path)]


class _Chain:
    """The git sources of several repositories as one (what an index must equal)."""

    def __init__(self, repos: Sequence[gitutil.Repo]) -> None:
        self.sources = [GitSource(r) for r in repos]

    def commits(
        self,
        revs: Sequence[str] | None,
        *,
        with_files: bool = False,
        wanted: Callable[[str], bool] | None = None,
    ) -> Iterator[CommitFacts]:
        for source in self.sources:
            yield from source.commits(revs, with_files=with_files, wanted=wanted)

    def label(self) -> str:
        return "chain"


def _traced(source: Any, query: dict[str, str], *, counts: bool = False) -> list[Any]:
    """The matching commits, sorted; their files as paths (a git trace reads paths only, the
    index has line counts too: ``counts`` keeps them)."""
    result = trace(source, TraceQuery.build(**query))
    commits = sorted(result.commits, key=lambda c: (c.repository, c.sha))
    if counts:
        return commits
    return [(c.facts.replace(files=()), tuple(f.path for f in c.files)) for c in commits]


def _numstat(repos: Sequence[gitutil.Repo]) -> dict[tuple[str, str], Any]:
    """Every commit's files with line counts, straight from git."""
    return {(f.repository, f.sha): f.files for f in _Chain(repos).commits(None, with_files=True)}


def _stats(source: Any, by: st.By) -> st.Stats:
    return dataclasses.replace(st.stats(source, None, by), source="")


@pytest.fixture(scope="module")
def pg_server() -> Iterator[postgres.PostgresServer]:
    try:
        with postgres.start() as server:
            yield server
    except postgres.PostgresUnavailable as exc:
        message = f"POSTGRESQL TESTS SKIPPED: no server could be started: {exc}"
        print("\n" + "!" * 20 + " " + message, file=sys.stderr)
        pytest.skip(message)


_counter = iter(range(10_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "fleet.sqlite3")
    server: postgres.PostgresServer = request.getfixturevalue("pg_server")
    return server.create_database(f"aibom_test_{next(_counter)}")


def _build(url: str, repos: Sequence[gitutil.Repo], **kwargs: Any) -> ix.IndexResult:
    db = ix.open_database(url, create=True)
    try:
        return ix.build(db, repos, **kwargs)
    finally:
        db.close()


def _source(url: str) -> ix.IndexSource:
    return ix.open_source(url)


# -- the same answers --------------------------------------------------------------------------
def test_trace_and_stats_match_git_on_a_fleet(fleet: list[gitutil.Repo], db_url: str) -> None:
    result = _build(db_url, fleet)
    assert [r.total for r in result.repositories] == [240, 160, 4]
    assert {r.label for r in result.repositories} == {"alpha", "beta", "gamma"}
    git = _Chain(fleet)
    indexed = _source(db_url)
    try:
        numstat = _numstat(fleet)
        for query in QUERIES:
            expected = _traced(git, query)
            assert _traced(indexed, query) == expected, query
            for commit in _traced(indexed, query, counts=True):
                assert commit.files == numstat[(commit.repository, commit.sha)]
        assert _traced(indexed, {"model": "anthropic/claude-opus-4-5"})  # not vacuous
        gpt4o = _traced(indexed, {"model": "openai/gpt-4o"}, counts=True)
        repos_found = {c.repository for c in gpt4o}
        assert repos_found == {"alpha", "beta", "gamma"}  # across repositories
        assert not _traced(indexed, {"model": "mistral/devstral-2"})
        for by in st.By:
            assert _stats(indexed, by) == _stats(git, by), by
    finally:
        indexed.close()


def test_a_query_leaves_the_cycle_collector_as_it_found_it(
    fleet: list[gitutil.Repo], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = str(tmp_path / "gc.sqlite3")
    _build(url, fleet)
    indexed = _source(url)
    try:
        assert gc.isenabled()
        found = _traced(indexed, {"model": "openai/gpt-4o"}, counts=True)
        assert found and gc.isenabled()
        gc.disable()
        try:
            assert _traced(indexed, {"model": "openai/gpt-4o"}, counts=True) == found
            assert not gc.isenabled()  # a caller's choice is kept
        finally:
            gc.enable()

        def broken(*args: object) -> None:
            assert not gc.isenabled()  # building the objects: paused
            raise RuntimeError("broken")

        monkeypatch.setattr(ix_source, "FileChange", broken)
        with pytest.raises(RuntimeError, match="broken"):  # a failing query restores it too
            _traced(indexed, {"model": "openai/gpt-4o"})
        assert gc.isenabled()
    finally:
        indexed.close()


def test_a_query_process_does_not_load_the_index_writer(
    fleet: list[gitutil.Repo], tmp_path: Path
) -> None:
    url = str(tmp_path / "lazy.sqlite3")
    _build(url, fleet)
    script = (
        "import sys\n"
        "from aibom.cli import main\n"
        f"code = main(['trace', '--model', 'openai/gpt-4o', '--db', {url!r}])\n"
        "assert code == 0, code\n"
        "print(sorted(m for m in sys.modules if m.startswith('aibom.forensics.index')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    loaded = out.strip().splitlines()[-1]
    assert "aibom.forensics.index.source" in loaded  # the query really ran through the index
    assert "writer" not in loaded and "numstat" not in loaded and "repos" not in loaded


def test_trace_the_session_and_alias_of_trailer_only_commits(
    fleet: list[gitutil.Repo], tmp_path: Path
) -> None:
    url = str(tmp_path / "i.sqlite3")
    _build(url, fleet)
    source = _source(url)
    try:
        by_session = _traced(source, {"session": "sess-scripted-1"}, counts=True)
        by_name = [
            c
            for c in _traced(source, {"model": "Claude Opus 4.5"}, counts=True)
            if c.repository == "gamma"
        ]
    finally:
        source.close()
    assert [c.subject for c in by_session] == ["ai change"]
    assert [c.source for c in by_name] == ["trailer"]
    assert by_name[0].files[0].path == "a.py" and by_name[0].added == 2


# -- incremental -------------------------------------------------------------------------------
def _copy_note(repo: GitRepo, source_sha: str, target_sha: str) -> None:
    note = repo.git("notes", "--ref", "refs/notes/aibom", "show", source_sha).stdout
    repo.git("notes", "--ref", "refs/notes/aibom", "add", "-f", "-m", note.strip(), target_sha)


def test_incremental_new_commits_notes_and_rewrites(tmp_path: Path) -> None:
    generate(tmp_path / "r", commits=120, seed=3)
    repo = GitRepo(tmp_path / "r")
    target = gitutil.discover(repo.path)
    url = str(tmp_path / "i.sqlite3")
    first = _build(url, [target]).repositories[0]
    assert (first.added, first.updated, first.removed, first.total) == (120, 0, 0, 120)

    again = _build(url, [target]).repositories[0]
    assert (again.added, again.updated, again.removed, again.total) == (0, 0, 0, 120)

    for n in range(5):
        repo.commit(
            f"new {n}\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-5-codex",
            files={f"n{n}.py": "x\n"},
        )
    grown = _build(url, [target]).repositories[0]
    assert (grown.added, grown.updated, grown.total) == (5, 0, 125)

    # a record is added to an old commit that had none: only that commit is read again
    log = repo.git("log", "--format=%H %N", "--notes=aibom", "--reverse").stdout.splitlines()
    bare = next(line.split()[0] for line in log[1:] if len(line.split()) == 1)
    noted = next(line.split()[0] for line in log if len(line.split()) > 1)
    _copy_note(repo, noted, bare)
    renoted = _build(url, [target]).repositories[0]
    assert (renoted.added, renoted.updated, renoted.total) == (0, 1, 125)
    source = _source(url)
    try:
        (facts,) = source.find(bare)
        expected = next(GitSource(target).commits(["--no-walk", bare]))
        assert facts.attribution == expected.attribution and facts.attribution.source != "none"
    finally:
        source.close()

    # history rewritten: two commits dropped, one new one
    repo.git("reset", "-q", "--hard", "HEAD~2")
    repo.commit("replacement", files={"r.py": "r\n"})
    rewritten = _build(url, [target]).repositories[0]
    assert (rewritten.added, rewritten.removed, rewritten.total) == (1, 2, 124)
    source = _source(url)
    try:
        shas = {f.sha for f in source.commits(None)}
    finally:
        source.close()
    assert shas == set(repo.git("rev-list", "HEAD").stdout.split())


def _interrupted(url: str, target: gitutil.Repo, batches: int) -> None:
    """An index run stopped (Ctrl-C) once ``batches`` batches were written."""
    calls = []

    def interrupt(text: str) -> None:
        calls.append(text)
        if len(calls) == batches:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _build(url, [target], progress=interrupt)


def _indexed_order(url: str) -> list[str]:
    source = _source(url)
    try:
        return [f.sha for f in source.commits(None)]
    finally:
        source.close()


_CLOCK = iter(range(1_800_000_000, 1_900_000_000, 60))


def _dated() -> dict[str, str]:
    """A commit a minute after the last: git orders commits of one second as its walk meets
    them, which differs between walks from different tips (not what these tests are about)."""
    date = f"@{next(_CLOCK)} +0000"
    return {"GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date}


def _branchy(tmp_path: Path) -> gitutil.Repo:
    """A synthetic history with a side branch merged back: a walk has several open ends."""
    generate(tmp_path / "r", commits=300, seed=4)
    repo = GitRepo(tmp_path / "r")
    repo.git("checkout", "-q", "-b", "side", "HEAD~120")
    for n in range(40):
        repo.commit(f"side {n}", files={f"side{n}.py": f"{n}\n"}, env=_dated())
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side", env=_dated())
    return gitutil.discover(repo.path)


def test_an_interrupted_run_is_resumed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _branchy(tmp_path)
    expected = [f.sha for f in GitSource(target).commits(None)]
    url = str(tmp_path / "i.sqlite3")
    monkeypatch.setattr(writer, "BATCH", 50)
    _interrupted(url, target, batches=2)
    with sqlite3.connect(url) as conn:
        kept = conn.execute("SELECT COUNT(*) FROM aibom_commits").fetchone()[0]
        tips = conn.execute("SELECT COUNT(*) FROM aibom_tips").fetchone()[0]
        saved = conn.execute("SELECT COUNT(*) FROM aibom_resume").fetchone()[0]
    assert (kept, tips, saved) == (100, 0, 1)  # two batches and where the walk stood
    _interrupted(url, target, batches=3)  # the resumed walk is stopped too
    resumed = _build(url, [target]).repositories[0]
    # only what the two stopped runs did not reach is walked (they wrote 100 + 150)
    assert (resumed.added, resumed.total) == (len(expected) - 250, len(expected))
    assert _indexed_order(url) == expected  # ids still follow git's walk
    with sqlite3.connect(url) as conn:
        files = conn.execute("SELECT COUNT(*) FROM aibom_files").fetchone()[0]
        saved = conn.execute("SELECT COUNT(*) FROM aibom_resume").fetchone()[0]
    git_files = sum(len(f.files) for f in GitSource(target).commits(None, with_files=True))
    assert files == git_files and saved == 0  # no file row written twice, nothing left over
    again = _build(url, [target]).repositories[0]
    assert (again.added, again.total) == (0, len(expected))


def test_a_resumed_run_takes_in_what_changed_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    """Between the stopped run and the next: new commits, and history rewritten (two of the
    commits the stopped run wrote are dropped); the index ends equal to git all the same."""
    target = _branchy(tmp_path)
    repo = GitRepo(tmp_path / "r")
    url = db_url
    first = _build(url, [target]).repositories[0]
    for n in range(120):
        repo.commit(f"more {n}", files={f"m{n}.py": f"{n}\n"}, env=_dated())
    monkeypatch.setattr(writer, "BATCH", 25)
    _interrupted(url, target, batches=2)
    repo.git("reset", "-q", "--hard", "HEAD~2")
    for n in range(3):
        ai = "\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-5-codex"
        repo.commit(f"after {n}{ai}", env=_dated())
    resumed = _build(url, [target]).repositories[0]
    expected = [f.sha for f in GitSource(target).commits(None)]
    assert (resumed.added, resumed.removed) == (120 - 50 + 3, 2)
    assert resumed.total == first.total + 118 + 3 == len(expected)
    assert _indexed_order(url) == expected


def test_a_resume_state_of_pruned_history_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stopped walk's tips were rewritten away and pruned: the next run walks what the
    clone has; the commits the stopped walk wrote are kept (this clone cannot tell a pruned
    rewrite from another clone's work) until a rebuild."""
    generate(tmp_path / "r", commits=200, seed=5)
    repo = GitRepo(tmp_path / "r")
    target = gitutil.discover(repo.path)
    url = str(tmp_path / "i.sqlite3")
    monkeypatch.setattr(writer, "BATCH", 40)
    _interrupted(url, target, batches=1)
    repo.git("reset", "-q", "--hard", "HEAD~50")
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")
    result = _build(url, [target]).repositories[0]
    expected = [f.sha for f in GitSource(target).commits(None)]
    assert (result.added, result.total) == (150, 190)
    assert _indexed_order(url)[40:] == expected
    rebuilt = _build(url, [target], rebuild=True).repositories[0]
    assert rebuilt.total == 150 and _indexed_order(url) == expected


def test_two_clones_at_different_states_keep_each_others_commits(
    tmp_path: Path, make_repo: Callable[..., GitRepo]
) -> None:
    """Two clones of one project are one repository in the index. Indexing the clone that is
    behind after the one that is ahead drops nothing, with a warning."""
    generate(tmp_path / "ahead", commits=60, seed=6)
    ahead = GitRepo(tmp_path / "ahead")
    behind = tmp_path / "behind"
    subprocess.run(["git", "clone", "-q", str(ahead.path), str(behind)], check=True)
    for n in range(5):
        ahead.commit(f"new {n}", files={f"n{n}.py": f"{n}\n"}, env=_dated())
    url = str(tmp_path / "i.sqlite3")
    first = _build(url, [gitutil.discover(ahead.path)]).repositories[0]
    second = _build(url, [gitutil.discover(behind)]).repositories[0]
    assert first.identity == second.identity
    assert (first.total, second.removed, second.total) == (65, 0, 65)
    assert any("lacks 1 tip" in w for w in second.warnings)
    again = _build(url, [gitutil.discover(ahead.path)]).repositories[0]
    assert (again.removed, again.total) == (0, 65)


# -- names git does not spell in UTF-8 --------------------------------------------------------
def _odd_names(repo: GitRepo) -> None:
    """A commit whose file name and message hold bytes that are not UTF-8."""
    (repo.path / os.fsdecode(b"caf\xe9.py")).write_text("x = 1\n")
    repo.git("add", "-A")
    message = b"r\xe9sum\xe9\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-4o\n"
    subprocess.run(
        ["git", "-c", "i18n.commitEncoding=UTF-8", "commit", "-q", "-F", "-"],
        cwd=repo.path,
        input=message,
        capture_output=True,
        check=True,
    )


def test_names_that_are_not_utf8_are_indexed(
    make_repo: Callable[..., GitRepo], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite and PostgreSQL take only UTF-8 text: the index stores U+FFFD for such bytes
    (the whole run failed with an internal UnicodeEncodeError)."""
    repo = make_repo("odd")
    _odd_names(repo)
    code, _, err = _cli(["index", "--db", db_url, str(repo.path)], capsys)
    assert code == 0, err
    code, out, err = _cli(
        ["trace", "--model", "openai/gpt-4o", "--db", db_url, "--format", "json"], capsys
    )
    assert code == 0, err
    (commit,) = json.loads(out)["commits"]
    assert [f["path"] for f in commit["files"]] == ["caf\ufffd.py"]


def test_paths_git_quotes_are_read_back(make_repo: Callable[..., GitRepo], db_url: str) -> None:
    """git log --numstat C-quotes a path with a quote, backslash, tab or newline; the index
    stored it quoted, so its trace and show listed other names than git's own trace."""
    repo = make_repo("quoted")
    names = ['say "hi".py', "back\\slash.py", "tab\there.py", "new\nline.py", "plain.py"]
    repo.commit(
        "ai\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-4o",
        files={name: "x = 1\n" for name in names},
    )
    target = gitutil.discover(str(repo.path))
    _build(db_url, [target])
    query = {"model": "openai/gpt-4o"}
    source = _source(db_url)
    try:
        indexed = _traced(source, query, counts=True)
    finally:
        source.close()
    assert sorted(f.path for f in indexed[0].files) == sorted(names)
    counted = _numstat([target])  # git log --numstat, unquoted the same way
    assert sorted(f.path for f in next(iter(counted.values()))) == sorted(names)


def test_a_postgres_user_without_rights_is_a_usage_error(
    fleet: list[gitutil.Repo],
    pg_server: postgres.PostgresServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A role that may log in but not create tables: exit 2 with a hint (it was exit 3)."""
    import psycopg

    url = pg_server.create_database(f"aibom_test_{next(_counter)}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS aibom_reader")
        conn.execute("CREATE ROLE aibom_reader LOGIN")
        conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    weak = url.replace(f"//{pg_server.user}@", "//aibom_reader@")
    code, _, err = _cli(["index", "--db", weak, fleet[2].cwd], capsys)
    assert code == 2, err
    assert "refused this user" in err and "hint: grant it rights" in err


# -- damaged and outdated indexes ----------------------------------------------------------------
def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_corrupt_sqlite_file_is_rebuilt(
    fleet: list[gitutil.Repo], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(tmp_path / "i.sqlite3")
    Path(url).write_bytes(b"SQLite format 3\x00" + b"this is not a database" * 500)
    code, _, err = _cli(["trace", "--model", "openai/gpt-4o", "--db", url], capsys)
    assert code == 2 and "unusable" in err and "aibom index --rebuild" in err

    code, out, err = _cli(["index", "--db", url, *[r.cwd for r in fleet[:1]]], capsys)
    assert code == 0, err
    assert "rebuilt the index" in err and "damaged" in err
    code, out, err = _cli(
        ["trace", "--model", "openai/gpt-4o", "--db", url, "--format", "json"], capsys
    )
    assert code == 0, err
    assert json.loads(out)["commits"]


@pytest.mark.parametrize("command", ["index", "trace"])
def test_a_file_that_is_not_sqlite_is_refused_and_kept(
    fleet: list[gitutil.Repo], tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """--db naming some other file by mistake: exit 2, and the file is not replaced."""
    (tmp_path / "mine").mkdir()
    other = tmp_path / "mine" / "notes.py"
    other.write_text("print('not an index')\n" * 50)
    args = ["--model", "openai/gpt-4o"] if command == "trace" else [fleet[0].cwd]
    code, _, err = _cli([command, "--db", str(other), *args], capsys)
    assert code == 2 and "is not an SQLite file" in err, err
    assert other.read_text() == "print('not an index')\n" * 50
    assert [p.name for p in other.parent.iterdir()] == ["notes.py"]  # no lock file either


def test_a_half_written_file_is_rebuilt(fleet: list[gitutil.Repo], tmp_path: Path) -> None:
    url = str(tmp_path / "i.sqlite3")
    _build(url, fleet[:1])
    data = Path(url).read_bytes()
    assert not Path(url + "-wal").exists()  # everything is in the main file
    Path(url).write_bytes(data[: len(data) // 3])  # a crash that kept a third of the pages
    result = _build(url, fleet[:1])
    assert result.rebuilt.startswith("it was damaged"), result
    assert result.repositories[0].total == 240
    with sqlite3.connect(url) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_another_schema_version_is_rebuilt(
    fleet: list[gitutil.Repo], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _build(db_url, fleet[2:])
    db = ix.open_database(db_url, create=False)
    db.execute("UPDATE aibom_meta SET value = '0' WHERE key = 'schema_version'")
    db.close()
    with pytest.raises(ix.IndexCorruptError, match="schema version 0"):
        ix.open_source(db_url)
    code, _, err = _cli(["index", "--db", db_url, fleet[2].cwd], capsys)
    assert code == 0 and "schema version 0" in err
    source = ix.open_source(db_url)
    try:
        assert len(list(source.commits(None))) == 4
    finally:
        source.close()


# -- concurrency ---------------------------------------------------------------------------------
def test_two_concurrent_indexers(fleet: list[gitutil.Repo], db_url: str) -> None:
    argv = [sys.executable, "-m", "aibom.cli", "index", "--db", db_url, *[r.cwd for r in fleet]]
    procs = [
        subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outputs]
    source = ix.open_source(db_url)
    try:
        repos = {r.label: r.commits for r in source.repositories()}
        shas = [(f.repository, f.sha) for f in source.commits(None)]
    finally:
        source.close()
    assert repos == {"alpha": 240, "beta": 160, "gamma": 4}
    assert len(shas) == len(set(shas)) == 404
    if not db_url.startswith("postgresql"):
        with sqlite3.connect(db_url) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- the CLI -------------------------------------------------------------------------------------
def test_cli_index_trace_show_across_repositories(
    fleet: list[gitutil.Repo], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(tmp_path / "fleet.sqlite3")
    code, out, err = _cli(
        ["index", "--db", url, *[r.cwd for r in fleet], "--format", "json"], capsys
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["kind"] == "sqlite" and len(data["repositories"]) == 3
    assert not Path(fleet[0].common_dir, "aibom", "index.sqlite3").exists()

    code, out, _ = _cli(
        ["trace", "--model", "openai/gpt-4o@2024-08-06", "--db", url, "--format", "json"], capsys
    )
    assert code == 0
    found = json.loads(out)["commits"]
    assert {c["repository"] for c in found} == {"alpha", "beta", "gamma"}
    code, _, _ = _cli(["trace", "--model", "openai/gpt-4o", "--db", url, "--fail-if-found"], capsys)
    assert code == 1
    code, out, _ = _cli(
        ["trace", "--model", "mistral/devstral-2", "--db", url, "--fail-if-found"], capsys
    )
    assert code == 0

    code, out, err = _cli(["stats", "--by", "model", "--db", url, "--format", "json"], capsys)
    assert code == 0, err
    assert json.loads(out)["commits"] == 404
    sha = next(c["sha"] for c in found if c["repository"] == "gamma")
    code, out, err = _cli(["show", sha[:10], "--db", url], capsys)
    assert code == 0, err
    assert f"commit      {sha}" in out and "repository  gamma" in out and "b.py (+1 -0)" in out
    code, out, _ = _cli(["show", sha, "--db", url, "--format", "json"], capsys)
    assert json.loads(out)["attribution"]["models"] == ["openai/gpt-4o-2024-08-06"]


def test_default_index_in_the_git_dir(
    make_repo: Callable[..., GitRepo], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = _scripted(make_repo())
    code, out, err = _cli(["-C", str(repo.path), "index"], capsys)
    assert code == 0, err
    path = repo.path / ".git" / "aibom" / "index.sqlite3"
    assert path.is_file() and str(path) in out and "4 new" in out
    code, out, _ = _cli(["-C", str(repo.path), "index"], capsys)
    assert "0 new" in out and "4 commits indexed" in out
    code, out, _ = _cli(["-C", str(repo.path), "show", "--db", str(path)], capsys)  # HEAD resolved
    assert code == 0 and "human edit" in out


def test_bad_input(
    make_repo: Callable[..., GitRepo], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _cli(
        ["trace", "--model", "openai/gpt-4o", "--db", str(tmp_path / "none.sqlite3")], capsys
    )
    assert code == 2 and "no index" in err and "aibom index" in err
    assert not (tmp_path / "none.sqlite3").exists()
    code, _, err = _cli(
        ["trace", "--model", "openai/gpt-4o", "--db", "postgresql://nobody@127.0.0.1:1/x"], capsys
    )
    assert code == 2 and "cannot connect" in err
    empty = make_repo()
    code, _, err = _cli(["index", "--db", str(tmp_path / "e.sqlite3"), str(empty.path)], capsys)
    assert code == 2 and "no commits" in err
    repo = _scripted(make_repo())
    url = str(tmp_path / "i.sqlite3")
    assert _cli(["index", "--db", url, str(repo.path)], capsys)[0] == 0
    code, _, err = _cli(
        ["trace", "--model", "openai/gpt-4o", "--db", url, "--range", "HEAD~1..HEAD"], capsys
    )
    assert code == 2 and "--range" in err
    code, _, err = _cli(["show", "zzzz", "--db", url], capsys)
    assert code == 2
    code, _, err = _cli(["show", "0000000", "--db", url], capsys)
    assert code == 2 and "no commit" in err


def test_a_shallow_clone_is_indexed_with_a_warning(
    make_repo: Callable[..., GitRepo], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    origin = _scripted(make_repo())
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{origin.path}", str(clone)], check=True
    )
    code, out, err = _cli(["index", "--db", str(tmp_path / "s.sqlite3"), str(clone)], capsys)
    assert code == 0 and "shallow clone" in err and "2 new" in out


def test_the_demo_scene(make_repo: Callable[..., GitRepo]) -> None:
    from aibom.forensics.index.demo import scene

    repo = _scripted(make_repo("app"))
    repo.commit(
        "opus\n\nAI-Origin: ai-generated\nAI-Model: anthropic/claude-opus-4-5-20251101",
        files={"o.py": "o\n"},
    )
    said = "\n".join(scene(repo.path, dict(os.environ)))
    assert "payments-service  300 new" in said and "repository  app" in said
    assert "app:" in said and "payments-service:" in said  # one trace, both repositories
    assert "0 new, 0 re-read" in said


def test_commits_in_one_second_come_in_git_order(
    make_repo: Callable[..., GitRepo], db_url: str
) -> None:
    """Ties on the commit time keep git log's order, across incremental runs too."""
    repo = make_repo("same-second")
    same = {"GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z", "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z"}
    ai = "\n\nAI-Origin: ai-generated\nAI-Model: openai/gpt-5-codex"
    for n in range(4):
        repo.commit(f"first {n}{ai}", files={f"a{n}.py": "a\n"}, env=same)
    target = gitutil.discover(repo.path)

    def orders() -> tuple[list[str], list[str]]:
        _build(db_url, [target])
        source = _source(db_url)
        try:
            indexed = [f.sha for f in source.commits(None)]
        finally:
            source.close()
        return indexed, [f.sha for f in GitSource(target).commits(None)]

    indexed, git = orders()
    assert indexed == git and len(git) == 4
    for n in range(3):
        repo.commit(f"later {n}{ai}", files={f"b{n}.py": "b\n"}, env=same)
    indexed, git = orders()
    assert indexed == git and len(git) == 7
