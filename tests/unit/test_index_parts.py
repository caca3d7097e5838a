"""Small parts of the index: repository identity, numstat parsing, query hand-over, DSNs."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from aibom.errors import ExitCode
from aibom.forensics.index import numstat, repos
from aibom.forensics.index.postgres import redact
from aibom.forensics.index.source import structured
from aibom.forensics.query import AgentQuery, ModelQuery, SessionQuery, TraceQuery


def test_remote_urls_name_one_repository_however_spelled() -> None:
    same = {
        repos.normalize_url("https://user:token@example.com/org/app.git"),
        repos.normalize_url("https://example.com/org/app/"),
        repos.normalize_url(" https://example.com/org/app "),
    }
    assert same == {"https://example.com/org/app"}
    assert repos.normalize_url("git@example.com:org/app.git") == "git@example.com:org/app"


def test_labels() -> None:
    assert repos._label("https://example.com/org/app", "/x/clone") == "org/app"
    assert repos._label("git@example.com:org/app", "/x/clone") == "org/app"
    assert repos._label("", "/src/work/api") == "api"


def test_numstat_lines() -> None:
    changes = numstat.parse("3\t1\tsrc/a.py\n-\t-\tlogo.png\n\nnot a line\n0\t2\tdir/with\ttab")
    assert [(c.path, c.added, c.deleted) for c in changes] == [
        ("src/a.py", 3, 1),
        ("logo.png", 0, 0),
        ("dir/with\ttab", 0, 2),
    ]


def test_trace_prefilters_hand_their_query_to_the_index() -> None:
    model = TraceQuery.build(model="anthropic/claude-opus-4-5@20251101")
    assert structured(model.prefilter()) == ModelQuery("anthropic", "claude-opus-4-5", "20251101")
    assert structured(TraceQuery.build(agent="codex").prefilter()) == AgentQuery("codex")
    assert structured(TraceQuery.build(session="s-1").prefilter()) == SessionQuery("s-1")
    assert structured(lambda raw: True) is None
    assert structured(None) is None


def test_passwords_never_reach_messages() -> None:
    assert redact("postgresql://aibom:s3cret@db.internal:5432/x") == (
        "postgresql://aibom:***@db.internal:5432/x"
    )
    assert redact("postgresql://aibom@db.internal/x") == "postgresql://aibom@db.internal/x"
    # libpq also takes the password as a URL parameter
    assert redact("postgresql://aibom@db/x?sslmode=require&password=s3cret&a=b") == (
        "postgresql://aibom@db/x?sslmode=require&password=***&a=b"
    )
    assert redact("postgres://db/x?PASSWORD=s3cret") == "postgres://db/x?PASSWORD=***"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from aibom.cli_index import _Progress

    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    quiet = _Progress("indexing")
    quiet("5000 commits new")
    quiet.done()
    assert piped.getvalue() == ""
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    live = _Progress("indexing")
    live("5000 commits new")
    live.done()
    assert "\rindexing: 5000 commits new" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\033[K")


def test_ctrl_c_says_how_to_carry_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from aibom.cli import main
    from aibom.forensics import index as ix

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    subprocess.run(["git", "init", "-q", str(tmp_path / "r")], check=True)
    subprocess.run(
        ["git", "-C", str(tmp_path / "r"), "commit", "-q", "--allow-empty", "-m", "x"],
        check=True,
    )
    monkeypatch.setattr(ix, "build", interrupted)
    code = main(["index", "--db", str(tmp_path / "i.sqlite3"), str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == ExitCode.INTERNAL
    assert "interrupted" in err and "run the same aibom index again" in err
