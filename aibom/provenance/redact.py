"""Secret redaction for prompt text that users opt in to storing.

``redact(text)`` replaces every secret it recognises with ``[REDACTED:<kind>]`` and says
how many it replaced and of which kinds. Standard library only; the regular expressions
are compiled on the first call so that importing this module stays cheap.

Rules run in a fixed order, most specific first: a GitHub token inside a URL or behind
``token=`` is reported as ``github-token``, not as a URL password or an assignment. Each
rule skips text that already holds a placeholder, so ``redact`` is idempotent.

False-positive trade-offs (prompts are mostly prose and code, and a redaction that eats
ordinary words makes the stored prompt useless):

* A lone 40-hex git SHA, and other hex strings of digest length (40, 56, 64, 96, 128:
  SHA-1/SHA-2), are kept; so are UUIDs. A secret of that shape is caught only by context
  (``token = <hex>``). Other hex runs of 32+ characters are redacted (an MD5 checksum or
  a UUID written without hyphens is therefore redacted too).
* The high-entropy rule only considers base64/base64url runs of 20+ characters that mix
  upper case, lower case and digits, are not path-like and change character class often
  (random text does; ``CamelCaseIdentifiers2`` and ``src/pkg/Module3`` do not). A random
  20-character secret without a digit (about 3% of them) is missed unless a rule with
  context finds it.
* ``password=`` / ``token:`` style assignments redact the value only. Values that look
  like code rather than data are kept: calls, indexing, ``$VAR`` / ``${VAR}`` / ``{{ x }}``
  references, dotted or snake_case names, type names, ``None``/``true``. After a colon
  (``Password: ...`` in prose) a bare lowercase word is kept; a value with digits,
  symbols or inner capitals is redacted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Redacted", "kinds", "redact"]

_PLACEHOLDER = "[REDACTED:"


@dataclass(frozen=True)
class Redacted:
    """The redacted text, how many secrets were replaced, and their kinds (sorted, unique)."""

    text: str
    count: int
    kinds: tuple[str, ...]


# A rule: kind, pattern, the group to replace (0: whole match), optional value filter.
_Accept = Callable[[re.Match[str], str], bool]
_Rule = tuple[str, re.Pattern[str], int, "_Accept | None"]
_RULES: list[_Rule] = []

# Boundaries: a token must not be glued to other token characters.
_S = r"(?<![A-Za-z0-9_])"
_E = r"(?![A-Za-z0-9_])"
_E_DASH = r"(?![A-Za-z0-9_-])"

_DIGEST_HEX_LENGTHS = frozenset({40, 56, 64, 96, 128})

_SPECIFIC: tuple[tuple[str, str, int], ...] = (
    # kind, pattern, group
    ("gcp-service-account", r'"private_key"\s*:\s*"((?:[^"\\\n]|\\.){16,})"', 1),
    (
        "private-key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"|(?:[ \t]*(?:\r?\n|\\n)[ \t]*(?:[A-Za-z0-9+/=]{16,}|[A-Za-z-]+: [^\n]*))*)",
        0,
    ),
    ("anthropic-api-key", _S + r"sk-ant-[A-Za-z0-9_-]{20,}" + _E_DASH, 0),
    (
        "openai-api-key",
        _S + r"sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{20,})" + _E_DASH,
        0,
    ),
    (
        "stripe-key",
        _S + r"(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,})" + _E,
        0,
    ),
    (
        "github-token",
        _S + r"(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,})" + _E,
        0,
    ),
    (
        "gitlab-token",
        r"(?<![A-Za-z0-9_-])(?:gl(?:pat|dt|rt|cbt|ptt|ft|imt|agent|soat|oas|ffct|wt)-"
        r"|GR1348941)[A-Za-z0-9_-]{20,}" + _E_DASH,
        0,
    ),
    (
        "slack-token",
        _S + r"(?:xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,})" + _E,
        0,
    ),
    (
        "slack-webhook",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9_/-]{8,})",
        1,
    ),
    ("npm-token", _S + r"npm_[A-Za-z0-9]{36}" + _E, 0),
    ("pypi-token", _S + r"pypi-AgEI[A-Za-z0-9_-]{50,}" + _E_DASH, 0),
    ("huggingface-token", _S + r"(?:hf_|api_org_)[A-Za-z0-9]{30,}" + _E, 0),
    (
        "aws-access-key-id",
        r"(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])",
        0,
    ),
    (
        "aws-secret-access-key",
        r"(?i)(?:aws[_-]?)?secret[_-]?access[_-]?key[\"']?\s*(?::=|=>|[:=])\s*[\"']?"
        r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        1,
    ),
    ("gcp-api-key", r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}" + _E_DASH, 0),
    ("azure-storage-key", r"(?i)\bAccountKey=([A-Za-z0-9+/]{20,}={0,2})", 1),
    ("azure-shared-access-key", r"(?i)\bSharedAccessKey=([A-Za-z0-9+/]{20,}={0,2})", 1),
    ("azure-sas-token", r"[?&]sig=([A-Za-z0-9%+/]{20,}(?:%3[dD]|=){0,2})", 1),
    (
        "jwt",
        r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*" + _E_DASH,
        0,
    ),
    (
        "authorization-header",
        r"(?i)\bAuthorization[\"']?\s*[:=]\s*[\"']?(?:Bearer|Basic|token|Digest)\s+"
        r"([A-Za-z0-9._~+/=:-]{8,})",
        1,
    ),
    # userinfo may not hold gen-delims ([]@:/?#), so a placeholder can never match again.
    (
        "url-password",
        r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:@/?#\[\]]*:([^\s@/?#\[\]]+)@(?=[A-Za-z0-9\[])",
        1,
    ),
)

_ASSIGN_KEY = (
    r"(?:[A-Za-z0-9_.-]*?[_.-])?"
    r"(?:passw(?:or)?d|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key"
    r"|private[_-]?key|secret[_-]?key|client[_-]?secret|credentials?)"
)
_ASSIGNMENT = (
    r"(?i)(?<![A-Za-z0-9])" + _ASSIGN_KEY + r"[\"']?[ \t]*(?P<op>:=|=>|=(?!=)|:(?!:))[ \t]*"
    r"(?:\"(?P<dq>[^\"\n]{1,256})\"|'(?P<sq>[^'\n]{1,256})'|`(?P<bq>[^`\n]{1,256})`"
    r"|(?P<bare>[^\s\"'`,;]{1,256}))"
)
_CLI_FLAG = (
    r"(?i)(?<![\w-])--(?:[a-z0-9]+-)*(?:password|passwd|token|secret|api-key|apikey)"
    r"[ \t]+(?P<bare>[^\s\"'`,;-][^\s\"'`,;]{0,255})"
)
_BEARER = r"\bBearer\s+([A-Za-z0-9._~+/-]*[0-9][A-Za-z0-9._~+/-]*=*)"
_CANDIDATE = r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{20,}={0,2}(?![A-Za-z0-9+/_=-])"

_STOP_VALUES = frozenset(
    {
        "none", "null", "nil", "true", "false", "undefined", "str", "string", "int",
        "integer", "bool", "boolean", "bytes", "any", "object", "number", "optional",
        "required", "secretstr", "env", "environ", "getenv", "os", "the", "a", "an", "is",
        "are", "was", "be", "to", "of", "and", "or", "not", "it", "this", "that", "your",
        "my", "our", "their", "see", "set", "unset", "empty", "here", "there", "yes", "no",
        "on", "off", "redacted", "changeme",
    }
)  # fmt: skip
_CODE_VALUE = None  # compiled lazily, see _compile()
_UUID = None
_WORD = None


def kinds() -> tuple[str, ...]:
    """Every kind ``redact`` can report, for documentation and tests."""
    names = [kind for kind, _, _ in _SPECIFIC]
    names += ["secret-assignment", "bearer-token", "high-entropy"]
    return tuple(sorted(set(names)))


# --------------------------------------------------------------------------- filters


def _assignment_value(match: re.Match[str]) -> tuple[str, int]:
    groups = match.groupdict()
    for name in ("dq", "sq", "bq", "bare"):
        if groups.get(name) is not None:
            return name, match.start(name)
    raise AssertionError("unreachable")  # pragma: no cover


def _looks_like_reference(value: str) -> bool:
    """``$VAR``, ``${VAR}``, ``{{ x }}``, ``<your-token>``, ``%(x)s``, ``****``, ``...``."""
    stripped = value.strip()
    return (
        not stripped
        or stripped[0] in "$%{<@*"
        or stripped.startswith("...")
        or set(stripped) <= {"*", "x", "X", ".", "-", "#"}
    )


def _looks_like_code(value: str) -> bool:
    """A bare value that is an expression rather than data: call, index, name, type."""
    if any(c in value for c in "()[]{}<>"):
        return True
    lowered = value.lower()
    if lowered in _STOP_VALUES:
        return True
    if value.isdigit() and len(value) < 6:
        return True
    assert _CODE_VALUE is not None
    if _CODE_VALUE.fullmatch(value) is None:
        return False
    # An identifier-ish value without digits: snake_case, dotted, camelCase, SCREAMING_CASE.
    return "_" in value or "." in value or (value[:1].islower() and not value.islower())


def _accept_assignment(match: re.Match[str], value: str) -> bool:
    name, _ = _assignment_value(match)
    if _looks_like_reference(value):
        return False
    if name != "bare":
        return len(value) >= 3
    if len(value) < 3 or _looks_like_code(value):
        return False
    if not re.fullmatch(r"[A-Za-z]+", value):
        return True
    # A bare word: after a colon it is prose ("Password: required"); after " = " or before
    # an operator it is a variable (``self.token = nextchar``); in capitals a constant.
    # ``pw=hunter`` and ``--password hunter`` are redacted.
    op = match.groupdict().get("op")
    if op is None:
        return True
    spaced = match.string[match.start("op") - 1] in " \t"
    return op == "=" and not spaced and not value.isupper() and not _followed_by_operator(match)


def _followed_by_operator(match: re.Match[str]) -> bool:
    """``token = a + b``, ``user, password = u, p``: an expression, not a literal."""
    rest = match.string[match.end() : match.end() + 3].lstrip(" \t")
    return rest[:1] in {"+", "*", "/", "|", "&", "%"} or rest[:1] == "," or rest[:2] == "if"


def _entropy(value: str) -> float:
    n = len(value)
    counts: dict[str, int] = {}
    for c in value:
        counts[c] = counts.get(c, 0) + 1
    return -sum(k / n * math.log2(k / n) for k in counts.values())


def _is_hex(value: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in value)


def _accept_high_entropy(match: re.Match[str], value: str) -> bool:
    body = value.rstrip("=")
    if _is_hex(body):
        return _accept_hex(body)
    assert _UUID is not None
    if _UUID.fullmatch(body):
        return False
    if not (any(c.islower() for c in body) and any(c.isupper() for c in body)):
        return False
    if not any(c.isdigit() for c in body):
        return False
    if _looks_like_path(body):
        return False
    if _wordiness(body) >= 0.6:
        return False
    return _entropy(body) >= _entropy_floor(len(body))


def _wordiness(body: str) -> float:
    """Share of characters in pronounceable word pieces (``Locator``, ``size``).

    Identifiers and paths score 0.6 to 1; random base64 of 20+ characters scores more
    than 0.6 about once in a hundred, and less often the longer it is.
    """
    assert _WORD is not None
    in_words = 0
    for piece in _WORD.findall(body):
        tail = piece[1:] if piece[0].isupper() else piece
        if any(c in "aeiouy" for c in tail):
            in_words += len(piece)
    return in_words / len(body)


def _entropy_floor(n: int) -> float:
    """Shannon entropy (bits/char) that random base64 of length n clears with margin."""
    return min(4.2, 0.85 * math.log2(n))


def _accept_hex(body: str) -> bool:
    if len(body) < 32 or len(body) in _DIGEST_HEX_LENGTHS:
        return False
    if not (any(c.isdigit() for c in body) and any(c.isalpha() for c in body)):
        return False
    return _entropy(body) >= 3.0


def _looks_like_path(body: str) -> bool:
    parts = [p for p in re.split(r"[/_-]", body) if p]
    if len(parts) < 2:
        return False
    wordy = sum(1 for p in parts if re.fullmatch(r"[A-Za-z][a-z]+[0-9]*|[a-z0-9]+|[A-Z0-9]+", p))
    return wordy * 2 >= len(parts) + 1


# --------------------------------------------------------------------------- engine


def _compile() -> list[_Rule]:
    global _CODE_VALUE, _UUID, _WORD
    if _RULES:
        return _RULES
    _CODE_VALUE = re.compile(r"[A-Za-z_][A-Za-z_]*(?:\.[A-Za-z_][A-Za-z_]*)*")
    _WORD = re.compile(r"[A-Z]?[a-z]{2,}")
    _UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
    rules: list[_Rule] = [
        (kind, re.compile(pattern, re.DOTALL if kind == "private-key" else 0), group, None)
        for kind, pattern, group in _SPECIFIC
    ]
    rules.append(("bearer-token", re.compile(_BEARER), 1, None))
    rules.append(("secret-assignment", re.compile(_CLI_FLAG), -1, _accept_assignment))
    rules.append(("secret-assignment", re.compile(_ASSIGNMENT), -1, _accept_assignment))
    rules.append(("high-entropy", re.compile(_CANDIDATE), 0, _accept_high_entropy))
    _RULES.extend(rules)
    return _RULES


def _span(match: re.Match[str], group: int) -> tuple[int, int]:
    if group >= 0:
        return match.span(group)
    name, start = _assignment_value(match)
    value = match.group(name)
    if name == "bare":
        value = value.rstrip(".:!?")
    return start, start + len(value)


def _apply(text: str, rule: _Rule, found: list[str]) -> str:
    kind, pattern, group, accept = rule
    placeholder = f"{_PLACEHOLDER}{kind}]"

    def replace(match: re.Match[str]) -> str:
        start, end = _span(match, group)
        value = match.string[start:end]
        if not value or _PLACEHOLDER in value or "REDACTED" in value:
            return match.group(0)
        if accept is not None and not accept(match, value):
            return match.group(0)
        found.append(kind)
        whole = match.group(0)
        offset = match.start(0)
        return whole[: start - offset] + placeholder + whole[end - offset :]

    return pattern.sub(replace, text)


def redact(text: str) -> Redacted:
    """Replace every recognised secret in ``text`` with ``[REDACTED:<kind>]``."""
    found: list[str] = []
    for rule in _compile():
        text = _apply(text, rule, found)
    return Redacted(text=text, count=len(found), kinds=tuple(sorted(set(found))))
