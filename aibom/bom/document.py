"""``BomFacts`` -> a CycloneDX document (plain JSON data) for spec 1.6 or 1.7.

The document is built here rather than through cyclonedx-python-lib's model: the library has
no ``modelCard``, ``formulation`` or ``annotations`` and is too slow for BOMs of many thousand
components. Validation against the official schema (:mod:`aibom.bom.validate`) keeps it honest.
Every list is in a fixed order, so the same facts give the same bytes.
"""

from __future__ import annotations

from typing import Any

from aibom.bom.dependencies import DepComponent
from aibom.bom.model import (
    NS,
    AgentUse,
    BomFacts,
    FileEntry,
    ModelUse,
    ReviewNote,
    Session,
    Spec,
)
from aibom.bom.validate import conforms

RELEASE_REF = "release"
TOOL_REF = "tool:aibom"
SERIAL_PLACEHOLDER = "urn:uuid:00000000-0000-5000-8000-000000000000"

Json = dict[str, Any]


def prop(name: str, value: object) -> Json:
    return {"name": NS + name, "value": str(value)}


def _props(pairs: list[tuple[str, object]]) -> list[Json]:
    return [prop(name, value) for name, value in pairs]


def document(facts: BomFacts, spec: Spec) -> Json:
    doc: Json = {
        "$schema": f"http://cyclonedx.org/schema/bom-{spec.value}.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": spec.value,
        "serialNumber": SERIAL_PLACEHOLDER,
        "version": 1,
        "metadata": metadata(facts),
        "components": components(facts),
        "dependencies": dependencies(facts),
    }
    if facts.reviews:
        doc["annotations"] = [annotation(r) for r in facts.reviews]
    if facts.sessions:
        doc["formulation"] = [
            {"bom-ref": "formulation", "workflows": [workflow(s) for s in facts.sessions]}
        ]
    return doc


def metadata(facts: BomFacts) -> Json:
    release = facts.release
    component: Json = {
        "type": "application",
        "bom-ref": RELEASE_REF,
        "name": release.name,
        "version": release.version,
    }
    if release.vcs_url and conforms("iri-reference", release.vcs_url):
        component["externalReferences"] = [
            {"type": "vcs", "url": release.vcs_url, "comment": f"commit {release.commit}"}
        ]
    pairs: list[tuple[str, object]] = [("vcs:commit", release.commit)]
    if release.ref:
        pairs.append(("vcs:ref", release.ref))
    component["properties"] = _props(pairs)
    tool = {"type": "application", "bom-ref": TOOL_REF, "name": "aibom"}
    tool["version"] = facts.tool_version
    props = _props([("revs", " ".join(release.revs))])
    props += _props(list(facts.notes)) + _props(list(facts.metrics))
    return {
        "timestamp": release.timestamp,
        "lifecycles": [{"phase": "build"}],
        "tools": {"components": [tool]},
        "component": component,
        "properties": props,
    }


def components(facts: BomFacts) -> list[Json]:
    found = [model_component(m) for m in facts.models]
    found += [agent_component(a) for a in facts.agents]
    found += [file_component(f) for f in facts.files]
    found += [dependency_component(d) for d in facts.dependencies]
    return found


def model_component(model: ModelUse) -> Json:
    comp: Json = {
        "type": "machine-learning-model",
        "bom-ref": model.ref,
        "supplier": {"name": model.provider},
        "group": model.provider,
        "name": model.model,
    }
    if model.version:
        comp["version"] = model.version
    comp["modelCard"] = {
        "considerations": {"useCases": ["code generation in this repository"]},
        "properties": _props([("usage:commits", model.commits), ("usage:lines", model.lines)]),
    }
    comp["properties"] = _props([("model:id", model.slug)])
    return comp


def agent_component(agent: AgentUse) -> Json:
    comp: Json = {"type": "application", "bom-ref": agent.ref, "name": agent.name}
    if agent.version:
        comp["version"] = agent.version
    comp["properties"] = _props([("role", "coding-agent"), ("usage:commits", agent.commits)])
    return comp


def file_component(entry: FileEntry) -> Json:
    blob, lines = entry.blob, entry.lines
    pairs: list[tuple[str, object]] = [("git:blob", blob.oid), ("lines:total", lines.total)]
    pairs += [(f"lines:{origin}", count) for origin, count in lines.by_origin]
    pairs.append(("share:ai", f"{lines.ai_share:.4f}"))
    pairs += [("model", slug) for slug in entry.models]
    pairs += [(f"lines:model:{slug}", count) for slug, count in lines.by_model]
    comp: Json = {
        "type": "file",
        "bom-ref": entry.ref,
        "name": blob.path,
        "hashes": [{"alg": "SHA-256", "content": blob.sha256}],
        "omniborId": [blob.gitoid],
        "swhid": [blob.swhid],
    }
    if entry.pedigree:
        comp["pedigree"] = {"commits": [_commit(c) for c in entry.pedigree]}
    if lines.ranges:
        comp["evidence"] = {"occurrences": [_occurrence(blob.path, r) for r in lines.ranges]}
    comp["properties"] = _props(pairs)
    return comp


