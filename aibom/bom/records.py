"""``verify_records``: do the notes still say what a BOM recorded?

The BOM names the history it covers (``aibom:revs``, the release commit) and carries a digest
of every note in that history (``aibom:records:digest``). The check reads the notes again,
compares the digest, and rebuilds the BOM from the same history with the BOM's own name,
version, VCS reference, spec and timestamp (so a clone with another remote, or a tag added
later, is not a difference): every component, workflow, annotation and dependency entry must
be equal.
An edited note changes the digest and the claims built from it; an edited BOM no longer
equals its rebuild. Both are reported as problems, one line each.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aibom.bom.model import NS, OutputFormat, Spec
from aibom.errors import UsageError
from aibom.gitutil import Repo

MAX_PROBLEMS = 50


@dataclass(frozen=True)
class RecordsCheck:
    ok: bool
    checked: int  # BOM entries compared with their rebuild (components, workflows, ...)
    problems: tuple[str, ...]


def load_bom(bom_path: Path) -> dict[str, Any]:
    try:
        text = bom_path.read_text("utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {bom_path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{bom_path} is not UTF-8 text") from exc
    if text.lstrip().startswith("<"):
        return _xml_bom(bom_path, text)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{bom_path} is not JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("bomFormat") != "CycloneDX":
        raise UsageError(f"{bom_path} is not a CycloneDX BOM")
    return data


def _xml_bom(bom_path: Path, text: str) -> dict[str, Any]:
    from xml.etree.ElementTree import ParseError

    from aibom.bom.xml import read_facts

    try:
        data = read_facts(text)
    except ParseError as exc:
        raise UsageError(f"{bom_path} is not XML: {exc}") from exc
    data[XML_TEXT] = text
    return data


XML_TEXT = "aibom:xml-text"  # key of the raw text of an XML BOM in what load_bom returns


def bom_properties(bom: Mapping[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    metadata = bom.get("metadata") if isinstance(bom.get("metadata"), dict) else {}
    for item in (metadata or {}).get("properties") or ():
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            found.setdefault(item["name"], []).append(str(item.get("value", "")))
    return found


def _one(props: Mapping[str, list[str]], name: str) -> str | None:
    values = props.get(NS + name)
    return values[0] if values else None


def _component_props(component: Mapping[str, Any]) -> dict[str, str]:
    return {
        str(p.get("name")): str(p.get("value", ""))
        for p in component.get("properties") or ()
        if isinstance(p, dict)
    }


def _epoch(timestamp: object) -> int | None:
    if not isinstance(timestamp, str):
        return None
    try:
        return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def _rebuild(repo: Repo, bom: Mapping[str, Any], props: Mapping[str, list[str]]) -> Any:
    """The BOM built again from the repository, with the BOM's own history, name, spec,
    timestamp and format."""
    from aibom.bom.builder import BuildOptions, Selection, build

    metadata = bom.get("metadata") or {}
    component = metadata.get("component") or {}
    release_props = _component_props(component)
    revs = tuple((_one(props, "revs") or "").split())
    release = release_props.get(NS + "vcs:commit")
    bad = [rev for rev in (*revs, release or "") if not _is_object_name(rev.removeprefix("^"))]
    if bad or not revs:
        raise UsageError(
            f"the BOM's {NS}revs / {NS}vcs:commit are not commit ids: {' '.join(bad)[:200]!r}",
            hint="aibom build writes full commit ids there; this BOM was edited",
        )
    spec_text = str(bom.get("specVersion", ""))
    if spec_text not in {s.value for s in Spec}:
        raise UsageError(f"the BOM's specVersion {spec_text!r} is not one aibom builds")
    selection = Selection(
        revs=revs,
        release=release,
        ref=release_props.get(NS + "vcs:ref"),
    )
    options = BuildOptions(
        selection=selection,
        spec=Spec(spec_text),
        format=OutputFormat.XML if XML_TEXT in bom else OutputFormat.JSON,
        name=str(component.get("name")) if component.get("name") else None,
        version=str(component.get("version")) if component.get("version") else None,
        vcs_url=_vcs_url(component),
        epoch=_epoch(metadata.get("timestamp")),
    )
    return build(repo, options)


def _vcs_url(component: Mapping[str, Any]) -> str:
    """The release's VCS reference as the BOM recorded it, "" for none (a clone elsewhere has
    another remote, or one where the BOM's repository had none; the records check is about
    the notes, not where the clone came from)."""
    for ref in component.get("externalReferences") or ():
        if isinstance(ref, dict) and ref.get("type") == "vcs" and ref.get("url"):
            return str(ref["url"])
    return ""


def _is_object_name(text: str) -> bool:
    """A full object id: a BOM is input, and anything else would reach git log as a revision
    (or, starting with "-", as an option)."""
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _keyed(items: Iterable[Any], key: str) -> dict[str, Any]:
    return {str(i.get(key)): i for i in items if isinstance(i, dict)}


def _sections(bom: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every comparable entry of a BOM, by section and identity."""
    workflows = [w for f in bom.get("formulation") or () for w in f.get("workflows") or ()]
    metadata = dict(bom.get("metadata") or {})
    return {
        "component": _keyed(bom.get("components") or (), "bom-ref"),
        "workflow": _keyed(workflows, "bom-ref"),
        "annotation": _keyed(bom.get("annotations") or (), "bom-ref"),
        "dependency": _keyed(bom.get("dependencies") or (), "ref"),
        "metadata": {
            "component": metadata.get("component"),
            "properties": metadata.get("properties"),
            "tools": metadata.get("tools"),
        },
    }


