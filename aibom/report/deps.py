"""Reports of the dependency gate: text for people, JSON for tools, SARIF 2.1.0 for code
scanning. One function per format; the CLI picks one through :class:`DepsFormat`."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from aibom import __version__
from aibom.deps.gate import Result, is_blocking
from aibom.deps.rules import RULES
from aibom.deps.types import Dependency, Finding, ParseProblem, Severity
from aibom.report import dump_json

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_SECURITY_SEVERITY = {  # GitHub code scanning reads this property (0.0-10.0)
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


class DepsFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


def render(result: Result, fmt: DepsFormat) -> str:
    if fmt is DepsFormat.TEXT:
        return to_text(result)
    if fmt is DepsFormat.JSON:
        return dump_json(to_json(result))
    if fmt is DepsFormat.SARIF:
        return dump_json(to_sarif(result))
    raise AssertionError(fmt)  # pragma: no cover - the enum is closed (tested)


# -- JSON ------------------------------------------------------------------------------------
def dependency_json(dep: Dependency) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ecosystem": dep.ecosystem.value,
        "name": dep.name,
        "kind": dep.kind.value,
        "path": dep.location.path,
        "line": dep.location.line,
    }
    if dep.spec:
        data["spec"] = dep.spec[:500]
    if dep.url:
        data["url"] = dep.url[:2000]
    if dep.group:
        data["group"] = dep.group[:200]
    return data


def finding_json(f: Finding, blocking: bool) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "blocking": blocking,
        "ecosystem": f.dependency.ecosystem.value,
        "name": f.dependency.name,
        "location": str(f.dependency.location),
        "path": f.dependency.location.path,
        "line": f.dependency.location.line,
        "why": f.why,
        "hint": f.hint,
        "evidence": dict(f.evidence),
    }


def problem_json(p: ParseProblem) -> dict[str, Any]:
    return {"path": p.location.path, "line": p.location.line, "message": p.message}


def to_json(result: Result) -> dict[str, Any]:
    policy = result.policy
    return {
        "files": list(result.files),
        "added": [dependency_json(d) for d in result.added],
        "findings": [finding_json(f, is_blocking(f, policy)) for f in result.findings],
        "problems": [problem_json(p) for p in result.problems],
        "blocked": result.exit_code != 0,
        "policy": {"block": policy.block, "on_unreachable": policy.on_unreachable},
        "offline": policy.offline,
        "lookups": {"total": result.lookups, "from_cache": result.from_cache},
    }


# -- text ------------------------------------------------------------------------------------
def to_text(result: Result) -> str:
    added, findings = len(result.added), len(result.findings)
    blocking = result.blocking()
    if not result.files:
        return "aibom deps: no manifest, lockfile, doc or .py file in this change"
    head = (
        f"aibom deps: {added} new dependenc{'y' if added == 1 else 'ies'}"
        f" in {len(result.files)} file(s); {findings} finding(s), {len(blocking)} blocking"
    )
    if result.policy.offline:
        head += " (offline: answers from the cache only)"
    lines = [head]
    for f in result.findings:
        mark = "BLOCK" if is_blocking(f, result.policy) else "warn "
        dep = f.dependency
        lines.append(
            f"  {mark} {f.severity.value:<8} {safe(str(dep.location))}  {safe(dep.name)}"
            f" ({dep.ecosystem.value})  [{f.rule}]"
        )
        lines.append(f"        {safe(f.why)}")
        if f.hint:
            lines.append(f"        hint: {safe(f.hint)}")
    for p in result.problems:
        lines.append(f"  warn  malformed {safe(str(p.location))}  {safe(p.message)}")
    if blocking:
        lines.append(
            f"blocked: {len(blocking)} blocking finding(s) (deps.block = {result.policy.block},"
            f" deps.on_unreachable = {result.policy.on_unreachable}). Fix them, add a reviewed"
            " name to deps.allow, or skip once with AIBOM_SKIP=deps."
        )
    return "\n".join(lines)


def safe(text: str) -> str:
    """Text for a terminal: control characters (escape sequences, NUL, BEL, ...) and lone
    surrogates are shown as escapes, never sent raw."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


# -- SARIF 2.1.0 -----------------------------------------------------------------------------
def _rule_json(rule_id: str) -> dict[str, Any]:
    rule = RULES[rule_id]
    return {
        "id": rule.id,
        "name": "".join(w.capitalize() for w in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", "supply-chain", "dependencies"],
            "security-severity": _SECURITY_SEVERITY[rule.severity],
        },
    }


def _level(finding: Finding, result: Result) -> str:
    """``error`` exactly for what blocks; the others by severity, at most ``warning``."""
    if is_blocking(finding, result.policy):
        return "error"
    return "note" if finding.severity.rank <= Severity.LOW.rank else "warning"


def _location(path: str, line: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(path), "uriBaseId": "%SRCROOT%"}}
    if line > 0:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def to_sarif(result: Result) -> dict[str, Any]:
    used = sorted(
        {f.rule for f in result.findings} | ({"malformed-manifest"} if result.problems else set())
    )
    index = {rule: i for i, rule in enumerate(used)}
    results: list[dict[str, Any]] = []
    for f in result.findings:
        dep = f.dependency
        text = f.why + (f" Hint: {f.hint}" if f.hint else "")
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": _level(f, result),
                "message": {"text": text},
                "locations": [_location(dep.location.path, dep.location.line)],
                "partialFingerprints": {
                    "aibomDependency/v1": _fingerprint(
                        f.rule, dep.ecosystem.value, dep.key[1], dep.location.path
                    )
                },
                "properties": {
                    "ecosystem": dep.ecosystem.value,
                    "package": dep.name,
                    "severity": f.severity.value,
                    "blocking": is_blocking(f, result.policy),
                },
            }
        )
    for p in result.problems:
        results.append(
            {
                "ruleId": "malformed-manifest",
                "ruleIndex": index["malformed-manifest"],
                "level": "warning",
                "message": {"text": p.message},
                "locations": [_location(p.location.path, p.location.line)],
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "aibom",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule_json(r) for r in used],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "work tree"}}},
                "results": results,
                "invocations": [{"executionSuccessful": True}],
            }
        ],
    }
