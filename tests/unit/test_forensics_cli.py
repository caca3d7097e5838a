"""The forensics CLI helpers: progress only at a terminal, atomic output files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from aibom import cli_forensics
from aibom.errors import UsageError


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr("sys.stderr", pipe)
    quiet = cli_forensics.Progress("tracing")
    quiet(5)
    quiet.note("blaming")
    quiet.done()
    assert pipe.getvalue() == ""
    tty = _Terminal()
    monkeypatch.setattr("sys.stderr", tty)
    live = cli_forensics.Progress("tracing")
    live(5)
    live(150)  # not a multiple of 100: skipped
    live(200)
    live.done()
    shown = tty.getvalue()
    assert "tracing: 5" in shown and "tracing: 200" in shown and "150" not in shown
    assert shown.endswith("\r\033[K")


def test_interrupted_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report.json"

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("os.replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cli_forensics._write("{}\n", str(out))
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    cli_forensics._write("{}\n", str(out))
    assert out.read_text() == "{}\n" and [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_ranges_and_tips() -> None:
    assert cli_forensics._revs(None) is None
    assert cli_forensics._revs(" v1..HEAD ") == ["v1..HEAD"]
    with pytest.raises(UsageError):
        cli_forensics._revs("--all")
    with pytest.raises(UsageError):
        cli_forensics._revs("  ")
    assert cli_forensics._tip(None) == "HEAD"
    assert cli_forensics._tip("v1..v2") == "v2"
    assert cli_forensics._tip("v1...v2") == "v2"
    assert cli_forensics._tip("main~5..") == "HEAD"
    assert cli_forensics._tip("v3") == "v3"
