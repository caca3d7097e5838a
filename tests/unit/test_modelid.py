from __future__ import annotations

import time

import pytest

from aibom.provenance.modelid import normalize_model, parse_model_key
from aibom.provenance.types import ModelId

# raw input -> (provider, model, version, id)
CASES: list[tuple[str, tuple[str, str, str | None, str]]] = [
    # already normalised
    (
        "anthropic/claude-opus-4-5-20251101",
        ("anthropic", "claude-opus-4-5", "20251101", "claude-opus-4-5-20251101"),
    ),
    ("openai/gpt-4o-2024-08-06", ("openai", "gpt-4o", "2024-08-06", "gpt-4o-2024-08-06")),
    # bare provider ids
    (
        "claude-opus-4-5-20251101",
        ("anthropic", "claude-opus-4-5", "20251101", "claude-opus-4-5-20251101"),
    ),
    (
        "claude-3-5-sonnet-20241022",
        ("anthropic", "claude-3-5-sonnet", "20241022", "claude-3-5-sonnet-20241022"),
    ),
    (
        "claude-sonnet-4-20250514",
        ("anthropic", "claude-sonnet-4", "20250514", "claude-sonnet-4-20250514"),
    ),
    ("gpt-4o", ("openai", "gpt-4o", None, "gpt-4o")),
    ("gpt-4o-2024-08-06", ("openai", "gpt-4o", "2024-08-06", "gpt-4o-2024-08-06")),
    ("gpt-4.1", ("openai", "gpt-4.1", None, "gpt-4.1")),
    ("gpt-3.5-turbo-0125", ("openai", "gpt-3.5-turbo", "0125", "gpt-3.5-turbo-0125")),
    ("o3-mini", ("openai", "o3-mini", None, "o3-mini")),
    ("o1", ("openai", "o1", None, "o1")),
    ("o4-mini-2025-04-16", ("openai", "o4-mini", "2025-04-16", "o4-mini-2025-04-16")),
    ("gemini-2.5-pro", ("google", "gemini-2.5-pro", None, "gemini-2.5-pro")),
    ("grok-4", ("xai", "grok-4", None, "grok-4")),
    ("grok-4-0709", ("xai", "grok-4", "0709", "grok-4-0709")),
    ("deepseek-chat", ("deepseek", "deepseek-chat", None, "deepseek-chat")),
    ("qwen3-coder", ("alibaba", "qwen3-coder", None, "qwen3-coder")),
    ("kimi-k2", ("moonshotai", "kimi-k2", None, "kimi-k2")),
    ("codestral-latest", ("mistral", "codestral-latest", None, "codestral-latest")),
    ("codestral-2501", ("mistral", "codestral", "2501", "codestral-2501")),
    ("glm-4.6", ("zhipuai", "glm-4.6", None, "glm-4.6")),
    ("llama-3.3-70b-instruct", ("meta", "llama-3.3-70b-instruct", None, "llama-3.3-70b-instruct")),
    # display names
    ("Claude Opus 4.5", ("anthropic", "claude-opus-4-5", None, "claude-opus-4-5")),
    ("Claude 3.5 Sonnet", ("anthropic", "claude-3-5-sonnet", None, "claude-3-5-sonnet")),
    ("Claude Sonnet 4", ("anthropic", "claude-sonnet-4", None, "claude-sonnet-4")),
    ("Claude Opus 4.8 (1M context)", ("anthropic", "claude-opus-4-8", None, "claude-opus-4-8")),
    ("GPT-4o", ("openai", "gpt-4o", None, "gpt-4o")),
    ("GPT-5 Codex", ("openai", "gpt-5-codex", None, "gpt-5-codex")),
    ("Gemini 2.5 Pro", ("google", "gemini-2.5-pro", None, "gemini-2.5-pro")),
    ("Kimi K2", ("moonshotai", "kimi-k2", None, "kimi-k2")),
    # editor spellings
    ("claude-4-sonnet", ("anthropic", "claude-sonnet-4", None, "claude-sonnet-4")),
    ("claude-4.5-sonnet-thinking", ("anthropic", "claude-sonnet-4-5", None, "claude-sonnet-4-5")),
    ("claude-sonnet-3.7", ("anthropic", "claude-3-7-sonnet", None, "claude-3-7-sonnet")),
    ("claude-sonnet-4-5[1m]", ("anthropic", "claude-sonnet-4-5", None, "claude-sonnet-4-5")),
    ("sonnet", ("anthropic", "sonnet", None, "sonnet")),
    # aider forms
    (
        "anthropic/claude-3-7-sonnet-20250219",
        ("anthropic", "claude-3-7-sonnet", "20250219", "claude-3-7-sonnet-20250219"),
    ),
    (
        "openrouter/anthropic/claude-3.5-sonnet",
        ("anthropic", "claude-3-5-sonnet", None, "claude-3-5-sonnet"),
    ),
    ("deepseek/deepseek-chat", ("deepseek", "deepseek-chat", None, "deepseek-chat")),
    ("4o", ("openai", "gpt-4o", None, "gpt-4o")),
    ("openai/qwen3-coder", ("alibaba", "qwen3-coder", None, "qwen3-coder")),
    # gateways and hosts
    ("openrouter/x-ai/grok-code-fast-1", ("xai", "grok-code-fast-1", None, "grok-code-fast-1")),
    (
        "meta-llama/Llama-3.1-8B-Instruct",
        ("meta", "llama-3.1-8b-instruct", None, "llama-3.1-8b-instruct"),
    ),
    (
        "anthropic/claude-3.5-sonnet:beta",
        ("anthropic", "claude-3-5-sonnet", None, "claude-3-5-sonnet"),
    ),
    # Bedrock
    (
        "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        ("anthropic", "claude-3-7-sonnet", "20250219", "claude-3-7-sonnet-20250219"),
    ),
    (
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        ("anthropic", "claude-3-5-sonnet", "20240620", "claude-3-5-sonnet-20240620"),
    ),
    # Vertex
    (
        "claude-3-5-sonnet-v2@20241022",
        ("anthropic", "claude-3-5-sonnet", "20241022", "claude-3-5-sonnet-20241022"),
    ),
    (
        "claude-opus-4-5@20251101",
        ("anthropic", "claude-opus-4-5", "20251101", "claude-opus-4-5-20251101"),
    ),
    # Google resource name
    ("models/gemini-1.5-pro-002", ("google", "gemini-1.5-pro", "002", "gemini-1.5-pro-002")),
    # unknown but plausible
    ("someco/my-model-7", ("someco", "my-model-7", None, "my-model-7")),
    ("frobnicator-9000", ("unknown", "frobnicator-9000", None, "frobnicator-9000")),
]


