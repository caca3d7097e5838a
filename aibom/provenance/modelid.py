"""Model-id normalisation: any model string to the models.dev ``provider/id`` form.

Inputs come from trailers, agent configuration, environment variables and foreign tools:
bare provider ids (``gpt-4o-2024-08-06``), display names (``Claude Opus 4.5``), gateway
paths (``openrouter/anthropic/claude-3.5-sonnet``), Bedrock ids
(``us.anthropic.claude-3-7-sonnet-20250219-v1:0``), Vertex ids
(``claude-3-5-sonnet-v2@20241022``) and Google resource names (``models/gemini-1.5-pro-002``).
A snapshot is only reported when it is present in the input; it is never invented.
"""

from __future__ import annotations

from aibom.provenance.types import ModelId

__all__ = ["normalize_model", "parse_model_key"]

_MAX_LEN = 200
_MAX_WORDS = 6

# Route prefixes that name a gateway or host, not the model's maker.
_GATEWAYS = frozenset(
    {
        "openrouter",
        "bedrock",
        "amazon-bedrock",
        "vertex_ai",
        "vertex_ai_beta",
        "vertex",
        "google-vertex",
        "google-vertex-anthropic",
        "azure",
        "azure_ai",
        "groq",
        "together_ai",
        "together",
        "togetherai",
        "fireworks_ai",
        "fireworks",
        "accounts",
        "ollama",
        "ollama_chat",
        "lm_studio",
        "lmstudio",
        "hf",
        "huggingface",
        "github",
        "github-copilot",
        "copilot",
        "litellm_proxy",
        "litellm",
        "models",
        "model",
        "deepinfra",
        "cerebras",
        "nebius",
        "novita",
        "sambanova",
        "hyperbolic",
        "chutes",
        "requesty",
        "vercel",
        "cloudflare",
        "workers-ai",
        "opencode",
        "zen",
        "synthetic",
    }
)

# Spellings of a maker in a route prefix -> models.dev provider id.
_PROVIDER_ALIASES: dict[str, str] = {
    "anthropic": "anthropic",
    "openai": "openai",
    "google": "google",
    "gemini": "google",
    "xai": "xai",
    "x-ai": "xai",
    "deepseek": "deepseek",
    "deepseek-ai": "deepseek",
    "mistral": "mistral",
    "mistralai": "mistral",
    "codestral": "mistral",
    "alibaba": "alibaba",
    "qwen": "alibaba",
    "dashscope": "alibaba",
    "meta": "meta",
    "meta-llama": "meta",
    "moonshot": "moonshotai",
    "moonshotai": "moonshotai",
    "zhipuai": "zhipuai",
    "zhipu": "zhipuai",
    "z-ai": "zhipuai",
    "zai": "zhipuai",
    "zai-org": "zhipuai",
    "thudm": "zhipuai",
    "cohere": "cohere",
    "amazon": "amazon",
    "microsoft": "microsoft",
    "minimax": "minimax",
    "minimaxai": "minimax",
    "perplexity": "perplexity",
    "ai21": "ai21",
    "ibm": "ibm",
    "ibm-granite": "ibm",
}

# Model-family prefixes of the id -> provider. Checked in order with ``startswith``.
_FAMILIES: tuple[tuple[str, str], ...] = (
    ("claude", "anthropic"),
    ("gpt-", "openai"),
    ("gpt4", "openai"),
    ("gpt5", "openai"),
    ("chatgpt", "openai"),
    ("codex-", "openai"),
    ("text-embedding", "openai"),
    ("davinci", "openai"),
    ("gemini", "google"),
    ("gemma", "google"),
    ("learnlm", "google"),
    ("grok", "xai"),
    ("deepseek", "deepseek"),
    ("codestral", "mistral"),
    ("devstral", "mistral"),
    ("magistral", "mistral"),
    ("ministral", "mistral"),
    ("mistral", "mistral"),
    ("mixtral", "mistral"),
    ("pixtral", "mistral"),
    ("open-mistral", "mistral"),
    ("open-mixtral", "mistral"),
    ("qwen", "alibaba"),
    ("qwq", "alibaba"),
    ("qvq", "alibaba"),
    ("llama", "meta"),
    ("kimi", "moonshotai"),
    ("moonshot", "moonshotai"),
    ("glm", "zhipuai"),
    ("chatglm", "zhipuai"),
    ("codegeex", "zhipuai"),
    ("command-", "cohere"),
    ("phi-", "microsoft"),
    ("nova-", "amazon"),
    ("titan", "amazon"),
    ("minimax", "minimax"),
    ("abab", "minimax"),
    ("sonar", "perplexity"),
    ("jamba", "ai21"),
    ("granite", "ibm"),
)

