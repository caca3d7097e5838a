"""Records stay on the right commit through amend, rebase, cherry-pick and pull --rebase.

Every scenario runs twice: with the git configuration ``aibom install`` writes
(``notes.rewriteRef``: git copies the notes itself, the post-rewrite hook unions again) and with
that configuration removed (the post-rewrite hook alone must carry the records).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GitRepo

AGENT = "claude-code/2.0.14"
MODEL = "anthropic/claude-opus-4-5-20251101"
AI_ENV = {"CLAUDECODE": "1"}

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
    lines[picks[1]] = op + lines[picks[1]][4:]
elif op == "edit":
    lines[picks[0]] = "edit" + lines[picks[0]][4:]
open(path, "w").write("\n".join(lines) + "\n")
"""


# -- helpers --------------------------------------------------------------------------------
def records(repo: GitRepo, rev: str = "HEAD") -> list[dict[str, Any]]:
    return [json.loads(line) for line in repo.note(rev).splitlines() if line.strip()]


def gen_ids(repo: GitRepo, rev: str = "HEAD") -> list[str]:
    return sorted(r["id"] for r in records(repo, rev) if r["kind"] == "generation")


def origins(repo: GitRepo, rev: str = "HEAD") -> list[str]:
    return sorted(r["origin"] for r in records(repo, rev) if r["kind"] == "generation")


def by_subject(repo: GitRepo, rev_range: str) -> dict[str, str]:
    out = repo.git("log", "--format=%H %s", rev_range).stdout
    return {line.split(" ", 1)[1]: line.split(" ", 1)[0] for line in out.splitlines()}


def ids_by_subject(repo: GitRepo, rev_range: str) -> dict[str, list[str]]:
    return {s: gen_ids(repo, sha) for s, sha in by_subject(repo, rev_range).items()}


def ai_session_commit(repo: GitRepo, message: str, **kwargs: Any) -> str:
    repo.aibom("session", "start", "--agent", AGENT, "--model", MODEL)
    try:
        return repo.commit(message, **kwargs)
    finally:
        repo.aibom("session", "end")


def sequence_editor(tmp_path: Path, op: str) -> dict[str, str]:
    script = tmp_path / "seq_editor.py"
    script.write_text(EDITOR)
    return {"GIT_SEQUENCE_EDITOR": f"{sys.executable} {script} {op}"}


NO_HOOKS = ("-c", "core.hooksPath=/dev/null")


def plain_commit(repo: GitRepo, message: str, files: dict[str, str]) -> str:
    """A setup commit with no hooks at all (faster; these commits need no record)."""
    for name, content in files.items():
        repo.write(name, content)
        repo.git("add", name)
    repo.git(*NO_HOOKS, "commit", "-q", "-m", message)
    return repo.head()


def strip_rewrite_config(repo: GitRepo) -> None:
    repo.git("config", "--unset-all", "notes.rewriteRef")
    repo.git("config", "--unset-all", "notes.rewriteMode")
    assert repo.git("config", "--get-all", "notes.rewriteRef", check=False).returncode == 1