def _commit(ref: Any) -> Json:
    """A pedigree commit; one outside the BOM's history (before a range or a shallow
    boundary) is named by its id only."""
    if not ref.authored:
        return {"uid": ref.sha}
    author: Json = {"timestamp": ref.authored, "name": ref.author_name}
    if ref.author_email and conforms("idn-email", ref.author_email):
        author["email"] = ref.author_email
    return {"uid": ref.sha, "author": author, "message": ref.subject}


def _occurrence(path: str, rng: Any) -> Json:
    who = rng.model or "unknown model"
    context = f"lines {rng.start}-{rng.end}: {rng.origin} ({who})"
    if rng.session:
        context += f", session {rng.session}"
    return {"location": path, "line": rng.start, "additionalContext": context}


def dependency_component(dep: DepComponent) -> Json:
    comp: Json = {"type": "library", "bom-ref": dep.ref, "name": dep.name}
    if dep.version:
        comp["version"] = dep.version
    comp["scope"] = dep.scope
    if dep.hashes:
        comp["hashes"] = [{"alg": alg, "content": value} for alg, value in dep.hashes]
    comp["purl"] = dep.purl
    pairs: list[tuple[str, object]] = [("ecosystem", dep.ecosystem)]
    if dep.spec:
        pairs.append(("spec", dep.spec))
    pairs += [("manifest", loc) for loc in dep.locations]
    added = dep.added_by
    if added.commit:
        pairs.append(("added-by:commit", added.commit))
    pairs += [("added-by:origin", added.origin), ("added-by:source", added.source)]
    pairs += [("added-by:model", m) for m in added.models]
    comp["properties"] = _props(pairs)
    return comp


def workflow(session: Session) -> Json:
    inputs: list[Json] = []
    if session.parameters:
        inputs.append({"parameters": [{"name": k, "value": v} for k, v in session.parameters]})
    for digest in session.digests:
        inputs.append(
            {
                "resource": {
                    "externalReference": {
                        "type": "other",
                        "url": f"urn:aibom:{digest.name.partition(':')[0]}",
                        "comment": digest.name,
                        "hashes": [{"alg": "SHA-256", "content": digest.sha256}],
                    }
                }
            }
        )
    task: Json = {
        "bom-ref": f"task:{session.id}",
        "uid": f"{session.id}:generate",
        "name": "generate code",
        "taskTypes": ["other"],
        "resourceReferences": [{"ref": r} for r in (*session.models, *session.agents)],
    }
    if inputs:
        task["inputs"] = inputs
    if session.outputs:
        task["outputs"] = [{"type": "artifact", "resource": {"ref": r}} for r in session.outputs]
    if not task["resourceReferences"]:
        del task["resourceReferences"]
    flow: Json = {
        "bom-ref": session.ref,
        "uid": session.id,
        "name": f"AI session {session.id}",
        "tasks": [task],
        "taskTypes": ["other"],
    }
    if session.start:
        flow["timeStart"] = session.start
    if session.end:
        flow["timeEnd"] = session.end
    flow["properties"] = _props([("commit", sha) for sha in session.commits])
    return flow


def annotation(review: ReviewNote) -> Json:
    individual: Json = {"name": review.name}
    if review.email and conforms("idn-email", review.email):
        individual["email"] = review.email
    return {
        "bom-ref": review.ref,
        "subjects": list(review.subjects),
        "annotator": {"individual": individual},
        "timestamp": review.timestamp,
        "text": f"Reviewed-by: {review.reviewer} (commit {review.commit}: {review.subject})",
    }


def dependencies(facts: BomFacts) -> list[Json]:
    graph: list[Json] = [
        {
            "ref": RELEASE_REF,
            "dependsOn": [f.ref for f in facts.files] + [d.ref for d in facts.dependencies],
        }
    ]
    graph += [{"ref": f.ref, "dependsOn": [f"model:{m}" for m in f.models]} for f in facts.files]
    graph += [{"ref": m.ref} for m in facts.models]
    graph += [{"ref": a.ref} for a in facts.agents]
    graph += [{"ref": d.ref} for d in facts.dependencies]
    return graph
