"""Signals to findings: one function per signal, each returning at most one finding.

``before_lookup`` runs on the name alone (validity, lists, typosquats); ``after_lookup`` on
what the registry said. A finding's ``why`` cites its evidence in one line; ``hint`` says
what to do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from aibom.deps.names import fold, invalid_reason
from aibom.deps.policy import Policy
from aibom.deps.types import (
    Dependency,
    DepKind,
    Ecosystem,
    Finding,
    LookupStatus,
    PackageInfo,
    Severity,
)

TyposquatFinder = Callable[[Ecosystem, str], "tuple[str, str] | None"]
"""(ecosystem, name) -> (why, hint) when the name looks like a squat of a popular one."""


@dataclass(frozen=True)
class Context:
    policy: Policy
    now: datetime
    hallucinated: Mapping[Ecosystem, frozenset[str]]
    typosquat: TyposquatFinder


@dataclass(frozen=True)
class Precheck:
    findings: tuple[Finding, ...]
    lookup: bool  # ask the registry
    allowed: bool = False


def before_lookup(dep: Dependency, ctx: Context) -> Precheck:
    if dep.url is not None:
        why = f"`{dep.name}` comes from a direct reference ({_short(dep.url)}), not a registry"
        return Precheck((_f("direct-reference", Severity.INFO, dep, why),), lookup=False)
    reason = invalid_reason(dep.ecosystem, dep.name)
    if reason is not None:
        why = f"{_show(dep.name)} is not a valid {dep.ecosystem.value} name: {reason}"
        hint = "fix the name; aibom never sends an invalid name to a registry"
        return Precheck((_f("invalid-name", Severity.HIGH, dep, why, hint),), lookup=False)
    key = dep.key
    if key in ctx.policy.allow:
        return Precheck((), lookup=False, allowed=True)
    if key in ctx.policy.deny:
        why = f"`{dep.name}` is on the deny list (deps.deny)"
        return Precheck((_f("denied", Severity.CRITICAL, dep, why),), lookup=False)
    findings: list[Finding] = []
    if fold(dep.ecosystem, dep.name) in ctx.hallucinated.get(dep.ecosystem, frozenset()):
        why = (
            f"`{dep.name}` is a package name code-generating models are known to invent"
            " (attackers register such names: slopsquatting)"
        )
        hint = "find the real package for what the code needs; do not trust the suggestion"
        findings.append(_f("known-hallucination", Severity.HIGH, dep, why, hint))
    squat = ctx.typosquat(dep.ecosystem, dep.name)
    if squat is not None:
        # a guess from an import (may be the wrong distribution name) only warns
        severity = Severity.MEDIUM if dep.kind is DepKind.IMPORT else Severity.HIGH
        findings.append(_f("typosquat", severity, dep, squat[0], squat[1]))
    return Precheck(tuple(findings), lookup=True)


def after_lookup(
    dep: Dependency, info: PackageInfo, ctx: Context, prior: tuple[Finding, ...] = ()
) -> list[Finding]:
    if info.status is LookupStatus.NOT_FOUND:
        return [_not_found(dep, info, prior)]
    if info.status is LookupStatus.UNVERIFIED:
        why = f"could not check `{dep.name}`: {info.error or 'registry unreachable'}"
        hint = (
            "run online to check it"
            if ctx.policy.offline
            else "retry later; deps.on_unreachable decides whether this blocks"
        )
        return [_f("unverified", Severity.MEDIUM, dep, why, hint, ("registry", info.registry))]
    findings: list[Finding] = []
    for signal in _SIGNALS:
        found = signal(dep, info, ctx)
        if found is not None:
            findings.append(found)
    return findings


def _not_found(dep: Dependency, info: PackageInfo, prior: tuple[Finding, ...]) -> Finding:
    where = "a configured private index" if info.private else info.registry
    why = f"`{dep.name}` does not exist on {where} (404, rechecked)"
    hint = next((f.hint for f in prior if f.rule == "typosquat" and f.hint), None)
    if dep.kind is DepKind.IMPORT:
        why = f"no distribution named `{dep.name}` (guessed from an import) on {where}"
        return _f("not-found", Severity.MEDIUM, dep, why, "declare the distribution it needs")
    hint = hint or (
        "the name may be invented (hallucinated); find the real package, and never register"
        " or install the invented one"
    )
    return _f("not-found", Severity.CRITICAL, dep, why, hint, ("registry", info.registry))


def _no_release(dep: Dependency, info: PackageInfo, ctx: Context) -> Finding | None:
    if info.versions:
        return None
    why = f"`{dep.name}` is registered on {info.registry} but has no released files"
    hint = "an empty project is how a name gets squatted; do not depend on it"
    return _f("no-release", Severity.HIGH, dep, why, hint)


_STATUS_SEVERITY = {
    "quarantined": Severity.CRITICAL,
    "archived": Severity.MEDIUM,
    "deprecated": Severity.MEDIUM,
}


def _project_status(dep: Dependency, info: PackageInfo, ctx: Context) -> Finding | None:
    status = (info.project_status or "").lower()
    severity = _STATUS_SEVERITY.get(status)
    if severity is None:
        return None
    why = f"`{dep.name}` is {status} on {info.registry} (PEP 792 project status)"
    if info.status_reason:
        why += f": {info.status_reason}"
    hint = (
        "quarantined projects are suspected malware: remove it"
        if status == "quarantined"
        else ("look for a maintained replacement")
    )
    return _f(status, severity, dep, why, hint)


def _deprecated(dep: Dependency, info: PackageInfo, ctx: Context) -> Finding | None:
    if not info.deprecated:
        return None
    why = f"`{dep.name}` is deprecated: {info.deprecated[:200]}"
    return _f("deprecated", Severity.MEDIUM, dep, why, "look for a maintained replacement")


def _young_project(dep: Dependency, info: PackageInfo, ctx: Context) -> Finding | None:
    first = info.first_upload
    days = ctx.policy.young_project_days
    if first is None or not _newer_than(first, ctx.now, timedelta(days=days)):
        return None
    age = _age(ctx.now - first)
    why = f"`{dep.name}` first appeared {age} ago ({first:%Y-%m-%d}), under {days} days"
    hint = "review the project and its author first; then allow it in deps.allow"
    return _f("young-project", Severity.HIGH, dep, why, hint, ("first_upload", first.isoformat()))


def _young_release(dep: Dependency, info: PackageInfo, ctx: Context) -> Finding | None:
    latest, first = info.latest_upload, info.first_upload
    hours = ctx.policy.young_release_hours
    if latest is None or not _newer_than(latest, ctx.now, timedelta(hours=hours)):
        return None
    if first is not None and _newer_than(
        first, ctx.now, timedelta(days=ctx.policy.young_project_days)
    ):
        return None  # the young-project finding says it already
    why = f"the newest release of `{dep.name}` is {_age(ctx.now - latest)} old (under {hours} h)"
    hint = "pin a release that has been public longer; fresh releases are how takeovers ship"
    return _f("young-release", Severity.MEDIUM, dep, why, hint)


def _install_scripts(dep: Dependency, info: PackageInfo, ctx: Context) -> Finding | None:
    if not info.install_scripts or info.first_upload is None:
        return None
    if not _newer_than(info.first_upload, ctx.now, timedelta(days=ctx.policy.young_project_days)):
        return None
    why = f"`{dep.name}` is young and runs install scripts (preinstall/install/postinstall)"
    hint = "install with --ignore-scripts and review the scripts"
    return _f("install-scripts", Severity.HIGH, dep, why, hint)


def _low_activity(dep: Dependency, info: PackageInfo, ctx: Context) -> Finding | None:
    if info.has_repository is not False or len(info.versions) > 2 or not info.versions:
        return None
    why = f"`{dep.name}` has {len(info.versions)} release(s) and no repository link"
    return _f("low-activity", Severity.LOW, dep, why, "check who publishes it")


def _confusion(dep: Dependency, info: PackageInfo, ctx: Context) -> Finding | None:
    if not info.private or info.public_claimed is None:
        return None
    if info.public_claimed:
        why = (
            f"`{dep.name}` is on a private index and also on the public one: an installer"
            " that merges indexes may take the public package"
        )
        return _f("dependency-confusion", Severity.HIGH, dep, why, "pin the index per package")
    why = (
        f"`{dep.name}` is internal and unclaimed on the public index: anyone can register it"
        " there (dependency confusion)"
    )
    hint = "claim the name on the public index, or stop merging indexes"
    return _f("dependency-confusion", Severity.MEDIUM, dep, why, hint)


_SIGNALS = (
    _no_release,
    _project_status,
    _deprecated,
    _young_project,
    _young_release,
    _install_scripts,
    _low_activity,
    _confusion,
)


def undeclared_import(dep: Dependency, module: str) -> Finding:
    why = (
        f"`import {module}` resolves to no standard-library module, no installed distribution"
        " and no declared dependency"
    )
    hint = f"declare `{dep.name}` (the distribution aibom guessed) or fix the import"
    return _f("undeclared-import", Severity.MEDIUM, dep, why, hint)


def _f(
    rule: str,
    severity: Severity,
    dep: Dependency,
    why: str,
    hint: str | None = None,
    *evidence: tuple[str, str],
) -> Finding:
    return Finding(rule, severity, dep, why, hint, tuple(evidence))


def _newer_than(when: datetime, now: datetime, span: timedelta) -> bool:
    return now - when < span


def _age(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 2 * 3600:
        return f"{seconds // 3600} hours"
    return f"{max(seconds // 60, 1)} minutes"


def _show(name: str) -> str:
    return "`" + name.encode("unicode_escape").decode("ascii")[:120] + "`"


def _short(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        url = f"{scheme}://***@{rest.split('@', 1)[1]}"  # never print credentials
    return url if len(url) <= 80 else url[:77] + "..."
