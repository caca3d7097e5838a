"""The synthetic repository generator: real git objects, valid notes, deterministic."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aibom.deps.manifests import parse_file
from aibom.errors import UsageError
from aibom.notes.records import parse_note
from aibom.testing import synthrepo


def _git(path: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(path), *args], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def _notes(path: Path) -> dict[str, str]:
    out = _git(path, "log", "--notes=aibom", "--format=%H%x00%N%x01")
    notes = {}
    for chunk in out.split("\x01"):
        sha, sep, note = chunk.strip("\n").partition("\x00")
        if sep and note.strip():
            notes[sha] = note
    return notes


def test_builds_commits_and_valid_notes(tmp_path: Path) -> None:
    repo = synthrepo.generate(tmp_path / "r", commits=300, files=20, seed=3)
    assert repo.commits == 300
    assert int(_git(repo.path, "rev-list", "--count", "HEAD")) == 300
    assert _git(repo.path, "rev-parse", "HEAD").strip() == repo.head
    notes = _notes(repo.path)
    assert len(notes) == repo.with_records
    assert 0.35 * 300 < repo.with_records < 0.65 * 300
    kinds: set[str] = set()
    for sha, text in notes.items():
        records, bad = parse_note(text)
        assert not bad, bad
        kinds.update(r.kind for r in records)
        for record in records:
            if record.kind != "attribution":
                continue
            for entry in record.data["files"]:
                blob = _git(repo.path, "rev-parse", f"{sha}:{entry['path']}").strip()
                assert blob == entry["blob"]
    assert kinds == {"generation", "attribution"}
    assert not _git(repo.path, "status", "--porcelain")


def test_models_families_trailers_and_imports(tmp_path: Path) -> None:
    repo = synthrepo.generate(tmp_path / "r", commits=1500, files=30, seed=1)
    gpt4o = [m for m in repo.models if m.startswith("openai/gpt-4o-")]
    assert len(gpt4o) >= 2  # several snapshots of one family
    assert repo.trailer_only > 0 and repo.imported > 0
    assert sum(n for _, n in repo.model_commits) > repo.trailer_only
    log = _git(repo.path, "log", "--format=%(trailers:key=AI-Agent,valueonly)")
    assert {"claude-code/2.0.14", "codex/0.46.0"} <= set(log.split())


def test_same_seed_same_history(tmp_path: Path) -> None:
    one = synthrepo.generate(tmp_path / "a", commits=50, files=5, seed=7)
    two = synthrepo.generate(tmp_path / "b", commits=50, files=5, seed=7)
    other = synthrepo.generate(tmp_path / "c", commits=50, files=5, seed=8)
    assert one.head == two.head != other.head


def test_record_share_zero_and_one(tmp_path: Path) -> None:
    none = synthrepo.generate(tmp_path / "a", commits=40, files=5, record_share=0.0)
    assert none.with_records == 0 and not _notes(none.path)
    every = synthrepo.generate(tmp_path / "b", commits=40, files=5, record_share=1.0)
    assert every.with_records == 40 == len(_notes(every.path))


def test_locked_dependencies_parse(tmp_path: Path) -> None:
    repo = synthrepo.generate(tmp_path / "r", commits=5, files=3, locked_dependencies=25)
    text = (repo.path / synthrepo.LOCKFILE).read_text()
    assert text.count("--hash=sha256:") == 25
    result = parse_file(synthrepo.LOCKFILE, text, lambda _: None)
    assert len(result.dependencies) == 25 and not result.problems
    assert all(d.spec.startswith("==") for d in result.dependencies)


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        synthrepo.generate(tmp_path / "a", commits=0)
    with pytest.raises(UsageError):
        synthrepo.generate(tmp_path / "b", commits=5, record_share=1.5)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "x").write_text("x")
    with pytest.raises(UsageError):
        synthrepo.generate(tmp_path / "c", commits=5)


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert synthrepo.main([str(tmp_path / "r"), "--commits", "20", "--files", "4"]) == 0
    assert "20 commits" in capsys.readouterr().out
    assert synthrepo.main([str(tmp_path / "r"), "--commits", "20"]) == 2
