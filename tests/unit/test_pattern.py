"""The re-free anchored pattern matcher agrees with ``re.search`` on every input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aibom import _pattern

ROOT = Path(__file__).resolve().parents[2]


def _schema_patterns() -> list[str]:
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in (ROOT / "schemas").glob("*.json"):
        walk(json.loads(path.read_text()))
    return sorted(found)


SCHEMA_PATTERNS = _schema_patterns()
EXTRA = [r"^a*a$", r"^[ab]+b?b$", r"^x{2,3}y{0,}$", r"^\.[-a-c_]?z$", r"^[0-9]{4}-[0-9]{2}$"]


def test_every_schema_pattern_is_in_the_fast_subset() -> None:
    assert SCHEMA_PATTERNS, "schemas have patterns"
    for pattern in SCHEMA_PATTERNS:
        assert _pattern.compile(pattern) is not None, pattern


@pytest.mark.parametrize("pattern", ["a", "^a", "^(a)$", "^a|b$", "^[^a]$", r"^\d$", "^a*?$"])
def test_outside_the_subset_is_refused(pattern: str) -> None:
    assert _pattern.compile(pattern) is None


ALPHABET = "ab019xyz-._:/sha256AZ\n"


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(SCHEMA_PATTERNS + EXTRA), st.text(alphabet=ALPHABET, max_size=70))
def test_agrees_with_re(pattern: str, text: str) -> None:
    compiled = _pattern.compile(pattern)
    assert compiled is not None
    assert compiled.search(text) == bool(re.search(pattern, text))


@settings(max_examples=600, deadline=None)
@given(st.data())
def test_agrees_on_generated_matches(data: st.DataObject) -> None:
    pattern = data.draw(st.sampled_from(SCHEMA_PATTERNS + EXTRA))
    text = data.draw(st.from_regex(pattern, fullmatch=True))
    compiled = _pattern.compile(pattern)
    assert compiled is not None
    assert compiled.search(text) == bool(re.search(pattern, text)) is True
