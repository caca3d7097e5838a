"""Small parts of the index: repository identity, numstat parsing, query hand-over, DSNs."""

from __future__ import annotations

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
