"""Regressions found in review of ``aibom build`` / ``verify --records`` (issue 5): each test
failed before its fix."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aibom.bom.records import verify_records
from aibom.cli import main
from aibom.gitutil import discover
from tests.conftest import GitRepo
from tests.integration.test_bom import build, by_ref, independent_errors, props, scripted
from tests.unit.bom.scripted import OPUS

__all__ = ["scripted"]  # the fixture, re-used


def _edited(tmp_path: Path, source: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    doc = json.loads(source.read_text())
    change(doc)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc))
    return path


def _duplicate_first(doc: dict[str, Any]) -> None:
    doc["components"].append(dict(doc["components"][0]))


def _reverse(doc: dict[str, Any]) -> None:
    doc["components"].reverse()


def _serial(doc: dict[str, Any]) -> None:
    doc["serialNumber"] = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"


def _extra_key(doc: dict[str, Any]) -> None:
    doc["externalReferences"] = [{"type": "website", "url": "https://example.invalid/"}]


def _metadata_key(doc: dict[str, Any]) -> None:
    doc["metadata"]["lifecycles"] = [{"phase": "design"}]


@pytest.mark.parametrize("change", [_duplicate_first, _reverse, _serial, _extra_key, _metadata_key])
def test_verify_records_sees_edits_outside_the_keyed_entries(
    scripted: GitRepo, tmp_path: Path, change: Callable[[dict[str, Any]], None]
) -> None:
    """A duplicated component (same bom-ref), a reordered list, a changed serial number or an
    added top-level/metadata key passed ``verify --records`` before: it compared only the
    entries it keyed by bom-ref."""
    assert build(scripted, tmp_path / "bom.json")[0] == 0
    repo = discover(scripted.path)
    assert verify_records(repo, tmp_path / "bom.json").ok
    check = verify_records(repo, _edited(tmp_path, tmp_path / "bom.json", change))
    assert not check.ok
    assert len(check.problems) == 1 and check.problems[0].startswith("document: /")


def test_verify_records_cli_exit_code_for_a_duplicated_component(
    scripted: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build(scripted, tmp_path / "bom.json")[0] == 0
    edited = _edited(tmp_path, tmp_path / "bom.json", _duplicate_first)
    assert main(["-C", str(scripted.path), "verify", "--records", str(edited)]) == 1
    out = capsys.readouterr().out
    assert "document: /components: the BOM has" in out and "entries" in out


@pytest.mark.parametrize("target", ["/proc/aibom-review.json", "/sys/aibom-review.json"])
def test_an_unwritable_output_path_is_a_usage_error(
    scripted: GitRepo, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-o`` on a file system that refuses files was an internal error (exit 3) before."""
    if not Path(target).parent.is_dir():
        pytest.skip(f"{Path(target).parent} is not here")
    assert main(["-C", str(scripted.path), "build", "-o", target]) == 2
    err = capsys.readouterr().err
    assert f"-o {target}: cannot write there" in err and "hint:" in err
    assert "internal error" not in err and "Traceback" not in err
    assert not Path(target).exists()


def test_malformed_lockfile_integrity_gives_a_valid_bom(
    make_repo: Callable[..., GitRepo], tmp_path: Path
) -> None:
    """An npm integrity or a pip ``--hash`` of the wrong length made the BOM invalid against the
    schema (exit 3, no BOM) before; now the bad hash is left out and the good ones stay."""
    repo = make_repo("locks")
    good = "sha1-W95uCsYbSMTUr6V12d6pcAQFnzg="
    lock = {
        "name": "app",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "app", "version": "1.0.0"},
            "node_modules/@scope/pkg": {"version": "1.2.3", "integrity": "sha512-BBBB"},
            "node_modules/left-pad": {"version": "1.3.0", "integrity": good},
        },
    }
    requirements = "short==1.0 --hash=sha256:abcdef\nfull==2.0 --hash=sha256:" + "a" * 64 + "\n"
    repo.commit(
        "deps",
        files={"package-lock.json": json.dumps(lock), "requirements.txt": requirements},
    )
    code, doc = build(repo, tmp_path / "bom.json")
    assert code == 0
    assert independent_errors(doc, "1.6") == []
    comps = by_ref(doc)
    assert "hashes" not in comps["pkg:npm/%40scope/pkg@1.2.3"]
    assert "hashes" not in comps["pkg:pypi/short@1.0"]
    assert comps["pkg:npm/left-pad@1.3.0"]["hashes"] == [
        {"alg": "SHA-1", "content": "5bde6e0ac61b48c4d4afa575d9dea97004059f38"}
    ]
    assert comps["pkg:pypi/full@2.0"]["hashes"] == [{"alg": "SHA-256", "content": "a" * 64}]


