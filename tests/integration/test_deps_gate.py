"""The dependency gate end to end: real git, the installed pre-commit hook, real HTTP to a
loopback registry, reports in text, JSON and SARIF, and the dependency record in the note."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import ROOT, GitRepo

OLD = "2019-03-01T10:00:00Z"
FIXTURE = {
    "pypi": {
        "requests": {"versions": {"2.31.0": OLD, "2.32.3": "2024-05-29T15:00:00Z"}},
        "flask": {"versions": {"3.0.0": OLD}},
        "numpy": {"versions": {"1.26.0": OLD}},
        "pyyaml": {"versions": {"6.0.1": OLD}},
        "brand-new-pkg": {"versions": {"0.0.1": "2026-11-20T08:00:00Z"}},
        "evil-thing": {"versions": {"1.0": OLD}, "status": "quarantined", "reason": "malware"},
        "empty-name": {"versions": {}},
    },
    "npm": {
        "left-pad": {"versions": {"1.3.0": "2018-04-09T00:00:00Z"}},
        "express": {"versions": {"4.19.2": OLD}},
        "fresh-hook": {
            "versions": {"0.0.1": "2026-11-19T00:00:00Z"},
            "install_scripts": True,
        },
    },
}


@pytest.fixture
def reg(loopback: Any) -> Any:
    loopback.load(FIXTURE)
    return loopback


def _stage(repo: GitRepo, files: dict[str, str]) -> None:
    for name, content in files.items():
        repo.write(name, content)
        repo.git("add", name)


def _check(repo: GitRepo, *args: str, fmt: str = "json") -> tuple[int, Any]:
    proc = repo.aibom("deps", "check", "--format", fmt, *args, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout) if fmt != "text" else proc.stdout


def _rules(report: dict[str, Any]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for f in report["findings"]:
        found.setdefault(f["name"], set()).add(f["rule"])
    return found


def test_only_what_the_change_adds(repo: GitRepo, reg: Any) -> None:
    repo.commit("base", files={"requirements.txt": "flask>=3\nnumpy\n"})
    _stage(repo, {"requirements.txt": "flask>=3\nnumpy\nrequests>=2\n"})
    code, report = _check(repo)
    assert code == 0
    assert [d["name"] for d in report["added"]] == ["requests"]
    assert report["findings"] == []


def test_blocking_findings_with_file_and_line(repo: GitRepo, reg: Any) -> None:
    repo.commit("base", files={"requirements.txt": "flask\n"})
    _stage(
        repo,
        {
            "requirements.txt": "flask\nreqeusts==2.0\nbrand-new-pkg\nevil-thing\nempty-name\n"
            "totally-invented-pkg-xyz\n",
            "package.json": json.dumps({"dependencies": {"left-pad": "^1", "fresh-hook": "0.0.1"}}),
        },
    )
    code, report = _check(repo)
    assert code == 1
    rules = _rules(report)
    assert "typosquat" in rules["reqeusts"] and "not-found" in rules["reqeusts"]
    assert rules["brand-new-pkg"] == {"young-project"}
    assert rules["evil-thing"] == {"quarantined"}
    assert rules["empty-name"] == {"no-release"}
    assert rules["totally-invented-pkg-xyz"] == {"not-found"}
    assert "install-scripts" in rules["fresh-hook"]
    assert "left-pad" not in rules
    squat = next(f for f in report["findings"] if f["rule"] == "typosquat")
    assert squat["location"] == "requirements.txt:2"
    assert "requests" in squat["hint"]
    assert all(f["why"] for f in report["findings"])


def test_hook_blocks_the_commit_and_explains(repo: GitRepo, reg: Any) -> None:
    repo.commit("base", files={"README.md": "# x\n"})
    before = repo.head()
    _stage(repo, {"requirements.txt": "reqeusts\n"})
    proc = repo.git("commit", "-q", "-m", "add client", check=False)
    assert proc.returncode == 1
    assert repo.head() == before
    assert "reqeusts" in proc.stderr and "did you mean `requests`?" in proc.stderr
    assert "requirements.txt:1" in proc.stderr


def test_hook_records_added_dependencies_with_origin(repo: GitRepo, reg: Any) -> None:
    repo.commit("base", files={"README.md": "# x\n"})
    repo.aibom(
        "session",
        "start",
        "--agent",
        "claude-code/2.0.14",
        "--model",
        "anthropic/claude-opus-4-5-20251101",
    )
    _stage(repo, {"requirements.txt": "requests>=2\n", "app/cli.py": "import yaml\n"})
    repo.git("commit", "-q", "-m", "add client")
    records = [json.loads(line) for line in repo.note().splitlines()]
    dep = next(r for r in records if r["kind"] == "dependency")
    assert dep["origin"] == "ai-assisted"
    assert dep["models"] == ["anthropic/claude-opus-4-5-20251101"]
    assert dep["agent"]["name"] == "claude-code"
    assert {(d["name"], d["path"], d["line"]) for d in dep["added"]} >= {
        ("requests", "requirements.txt", 1)
    }
    shown = repo.aibom("show").stdout
    assert "record      dependency ai-assisted" in shown
    assert "added     pypi:requests >=2  (requirements.txt:1)" in shown


def test_no_record_when_the_commit_differs_from_what_was_checked(repo: GitRepo, reg: Any) -> None:
    repo.commit("base", files={"README.md": "# x\n"})
    _stage(repo, {"requirements.txt": "requests\n"})
    proc = repo.git("commit", "-q", "-m", "x", "--no-verify")
    assert proc.returncode == 0
    assert "dependency" not in repo.note()


def test_base_mode_for_ci(repo: GitRepo, reg: Any) -> None:
    repo.commit("base", files={"requirements.txt": "flask\n"})
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("more", files={"requirements.txt": "flask\nbrand-new-pkg\n"}, args=("--no-verify",))
    code, report = _check(repo, "--base", "main")
    assert code == 1
    assert [d["name"] for d in report["added"]] == ["brand-new-pkg"]
    code, report = _check(repo, "--base", "HEAD")
    assert code == 0 and report["added"] == []


def test_all_mode_audits_everything(repo: GitRepo, reg: Any) -> None:
    repo.commit("base", files={"requirements.txt": "flask\nbrand-new-pkg\n"}, args=("--no-verify",))
    code, report = _check(repo, "--all")
    assert code == 1
    assert {d["name"] for d in report["added"]} == {"flask", "brand-new-pkg"}


def test_unreachable_registry_is_never_not_found(repo: GitRepo, reg: Any) -> None:
    reg.inject(status_500=-1)  # every answer is a 500
    _stage(repo, {"requirements.txt": "requests\n"})
    code, report = _check(repo)
    assert code == 0  # fail-open by default
    assert _rules(report) == {"requests": {"unverified"}}
    proc = repo.aibom("deps", "check", env={"AIBOM_DEPS_ON_UNREACHABLE": "block"}, check=False)
    assert proc.returncode == 1


def test_offline_uses_the_cache_only(repo: GitRepo, reg: Any) -> None:
    _stage(repo, {"requirements.txt": "requests\n"})
    assert _check(repo)[0] == 0
    hits = sum(reg.hits.values())
    _stage(repo, {"requirements.txt": "requests\nflask\n"})
    _, report = _check(repo, "--offline")
    assert sum(reg.hits.values()) == hits
    assert _rules(report) == {"flask": {"unverified"}}
    assert "offline" in next(f["why"] for f in report["findings"])
    cleared = repo.aibom("deps", "cache", "clear", "--format", "json")
    assert json.loads(cleared.stdout)["removed"] >= 1


def test_allow_and_deny_lists(repo: GitRepo, reg: Any) -> None:
    repo.write(
        "pyproject.toml",
        '[project]\nname = "x"\nversion = "0"\n\n[tool.aibom.deps]\n'
        'allow = ["brand-new-pkg"]\ndeny = ["pypi:flask"]\n',
    )
    _stage(repo, {"requirements.txt": "brand-new-pkg\nflask\n"})
    code, report = _check(repo)
    assert code == 1
    assert _rules(report) == {"flask": {"denied"}}


def test_block_threshold(repo: GitRepo, reg: Any) -> None:
    _stage(repo, {"requirements.txt": "brand-new-pkg\n"})
    proc = repo.aibom("deps", "check", env={"AIBOM_DEPS_BLOCK": "critical"}, check=False)
    assert proc.returncode == 0
    assert "young-project" in proc.stdout and "warn" in proc.stdout


def test_install_commands_in_docs_and_agent_rules(repo: GitRepo, reg: Any) -> None:
    _stage(
        repo,
        {
            "AGENTS.md": "Set up with:\n\n```sh\npip install flask reqeusts\n```\n",
            "Dockerfile": "FROM python:3.12\nRUN pip install numpy && \\\n    npm i expresss\n",
        },
    )
    code, report = _check(repo)
    assert code == 1
    where = {f["name"]: f["location"] for f in report["findings"] if f["rule"] == "typosquat"}
    assert where["reqeusts"] == "AGENTS.md:4"
    assert where["expresss"] == "Dockerfile:3"


def test_undeclared_imports(repo: GitRepo, reg: Any) -> None:
    repo.commit("base", files={"requirements.txt": "requests\n", "pkg/__init__.py": ""})
    _stage(
        repo,
        {
            "pkg/app.py": "import os\nimport requests\nimport pkg.util\nimport yaml\n"
            "from numpyy import array\nimport bs4\n",
        },
    )
    code, report = _check(repo)
    assert code == 0  # medium findings warn
    rules = _rules(report)
    assert {"undeclared-import", "not-found"} <= rules["numpyy"]
    assert "undeclared-import" in rules["beautifulsoup4"]  # the distribution bs4 comes from
    bs4 = next(f for f in report["findings"] if f["name"] == "beautifulsoup4")
    assert bs4["location"] == "pkg/app.py:6"
    # stdlib, declared, local and installed (pyyaml is installed here) imports are fine
    assert set(rules) == {"numpyy", "beautifulsoup4"}


def test_malformed_manifest_reports_line_and_checks_the_rest(repo: GitRepo, reg: Any) -> None:
    _stage(
        repo,
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = [\n  "flask",\n  oops\n]\n',
            "requirements.txt": "brand-new-pkg\n",
        },
    )
    code, report = _check(repo)
    assert code == 1
    assert report["problems"][0]["path"] == "pyproject.toml"
    assert report["problems"][0]["line"] >= 4
    assert "brand-new-pkg" in _rules(report)


def test_invalid_names_never_reach_the_registry(repo: GitRepo, reg: Any) -> None:
    _stage(
        repo,
        {"package.json": json.dumps({"dependencies": {"../../etc/passwd": "1", "reqаests": "1"}})},
    )
    code, report = _check(repo)
    assert code == 1
    assert all(f["rule"] == "invalid-name" for f in report["findings"])
    assert len(report["findings"]) == 2
    assert not any("etc" in path for path in reg.hits)


def test_sarif_output(repo: GitRepo, reg: Any, tmp_path: Any) -> None:
    _stage(repo, {"requirements.txt": "reqeusts\nbrand-new-pkg\n"})
    out = tmp_path / "deps.sarif"
    proc = repo.aibom("deps", "check", "--format", "sarif", "-o", str(out), check=False)
    assert proc.returncode == 1
    sarif = json.loads(out.read_text())
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    assert {r["ruleId"] for r in run["results"]} >= {"typosquat", "young-project"}
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] in (1, 2)


def test_commit_without_relevant_files_skips_everything(repo: GitRepo, reg: Any) -> None:
    _stage(repo, {"notes.txt": "requests\n", "src/a.c": "int x;\n"})
    proc = repo.git("commit", "-q", "-m", "c")
    assert proc.returncode == 0
    assert sum(reg.hits.values()) == 0


def test_bad_input(repo: GitRepo, make_repo: Callable[..., GitRepo], reg: Any) -> None:
    proc = repo.aibom("deps", "check", "--base", "nope", check=False)
    assert proc.returncode == 2 and "no such commit" in proc.stderr
    proc = repo.aibom("deps", "check", "--base", "x", "--all", check=False)
    assert proc.returncode == 2
    proc = repo.aibom("deps", "check", "no-such-file.txt", check=False)
    assert proc.returncode == 2 and "no such file" in proc.stderr
    bare = make_repo(bare=True)
    proc = bare.aibom("deps", "check", check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = repo.aibom("deps", "check", env={"AIBOM_DEPS_BLOCK": "sometimes"}, check=False)
    assert proc.returncode == 2 and "deps.block" in proc.stderr


SARIF_SCHEMA = (
    ROOT / "tests" / "node" / "node_modules" / "@microsoft" / "jest-sarif" / "lib" / "schemas"
)


def test_sarif_is_valid_against_the_official_schema(repo: GitRepo, reg: Any) -> None:
    import jsonschema

    schemas = sorted(SARIF_SCHEMA.glob("sarif-2.1.0*.json"))
    if not schemas:
        pytest.fail("the SARIF 2.1.0 schema is missing: run `npm ci --prefix tests/node`")
    schema = json.loads(schemas[0].read_text())
    _stage(
        repo,
        {
            "requirements.txt": "reqeusts\nbrand-new-pkg\ngit+https://example.com/x.git#egg=x\n",
            "package.json": json.dumps({"dependencies": {"../evil": "1", "fresh-hook": "0.0.1"}}),
            "pyproject.toml": "[project\nbroken",
            "dir with space/README.md": "```\npip install evil-thing\n```\n",
        },
    )
    proc = repo.aibom("deps", "check", "--format", "sarif", check=False)
    sarif = json.loads(proc.stdout)
    validator = jsonschema.Draft4Validator(schema)
    errors = [e.message for e in validator.iter_errors(sarif)]
    assert errors == []
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {
        "typosquat",
        "young-project",
        "invalid-name",
        "install-scripts",
        "quarantined",
        "malformed-manifest",
        "direct-reference",
    }
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "dir%20with%20space/README.md" in uris


# -- regressions found by review ---------------------------------------------------------------
def test_new_manifest_in_a_directory_with_spaces(repo: GitRepo, reg: Any) -> None:
    repo.commit("base", files={"README.md": "# x\n"})
    _stage(repo, {"my app/requirements.txt": "flask\n", "requirements.txt": "reqeusts\n"})
    code, report = _check(repo)
    assert code == 1
    assert {d["path"] for d in report["added"]} == {"my app/requirements.txt", "requirements.txt"}


def test_moved_dependencies_are_not_new(repo: GitRepo, reg: Any) -> None:
    repo.commit(
        "base", files={"requirements.txt": "flask\nmycorp-internal\n"}, args=("--no-verify",)
    )
    repo.git("mv", "requirements.txt", "requirements-prod.txt")
    code, report = _check(repo)
    assert (code, report["added"]) == (0, [])
    repo.git("rm", "-q", "--cached", "requirements-prod.txt")
    _stage(
        repo,
        {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask", "mycorp-internal"]\n'},
    )
    code, report = _check(repo)
    assert (code, report["added"]) == (0, [])


def test_import_guesses_never_block_on_their_spelling(repo: GitRepo, reg: Any) -> None:
    _stage(
        repo,
        {
            "a.py": "import __main__\nimport _speedups\nimport café\nimport google.protobuf\n"
            "try:\n    import ujson as json\nexcept ImportError:\n    import json\n",
        },
    )
    code, report = _check(repo)
    assert (code, report["findings"]) == (0, [])


def test_amend_that_adds_a_dependency_is_recorded(repo: GitRepo, reg: Any) -> None:
    repo.commit("base", files={"requirements.txt": "flask\n"})
    _stage(repo, {"requirements.txt": "flask\nnumpy\n"})
    repo.git("commit", "-q", "--amend", "-m", "base, with numpy")
    records = [json.loads(line) for line in repo.note().splitlines()]
    added = [d["name"] for r in records if r["kind"] == "dependency" for d in r["added"]]
    assert sorted(added) == ["flask", "numpy"]
    assert not (repo.path / ".git" / "aibom" / "deps-handoff.json").exists()


def test_hook_reads_a_manifest_whose_path_is_not_utf8(repo: GitRepo, reg: Any) -> None:
    # A staged name with the byte \xe9 (Latin-1): cat-file's query was encoded strictly, so
    # the gate failed open with a UnicodeEncodeError warning and nothing was recorded.
    repo.commit("base", files={"README.md": "# x\n"})
    name = os.fsdecode(b"caf\xe9/requirements.txt")
    _stage(repo, {name: "requests>=2\n", os.fsdecode(b"caf\xe9.py"): "x = 1\n"})
    proc = repo.git("commit", "-q", "-m", "add client")
    assert proc.stderr == ""
    records = [json.loads(line) for line in repo.note().splitlines()]
    dep = next(r for r in records if r["kind"] == "dependency")
    assert [(d["name"], d["path"]) for d in dep["added"]] == [("requests", name)]
    assert not (repo.path / ".git" / "aibom" / "deps-handoff.json").exists()


def test_hook_blocks_in_a_manifest_whose_path_is_not_utf8(repo: GitRepo, reg: Any) -> None:
    repo.commit("base", files={"README.md": "# x\n"})
    before = repo.head()
    _stage(repo, {os.fsdecode(b"caf\xe9/requirements.txt"): "reqeusts\n"})
    proc = repo.git("commit", "-q", "-m", "add client", check=False)
    assert proc.returncode == 1 and repo.head() == before
    assert "did you mean `requests`?" in proc.stderr and "Error" not in proc.stderr


def test_text_report_escapes_control_characters(repo: GitRepo, reg: Any) -> None:
    evil = "a\x1b]0;pwned\x07b"
    _stage(repo, {"package.json": json.dumps({"dependencies": {evil: "1"}})})
    proc = repo.aibom("deps", "check", check=False)
    assert proc.returncode == 1
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert "\\x1b]0;pwned\\x07b" in proc.stdout


def test_skip_list_and_config_errors(repo: GitRepo, reg: Any) -> None:
    repo.commit("base", files={"README.md": "# x\n"})
    _stage(repo, {"requirements.txt": "reqeusts\n"})
    proc = repo.git("commit", "-q", "-m", "x", env={"AIBOM_SKIP": "post-commit, deps"}, check=False)
    assert proc.returncode == 0
    for key, value in (
        ("AIBOM_DEPS_PYPI_INDEX_URL", "ftp://example.com/simple"),
        ("AIBOM_DEPS_ALLOW", "cargo:serde"),
        ("AIBOM_DEPS_TIMEOUT", "inf"),
    ):
        proc = repo.aibom("deps", "check", env={key: value}, check=False)
        assert proc.returncode == 2, (key, proc.stderr)
        assert "Traceback" not in proc.stderr


def test_ten_thousand_line_requirements_file(repo: GitRepo) -> None:
    """Offline (the conftest default): every name is reported unverified, none is lost, the
    malformed lines are reported at their lines, and nothing crashes."""
    import time

    lines = [f"generated-project-{i:05d}>=1.0" for i in range(10_000)]
    lines[4_999] = "this is ( not a requirement"
    _stage(repo, {"requirements.txt": "\n".join(lines) + "\n"})
    start = time.perf_counter()
    code, report = _check(repo)
    elapsed = time.perf_counter() - start
    assert code == 0  # unverified warns by default (fail-open)
    assert len(report["added"]) == 9_999
    assert [p["line"] for p in report["problems"]] == [5_000]
    assert {f["rule"] for f in report["findings"]} == {"unverified"}
    assert elapsed < 60, elapsed