# Short aliases tools accept (aider, CLIs) that name exactly one model.
_ALIASES: dict[str, str] = {
    "4o": "openai/gpt-4o",
    "gpt4o": "openai/gpt-4o",
    "gpt4": "openai/gpt-4",
    "gpt-4-omni": "openai/gpt-4o",
    "r1": "deepseek/deepseek-reasoner",
    "deepseek": "deepseek/deepseek-chat",
}

# Claude Code's own model aliases: kept as given, they name no single snapshot.
_CLAUDE_ALIASES = frozenset({"opus", "sonnet", "haiku", "opusplan", "default"})

# Names that look like ids but are agents or bare families, not models.
_NOT_MODELS = frozenset(
    {
        "claude",
        "claude-code",
        "claude-cowork",
        "gpt",
        "chatgpt",
        "gemini",
        "gemini-cli",
        "grok",
        "grok-cli",
        "qwen",
        "qwen-code",
        "qwen-coder",
        "llama",
        "mistral",
        "kimi",
        "kimi-cli",
        "codex",
        "codex-cli",
        "copilot",
        "cursor",
        "glm",
        "openai",
        "anthropic",
        "google",
        "unknown",
        "none",
        "null",
        "default-model",
    }
)

# OpenRouter variant suffixes and tags that carry no model identity.
_DROPPED_TAGS = frozenset(
    {"free", "beta", "thinking", "extended", "nitro", "floor", "online", "exacto", "latest"}
)

_BEDROCK_REGIONS = frozenset({"us", "eu", "apac", "ap", "global", "us-gov", "ca", "jp", "au"})
_BEDROCK_MAKERS = frozenset(
    {
        "anthropic",
        "meta",
        "amazon",
        "mistral",
        "cohere",
        "ai21",
        "deepseek",
        "qwen",
        "openai",
        "moonshot",
        "minimax",
        "writer",
    }
)
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._+-")
_CLAUDE_FAMILIES = ("opus", "sonnet", "haiku")


def normalize_model(raw: str) -> ModelId | None:
    """Turn any model string into a :class:`ModelId`, or None for garbage/empty input."""
    if not isinstance(raw, str):
        return None
    text = _clean(raw)
    if text is None:
        return None
    alias = _ALIASES.get(text)
    if alias is not None:
        text = alias
    hint, explicit, name = _split_route(text)
    if not name:
        return None
    name, at_version = _split_at(name)
    name = _drop_tag(name)
    if name in _ALIASES:
        hint, explicit, name = _split_route(_ALIASES[name])
    provider = _infer_provider(name) or hint or explicit or "unknown"
    built = _build(provider, name, at_version)
    if built is None or len(built.id) > 200 or len(built.version or "") > 64:
        return None  # not something the record schema can hold: no model rather than no record
    return built


def parse_model_key(text: str) -> tuple[str, str | None]:
    """Split the ``provider/model@version`` query form into (``provider/model``, version).

    The model part is normalised when possible, so ``claude-opus-4-5`` becomes
    ``anthropic/claude-opus-4-5``; a snapshot written into the id (without ``@``) is returned
    as the version. Unparseable input is returned lower-cased and stripped.
    """
    raw = text.strip()
    base, sep, version = raw.rpartition("@")
    if not sep:
        base, version = raw, ""
    version = version.strip().lower()
    model = normalize_model(base)
    if model is None:
        return base.strip().lower(), version or None
    return f"{model.provider}/{model.model}", version or model.version


