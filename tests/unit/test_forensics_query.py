"""Model, agent and session queries: parsing, matching, and the raw-text pre-filters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aibom.errors import UsageError
from aibom.forensics.facts import Attribution, CommitFacts, attribute
from aibom.forensics.query import AgentQuery, ModelQuery, SessionQuery, TraceQuery


def _facts(attribution: Attribution) -> CommitFacts:
    return CommitFacts("a" * 40, (), "n", "e", 0, "s", attribution)


@pytest.mark.parametrize(
    ("query", "model", "expected"),
    [
        ("anthropic/claude-opus-4-5", "anthropic/claude-opus-4-5-20251101", True),
        ("anthropic/claude-opus-4-5", "anthropic/claude-opus-4-5", True),
        ("anthropic/claude-opus-4-5", "anthropic/claude-opus-4-1-20250805", False),
        ("anthropic/claude-opus-4-5", "anthropic/claude-sonnet-4-5-20250929", False),
        ("anthropic/claude-opus-4-5@20251101", "anthropic/claude-opus-4-5-20251101", True),
        ("anthropic/claude-opus-4-5@20251101", "anthropic/claude-opus-4-5", False),
        ("anthropic/claude-opus-4-5-20251101", "anthropic/claude-opus-4-5-20251101", True),
        ("Claude Opus 4.5", "anthropic/claude-opus-4-5-20251101", True),
        ("claude-opus-4.5", "ANTHROPIC/Claude_Opus_4_5", True),
        ("openai/gpt-4o", "openai/gpt-4o-2024-08-06", True),
        ("openai/gpt-4o", "openai/gpt-4o-mini-2024-07-18", False),
        ("openai/gpt-4o@2024-08-06", "openai/gpt-4o-2024-08-06", True),
        ("openai/gpt-4o@20240806", "openai/gpt-4o-2024-08-06", True),
        ("openai/gpt-4o@2024-11-20", "openai/gpt-4o-2024-08-06", False),
        ("4o", "openai/gpt-4o-2024-11-20", True),
        ("openai/gpt-4o", "openrouter/openai/gpt-4o", True),
        ("anthropic/claude-sonnet-4-5", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", True),
        ("acme/frobnicator", "acme/frobnicator", True),
        # a provider's -latest alias is a snapshot of the family, not another model
        ("anthropic/claude-3-5-sonnet", "anthropic/claude-3-5-sonnet-latest", True),
        ("anthropic/claude-3-5-sonnet-latest", "anthropic/claude-3-5-sonnet-latest", True),
        ("anthropic/claude-3-5-sonnet@latest", "anthropic/claude-3-5-sonnet-latest", True),
        ("anthropic/claude-3-5-sonnet-latest", "anthropic/claude-3-5-sonnet-20241022", False),
        ("anthropic/claude-3-5-sonnet@20241022", "anthropic/claude-3-5-sonnet-latest", False),
        ("acme/frobnicator", "anthropic/claude-opus-4-5", False),
    ],
)
def test_model_matching(query: str, model: str, expected: bool) -> None:
    assert ModelQuery.parse(query).matches(model) is expected


@pytest.mark.parametrize("bad", ["", "   ", "@2025", "anthropic/claude@", "a@b@c", "frobnicator"])
def test_malformed_model_ids(bad: str) -> None:
    with pytest.raises(UsageError) as info:
        ModelQuery.parse(bad)
    assert "PROVIDER/MODEL[@VERSION]" in (info.value.hint or "")


def test_labels() -> None:
    assert ModelQuery.parse("Claude Opus 4.5").label == "anthropic/claude-opus-4-5"
    assert ModelQuery.parse("openai/gpt-4o@2024-08-06").label == "openai/gpt-4o@20240806"


def test_agent_and_session() -> None:
    agent = AgentQuery.parse("Claude-Code")
    assert agent.matches("claude-code/2.0.14") and agent.matches("claude-code")
    assert not agent.matches("codex/0.46.0") and not agent.matches(None)
    exact = AgentQuery.parse("claude-code/2.0.14")
    assert exact.matches("claude-code/2.0.14") and not exact.matches("claude-code/2.0.15")
    assert SessionQuery.parse("s-1").matches(("s-0", "s-1"))
    with pytest.raises(UsageError):
        AgentQuery.parse("two words")


def test_trace_query_needs_exactly_one() -> None:
    with pytest.raises(UsageError):
        TraceQuery.build()
    with pytest.raises(UsageError):
        TraceQuery.build(model="openai/gpt-4o", agent="codex")
    query = TraceQuery.build(session="s-9", revs=["main"])
    assert query.revs == ("main",) and query.label == "session s-9"


def _note(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


GENERATION = (
    '{"agent":{"name":"claude-code","version":"2.0.14"},"id":"sha256:' + "0" * 64 + '",'
    '"inferred":false,"kind":"generation","models":[{"id":"claude-opus-4-5-20251101",'
    '"model":"claude-opus-4-5","provider":"anthropic","version":"20251101"}],'
    '"origin":"ai-generated","session":"s-1"}'
)
IMPORTED = (
    '{"files":[{"blob":"' + "b" * 40 + '","conversations":[{"agent":"cursor/1.7",'
    '"confidence":0.8,"contributor":{"model_id":"openai/gpt-4o-2024-08-06","type":"ai"},'
    '"evidence":"imported","ranges":[{"end_line":3,"start_line":1}],"session":"s-2"}],'
    '"path":"a.py"}],"id":"sha256:' + "1" * 64 + '","kind":"attribution",'
    '"source":{"type":"git-ai"}}'
)


def test_attribution_records_are_part_of_the_commit() -> None:
    both, _ = attribute("", _note(GENERATION, IMPORTED))
    assert both.origin == "ai-generated" and both.source == "record"
    assert both.models == ("anthropic/claude-opus-4-5-20251101", "openai/gpt-4o-2024-08-06")
    assert both.sessions == ("s-1", "s-2")
    only, _ = attribute("", _note(IMPORTED))
    assert (only.origin, only.source, only.agent) == ("ai-generated", "git-ai", "cursor/1.7")
    assert TraceQuery.build(model="openai/gpt-4o").matches(_facts(only))
    assert TraceQuery.build(agent="cursor").matches(_facts(only))


CASES = [
    ("", _note(GENERATION)),
    ("", _note(IMPORTED)),
    ("AI-Origin: ai-assisted\nAI-Model: Claude Opus 4.5\n", ""),
    ("ai-model: 4o\nAI-Origin: ai-generated\n", ""),
    ("AI-Origin: ai-generated\nAI-Model: acme/frob-2\n", ""),
    ("AI-Origin: human\n", _note(GENERATION.replace("claude-opus-4-5", "claude-sonnet-4-5"))),
    ("", ""),
]
QUERIES = [
    "anthropic/claude-opus-4-5",
    "anthropic/claude-opus-4-5@20251101",
    "anthropic/claude-opus-4-5@20250101",
    "openai/gpt-4o",
    "openai/gpt-4o@2024-08-06",
    "acme/frob-2",
    "anthropic/claude-sonnet-4-5",
]


@pytest.mark.parametrize("text", QUERIES)
def test_prefilter_never_misses(text: str) -> None:
    query = TraceQuery.build(model=text)
    prefilter = query.prefilter()
    matched = 0
    for trailers, note in CASES:
        facts = _facts(attribute(trailers, note)[0])
        raw = f"\x1eC\x1f{'a' * 40}\x1f\x1fn\x1fe\x1f0\x1fsubject\x1f{trailers}\x1f{note}"
        if query.matches(facts):
            matched += 1
            assert prefilter(raw), (trailers, note)
            assert list(prefilter.hits(raw.encode()))
    assert matched >= 1 or text.endswith("@20250101")


def test_prefilter_rejects_unrelated_text() -> None:
    prefilter = TraceQuery.build(model="anthropic/claude-opus-4-5").prefilter()
    assert not prefilter("AI-Model: openai/gpt-4o\n" + _note(IMPORTED))
    assert not prefilter("plain human commit")
    assert TraceQuery.build(agent="codex").prefilter()("AI-Agent: Codex/0.46\n")
    assert not TraceQuery.build(session="S-1").prefilter()("AI-Session: s-1\n")


@given(st.sampled_from(["anthropic/claude-opus-4-5-20251101", "openai/gpt-4o-2024-11-20"]))
def test_prefilter_agrees_on_any_spelling_of_a_trailer(model: str) -> None:
    for spelling in (model, model.upper(), model.replace("-", "_"), model.replace("-", " ")):
        query = TraceQuery.build(model=model.rsplit("-", 1)[0] if "opus" in model else model)
        trailers = f"AI-Origin: ai-generated\nAI-Model: {spelling}\n"
        facts = _facts(attribute(trailers, "")[0])
        if query.matches(facts):
            assert query.prefilter()(trailers)