def _first_difference(old: Any, new: Any, where: str = "") -> str:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                return _first_difference(old.get(key), new.get(key), f"{where}/{key}")
        return where
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                label = a.get("name") if isinstance(a, dict) and "name" in a else index
                return _first_difference(a, b, f"{where}/{label}")
        return where
    if isinstance(old, list) and isinstance(new, list):
        return f"{where}: the BOM has {len(old)} entries, the repository now gives {len(new)}"
    return f"{where}: the BOM has {_short(old)}, the repository now gives {_short(new)}"


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def compare(bom: Mapping[str, Any], rebuilt: Mapping[str, Any]) -> tuple[int, list[str]]:
    """(entries compared, differences) between a BOM and its rebuild."""
    problems: list[str] = []
    checked = 0
    old_sections, new_sections = _sections(bom), _sections(rebuilt)
    for section, old in old_sections.items():
        new = new_sections[section]
        for key in sorted(set(old) | set(new)):
            checked += 1
            if key not in new:
                problems.append(f"{section} {key}: in the BOM, no longer given by the repository")
            elif key not in old:
                problems.append(f"{section} {key}: given by the repository, missing from the BOM")
            elif old[key] != new[key]:
                problems.append(f"{section} {key}: {_first_difference(old[key], new[key])}")
    return checked, problems


def whole_difference(bom: Mapping[str, Any], rebuilt: Mapping[str, Any]) -> list[str]:
    """What the entry-by-entry comparison cannot see: the rest of the document (serial number,
    top-level and metadata keys it does not know) and the entries themselves as lists (a
    duplicated entry collapses into one key, a reordered list keeps its keys)."""
    if bom == rebuilt:
        return []
    return [f"document: {_first_difference(bom, rebuilt) or 'differs'}"]


def _digest_problem(props: Mapping[str, list[str]], rebuilt: Mapping[str, Any]) -> list[str]:
    recorded = _one(props, "records:digest")
    now = _one(bom_properties(rebuilt), "records:digest")
    if recorded == now:
        return []
    count = _one(bom_properties(rebuilt), "records:notes")
    return [
        f"records digest: the BOM recorded {recorded}, the notes of its history now give {now} "
        f"({count} notes): a note was added, removed or edited since the BOM was built"
    ]


def verify_records(repo: Repo, bom_path: Path) -> RecordsCheck:
    """Check that the notes of ``repo`` still say what the BOM at ``bom_path`` recorded."""
    bom = load_bom(bom_path)
    props = bom_properties(bom)
    if not _one(props, "revs") or not _one(props, "records:digest"):
        raise UsageError(
            f"{bom_path} was not built by aibom (no {NS}revs / {NS}records:digest properties)",
            hint="aibom verify --records checks BOMs made with aibom build",
        )
    result = _rebuild(repo, bom, props)
    rebuilt = result.document
    _history_present(props, bom_properties(rebuilt))
    if XML_TEXT in bom:
        checked = sum(len(entries) for entries in _sections(rebuilt).values())
        problems = _text_difference(bom[XML_TEXT], result.text)
    else:
        checked, problems = compare(bom, rebuilt)
        if not problems:
            problems = whole_difference(bom, json.loads(result.text))
    problems = _digest_problem(props, rebuilt) + problems
    return RecordsCheck(not problems, checked, _capped(problems))


def _history_present(recorded: Mapping[str, list[str]], now: Mapping[str, list[str]]) -> None:
    """A usage error when this is a shallow clone that lacks commits of the BOM's history:
    the check cannot be made here (every claim about the missing commits would differ)."""
    if _one(now, "history:shallow") != "true" or _one(recorded, "history:shallow") == "true":
        return
    had, has = _one(recorded, "history:commits") or "", _one(now, "history:commits") or ""
    if had.isdigit() and has.isdigit() and int(has) < int(had):
        raise UsageError(
            f"this shallow clone has {has} of the {had} commits the BOM covers",
            hint="git fetch --unshallow (and the notes: git fetch origin refs/notes/aibom:"
            "refs/notes/aibom), then verify again",
        )


def _text_difference(old: str, new: str) -> list[str]:
    """An XML BOM is compared as text with its rebuild: the first line that differs."""
    if old == new:
        return []
    old_lines, new_lines = old.split("\n"), new.split("\n")
    for number, (a, b) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        if a != b:
            return [
                f"line {number}: the BOM has {a.strip()[:120]!r}, the repository now gives "
                f"{b.strip()[:120]!r}"
            ]
    return [f"the BOM has {len(old_lines)} lines, the repository now gives {len(new_lines)}"]


def _capped(problems: Sequence[str]) -> tuple[str, ...]:
    if len(problems) <= MAX_PROBLEMS:
        return tuple(problems)
    rest = len(problems) - MAX_PROBLEMS
    return (*problems[:MAX_PROBLEMS], f"... and {rest} more difference(s)")
