"""``aibom stats`` end to end: counts by origin/model/agent/author/month, AI lines alive in
the tip and AI lines later modified by people, on scripted repositories."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GitRepo

OPUS = "anthropic/claude-opus-4-5-20251101"
GPT = "openai/gpt-4o-2024-08-06"
TEN = "".join(f"ai_{i} = {i}\n" for i in range(1, 11))


def _stats(repo: GitRepo, *args: str) -> Any:
    return json.loads(repo.aibom("stats", *args, "--format", "json").stdout)


@pytest.fixture
def history(repo: GitRepo) -> GitRepo:
    """human +2 lines; opus +10 lines (b.py); gpt +4 lines (c.py); a person rewrites 3 opus
    lines and deletes 1; gpt rewrites 2 more opus lines; a person re-indents one (-w)."""
    repo.commit("human", files={"a.py": "h = 1\nh2 = 2\n"})
    repo.aibom("session", "start", "--agent", "claude-code/2.0.14", "--model", OPUS)
    repo.commit("opus", files={"b.py": TEN})
    repo.aibom("session", "end")
    repo.aibom("session", "start", "--agent", "codex/0.46.0", "--model", GPT)
    repo.commit("gpt", files={"c.py": "g1\ng2\ng3\ng4\n"})
    repo.aibom("session", "end")
    lines = TEN.splitlines()
    lines[0], lines[1], lines[2] = "p1 = 1", "p2 = 2", "p3 = 3"
    del lines[3]
    repo.commit("person edits", files={"b.py": "\n".join(lines) + "\n"})
    lines[4], lines[5] = "g5 = 5", "g6 = 6"
    repo.aibom("session", "start", "--agent", "codex/0.46.0", "--model", GPT)
    repo.commit("gpt edits", files={"b.py": "\n".join(lines) + "\n"})
    repo.aibom("session", "end")
    lines[8] = "    " + lines[8]
    repo.commit("person re-indents", files={"b.py": "\n".join(lines) + "\n"})
    return repo


def test_by_origin(history: GitRepo) -> None:
    data = _stats(history)
    assert data["commits"] == 6 and data["ai_commits"] == 3
    groups = {g["key"]: g for g in data["groups"]}
    assert groups["ai-assisted"]["commits"] == 3
    assert groups["ai-assisted"]["lines_added"] == 10 + 4 + 2
    assert data["ai_lines_added"] == 16
    # opus: 10 - 3 rewritten - 1 deleted - 2 rewritten by gpt = 4 alive (re-indent keeps it)
    # gpt: 4 in c.py + 2 in b.py = 6 alive
    assert data["ai_lines_alive"] == 10
    assert data["ai_alive_share"] == pytest.approx(10 / 16)
    assert data["ai_lines_modified_by_people"] == 4
    assert data["ai_modified_by_people_share"] == pytest.approx(4 / 16)


def test_by_model_and_agent(history: GitRepo) -> None:
    groups = {g["key"]: g for g in _stats(history, "--by", "model")["groups"]}
    assert groups[OPUS]["lines_added"] == 10 and groups[OPUS]["ai_lines_alive"] == 4
    assert groups[OPUS]["ai_lines_modified_by_people"] == 4
    assert groups[GPT]["commits"] == 2 and groups[GPT]["ai_lines_alive"] == 6
    assert groups["(none)"]["commits"] == 3
    agents = {g["key"]: g["commits"] for g in _stats(history, "--by", "agent")["groups"]}
    assert agents == {"claude-code": 1, "codex": 2, "(none)": 3}


def test_by_author_and_month(history: GitRepo) -> None:
    authors = _stats(history, "--by", "author")["groups"]
    assert [(g["key"], g["commits"]) for g in authors] == [("human@example.com", 6)]
    months = _stats(history, "--by", "month")["groups"]
    assert len(months) == 1 and len(months[0]["key"]) == 7


def test_range_and_no_lines(history: GitRepo) -> None:
    data = _stats(history, "--range", "HEAD~2..HEAD")
    assert data["commits"] == 2 and data["ai_commits"] == 1 and data["ai_lines_added"] == 2
    quick = _stats(history, "--no-lines")
    assert quick["ai_lines_alive"] is None and quick["tip"] is None
    proc = history.aibom("stats", "--range", "nosuch..", check=False)
    assert proc.returncode == 2 and "bad revision range" in proc.stderr


def test_text_and_markdown(history: GitRepo) -> None:
    text = history.aibom("stats", "--by", "model").stdout
    assert "AI lines alive in HEAD: 10 (62.5%)" in text
    assert "AI lines later modified by people: 4 (25.0%)" in text
    md = history.aibom("stats", "--format", "markdown").stdout
    assert md.startswith("## AI code statistics")
    assert "| origin | commits |" in md and "|---|---:|" in md


def test_trailer_only_and_no_notes(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.commit("human", files={"a.py": "a\n"})
    repo.commit(f"ai\n\nAI-Origin: ai-generated\nAI-Model: {GPT}\n", files={"b.py": "b\nc\n"})
    proc = repo.aibom("stats", "--by", "model", "--format", "json")
    assert "no aibom notes" in proc.stderr
    data = json.loads(proc.stdout)
    assert data["ai_commits"] == 1 and data["ai_lines_alive"] == 2


def test_empty_repository(make_repo: Callable[..., GitRepo]) -> None:
    data = _stats(make_repo())
    assert data["commits"] == 0 and data["ai_alive_share"] is None


def test_ctrl_c_leaves_nothing_half_written(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from aibom.testing import synthrepo

    synth = synthrepo.generate(tmp_path / "r", commits=6000, files=50)
    out = tmp_path / "stats.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "aibom.cli", "stats", "--format", "json", "-o", str(out)],
        cwd=synth.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(0.4)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    if proc.returncode == 0:  # finished before the signal: the file is whole
        assert json.loads(out.read_text())["commits"] == 6000
    else:
        assert proc.returncode == 3 and b"aborted" in err and b"Traceback" not in err
        assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".aibom-")] == []