def test_streamed_log_parses_as_the_whole_output(
    scripted: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build parses ``git log`` while it is written (reads of a few bytes here, so commits
    are cut across reads); the commits equal parsing the whole output at once."""
    from aibom.bom import history as hist

    repo = discover(scripted.path)
    head = scripted.head()
    whole = hist.parse_heads(hist.log_bytes(repo, [head]))
    monkeypatch.setattr(hist, "_READ_SIZE", 7)
    parsing: list[float] = []
    assert hist.stream_heads(repo, [head], parsing) == whole and len(whole) >= 5
    assert len(parsing) == 1 and parsing[0] > 0
    commits = list(hist.join(whole, hist.parse_changes(hist.changes_bytes(repo, [head]))))
    assert [c.sha for c in commits] == scripted.git("rev-list", head).stdout.split()
    assert all(c.paths for c in commits)


def test_streamed_log_failure_is_a_git_error(scripted: GitRepo) -> None:
    from aibom.bom import history as hist
    from aibom.errors import GitError

    with pytest.raises(GitError, match="failed"):
        hist.stream_heads(discover(scripted.path), ["0" * 40])


def test_output_files_get_the_usual_mode(scripted: GitRepo, tmp_path: Path) -> None:
    """The BOM was written with mkstemp's 0600 whatever the umask, and an existing file lost
    its mode: a release artefact others could not read."""
    old = os.umask(0o022)
    try:
        assert build(scripted, tmp_path / "new.json")[0] == 0
        existing = tmp_path / "existing.json"
        existing.write_text("old\n")
        existing.chmod(0o640)
        assert build(scripted, existing)[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640
    assert json.loads(existing.read_text())["bomFormat"] == "CycloneDX"


def test_output_to_dev_stdout_and_to_a_fifo(scripted: GitRepo, tmp_path: Path) -> None:
    """``-o /dev/stdout`` was a usage error ("No such file or directory": the temporary file
    went next to /proc/PID/fd/pipe:[N]) and ``-o FIFO`` replaced the pipe with a file (as root,
    ``-o /dev/null`` replaced the device)."""
    aibom = str(Path(sys.executable).with_name("aibom"))
    proc = subprocess.run(
        [aibom, "-C", str(scripted.path), "build", "-o", "/dev/stdout", "--report", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith('{"$schema"') and '"bomFormat":"CycloneDX"' in proc.stdout
    fifo = tmp_path / "bom.fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    code = main(["-C", str(scripted.path), "build", "-o", str(fifo)])
    reader.join(30)
    assert code == 0
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and json.loads(received[0])["bomFormat"] == "CycloneDX"


@pytest.mark.parametrize("epoch", ["99999999999999", "253402300800"])
def test_a_source_date_epoch_past_year_9999_is_a_usage_error(
    scripted: GitRepo, tmp_path: Path, epoch: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was an internal error (exit 3, "ValueError: year ... is out of range")."""
    code, _ = build(scripted, tmp_path / "bom.json", epoch=epoch)
    assert code == 2 and not (tmp_path / "bom.json").exists()
    err = capsys.readouterr().err
    assert f"SOURCE_DATE_EPOCH='{epoch}' is not a number of seconds" in err


@pytest.mark.parametrize("spec", ["1.6", "1.7"])
def test_a_non_utf8_file_name_gives_a_valid_bom(
    scripted: GitRepo, tmp_path: Path, spec: str
) -> None:
    """A path that is not UTF-8 (carried as a lone surrogate) made the validator raise
    UnicodeEncodeError: an internal error (exit 3) and no BOM."""
    (scripted.path / os.fsdecode(b"bad\xff name.py")).write_bytes(b"x = 1\n")
    scripted.git("add", "-A")
    scripted.git(
        "commit", "-q", "-m", "ai: odd bytes\n\nAI-Origin: ai-generated\nAI-Model: " + OPUS
    )
    code, doc = build(scripted, tmp_path / "bom.json", "--spec", spec)
    assert code == 0
    assert "file:bad\udcff name.py" in by_ref(doc)
    assert verify_records(discover(scripted.path), tmp_path / "bom.json").ok
    xml = tmp_path / "bom.xml"
    argv = ["-C", str(scripted.path), "build", "--spec", spec, "--format", "xml", "-o", str(xml)]
    assert main(argv) == 0
    assert verify_records(discover(scripted.path), xml).ok


def test_malformed_emails_and_remote_urls_give_a_valid_bom(
    scripted: GitRepo, tmp_path: Path
) -> None:
    """An author email or a Reviewed-by address that is not an email, or a remote URL that is
    not an IRI, made the BOM fail its own validation (exit 3, "a bug in aibom")."""
    scripted.git("remote", "add", "origin", "https://git.example.com:port/app.git")
    scripted.commit(
        "ai: edit\n\nAI-Origin: ai-generated\nAI-Model: "
        + OPUS
        + "\nReviewed-by: Bob <bob@>\nReviewed-by: Carl <carl@exa mple.com>"
        + "\nReviewed-by: Dana <dana@example.com>",
        files={"src/edit.py": "x = 1\n"},
        env={"GIT_AUTHOR_EMAIL": "a b@@c"},
    )
    code, doc = build(scripted, tmp_path / "bom.json")
    assert code == 0
    assert independent_errors(doc, "1.6") == []
    assert "externalReferences" not in doc["metadata"]["component"]
    author = by_ref(doc)["file:src/edit.py"]["pedigree"]["commits"][0]["author"]
    assert "email" not in author and author["name"] == "Test Human"
    reviewers = [a["annotator"]["individual"] for a in doc["annotations"]]
    assert {"name": "Bob"} in reviewers and {"name": "Carl"} in reviewers
    assert {"name": "Dana", "email": "dana@example.com"} in reviewers


@pytest.mark.parametrize(
    "detail",
    [
        {"prompt": {"digest": "sha256:abc"}},
        {"context": [{"name": "a.py", "digest": "sha256:" + "z" * 64}, "x"]},
        {"parameters": [1], "prompt": {"digest": "sha256:" + "c" * 64}},
        {"timestamps": {"session_start": "yesterday"}, "parameters": {"t": 1}},
        {"timestamps": {"session_start": "0001-01-01T00:00:00Z"}, "parameters": {"t": 1}},
        {"timestamps": "now", "parameters": {"t": 1}},
    ],
)
def test_a_malformed_generation_record_gives_a_valid_bom(
    scripted: GitRepo, tmp_path: Path, detail: dict[str, Any]
) -> None:
    """A note is shared data, read without schema validation: a digest that is not 64 hex
    digits or a session start that is not a time made the BOM fail its validation (exit 3,
    "a bug in aibom"); parameters or timestamps that are not objects raised AttributeError."""
    sha = scripted.git("rev-list", "--reverse", "HEAD").stdout.split()[1]  # the sess-1 commit
    line = {"kind": "generation", "schema": "aibom.record/1", "session": "sess-1", **detail}
    scripted.git(
        "notes",
        "--ref=aibom",
        "append",
        "-m",
        json.dumps(line, sort_keys=True, separators=(",", ":")),
        sha,
    )
    code, doc = build(scripted, tmp_path / "bom.json")
    assert code == 0
    assert independent_errors(doc, "1.6") == []
    (flow,) = [w for w in doc["formulation"][0]["workflows"] if w["uid"] == "sess-1"]
    assert flow["timeStart"] == "2023-11-14T23:13:20Z"


def test_verify_records_where_the_boms_commits_are_missing(
    scripted: GitRepo,
    make_repo: Callable[..., GitRepo],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """In a repository without the BOM's commits (another project, an empty one) the check
    was an internal error (exit 3) with git's "fatal: bad object"."""
    assert build(scripted, tmp_path / "bom.json")[0] == 0
    other = make_repo("other")
    other.commit("something else", files={"x.py": "x = 1\n"})
    release = scripted.head()
    for repo in (other, make_repo("empty")):
        capsys.readouterr()
        assert main(["-C", str(repo.path), "verify", "--records", str(tmp_path / "bom.json")]) == 2
        err = capsys.readouterr().err
        assert f"error: commit {release} is not in this repository" in err
        assert "internal error" not in err and "bad object" not in err


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_verify_records_in_a_clone_of_a_repository_without_a_remote(
    scripted: GitRepo, tmp_path: Path, fmt: str
) -> None:
    """A BOM built where there was no origin remote (so no VCS reference) failed the check in
    any clone of it: the rebuild took the clone's origin as the release's VCS reference."""
    out = tmp_path / f"bom.{fmt}"
    argv = ["-C", str(scripted.path), "build", "--format", fmt, "-o", str(out)]
    assert main(argv) == 0
    clone = tmp_path / "downstream"
    subprocess.run(["git", "clone", "-q", str(scripted.path), str(clone)], check=True)
    subprocess.run(
        ["git", "-C", str(clone), "fetch", "-q", "origin", "refs/notes/aibom:refs/notes/aibom"],
        check=True,
    )
    check = verify_records(discover(clone), out)
    assert check.ok, check.problems


def test_a_shallow_clone_does_not_credit_older_lines_to_its_boundary_commit(
    scripted: GitRepo, tmp_path: Path
) -> None:
    """Blame stops at a shallow clone's boundary commit and credits it with every older line:
    the BOM said Sonnet (the boundary commit's model) wrote 21 of 23 lines, with every file
    of the tree as an AI file and click as added by that commit."""
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{scripted.path}", str(clone)], check=True
    )
    subprocess.run(
        ["git", "-C", str(clone), "fetch", "-q", "origin", "refs/notes/aibom:refs/notes/aibom"],
        check=True,
    )
    code, doc = build(GitRepo(clone), tmp_path / "bom.json")
    assert code == 0 and independent_errors(doc, "1.6") == []
    mp = props(doc["metadata"])
    assert mp["aibom:history:shallow"] == ["true"]
    assert mp["aibom:metrics:lines:origin:mixed"] == ["0"]
    assert mp["aibom:metrics:lines:origin:ai"] == ["0"]
    assert not [c for c in doc["components"] if c["type"] == "file"]
    click = props(by_ref(doc)["pkg:pypi/click@8.1.7"])
    assert click["aibom:added-by:origin"] == ["unknown"] and "aibom:added-by:model" not in click
    requests = props(by_ref(doc)["pkg:pypi/requests@2.32.3"])  # its record still says who
    assert requests["aibom:added-by:source"] == ["record"]
    assert verify_records(discover(clone), tmp_path / "bom.json").ok


def test_verify_records_in_a_shallow_clone_that_lacks_the_history(
    scripted: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A BOM of the whole history checked in a depth-2 clone reported 24 "changed" entries
    (exit 1) for commits the clone simply does not have: now a usage error saying so."""
    assert build(scripted, tmp_path / "bom.json")[0] == 0
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{scripted.path}", str(clone)], check=True
    )
    subprocess.run(
        ["git", "-C", str(clone), "fetch", "-q", "origin", "refs/notes/aibom:refs/notes/aibom"],
        check=True,
    )
    capsys.readouterr()
    assert main(["-C", str(clone), "verify", "--records", str(tmp_path / "bom.json")]) == 2
    err = capsys.readouterr().err
    assert "this shallow clone has 2 of the 5 commits the BOM covers" in err
    subprocess.run(["git", "-C", str(clone), "fetch", "-q", "--unshallow"], check=True)
    assert verify_records(discover(clone), tmp_path / "bom.json").ok


@pytest.mark.parametrize("spec", ["1.6", "1.7"])
def test_two_latin1_names_that_differ_in_one_byte_give_a_valid_bom(
    scripted: GitRepo, tmp_path: Path, spec: str
) -> None:
    """caf\\xe9.py and caf\\xe8.py were one name (U+FFFD) to the validator: "has non-unique
    elements" in the release's dependsOn, exit 3."""
    for name in (b"caf\xe9.py", b"caf\xe8.py"):
        (scripted.path / os.fsdecode(name)).write_bytes(b"x = 1\n")
    scripted.git("add", "-A")
    scripted.git("commit", "-q", "-m", "ai: names\n\nAI-Origin: ai-generated\nAI-Model: " + OPUS)
    code, doc = build(scripted, tmp_path / "bom.json", "--spec", spec)
    assert code == 0
    refs = by_ref(doc)
    assert "file:caf\udce9.py" in refs and "file:caf\udce8.py" in refs


def test_xml_keeps_names_apart_that_differ_in_unwritable_characters(
    scripted: GitRepo, tmp_path: Path
) -> None:
    """Latin-1 names (caf\\xe9.py, caf\\xe8.py) or names with control characters both became
    U+FFFD in XML: one bom-ref twice, which the XSD rejects (exit 3, "a bug in aibom")."""
    for name in (b"caf\xe9.py", b"caf\xe8.py", b"a\x01.py", b"a\x02.py"):
        (scripted.path / os.fsdecode(name)).write_bytes(b"x = 1\n")
    scripted.git("add", "-A")
    scripted.git("commit", "-q", "-m", "ai: names\n\nAI-Origin: ai-generated\nAI-Model: " + OPUS)
    xml = tmp_path / "bom.xml"
    assert main(["-C", str(scripted.path), "build", "--format", "xml", "-o", str(xml)]) == 0
    text = xml.read_text()
    for ref in ("caf\\xe9.py", "caf\\xe8.py", "a\\x01.py", "a\\x02.py"):
        assert f'bom-ref="file:{ref}"' in text
    assert verify_records(discover(scripted.path), xml).ok


def test_all_refs_with_tags_of_a_blob_and_a_tree(scripted: GitRepo, tmp_path: Path) -> None:
    """``--all`` in a repository with a tag of a blob or a tree (git.git, linux) was an
    internal error (exit 3): rev-parse X^{commit} failed for the whole list of tips."""
    blob = scripted.git("rev-parse", "HEAD:README.md").stdout.strip()
    scripted.git("tag", "blob-tag", blob)
    scripted.git("tag", "-a", "-m", "a tree", "tree-tag", "HEAD^{tree}")
    code, doc = build(scripted, tmp_path / "bom.json", "--all")
    assert code == 0
    assert props(doc["metadata"])["aibom:revs"] == [scripted.head()]


def test_file_ids_in_a_sha256_repository(tmp_path: Path) -> None:
    """In a SHA-256 repository the BOM named the SHA-256 blob id a ``gitoid:blob:sha1`` and
    made it a SWHID (which is the SHA-1 git id of the content)."""
    path = tmp_path / "sha256"
    subprocess.run(["git", "init", "-q", "--object-format=sha256", str(path)], check=True)
    repo = GitRepo(path)
    repo.commit(
        "ai: a file\n\nAI-Origin: ai-generated\nAI-Model: " + OPUS, files={"a.py": "x = 1\n"}
    )
    oid = repo.git("rev-parse", "HEAD:a.py").stdout.strip()
    sha1 = hashlib.sha1(b"blob 6\0x = 1\n").hexdigest()
    assert len(oid) == 64
    code, doc = build(repo, tmp_path / "bom.json")
    assert code == 0
    comp = by_ref(doc)["file:a.py"]
    assert comp["omniborId"] == [f"gitoid:blob:sha256:{oid}"]
    assert comp["swhid"] == [f"swh:1:cnt:{sha1}"]