def _clean(raw: str) -> str | None:
    text = raw.strip().strip("`'\"").strip().lower()
    if not text or len(text) > _MAX_LEN:
        return None
    text = _drop_brackets(text).strip()
    if len(text.split()) > _MAX_WORDS:
        return None
    text = "-".join(text.replace("_", " ").split()).strip("-")
    return text or None


def _drop_brackets(text: str) -> str:
    """Remove ``(1M context)`` / ``[1m]`` groups (an unclosed one ends the text)."""
    out: list[str] = []
    closing = ""
    for char in text:
        if closing:
            if char == closing:
                closing = ""
        elif char in "([":
            closing = ")" if char == "(" else "]"
        else:
            out.append(char)
    return "".join(out)


def _valid(text: str) -> bool:
    return bool(text) and text[0].isalnum() and all(c in _ID_CHARS for c in text)


def _bedrock(text: str) -> tuple[str, str] | None:
    """``[region.]maker.model-id[-vN][:N]`` -> (maker, model-id)."""
    head, dot, rest = text.partition(".")
    if dot and head in _BEDROCK_REGIONS:
        head, dot, rest = rest.partition(".")
    if not dot or head not in _BEDROCK_MAKERS or not rest:
        return None
    base, colon, revision = rest.rpartition(":")
    if colon and revision.isdigit():
        rest = base
    stem, dash_v, number = rest.rpartition("-v")
    if dash_v and number.isdigit() and stem:
        rest = stem
    return head, rest


def _split_route(text: str) -> tuple[str | None, str | None, str]:
    """Split ``gateway/maker/id`` into (known maker, unknown route prefix, id)."""
    bedrock = _bedrock(text) if "/" not in text else None
    if bedrock is not None:
        return _PROVIDER_ALIASES.get(bedrock[0]), None, bedrock[1]
    parts = [p for p in text.split("/") if p]
    if not parts:
        return None, None, ""
    hint: str | None = None
    explicit: str | None = None
    for part in parts[:-1]:
        if part in _PROVIDER_ALIASES:
            hint = _PROVIDER_ALIASES[part]
        elif part not in _GATEWAYS and _valid(part):
            explicit = part
    return hint, explicit, parts[-1]


def _split_at(name: str) -> tuple[str, str | None]:
    """Vertex form ``model@version``."""
    base, sep, version = name.partition("@")
    if not sep:
        return name, None
    if not version or version == "latest" or not _valid(version):
        return base, None
    return base, version


def _drop_tag(name: str) -> str:
    """OpenRouter ``:free``-style variants are dropped; ollama size tags become a suffix."""
    base, sep, tag = name.rpartition(":")
    if not sep:
        return name
    if tag.isdigit():  # Bedrock ``-v1:0`` revision without its region/maker prefix
        head, dash, rev = base.rpartition("-v")
        return head if dash and rev.isdigit() else base
    if tag in _DROPPED_TAGS or not _valid(tag):
        return base
    return f"{base}-{tag}"


def _infer_provider(name: str) -> str | None:
    if name in _CLAUDE_ALIASES or _is_claude_shorthand(name):
        return "anthropic"
    if len(name) >= 2 and name[0] == "o" and name[1].isdigit():
        rest = name[1:].lstrip("0123456789")
        if not rest or rest[0] == "-":
            return "openai"
    for prefix, provider in _FAMILIES:
        if name.startswith(prefix):
            return provider
    return None


def _is_claude_shorthand(name: str) -> bool:
    """``sonnet-4-5`` / ``opus-4.1``: a family word followed by a version number."""
    family, sep, rest = name.partition("-")
    return bool(sep) and family in _CLAUDE_FAMILIES and rest[:1].isdigit()


