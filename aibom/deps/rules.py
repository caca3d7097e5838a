"""The catalogue of findings: one entry per rule id, used by the text, JSON and SARIF reports."""

from __future__ import annotations

from dataclasses import dataclass

from aibom.deps.types import Severity


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    description: str
    severity: Severity  # the usual severity; a finding may differ (e.g. import guesses)


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "not-found",
            "Package does not exist",
            "The registry answered 404 twice: the name may be a hallucination waiting to be "
            "registered by an attacker.",
            Severity.CRITICAL,
        ),
        Rule(
            "known-hallucination",
            "Known hallucinated name",
            "Code-generating models are documented to invent this name.",
            Severity.HIGH,
        ),
        Rule(
            "typosquat",
            "Looks like a popular package",
            "The name is a small edit, separator, affix or look-alike variant of a popular "
            "package.",
            Severity.HIGH,
        ),
        Rule(
            "invalid-name",
            "Invalid package name",
            "The name cannot be a package name (path, URL, control or non-ASCII characters).",
            Severity.HIGH,
        ),
        Rule("denied", "Denied package", "The name is on the deny list.", Severity.CRITICAL),
        Rule(
            "quarantined",
            "Quarantined project",
            "The index quarantined the project (PEP 792), usually as suspected malware.",
            Severity.CRITICAL,
        ),
        Rule(
            "archived",
            "Archived project",
            "The project is archived (PEP 792): no more releases are expected.",
            Severity.MEDIUM,
        ),
        Rule(
            "deprecated",
            "Deprecated project",
            "The project or its latest release is deprecated.",
            Severity.MEDIUM,
        ),
        Rule(
            "no-release",
            "Registered but never released",
            "The name exists but has no released files: a squatted or placeholder name.",
            Severity.HIGH,
        ),
        Rule(
            "young-project",
            "Young project",
            "The project's first upload is recent; most malicious packages are days old.",
            Severity.HIGH,
        ),
        Rule(
            "young-release",
            "Young release",
            "The newest release is only hours old.",
            Severity.MEDIUM,
        ),
        Rule(
            "install-scripts",
            "Young package with install scripts",
            "A young npm package that runs code at install time.",
            Severity.HIGH,
        ),
        Rule(
            "low-activity",
            "Few releases, no repository",
            "Few releases and no link to a source repository.",
            Severity.LOW,
        ),
        Rule(
            "dependency-confusion",
            "Dependency confusion",
            "An internal name that the public index does not hold, or holds too.",
            Severity.MEDIUM,
        ),
        Rule(
            "undeclared-import",
            "Undeclared import",
            "A new import that no standard-library module, installed distribution or "
            "declared dependency provides.",
            Severity.MEDIUM,
        ),
        Rule(
            "unverified",
            "Could not be checked",
            "The registry could not be reached or gave no usable answer (429, 5xx, "
            "timeout): nothing is known about the name.",
            Severity.MEDIUM,
        ),
        Rule(
            "direct-reference",
            "Direct reference",
            "A VCS, URL or path dependency: not checked against a registry.",
            Severity.INFO,
        ),
        Rule(
            "malformed-manifest",
            "Malformed manifest",
            "Part of a manifest could not be read; the rest was checked.",
            Severity.MEDIUM,
        ),
    )
}