@pytest.fixture(params=["installed-config", "hook-only"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def rrepo(make_repo: Callable[..., GitRepo], mode: str) -> GitRepo:
    repo = make_repo(install=True)
    if mode == "hook-only":
        strip_rewrite_config(repo)
    return repo


def topic(repo: GitRepo) -> dict[str, list[str]]:
    """main: base, m1 (no hooks) / topic: a1 (AI, session), a2 (AI, env), h3 (human)."""
    plain_commit(repo, "base", {"base.txt": "base\n"})
    repo.git("checkout", "-q", "-b", "topic")
    ai_session_commit(repo, "a1", files={"a1.txt": "one\n"})
    repo.commit("a2", files={"a2.txt": "two\n"}, env=AI_ENV)
    repo.commit("h3", files={"h3.txt": "three\n"})
    repo.git("checkout", "-q", "main")
    plain_commit(repo, "m1", {"m1.txt": "main\n"})
    repo.git("checkout", "-q", "topic")
    before = ids_by_subject(repo, "main..topic")
    assert set(before) == {"a1", "a2", "h3"}
    assert all(len(ids) == 1 for ids in before.values()), before
    return before


# -- amend ----------------------------------------------------------------------------------
def test_human_amend_of_ai_commit_keeps_the_ai_record(rrepo: GitRepo) -> None:
    old = ai_session_commit(rrepo, "feature", files={"x.py": "x = 1\n"})
    assert origins(rrepo, old) == ["ai-assisted"]
    ai_ids = gen_ids(rrepo, old)
    rrepo.write("x.py", "x = 2\n")
    rrepo.git("add", "x.py")
    rrepo.git("commit", "-q", "--amend", "-m", "feature, reviewed")
    new = rrepo.head()
    assert new != old
    # the AI record moved to the new commit; the human amend added no generation record
    assert gen_ids(rrepo, new) == ai_ids
    assert rrepo.note(new) == rrepo.note(old)


def test_agent_amend_of_human_commit_adds_an_ai_record(rrepo: GitRepo) -> None:
    old = rrepo.commit("by hand", files={"y.py": "y = 1\n"})
    human_ids = gen_ids(rrepo, old)
    assert origins(rrepo, old) == ["human"]
    rrepo.write("y.py", "y = 2\n")
    rrepo.git("add", "y.py")
    rrepo.git("commit", "-q", "--amend", "--no-edit", env=AI_ENV)
    new = rrepo.head()
    ids = gen_ids(rrepo, new)
    assert len(ids) == 2 and set(human_ids) < set(ids)
    added = next(
        r for r in records(rrepo, new) if r["kind"] == "generation" and r["id"] not in human_ids
    )
    observed = [e for e in added["evidence"] if e["source"] == "environment"]
    assert observed and observed[0]["agent"] == "claude-code"
    assert observed[0]["origin"] in {"ai-assisted", "ai-generated"}
    # the human record of the original commit came along
    assert any(r["id"] in human_ids for r in records(rrepo, new))


# -- rebase ---------------------------------------------------------------------------------
def test_rebase_pick_keeps_records_and_adds_none(rrepo: GitRepo) -> None:
    before = topic(rrepo)
    old = by_subject(rrepo, "main..topic")
    rrepo.git("rebase", "-q", "main")
    after = ids_by_subject(rrepo, "main..topic")
    new = by_subject(rrepo, "main..topic")
    assert set(new.values()).isdisjoint(old.values())  # really rewritten
    assert after == before
    # the rewritten commits are not in rebase-skipping doubt: no rewrite/generation extras
    for sha in new.values():
        assert [r["kind"] for r in records(rrepo, sha)] == ["generation"]


def test_rebase_reorder(rrepo: GitRepo, tmp_path: Path) -> None:
    before = topic(rrepo)
    env = sequence_editor(tmp_path, "reverse")
    rrepo.git("rebase", "-q", "-i", "main", env=env)
    order = rrepo.git("log", "--format=%s", "main..topic").stdout.split()
    assert order == ["a1", "a2", "h3"]  # newest first: reversed
    assert ids_by_subject(rrepo, "main..topic") == before


@pytest.mark.parametrize("op", ["squash", "fixup"])
def test_rebase_squash_unites_records(rrepo: GitRepo, tmp_path: Path, op: str) -> None:
    before = topic(rrepo)
    rrepo.git("rebase", "-q", "-i", "main", env=sequence_editor(tmp_path, op))
    after = ids_by_subject(rrepo, "main..topic")
    assert set(after) == {"a1", "h3"}
    # a2 was squashed into a1: the result holds both generation records
    assert after["a1"] == sorted(before["a1"] + before["a2"])
    assert after["h3"] == before["h3"]
    assert origins(rrepo, "topic~1") == ["ai-assisted", "ai-generated"]  # session + env


def test_rebase_edit_stop_amend_continue(rrepo: GitRepo, tmp_path: Path) -> None:
    before = topic(rrepo)
    proc = rrepo.git("rebase", "-i", "main", env=sequence_editor(tmp_path, "edit"))
    assert "Stopped" in proc.stdout + proc.stderr
    rrepo.write("a1.txt", "one, edited by a human\n")
    rrepo.git("add", "a1.txt")
    rrepo.git("commit", "-q", "--amend", "--no-edit")
    rrepo.git("rebase", "--continue")
    assert ids_by_subject(rrepo, "main..topic") == before
    assert rrepo.git("show", "topic~2:a1.txt").stdout == "one, edited by a human\n"


def test_pull_rebase_from_second_clone(make_repo: Callable[..., GitRepo], tmp_path: Path) -> None:
    """With the rewrite configuration removed: the post-rewrite hook alone carries the record."""
    origin = make_repo("origin", bare=True)
    a = make_repo("a", install=True)
    strip_rewrite_config(a)
    plain_commit(a, "base", {"base.txt": "b\n"})
    a.git("remote", "add", "origin", str(origin.path))
    a.git("push", "-q", "origin", "main")
    b_path = tmp_path / "b"
    a.git("clone", "-q", str(origin.path), str(b_path))
    b = GitRepo(b_path)
    plain_commit(b, "from b", {"b.txt": "b\n"})
    b.git("push", "-q", "origin", "main")
    local = a.commit("local ai", files={"a.txt": "a\n"}, env=AI_ENV)
    ids = gen_ids(a, local)
    assert len(ids) == 1
    a.git("pull", "-q", "--rebase", "origin", "main", env=AI_ENV)  # run by an agent
    head = a.head()
    assert head != local
    assert a.git("log", "-1", "--format=%s").stdout.strip() == "local ai"
    assert gen_ids(a, head) == ids


# -- cherry-pick (git copies no notes: post-commit does) -------------------------------------
def _rewrite_record(repo: GitRepo, rev: str) -> dict[str, Any]:
    found = [r for r in records(repo, rev) if r["kind"] == "rewrite"]
    assert len(found) == 1, records(repo, rev)
    return found[0]


@pytest.mark.parametrize("flag", [[], ["-x"]])
def test_cherry_pick_single(repo: GitRepo, flag: list[str]) -> None:
    rrepo = repo
    before = topic(rrepo)
    source = by_subject(rrepo, "main..topic")["a1"]
    rrepo.git("checkout", "-q", "main")
    rrepo.git("cherry-pick", *flag, source)
    head = rrepo.head()
    assert gen_ids(rrepo, head) == before["a1"]
    marker = _rewrite_record(rrepo, head)
    assert marker["operation"] == "cherry-pick" and marker["sources"] == [source]
    if flag:
        assert f"(cherry picked from commit {source})" in rrepo.message()


def test_cherry_pick_range(repo: GitRepo) -> None:
    rrepo = repo
    before = topic(rrepo)
    old = by_subject(rrepo, "main..topic")
    rrepo.git("checkout", "-q", "main")
    rrepo.git("cherry-pick", "topic~3..topic~1")  # a1, a2
    new = by_subject(rrepo, "main~2..main")
    assert set(new) == {"a1", "a2"}
    for subject in ("a1", "a2"):
        assert gen_ids(rrepo, new[subject]) == before[subject]
        assert _rewrite_record(rrepo, new[subject])["sources"] == [old[subject]]


@pytest.mark.parametrize("how", ["continue", "commit"])
def test_cherry_pick_with_conflict(repo: GitRepo, how: str) -> None:
    rrepo = repo
    plain_commit(rrepo, "base", {"c.txt": "base\n"})
    rrepo.git("checkout", "-q", "-b", "side")
    source = rrepo.commit("ai change", files={"c.txt": "ai\n"}, env=AI_ENV)
    ids = gen_ids(rrepo, source)
    rrepo.git("checkout", "-q", "main")
    plain_commit(rrepo, "human change", {"c.txt": "human\n"})
    proc = rrepo.git("cherry-pick", source, check=False)
    assert proc.returncode != 0  # conflict
    rrepo.write("c.txt", "resolved\n")
    rrepo.git("add", "c.txt")
    if how == "continue":
        rrepo.git("cherry-pick", "--continue")
    else:
        rrepo.git("commit", "-q", "--no-edit")
    head = rrepo.head()
    assert rrepo.git("show", "HEAD:c.txt").stdout == "resolved\n"
    assert set(ids) <= set(gen_ids(rrepo, head))
    assert _rewrite_record(rrepo, head)["sources"] == [source]


def test_rebase_adds_no_records_anywhere(rrepo: GitRepo, tmp_path: Path) -> None:
    """All generation records in the repository, before and after an interactive rebase."""
    topic(rrepo)

    def every_gen_id() -> set[str]:
        listing = rrepo.git("notes", "--ref", "refs/notes/aibom", "list").stdout.split()
        return {i for sha in listing[1::2] for i in gen_ids(rrepo, sha)}

    ids = every_gen_id()
    # an agent (or a declared session) running the rebase must not add records either
    env = {**AI_ENV, **sequence_editor(tmp_path, "reverse")}
    rrepo.aibom("session", "start", "--agent", AGENT, "--model", MODEL)
    rrepo.git("rebase", "-q", "-i", "main", env=env)
    assert every_gen_id() == ids
    rrepo.git("rebase", "-q", "--force-rebase", "main", env=AI_ENV)
    assert every_gen_id() == ids
    rrepo.aibom("session", "end")


def test_subject_that_looks_like_a_rebase_step_is_recorded(repo: GitRepo) -> None:
    """The reflog line is ``commit: <subject>``: the subject must not be read as the action."""
    sha = repo.commit("Handle (fixup) and (pick) lines", files={"f.py": "f = 1\n"}, env=AI_ENV)
    assert origins(repo, sha) == ["ai-generated"]


def test_rebase_without_reflog_adds_no_records(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    """core.logAllRefUpdates=false: no reflog to tell a rebase step from a commit."""
    repo = make_repo(install=True)
    repo.git("config", "core.logAllRefUpdates", "false")
    before = topic(repo)
    assert not (repo.path / ".git" / "logs" / "HEAD").exists()
    repo.git("rebase", "-q", "-i", "main", env={**AI_ENV, **sequence_editor(tmp_path, "reverse")})
    assert ids_by_subject(repo, "main..topic") == before
    for sha in by_subject(repo, "main..topic").values():
        assert [r["kind"] for r in records(repo, sha)] == ["generation"]  # no cherry-pick marker