def _build(provider: str, name: str, at_version: str | None) -> ModelId | None:
    if provider == "anthropic":
        model, version = _anthropic(name, at_version)
    elif provider == "google":
        model, version = _split_snapshot(name, at_version, short=True)
    else:
        model, version = _split_snapshot(name, at_version, short=False)
    if not _plausible(model, provider):
        return None
    return ModelId(provider=provider, model=model, version=version)


def _anthropic(name: str, at_version: str | None) -> tuple[str, str | None]:
    name = name.replace(".", "-")
    if _is_claude_shorthand(name):
        name = f"claude-{name}"
    name = _claude_order(name.removesuffix("-thinking"))
    if at_version is not None:
        stem, dash_v, number = name.rpartition("-v")  # Vertex ``-v2@date``
        if dash_v and number.isdigit() and stem:
            name = stem
        return name, at_version
    stem, dash, tail = name.rpartition("-")
    if dash and len(tail) == 8 and tail.isdigit():
        return stem, tail
    return name, None


def _claude_order(name: str) -> str:
    """Claude 4+ ids put the family first (claude-opus-4-5); Claude 3.x put it last."""
    tokens = name.split("-")
    if len(tokens) < 3 or tokens[0] != "claude":
        return name
    if tokens[1] in _CLAUDE_FAMILIES:  # claude-<family>-<major>[-<minor>]...
        version = _version_tokens(tokens[2:])
        if version and int(version[0]) < 4:
            rest = tokens[2 + len(version) :]
            return "-".join(["claude", *version, tokens[1], *rest])
        return name
    version = _version_tokens(tokens[1:])  # claude-<major>[-<minor>]-<family>...
    after = 1 + len(version)
    if (
        version
        and int(version[0]) >= 4
        and after < len(tokens)
        and (tokens[after] in _CLAUDE_FAMILIES)
    ):
        return "-".join(["claude", tokens[after], *version, *tokens[after + 1 :]])
    return name


def _version_tokens(tokens: list[str]) -> list[str]:
    """A one-digit major and an optional one- or two-digit minor at the start of ``tokens``."""
    if not tokens or len(tokens[0]) != 1 or not tokens[0].isdigit():
        return []
    if len(tokens) > 1 and 1 <= len(tokens[1]) <= 2 and tokens[1].isdigit():
        return tokens[:2]
    return tokens[:1]


def _split_snapshot(name: str, at_version: str | None, *, short: bool) -> tuple[str, str | None]:
    if at_version is not None:
        return name, at_version
    if len(name) > 11 and name[-11] == "-" and _is_iso_date(name[-10:]):
        return name[:-11], name[-10:]
    stem, dash, tail = name.rpartition("-")
    if not dash or not stem or not tail.isdigit():
        return name, None
    if len(tail) == 8:
        return stem, tail
    if short and len(tail) == 3:  # Google's -001 / -002 stable versions
        return stem, tail
    if not short and len(tail) == 4 and _is_short_date(tail):
        return stem, tail
    return name, None


def _is_iso_date(text: str) -> bool:
    """``YYYY-MM-DD``."""
    parts = text.split("-")
    return [len(p) for p in parts] == [4, 2, 2] and all(p.isdigit() for p in parts)


def _is_short_date(digits: str) -> bool:
    """MMDD (``0613``, ``0709``) or YYMM (``2411``, ``2507``) snapshot suffixes."""
    first, second = int(digits[:2]), int(digits[2:])
    mmdd = 1 <= first <= 12 and 1 <= second <= 31
    yymm = 23 <= first <= 39 and 1 <= second <= 12
    return mmdd or yymm


def _plausible(model: str, provider: str) -> bool:
    if not model or len(model) > 100 or model in _NOT_MODELS:
        return False
    if not _valid(model) or not any(c.isalpha() for c in model):
        return False
    if provider == "unknown":  # nearly every real model id carries a number
        return any(c.isdigit() for c in model)
    return True
