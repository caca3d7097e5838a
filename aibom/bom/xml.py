"""The CycloneDX XML form of the document :mod:`aibom.bom.document` builds, in the element
order of the official XSD, validated against that XSD (lxml) before it is written.

Only the parts of CycloneDX aibom emits are mapped; a key this module does not know is a bug
and raises, so the XML can never silently drop what the JSON says.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from typing import Any
from xml.etree import ElementTree as ET

from aibom.bom.model import Spec
from aibom.bom.validate import MAX_ERRORS, InvalidBomError

Json = Mapping[str, Any]
Writer = Callable[[ET.Element, Any], None]


def namespace(spec: Spec) -> str:
    return f"http://cyclonedx.org/schema/bom/{spec.value}"


_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    """XML 1.0 cannot carry most control characters or lone surrogates (the undecodable bytes
    of non-UTF-8 names): each is written as ``\\xHH`` (its code, or the byte), so two names
    that differ only there stay two bom-refs (U+FFFD for both made them one, an invalid BOM)."""
    return _UNWRITABLE.sub(_escape, text)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape's form of an undecodable byte
        code -= 0xDC00
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _sub(parent: ET.Element, tag: str, text: object = None, **attrs: object) -> ET.Element:
    node = ET.SubElement(
        parent, tag, {k.replace("_", "-"): _clean(str(v)) for k, v in attrs.items()}
    )
    if text is not None:
        node.text = _clean(str(text))
    return node


def _texts(parent: ET.Element, data: Json, keys: Sequence[str]) -> None:
    for key in keys:
        if key in data:
            _sub(parent, key, data[key])


def _properties(parent: ET.Element, items: Sequence[Json]) -> None:
    if items:
        node = _sub(parent, "properties")
        for item in items:
            _sub(node, "property", item.get("value", ""), name=item["name"])


def _hashes(parent: ET.Element, items: Sequence[Json]) -> None:
    node = _sub(parent, "hashes")
    for item in items:
        _sub(node, "hash", item["content"], alg=item["alg"])


def _external_reference(parent: ET.Element, ref: Json, tag: str = "reference") -> None:
    node = _sub(parent, tag, type=ref["type"])
    _texts(node, ref, ("url", "comment"))
    if "hashes" in ref:
        _hashes(node, ref["hashes"])


def _commit(parent: ET.Element, commit: Json) -> None:
    node = _sub(parent, "commit")
    _sub(node, "uid", commit["uid"])
    if "author" in commit:
        _texts(_sub(node, "author"), commit["author"], ("timestamp", "name", "email"))
    if "message" in commit:
        _sub(node, "message", commit["message"])


def _occurrences(parent: ET.Element, items: Sequence[Json]) -> None:
    node = _sub(_sub(parent, "evidence"), "occurrences")
    for item in items:
        _texts(_sub(node, "occurrence"), item, ("location", "line", "additionalContext"))


def _model_card(parent: ET.Element, card: Json) -> None:
    node = _sub(parent, "modelCard")
    uses = card.get("considerations", {}).get("useCases", [])
    if uses:
        listed = _sub(_sub(node, "considerations"), "useCases")
        for use in uses:
            _sub(listed, "useCase", use)
    _properties(node, card.get("properties", []))


_COMPONENT_KEYS = frozenset(
    {
        "type", "bom-ref", "supplier", "group", "name", "version", "scope", "hashes", "purl",
        "omniborId", "swhid", "pedigree", "externalReferences", "properties", "evidence",
        "modelCard",
    }
)  # fmt: skip


def component(parent: ET.Element, comp: Json) -> None:
    unknown = set(comp) - _COMPONENT_KEYS
    if unknown:
        raise InvalidBomError(f"no XML mapping for component keys {sorted(unknown)}")
    attrs = {"type": comp["type"]}
    if "bom-ref" in comp:
        attrs["bom-ref"] = comp["bom-ref"]
    node = _sub(parent, "component", **{k.replace("-", "_"): v for k, v in attrs.items()})
    if "supplier" in comp:
        _sub(_sub(node, "supplier"), "name", comp["supplier"]["name"])
    _texts(node, comp, ("group", "name", "version", "scope"))
    if "hashes" in comp:
        _hashes(node, comp["hashes"])
    _texts(node, comp, ("purl",))
    for key in ("omniborId", "swhid"):
        for value in comp.get(key, ()):
            _sub(node, key, value)
    if "pedigree" in comp:
        commits = _sub(_sub(node, "pedigree"), "commits")
        for commit in comp["pedigree"]["commits"]:
            _commit(commits, commit)
    if "externalReferences" in comp:
        refs = _sub(node, "externalReferences")
        for ref in comp["externalReferences"]:
            _external_reference(refs, ref)
    _properties(node, comp.get("properties", []))
    if "evidence" in comp:
        _occurrences(node, comp["evidence"]["occurrences"])
    if "modelCard" in comp:
        _model_card(node, comp["modelCard"])


def _metadata(parent: ET.Element, meta: Json) -> None:
    node = _sub(parent, "metadata")
    _sub(node, "timestamp", meta["timestamp"])
    lifecycles = _sub(node, "lifecycles")
    for item in meta.get("lifecycles", []):
        _sub(_sub(lifecycles, "lifecycle"), "phase", item["phase"])
    tools = _sub(_sub(node, "tools"), "components")
    for tool in meta["tools"]["components"]:
        component(tools, tool)
    component(node, meta["component"])
    _properties(node, meta.get("properties", []))


def _dependencies(parent: ET.Element, graph: Sequence[Json]) -> None:
    node = _sub(parent, "dependencies")
    for entry in graph:
        item = _sub(node, "dependency", ref=entry["ref"])
        for ref in entry.get("dependsOn", ()):
            _sub(item, "dependency", ref=ref)


def _annotations(parent: ET.Element, items: Sequence[Json]) -> None:
    node = _sub(parent, "annotations")
    for item in items:
        annotation = _sub(node, "annotation", bom_ref=item["bom-ref"])
        subjects = _sub(annotation, "subjects")
        for subject in item["subjects"]:
            _sub(subjects, "subject", ref=subject)
        person = _sub(_sub(annotation, "annotator"), "individual")
        _texts(person, item["annotator"]["individual"], ("name", "email"))
        _texts(annotation, item, ("timestamp", "text"))


def _resource(parent: ET.Element, resource: Json) -> None:
    node = _sub(parent, "resource")
    if "ref" in resource:
        _sub(node, "ref", resource["ref"])
    else:
        _external_reference(node, resource["externalReference"], "externalReference")


def _inputs(parent: ET.Element, items: Sequence[Json]) -> None:
    node = _sub(parent, "inputs")
    for item in items:
        entry = _sub(node, "input")
        if "resource" in item:
            _resource(entry, item["resource"])
        if "parameters" in item:
            params = _sub(entry, "parameters")
            for param in item["parameters"]:
                _texts(_sub(params, "parameter"), param, ("name", "value"))


def _outputs(parent: ET.Element, items: Sequence[Json]) -> None:
    node = _sub(parent, "outputs")
    for item in items:
        entry = _sub(node, "output")
        _resource(entry, item["resource"])
        _texts(entry, item, ("type",))


def _task_like(node: ET.Element, data: Json, *, workflow: bool) -> None:
    _texts(node, data, ("uid", "name"))
    if "resourceReferences" in data:
        refs = _sub(node, "resourceReferences")
        for ref in data["resourceReferences"]:
            _sub(_sub(refs, "resourceReference"), "ref", ref["ref"])
    if workflow and "tasks" in data:
        tasks = _sub(node, "tasks")
        for task in data["tasks"]:
            _task_like(_sub(tasks, "task", bom_ref=task["bom-ref"]), task, workflow=False)
    types = _sub(node, "taskTypes")
    for kind in data["taskTypes"]:
        _sub(types, "taskType", kind)
    if "inputs" in data:
        _inputs(node, data["inputs"])
    if "outputs" in data:
        _outputs(node, data["outputs"])
    _texts(node, data, ("timeStart", "timeEnd"))
    _properties(node, data.get("properties", []))


def _formulation(parent: ET.Element, formulas: Sequence[Json]) -> None:
    node = _sub(parent, "formulation")
    for formula in formulas:
        entry = _sub(node, "formula", bom_ref=formula["bom-ref"])
        flows = _sub(entry, "workflows")
        for flow in formula["workflows"]:
            _task_like(_sub(flows, "workflow", bom_ref=flow["bom-ref"]), flow, workflow=True)


_TOP_LEVEL = ("$schema", "bomFormat", "specVersion", "serialNumber", "version")


def to_xml(document: Json, spec: Spec) -> str:
    unknown = (
        set(document)
        - {*_TOP_LEVEL, "metadata", "components", "dependencies"}
        - {
            "annotations",
            "formulation",
        }
    )
    if unknown:
        raise InvalidBomError(f"no XML mapping for {sorted(unknown)}")
    root = ET.Element(
        "bom",
        {"xmlns": namespace(spec), "serialNumber": document["serialNumber"], "version": "1"},
    )
    _metadata(root, document["metadata"])
    components = _sub(root, "components")
    for comp in document["components"]:
        component(components, comp)
    _dependencies(root, document["dependencies"])
    if "annotations" in document:
        _annotations(root, document["annotations"])
    if "formulation" in document:
        _formulation(root, document["formulation"])
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _etree() -> Any:
    import importlib

    return importlib.import_module("lxml.etree")


@functools.cache
def _schema(spec: Spec) -> Any:
    etree = _etree()
    location = resources.files("cyclonedx.schema").joinpath(
        "_res", f"bom-{spec.value}.SNAPSHOT.xsd"
    )
    with resources.as_file(location) as path:
        return etree.XMLSchema(etree.parse(str(path)))


def errors(text: str, spec: Spec) -> list[str]:
    """XSD violations of ``text`` (at most MAX_ERRORS)."""
    etree = _etree()
    schema = _schema(spec)
    if schema.validate(etree.fromstring(text.encode("utf-8"))):
        return []
    return [f"line {e.line}: {e.message[:300]}" for e in list(schema.error_log)[:MAX_ERRORS]]


def check(text: str, spec: Spec) -> None:
    problems = errors(text, spec)
    if problems:
        raise InvalidBomError(
            f"the XML BOM is not valid CycloneDX {spec.value}: " + "; ".join(problems),
            hint="this is a bug in aibom; rerun with AIBOM_DEBUG=1 and report it",
        )


def read_facts(text: str) -> dict[str, Any]:
    """What the records check needs of an XML BOM: spec, timestamp, release name and the
    metadata / release properties, in the shape of the JSON form."""
    root = ET.fromstring(text)
    ns = root.tag.partition("}")[0].lstrip("{")
    spec = ns.rsplit("/", 1)[-1]
    q = f"{{{ns}}}"

    def props(node: ET.Element | None) -> list[dict[str, str]]:
        if node is None:
            return []
        return [
            {"name": p.get("name", ""), "value": p.text or ""}
            for p in node.findall(f"{q}properties/{q}property")
        ]

    meta = root.find(f"{q}metadata")
    release = meta.find(f"{q}component") if meta is not None else None
    return {
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "metadata": {
            "timestamp": meta.findtext(f"{q}timestamp") if meta is not None else None,
            "component": {
                "name": release.findtext(f"{q}name") if release is not None else None,
                "version": release.findtext(f"{q}version") if release is not None else None,
                "externalReferences": [
                    {"type": r.get("type"), "url": r.findtext(f"{q}url")}
                    for r in (
                        release.findall(f"{q}externalReferences/{q}reference")
                        if release is not None
                        else []
                    )
                ],
                "properties": props(release),
            },
            "properties": props(meta),
        },
    }
