"""aibom build end to end: real git, real notes, the real blame engine, the CLI."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import referencing
from referencing.jsonschema import DRAFT7

from aibom.bom.records import verify_records
from aibom.bom.validate import schema_text
from aibom.cli import main
from aibom.gitutil import discover
from aibom.notes.store import NotesStore
from tests.conftest import GitRepo
from tests.unit.bom.scripted import CODEX, OPUS, SONNET, build_scripted, generation

jsonschema: Any = importlib.import_module("jsonschema")  # pure Python: the independent validator
GOLDEN = Path(__file__).parent.parent / "fixtures" / "bom" / "scripted.cdx.json"
EPOCH = "1700100000"


@pytest.fixture
def scripted(make_repo: Callable[..., GitRepo]) -> GitRepo:
    repo = make_repo("scripted")
    build_scripted(repo.path)
    return repo


def build(
    repo: GitRepo, out: Path, *args: str, epoch: str | None = EPOCH
) -> tuple[int, dict[str, Any]]:
    before = os.environ.pop("SOURCE_DATE_EPOCH", None)
    if epoch is not None:
        os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        code = main(["-C", str(repo.path), "build", "--name", "scripted", "-o", str(out), *args])
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
        if before is not None:
            os.environ["SOURCE_DATE_EPOCH"] = before
    return code, (json.loads(out.read_text()) if out.exists() and code == 0 else {})


def independent_errors(document: dict[str, Any], spec: str) -> list[str]:
    """jsonschema (pure Python, Draft 7) against the official schemas: not the builder's
    validator."""
    resources = [
        (name, DRAFT7.create_resource(json.loads(schema_text(name))))
        for name in (
            "spdx.SNAPSHOT.schema.json",
            "jsf-0.82.SNAPSHOT.schema.json",
            "cryptography-defs.SNAPSHOT.schema.json",
        )
    ]
    schema = json.loads(schema_text(f"bom-{spec}.SNAPSHOT.schema.json"))
    registry = referencing.Registry().with_resources(
        [(f"http://cyclonedx.org/schema/{n}", r) for n, r in resources]
    )
    validator = jsonschema.Draft7Validator(schema, registry=registry)
    return [e.message for e in validator.iter_errors(document)]


def props(item: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for p in item.get("properties", []):
        found.setdefault(p["name"], []).append(p["value"])
    return found


def by_ref(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["bom-ref"]: c for c in doc["components"]}


@pytest.mark.parametrize("spec", ["1.6", "1.7"])
def test_output_is_valid_for_an_independent_validator_and_the_library(
    scripted: GitRepo, tmp_path: Path, spec: str
) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    code, doc = build(scripted, tmp_path / "bom.json", "--spec", spec)
    assert code == 0 and doc["specVersion"] == spec
    assert independent_errors(doc, spec) == []
    version = SchemaVersion.from_version(spec)
    assert JsonStrictValidator(version).validate_str((tmp_path / "bom.json").read_text()) is None
    broken = json.loads(json.dumps(doc))
    broken["components"][0]["type"] = "model"  # not in the enum: both validators must say so
    assert independent_errors(broken, spec)
    assert JsonStrictValidator(version).validate_str(json.dumps(broken)) is not None


def test_golden_file(scripted: GitRepo, tmp_path: Path) -> None:
    code, _ = build(scripted, tmp_path / "bom.json")
    assert code == 0
    text = (tmp_path / "bom.json").read_text()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text(), "rerun with UPDATE_GOLDEN=1 after a deliberate change"


def test_reproducible_builds_are_byte_identical(scripted: GitRepo, tmp_path: Path) -> None:
    build(scripted, tmp_path / "a.json")
    build(scripted, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    build(scripted, tmp_path / "c.json", epoch=None)  # release commit time
    build(scripted, tmp_path / "d.json", epoch=None)
    assert (tmp_path / "c.json").read_bytes() == (tmp_path / "d.json").read_bytes()
    other = json.loads((tmp_path / "c.json").read_text())
    first = json.loads((tmp_path / "a.json").read_text())
    assert other["metadata"]["timestamp"] != first["metadata"]["timestamp"]
    assert other["serialNumber"] != first["serialNumber"]  # derived from the content


def test_what_the_bom_says(scripted: GitRepo, tmp_path: Path) -> None:
    shas = scripted.git("rev-list", "--reverse", "HEAD").stdout.split()
    _, doc = build(scripted, tmp_path / "bom.json")
    comps = by_ref(doc)
    meta = doc["metadata"]
    assert meta["component"]["version"] == "v1.0"
    assert meta["timestamp"] == "2023-11-16T02:00:00Z"
    assert [t["name"] for t in meta["tools"]["components"]] == ["aibom"]
    models = {r: c for r, c in comps.items() if c["type"] == "machine-learning-model"}
    assert set(models) == {f"model:{m}" for m in (OPUS, SONNET, CODEX)}
    opus = models[f"model:{OPUS}"]
    assert opus["supplier"] == {"name": "anthropic"} and opus["version"] == "20251101"
    assert "modelCard" in opus
    assert {r for r in comps if r.startswith("agent:")} == {
        "agent:claude-code/2.0.14",
        "agent:codex/0.50.0",
    }
    util = comps["file:src/util.py"]
    p = props(util)
    assert p["aibom:lines:total"] == ["6"] and p["aibom:share:ai"] == ["1.0000"]
    assert p["aibom:lines:ai"] == ["4"] and p["aibom:lines:mixed"] == ["2"]
    assert p["aibom:model"] == [OPUS, CODEX]
    assert util["omniborId"] == [f"gitoid:blob:sha1:{p['aibom:git:blob'][0]}"]
    assert {c["uid"] for c in util["pedigree"]["commits"]} == {shas[1], shas[2]}
    ranges = [o["additionalContext"] for o in util["evidence"]["occurrences"]]
    assert any(r.startswith("lines 5-6: mixed (openai/gpt-5-codex)") for r in ranges)
    assert "file:README.md" not in comps  # only human commits touched it
    app = props(comps["file:src/app.py"])
    assert app["aibom:lines:human"] == ["4"] and app["aibom:lines:ai"] == ["3"]
    requests = props(comps["pkg:pypi/requests@2.32.3"])
    assert requests["aibom:added-by:commit"] == [shas[3]]
    assert requests["aibom:added-by:source"] == ["record"]
    assert requests["aibom:added-by:model"] == [SONNET]
    click = comps["pkg:pypi/click@8.1.7"]
    assert props(click)["aibom:added-by:source"] == ["blame"]
    assert props(click)["aibom:added-by:origin"] == ["human"]
    assert click["hashes"] == [{"alg": "SHA-256", "content": "a" * 64}]
    assert click["scope"] == "required"
    graph = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert "file:src/util.py" in graph["release"] and "pkg:pypi/click@8.1.7" in graph["release"]
    assert graph["file:src/util.py"] == [f"model:{OPUS}", f"model:{CODEX}"]
    (formula,) = doc["formulation"]
    flows = {w["uid"]: w for w in formula["workflows"]}
    assert set(flows) == {"sess-1", "sess-2", "sess-3"}
    task = flows["sess-1"]["tasks"][0]
    assert {"name": "temperature", "value": "0.2"} in task["inputs"][0]["parameters"]
    comments = {i["resource"]["externalReference"]["comment"] for i in task["inputs"][1:]}
    assert comments == {"prompt", "context:src/app.py"}
    assert {o["resource"]["ref"] for o in task["outputs"]} == {
        "file:src/app.py",
        "file:src/util.py",
    }
    reviews = {a["bom-ref"]: a for a in doc["annotations"]}
    reviewed = reviews[f"review:{shas[2]}:0"]
    assert reviewed["subjects"] == ["file:src/util.py", "session:sess-2"]
    assert reviewed["annotator"]["individual"]["email"] == "rita@example.com"
    assert shas[2] in reviewed["text"]
    mp = props(meta)
    assert mp["aibom:metrics:commits:origin:ai"] == ["1"]
    assert mp["aibom:metrics:commits:origin:mixed"] == ["2"]
    assert mp["aibom:metrics:commits:origin:human"] == ["2"]
    assert mp["aibom:notes"] == ["present"] and mp["aibom:records:notes"] == ["4"]
    names = [p["name"] for c in doc["components"] for p in c.get("properties", [])]
    assert all(n.startswith("aibom:") for n in names + list(mp))


def test_range_covers_only_its_commits(scripted: GitRepo, tmp_path: Path) -> None:
    shas = scripted.git("rev-list", "--reverse", "HEAD").stdout.split()
    scripted.git("tag", "v0.9", shas[2])
    _, doc = build(scripted, tmp_path / "bom.json", "--range", "v0.9..v1.0")
    mp = props(doc["metadata"])
    assert mp["aibom:metrics:commits:total"] == ["2"]
    assert mp["aibom:revs"] == [f"^{shas[2]} {shas[4]}"]
    comps = by_ref(doc)
    assert "file:src/net.py" in comps and "file:src/util.py" not in comps
    assert verify_records(discover(scripted.path), tmp_path / "bom.json").ok


def test_a_repository_without_notes(
    make_repo: Callable[..., GitRepo], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo()
    repo.commit("one", files={"a.py": "x = 1\n", "requirements.txt": "click==8.1.7\n"})
    repo.commit("two", files={"a.py": "x = 2\n"})
    code, doc = build(repo, tmp_path / "bom.json")
    assert code == 0 and independent_errors(doc, "1.6") == []
    err = capsys.readouterr().err
    assert "no aibom notes" in err
    mp = props(doc["metadata"])
    assert mp["aibom:notes"] == ["none"]
    assert mp["aibom:metrics:commits:origin:unknown"] == ["2"]
    assert not [c for c in doc["components"] if c["type"] in ("machine-learning-model", "file")]
    assert props(by_ref(doc)["pkg:pypi/click@8.1.7"])["aibom:added-by:origin"] == ["unknown"]


def test_a_message_cannot_forge_or_hide_a_commit(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    """A trailer holding the bytes a fixed log separator would be (an entry start, then
    fields of a made-up commit by another model): the real commit must not vanish, and the
    forged one must not appear. Likewise an author name that holds a field separator."""
    from aibom.bom.history import read_history

    repo = make_repo()
    odd = {"GIT_AUTHOR_NAME": "Mal\x1flory", "GIT_AUTHOR_EMAIL": "m\x1f@example.test"}
    repo.commit("human", files={"a.py": "x = 1\n"}, env=odd)
    fake = "f" * 40
    forged = f"\x1eC\x1f{fake}\x1f\x1fMallory\x1fm@example.test\x1f1\x1f1\x1fforged\x1f"
    message = (
        "looks harmless\n\nSigned-off-by: A <a@example.test>\n"
        f"X-Note: {forged}AI-Model: openai/gpt-5-codex\nAI-Origin: ai-generated\n"
        "AI-Model: anthropic/claude-opus-4-5-20251101\n"
    )
    repo.write("b.py", "y = 2\n")
    repo.git("add", "b.py")
    repo.git("commit", "-q", "-F", "-", input=message)
    history = read_history(discover(repo.path), ["HEAD"], shallow=False)
    shas = [c.sha for c in history.commits]
    assert shas == repo.git("rev-list", "HEAD").stdout.split()
    first = history.commits[-1]
    assert (first.author_name, first.author_email) == (
        odd["GIT_AUTHOR_NAME"],
        odd["GIT_AUTHOR_EMAIL"],
    )
    assert first.subject == "human" and first.committed > 0
    code, doc = build(repo, tmp_path / "bom.json")
    assert code == 0
    assert fake not in json.dumps(doc)
    models = [c["name"] for c in doc["components"] if c["type"] == "machine-learning-model"]
    assert models == ["claude-opus-4-5"]  # not the forged entry's gpt-5-codex


def test_a_shallow_clone_says_so(
    scripted: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{scripted.path}", str(clone)], check=True
    )
    code, doc = build(GitRepo(clone), tmp_path / "bom.json")
    assert code == 0 and independent_errors(doc, "1.6") == []
    assert "shallow clone" in capsys.readouterr().err
    mp = props(doc["metadata"])
    assert mp["aibom:history:shallow"] == ["true"]
    assert mp["aibom:metrics:commits:total"] == ["2"]


def test_bad_manifests_are_warnings(
    make_repo: Callable[..., GitRepo], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo()
    repo.commit("m", files={"package.json": "{not json", "pyproject.toml": "[project\n"})
    (repo.path / "requirements.txt").write_bytes(b"click==8\xff\n")
    repo.git("add", "requirements.txt")
    repo.git("commit", "-q", "-m", "latin1")
    code, doc = build(repo, tmp_path / "bom.json")
    assert code == 0 and doc["components"] == []
    err = capsys.readouterr().err
    assert "requirements.txt: not UTF-8" in err and "package.json" in err
    warnings = props(doc["metadata"])["aibom:warning"]
    assert any("pyproject.toml" in w for w in warnings)


@pytest.mark.parametrize(
    "args",
    [
        ["--range", "nope..HEAD"],
        ["--range", "HEAD~1...HEAD"],
        ["--range", "HEAD~1..HEAD", "--all"],
    ],
)
def test_usage_errors_write_nothing(
    scripted: GitRepo, tmp_path: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = build(scripted, tmp_path / "bom.json", *args)
    assert code == 2 and not (tmp_path / "bom.json").exists()
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_no_commits_and_missing_directory(
    make_repo: Callable[..., GitRepo], scripted: GitRepo, tmp_path: Path
) -> None:
    assert main(["-C", str(make_repo().path), "build", "-o", str(tmp_path / "x.json")]) == 2
    missing = tmp_path / "nowhere" / "bom.json"
    assert main(["-C", str(scripted.path), "build", "-o", str(missing)]) == 2


def test_all_refs_and_stdout(
    scripted: GitRepo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scripted.git("checkout", "-q", "-b", "side", "HEAD~2")
    scripted.commit("side work", files={"side.txt": "s\n"})
    scripted.git("checkout", "-q", "main")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert main(["-C", str(scripted.path), "build", "--all", "--report", "json"]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert props(doc["metadata"])["aibom:metrics:commits:total"] == ["6"]
    summary = json.loads(err[err.index("{") :])
    assert summary["commits"] == 6 and summary["files"] == 4


def test_all_refs_when_head_is_unborn(
    scripted: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # an orphan branch (or git init + fetch): --all said "no commits yet" though refs had some
    code, before = build(scripted, tmp_path / "before.json", "--all")
    assert code == 0
    tip = scripted.head()
    scripted.git("checkout", "-q", "--orphan", "fresh")
    scripted.git("rm", "-q", "-r", "-f", ".")
    code, doc = build(scripted, tmp_path / "bom.json", "--all")
    assert code == 0, capsys.readouterr().err
    release = props(doc["metadata"]["component"])
    assert release["aibom:vcs:commit"] == [tip] and release["aibom:vcs:ref"] == ["main"]
    assert props(doc["metadata"]) == props(before["metadata"])
    assert doc["components"] == before["components"]
    assert main(["-C", str(scripted.path), "verify", "--records", str(tmp_path / "bom.json")]) == 0
    capsys.readouterr()
    code, _ = build(scripted, tmp_path / "head.json")  # HEAD alone: nothing to build
    assert code == 2 and not (tmp_path / "head.json").exists()
    message, hint = capsys.readouterr().err.rstrip("\n").split("\n")
    assert "the current branch 'fresh' has no commits yet" in message and "--all" in hint


def test_verify_records_detects_an_edited_note(scripted: GitRepo, tmp_path: Path) -> None:
    build(scripted, tmp_path / "bom.json")
    repo = discover(scripted.path)
    first = verify_records(repo, tmp_path / "bom.json")
    assert first.ok and first.checked >= 15 and first.problems == ()
    sha = scripted.git("rev-parse", "HEAD~4").stdout.strip()
    forged = generation("ai-generated", OPUS, "claude-code/2.0.14", "sess-9", 1_700_000_000)
    NotesStore(repo).append(sha, [forged.line])
    check = verify_records(repo, tmp_path / "bom.json")
    assert not check.ok
    assert check.problems[0].startswith("records digest:")
    assert any(p.startswith("component file:src/app.py") for p in check.problems)


def test_verify_records_detects_an_edited_bom(scripted: GitRepo, tmp_path: Path) -> None:
    build(scripted, tmp_path / "bom.json")
    doc = json.loads((tmp_path / "bom.json").read_text())
    for comp in doc["components"]:
        if comp["bom-ref"] == "file:src/net.py":
            for p in comp["properties"]:
                if p["name"] == "aibom:lines:mixed":
                    p["value"] = "0"
    doc["components"] = [c for c in doc["components"] if c["bom-ref"] != f"model:{CODEX}"]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    check = verify_records(discover(scripted.path), edited)
    assert not check.ok
    assert any(
        "file:src/net.py" in p and "aibom:lines:mixed" in p and '"0"' in p for p in check.problems
    )
    assert any(f"component model:{CODEX}: given by the repository" in p for p in check.problems)


def test_verify_records_refuses_foreign_boms(scripted: GitRepo, tmp_path: Path) -> None:
    from aibom.errors import UsageError

    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6"}))
    with pytest.raises(UsageError):
        verify_records(discover(scripted.path), foreign)
    (tmp_path / "x.json").write_text("not json")
    with pytest.raises(UsageError):
        verify_records(discover(scripted.path), tmp_path / "x.json")


@pytest.mark.parametrize("spec", ["1.6", "1.7"])
def test_xml_output_is_valid_reproducible_and_says_the_same(
    scripted: GitRepo, tmp_path: Path, spec: str
) -> None:
    from xml.etree import ElementTree as ET

    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.xml import XmlValidator

    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    for out in (a, b):
        os.environ["SOURCE_DATE_EPOCH"] = EPOCH
        try:
            args = ["-C", str(scripted.path), "build", "--name", "scripted", "--spec", spec]
            code = main([*args, "--format", "xml", "-o", str(out)])
        finally:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        assert code == 0
    text = a.read_text()
    assert text == b.read_text()
    assert XmlValidator(SchemaVersion.from_version(spec)).validate_str(text) is None
    broken = text.replace('type="machine-learning-model"', 'type="model"', 1)
    assert XmlValidator(SchemaVersion.from_version(spec)).validate_str(broken) is not None
    _, doc = build(scripted, tmp_path / "bom.json", "--spec", spec)
    ns = {"c": f"http://cyclonedx.org/schema/bom/{spec}"}
    root = ET.fromstring(text)
    assert root.get("serialNumber") == doc["serialNumber"]  # one content, one serial
    refs = [c.get("bom-ref") for c in root.findall("c:components/c:component", ns)]
    assert refs == [c["bom-ref"] for c in doc["components"]]
    assert root.find("c:components/c:component/c:modelCard", ns) is not None
    assert len(root.findall("c:annotations/c:annotation", ns)) == len(doc["annotations"])
    flows = root.findall("c:formulation/c:formula/c:workflows/c:workflow", ns)
    assert [f.findtext("c:uid", namespaces=ns) for f in flows] == ["sess-1", "sess-2", "sess-3"]
    assert verify_records(discover(scripted.path), a).ok
    edited = tmp_path / "edited.xml"
    edited.write_text(text.replace("<version>20251101</version>", "<version>2099</version>"))
    check = verify_records(discover(scripted.path), edited)
    assert not check.ok and "2099" in check.problems[0]


@pytest.mark.parametrize(
    ("remote", "url", "name"),
    [
        ("git@forge.example:org/app.git", "ssh://git@forge.example/org/app.git", "app"),
        (
            "https://user:s3cret@forge.example/org/web.git",
            "https://forge.example/org/web.git",
            "web",
        ),
        ("../my upstream", None, "my upstream"),
    ],
)
def test_the_remote_names_the_release_and_never_leaks_credentials(
    scripted: GitRepo, tmp_path: Path, remote: str, url: str | None, name: str
) -> None:
    scripted.git("remote", "add", "origin", remote)
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        assert main(["-C", str(scripted.path), "build", "-o", str(tmp_path / "bom.json")]) == 0
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    text = (tmp_path / "bom.json").read_text()
    assert "s3cret" not in text
    release = json.loads(text)["metadata"]["component"]
    assert release["name"] == name
    vcs = release["externalReferences"][0]["url"]
    assert vcs == (
        url or f"file://{(scripted.path.parent / 'my upstream').resolve()}".replace(" ", "%20")
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_verify_records_in_another_clone_with_a_later_tag(
    scripted: GitRepo, tmp_path: Path, fmt: str
) -> None:
    scripted.git("remote", "add", "origin", "https://forge.example/org/app.git")
    out = tmp_path / f"bom.{fmt}"
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        code = main(["-C", str(scripted.path), "build", "--format", fmt, "-o", str(out)])
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    assert code == 0
    clone = tmp_path / "downstream"
    subprocess.run(["git", "clone", "-q", str(scripted.path), str(clone)], check=True)
    subprocess.run(
        ["git", "-C", str(clone), "fetch", "-q", "origin", "refs/notes/aibom:refs/notes/aibom"],
        check=True,
    )
    subprocess.run(["git", "-C", str(clone), "tag", "v1.0.1"], check=True)
    check = verify_records(discover(clone), out)
    assert check.ok, check.problems
    subprocess.run(["git", "-C", str(clone), "update-ref", "-d", "refs/notes/aibom"], check=True)
    gone = verify_records(discover(clone), out)
    assert not gone.ok and gone.problems[0].startswith("records digest:")


def test_verify_records_never_passes_bom_text_to_git_as_options(
    scripted: GitRepo, tmp_path: Path
) -> None:
    from aibom.errors import UsageError

    build(scripted, tmp_path / "bom.json")
    doc = json.loads((tmp_path / "bom.json").read_text())
    target = tmp_path / "written-by-git"
    for p in doc["metadata"]["properties"]:
        if p["name"] == "aibom:revs":
            p["value"] = f"--output={target} HEAD"
    evil = tmp_path / "evil.json"
    evil.write_text(json.dumps(doc))
    with pytest.raises(UsageError):
        verify_records(discover(scripted.path), evil)
    assert not target.exists()


def test_odd_file_names_are_files_of_the_bom(scripted: GitRepo, tmp_path: Path) -> None:
    odd = 'we"ird\tname ü.py'
    scripted.commit(
        "ai: odd name\n\nAI-Origin: ai-generated\nAI-Model: " + OPUS,
        files={odd: "x = 1\ny = 2\n"},
    )
    code, doc = build(scripted, tmp_path / "bom.json")
    assert code == 0
    comp = by_ref(doc)[f"file:{odd}"]
    assert props(comp)["aibom:lines:ai"] == ["2"] and comp["name"] == odd