@pytest.mark.parametrize(("raw", "want"), CASES, ids=[c[0] for c in CASES])
def test_normalize(raw: str, want: tuple[str, str, str | None, str]) -> None:
    got = normalize_model(raw)
    assert got is not None
    assert (got.provider, got.model, got.version, got.id) == want


@pytest.mark.parametrize("raw", [c[0] for c in CASES])
def test_slug_round_trips(raw: str) -> None:
    first = normalize_model(raw)
    assert first is not None
    assert normalize_model(first.slug) == first


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "claude",
        "Claude",
        "Claude Code",
        "GPT",
        "gemini",
        "copilot",
        "hello",
        "hello world",
        "Rich Salz",
        "Daniel Gustafsson",
        "???",
        "1234",
        "a b c d e f g h",
        "x" * 500,
        "<script>",
        "claude\x00opus",
    ],
)
def test_garbage_is_none(raw: str) -> None:
    assert normalize_model(raw) is None


def test_non_string_is_none() -> None:
    assert normalize_model(None) is None  # type: ignore[arg-type]
    assert normalize_model(42) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw",
    [
        "claude-opus-4-5",
        "Claude Opus 4.5",
        "gpt-4o",
        "gemini-2.5-pro",
        "sonnet",
        "claude-3-5-sonnet-v2",
    ],
)
def test_never_invents_a_snapshot(raw: str) -> None:
    got = normalize_model(raw)
    assert got is not None
    assert got.version is None


def test_anthropic_uses_dashes_openai_and_google_keep_dots() -> None:
    assert normalize_model("claude-3.7-sonnet") == ModelId("anthropic", "claude-3-7-sonnet")
    assert normalize_model("gpt-4.1-mini") == ModelId("openai", "gpt-4.1-mini")
    assert normalize_model("gemini-2.0-flash") == ModelId("google", "gemini-2.0-flash")


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("anthropic/claude-opus-4-5@20251101", ("anthropic/claude-opus-4-5", "20251101")),
        ("anthropic/claude-opus-4-5", ("anthropic/claude-opus-4-5", None)),
        ("claude-opus-4-5", ("anthropic/claude-opus-4-5", None)),
        ("claude-opus-4-5-20251101", ("anthropic/claude-opus-4-5", "20251101")),
        ("openai/gpt-4o@2024-08-06", ("openai/gpt-4o", "2024-08-06")),
        ("  gpt-4o  ", ("openai/gpt-4o", None)),
        ("weird thing@V1", ("weird thing", "v1")),
    ],
)
def test_parse_model_key(text: str, want: tuple[str, str | None]) -> None:
    assert parse_model_key(text) == want


def test_parse_model_key_matches_model_key() -> None:
    model = normalize_model("claude-opus-4-5-20251101")
    assert model is not None
    base, version = parse_model_key(model.key)
    assert f"{base}@{version}" == model.key


def test_fast() -> None:
    inputs = [c[0] for c in CASES] * 40
    start = time.perf_counter()
    for raw in inputs:
        normalize_model(raw)
    per_call = (time.perf_counter() - start) / len(inputs)
    assert per_call < 2e-4
