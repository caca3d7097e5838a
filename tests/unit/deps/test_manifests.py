"""The dependency gate's manifest parsers: every format, exact lines, hostile input."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aibom.deps.manifests import PARSERS, ManifestParser, parse_file, parser_for
from aibom.deps.paths import format_of, kind_of
from aibom.deps.types import DepKind, Ecosystem, Location, ParseResult

ROOT = Path(__file__).resolve().parents[3]
PYPI, NPM = Ecosystem.PYPI, Ecosystem.NPM
R, DEV, OPT, PEER, BUILD, GROUP, LOCK, CMD = (
    DepKind.RUNTIME,
    DepKind.DEV,
    DepKind.OPTIONAL,
    DepKind.PEER,
    DepKind.BUILD,
    DepKind.GROUP,
    DepKind.LOCKED,
    DepKind.COMMAND,
)


def parse(path: str, text: str, files: dict[str, str] | None = None) -> ParseResult:
    return parse_file(path, text, (files or {}).get)


def rows(result: ParseResult) -> list[tuple[str, str, str | None, int]]:
    """(name, spec, url, line) of each dependency."""
    return [(d.name, d.spec, d.url, d.location.line) for d in result.dependencies]


def full(result: ParseResult) -> list[tuple[str, DepKind, str, str | None, str | None, int]]:
    """(name, kind, spec, url, group, line) of each dependency."""
    return [(d.name, d.kind, d.spec, d.url, d.group, d.location.line) for d in result.dependencies]


def problems(result: ParseResult) -> list[tuple[str, int]]:
    return [(p.location.path, p.location.line) for p in result.problems]


# --- paths -----------------------------------------------------------------------------------

KINDS = [
    ("requirements.txt", "manifest"),
    ("requirements-dev.txt", "manifest"),
    ("sub/dir/test-requirements.txt", "manifest"),
    ("requirements/base.txt", "manifest"),
    ("Requirements.TXT", "manifest"),
    ("constraints.txt", "manifest"),
    ("requirements.in", "manifest"),
    ("tools/dev.in", "manifest"),
    ("MANIFEST.in", None),
    ("Makefile.in", None),
    ("config.h.in", None),
    ("notes.txt", None),
    ("README.txt", None),
    ("pyproject.toml", "manifest"),
    ("pkg/pyproject.toml", "manifest"),
    ("setup.cfg", "manifest"),
    ("Pipfile", "manifest"),
    ("package.json", "manifest"),
    ("web/package.json", "manifest"),
    ("package.json.bak", None),
    ("node_modules/left-pad/package.json", None),
    ("web/node_modules/@s/x/package.json", None),
    ("venv/lib/python3.11/site-packages/x/requirements.txt", None),
    ("uv.lock", "lockfile"),
    ("poetry.lock", "lockfile"),
    ("Pipfile.lock", "lockfile"),
    ("package-lock.json", "lockfile"),
    ("npm-shrinkwrap.json", "lockfile"),
    ("pnpm-lock.yaml", "lockfile"),
    ("web/yarn.lock", "lockfile"),
    ("README.md", "doc"),
    ("docs/index.rst", "doc"),
    ("docs/page.mdx", "doc"),
    (".cursor/rules/python.mdc", "doc"),
    ("AGENTS.md", "doc"),
    ("CLAUDE.md", "doc"),
    ("GEMINI.md", "doc"),
    (".cursorrules", "doc"),
    (".windsurfrules", "doc"),
    (".clinerules", "doc"),
    (".github/copilot-instructions.md", "doc"),
    ("Dockerfile", "doc"),
    ("docker/Dockerfile.dev", "doc"),
    ("build.dockerfile", "doc"),
    ("Containerfile", "doc"),
    ("scripts/setup.sh", "doc"),
    ("ci/run.bash", "doc"),
    ("notebooks/demo.ipynb", "doc"),
    ("aibom/cli.py", "python"),
    ("image.png", None),
    ("LICENSE", None),
    ("", None),
]


@pytest.mark.parametrize(("path", "kind"), KINDS)
def test_kind_of(path: str, kind: str | None) -> None:
    assert kind_of(path) == kind


def test_paths_module_uses_plain_string_operations_only() -> None:
    source = (ROOT / "aibom" / "deps" / "paths.py").read_text()
    imports = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    assert all(isinstance(node, ast.ImportFrom) and node.module == "__future__" for node in imports)


def _new_modules(statement: str, isolated: bool = True) -> set[str]:
    """Modules that ``statement`` imports in a fresh interpreter (``-S -E`` as the hook shim
    runs it, unless ``isolated`` is False: then site-packages are there too)."""
    code = (
        f"import sys; before = set(sys.modules); {statement}; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run(
        [sys.executable, *(["-S", "-E"] if isolated else []), "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(proc.stdout.split())


def test_importing_paths_loads_nothing_else() -> None:
    """The git hook imports paths: no parser, no packaging / yaml / tomllib / re."""
    loaded = _new_modules("import aibom.deps.paths")
    assert loaded <= {"__future__", "aibom", "aibom.deps", "aibom.deps.paths"}


def test_parsers_are_imported_on_first_use() -> None:
    loaded = _new_modules("import aibom.deps.manifests")
    assert loaded <= {
        "__future__",
        "aibom",
        "aibom.deps",
        "aibom.deps.paths",
        "aibom.deps.manifests",
    }
    assert "aibom.deps.manifests.commands" in _new_modules(
        "import aibom.deps.manifests as m; m.parser_for('README.md')", isolated=False
    )


# --- the registry of parsers -------------------------------------------------------------------

SAMPLES = {
    "requirements": "requirements.txt",
    "pyproject": "pyproject.toml",
    "setup.cfg": "setup.cfg",
    "pipfile": "Pipfile",
    "pipfile.lock": "Pipfile.lock",
    "package.json": "package.json",
    "uv.lock": "uv.lock",
    "poetry.lock": "poetry.lock",
    "package-lock": "package-lock.json",
    "pnpm-lock": "pnpm-lock.yaml",
    "yarn.lock": "yarn.lock",
    "markdown": "README.md",
    "dockerfile": "Dockerfile",
    "shell": "install.sh",
    "notebook": "demo.ipynb",
}


def test_every_parser_has_a_distinct_name_and_is_reachable() -> None:
    names = [parser.name for parser in PARSERS]
    assert len(names) == len(set(names))
    assert set(names) == set(SAMPLES)
    for parser in PARSERS:
        assert isinstance(parser, ManifestParser)
        assert parser_for(SAMPLES[parser.name]) is parser
        assert parser.matches(SAMPLES[parser.name])
        assert format_of(SAMPLES[parser.name]) == parser.name


def test_files_without_a_parser() -> None:
    assert parser_for("main.py") is None
    assert parser_for("photo.jpg") is None
    assert parse("main.py", "import requests\n") == ParseResult()


def test_a_parser_bug_becomes_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    parser = parser_for("package.json")
    assert parser is not None

    def broken(*args: object) -> ParseResult:
        raise KeyError("boom")

    monkeypatch.setattr(type(parser), "parse", broken)
    result = parse("web/package.json", "{}")
    assert result.dependencies == ()
    [problem] = result.problems
    assert problem.location == Location("web/package.json", 0)
    assert "package.json parser" in problem.message and "KeyError" in problem.message


def test_a_failing_reader_is_a_missing_include() -> None:
    def read(path: str) -> str | None:
        raise OSError("disk on fire")

    result = parse_file("requirements.txt", "-r other.txt\nflask\n", read)
    assert rows(result) == [("flask", "", None, 2)]
    assert problems(result) == [("requirements.txt", 1)]
    assert "not found" in result.problems[0].message


# --- requirements files ----------------------------------------------------------------------

REQUIREMENTS = """\
# a comment

--index-url https://example.com/simple
-i https://example.org/simple
--extra-index-url=https://example.com/extra
requests>=2.31,<3  # trailing comment
Django[argon2,bcrypt] ==4.2 ; python_version >= "3.10"
pkg-a @ https://example.com/pkg_a-1.0-py3-none-any.whl
git+https://example.com/org/pkg-b.git@v1.0#egg=pkg-b
https://example.com/archives/pkg_c-2.0.tar.gz
-e git+https://example.com/org/pkg-d.git#egg=pkg-d&subdirectory=src
-e ./libs/pkg-e
--editable=.[dev]
.
./vendor/pkg_f-1.0-py3-none-any.whl
numpy==1.26.4 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
--pre
urllib3 \\
  >=2
"""


def test_requirements_everything() -> None:
    result = parse("requirements.txt", REQUIREMENTS)
    assert result.problems == ()
    assert rows(result) == [
        ("requests", "<3,>=2.31", None, 6),
        ("Django", "==4.2", None, 7),
        ("pkg-a", "", "https://example.com/pkg_a-1.0-py3-none-any.whl", 8),
        ("pkg-b", "", "git+https://example.com/org/pkg-b.git@v1.0#egg=pkg-b", 9),
        ("pkg_c", "", "https://example.com/archives/pkg_c-2.0.tar.gz", 10),
        ("pkg-d", "", "git+https://example.com/org/pkg-d.git#egg=pkg-d&subdirectory=src", 11),
        ("pkg-e", "", "./libs/pkg-e", 12),
        (".", "", ".", 13),
        (".", "", ".", 14),
        ("pkg_f", "", "./vendor/pkg_f-1.0-py3-none-any.whl", 15),
        ("numpy", "==1.26.4", None, 16),
        ("urllib3", ">=2", None, 20),
    ]
    dependency = result.dependencies[0]
    assert dependency.ecosystem is PYPI and dependency.kind is R
    assert dependency.location == Location("requirements.txt", 6)


def test_requirements_name_on_a_continuation_line() -> None:
    result = parse("requirements.txt", "\\\n  flask==3.0\n")
    assert rows(result) == [("flask", "==3.0", None, 2)]


def test_requirements_malformed_line_in_the_middle() -> None:
    text = "alpha==1\nbeta >=< 2\nthis is not a requirement\ngamma~=1.4\n"
    result = parse("requirements.txt", text)
    assert rows(result) == [("alpha", "==1", None, 1), ("gamma", "~=1.4", None, 4)]
    assert problems(result) == [("requirements.txt", 2), ("requirements.txt", 3)]
    assert "beta >=< 2" in result.problems[0].message


def test_requirements_crlf_and_bom() -> None:
    result = parse("requirements.txt", "\ufeffalpha==1\r\n\r\nbeta\r\n")
    assert rows(result) == [("alpha", "==1", None, 1), ("beta", "", None, 3)]
    assert result.problems == ()


def test_requirements_hostile_names_are_kept_as_written() -> None:
    text = "reqаests==2.0\nfoo\x01bar>=1\nnul\x00byte\nsur\udcffrogate\n" + "x" * 100_000 + "\n"
    result = parse("requirements.txt", text)
    names = [d.name for d in result.dependencies]
    assert names[:4] == ["reqаests", "foo\x01bar", "nul\x00byte", "sur\udcffrogate"]
    assert result.dependencies[0].spec == "==2.0"
    assert [d.location.line for d in result.dependencies] == [1, 2, 3, 4, 5]


def test_requirements_includes() -> None:
    files = {
        "requirements/base.txt": "-c ../constraints.txt\nattrs>=23\n",
        "constraints.txt": "attrs==23.2.0\n",
        "requirements/dev.txt": "# dev\n-r base.txt\n--requirement=extra/more.txt\npytest\n",
        "requirements/extra/more.txt": "\n\nhypothesis\n",
    }
    result = parse("requirements/dev.txt", files["requirements/dev.txt"], files)
    assert result.problems == ()
    got = [(d.name, d.spec, d.location) for d in result.dependencies]
    assert got == [
        ("attrs", "==23.2.0", Location("constraints.txt", 1)),
        ("attrs", ">=23", Location("requirements/base.txt", 2)),
        ("hypothesis", "", Location("requirements/extra/more.txt", 3)),
        ("pytest", "", Location("requirements/dev.txt", 4)),
    ]


def test_requirements_include_read_once() -> None:
    files = {"a.txt": "-r common.txt\n", "b.txt": "-r common.txt\n", "common.txt": "six\n"}
    result = parse("requirements.txt", "-r a.txt\n-r b.txt\n", files)
    assert [(d.name, d.location) for d in result.dependencies] == [
        ("six", Location("common.txt", 1))
    ]
    assert result.problems == ()


def test_requirements_include_cycle_and_missing() -> None:
    files = {
        "requirements.txt": "flask\n-r more.txt\n",
        "more.txt": "click\n\n-r requirements.txt\n-r ./more.txt\n-r nowhere.txt\n-r\n",
    }
    result = parse("requirements.txt", files["requirements.txt"], files)
    assert [(d.name, d.location) for d in result.dependencies] == [
        ("flask", Location("requirements.txt", 1)),
        ("click", Location("more.txt", 1)),
    ]
    assert problems(result) == [
        ("more.txt", 3),
        ("more.txt", 4),
        ("more.txt", 5),
        ("more.txt", 6),
    ]
    messages = [p.message for p in result.problems]
    assert "include cycle: requirements.txt -> more.txt -> requirements.txt" in messages[0]
    assert "include cycle" in messages[1]
    assert "'nowhere.txt' not found" in messages[2]
    assert "without a file name" in messages[3]


def test_requirements_remote_include_not_followed() -> None:
    result = parse("requirements.txt", "-r https://example.com/r.txt\n-c /etc/c.txt\n")
    assert result.dependencies == ()
    assert problems(result) == [("requirements.txt", 1), ("requirements.txt", 2)]


def test_pip_tools_input() -> None:
    result = parse("requirements/dev.in", "-c prod.txt\nblack\n", {"requirements/prod.txt": "x"})
    assert rows(result) == [("x", "", None, 1), ("black", "", None, 2)]
    assert result.dependencies[0].location.path == "requirements/prod.txt"


def test_requirements_ten_thousand_lines_quickly() -> None:
    lines = []
    for number in range(10_000):
        if number % 10 == 0:
            lines.append(f"# section {number}")
        elif number % 10 == 1:
            lines.append(f'pkg{number}[extra]>=1.{number},<2 ; python_version >= "3.8"')
        else:
            lines.append(f"package-{number}=={number}.0.1 --hash=sha256:{number:064d}")
    text = "\n".join(lines) + "\n"
    start = time.perf_counter()
    result = parse("requirements.txt", text)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert len(result.dependencies) == 9_000
    assert result.dependencies[-1].name == "package-9999"
    assert result.dependencies[-1].location.line == 10_000


# --- pyproject.toml --------------------------------------------------------------------------

PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.24", "hatch-vcs"]

[project]
name = "demo"
dependencies = [
  "requests>=2",
  'click',
  "pytest; python_version < '3.8'",
]

[project.optional-dependencies]
test = ["pytest>=8", "requests[socks]"]
"docs-extra" = [
  "sphinx",
]

[dependency-groups]
dev = [
  {include-group = "test"},
  "ruff",
  "pytest",
]
test = ["coverage"]

[tool.poetry.dependencies]
python = "^3.11"
pendulum = "^3.0"
"zope.interface" = { version = ">=5", optional = true }
mylib = { git = "https://example.com/org/mylib.git", branch = "main" }
locallib = { path = "../locallib", develop = true }
wheelie = { url = "https://example.com/wheelie-1.0.tar.gz" }
multi = [
  { version = "<2", python = "<3.9" },
  { version = ">=2", python = ">=3.9" },
]

[tool.poetry.dependencies.subtabled]
version = "1.2"

[tool.poetry.dev-dependencies]
pytest = "^7"

[tool.poetry.group.lint.dependencies]
ruff = "*"

[tool.poetry.extras]
zope = ["zope.interface"]

[tool.uv]
dev-dependencies = ["mypy>=1"]
constraint-dependencies = ["urllib3<3"]
override-dependencies = ["werkzeug==3.0.1"]

[tool.uv.sources]
click = { git = "https://example.com/org/click.git" }
ruff = { path = "../ruff" }
coverage = { workspace = true }
"""


def test_pyproject_everything() -> None:
    result = parse("pyproject.toml", PYPROJECT)
    assert result.problems == ()
    assert full(result) == [
        ("requests", R, ">=2", None, None, 7),
        ("click", R, "", "https://example.com/org/click.git", None, 8),
        ("pytest", R, "", None, None, 9),
        ("pytest", OPT, ">=8", None, "test", 13),
        ("requests", OPT, "", None, "test", 13),
        ("sphinx", OPT, "", None, "docs-extra", 15),
        ("ruff", GROUP, "", "../ruff", "dev", 21),
        ("pytest", GROUP, "", None, "dev", 22),
        ("coverage", GROUP, "", "workspace", "test", 24),
        ("hatchling", BUILD, ">=1.24", None, None, 2),
        ("hatch-vcs", BUILD, "", None, None, 2),
        ("mypy", GROUP, ">=1", None, "dev", 51),
        ("urllib3", R, "<3", None, "constraint-dependencies", 52),
        ("werkzeug", R, "==3.0.1", None, "override-dependencies", 53),
        ("pendulum", R, "^3.0", None, None, 28),
        ("zope.interface", OPT, ">=5", None, "zope", 29),
        ("mylib", R, "", "https://example.com/org/mylib.git", None, 30),
        ("locallib", R, "", "../locallib", None, 31),
        ("wheelie", R, "", "https://example.com/wheelie-1.0.tar.gz", None, 32),
        ("multi", R, "<2 || >=2", None, None, 33),
        ("subtabled", R, "1.2", None, None, 38),
        ("pytest", GROUP, "^7", None, "dev", 42),
        ("ruff", GROUP, "*", None, "lint", 45),
    ]


def test_pyproject_repeated_names_in_sections_get_their_own_lines() -> None:
    text = dedent(
        """\
        [project]
        dependencies = ["attrs", "attrs; python_version < '3.9'"]
        optional-dependencies.a = ["attrs"]
        optional-dependencies.b = [
          "attrs",
        ]

        [dependency-groups]
        attrs = ["attrs"]
        """
    )
    result = parse("pyproject.toml", text)
    assert [(d.name, d.group, d.location.line) for d in result.dependencies] == [
        ("attrs", None, 2),
        ("attrs", None, 2),
        ("attrs", "a", 3),
        ("attrs", "b", 5),
        ("attrs", "attrs", 9),
    ]


def test_pyproject_escaped_string_is_still_located() -> None:
    text = '[project]\ndependencies = [\n  "a",\n  "foo; python_version < \\"3.9\\"",\n]\n'
    assert rows(parse("pyproject.toml", text)) == [("a", "", None, 3), ("foo", "", None, 4)]


def test_pyproject_inline_table_of_extras() -> None:
    text = '[project]\nname = "x"\noptional-dependencies = { cli = ["rich"] }\n'
    assert full(parse("pyproject.toml", text)) == [("rich", OPT, "", None, "cli", 3)]


def test_pyproject_invalid_toml_reports_the_line() -> None:
    text = '[project]\nname = "x"\ndependencies = [\n  "a",\n  b\n]\n'
    result = parse("pyproject.toml", text)
    assert result.dependencies == ()
    assert problems(result) == [("pyproject.toml", 5)]
    assert result.problems[0].message.startswith("invalid TOML")


def test_pyproject_bad_entries_are_problems_not_crashes() -> None:
    text = dedent(
        """\
        [project]
        dependencies = "requests"
        optional-dependencies = { a = [1, "ok", "not valid !!"] }

        [tool.poetry.dependencies]
        weird = 3
        fine = "^1"
        """
    )
    result = parse("pyproject.toml", text)
    assert rows(result) == [("ok", "", None, 3), ("fine", "^1", None, 7)]
    assert problems(result) == [
        ("pyproject.toml", 2),
        ("pyproject.toml", 3),
        ("pyproject.toml", 3),
        ("pyproject.toml", 6),
    ]


def test_pyproject_without_dependencies() -> None:
    assert parse("pyproject.toml", "[tool.ruff]\nline-length = 100\n") == ParseResult()


# --- setup.cfg -------------------------------------------------------------------------------

SETUP_CFG = """\
[metadata]
name = demo

[options]
packages = find:
install_requires =
    requests>=2
    # a comment line
    click ; python_version >= "3.8"
    attrs  # inline comment
setup_requires = setuptools_scm>=8

[options.extras_require]
test =
    pytest
    requests[socks]
docs = sphinx
"""


def test_setup_cfg() -> None:
    result = parse("setup.cfg", SETUP_CFG)
    assert result.problems == ()
    assert full(result) == [
        ("requests", R, ">=2", None, None, 7),
        ("click", R, "", None, None, 9),
        ("attrs", R, "", None, None, 10),
        ("setuptools_scm", BUILD, ">=8", None, None, 11),
        ("pytest", OPT, "", None, "test", 15),
        ("requests", OPT, "", None, "test", 16),
        ("sphinx", OPT, "", None, "docs", 17),
    ]


def test_setup_cfg_file_directive_and_bad_lines() -> None:
    text = "[options]\ninstall_requires = file: requirements.txt, missing.txt\n"
    files = {"requirements.txt": "rich\n"}
    result = parse("setup.cfg", text, files)
    assert [(d.name, d.kind, d.location) for d in result.dependencies] == [
        ("rich", R, Location("requirements.txt", 1))
    ]
    assert problems(result) == [("setup.cfg", 2)]
    bad = parse("setup.cfg", "install_requires = x\n")
    assert problems(bad) == [("setup.cfg", 1)]
    garbled = parse("setup.cfg", "[options]\ninstall_requires =\n  ok\n  not ! valid\n")
    assert rows(garbled) == [("ok", "", None, 3)]
    assert problems(garbled) == [("setup.cfg", 4)]


# --- Pipenv ----------------------------------------------------------------------------------

PIPFILE = """\
[[source]]
url = "https://example.com/simple"
name = "main"

[packages]
requests = "*"
flask = ">=3"
mylib = {git = "https://example.com/org/mylib.git", ref = "main"}
local = {path = "./local", editable = true}
archive = {file = "https://example.com/archive-1.0.zip"}
extras = {version = "==1.0", extras = ["x"]}

[dev-packages]
pytest = "*"

[docs]
sphinx = "~=7.0"

[requires]
python_version = "3.11"
"""


def test_pipfile() -> None:
    result = parse("Pipfile", PIPFILE)
    assert result.problems == ()
    assert full(result) == [
        ("requests", R, "*", None, None, 6),
        ("flask", R, ">=3", None, None, 7),
        ("mylib", R, "", "https://example.com/org/mylib.git", None, 8),
        ("local", R, "", "./local", None, 9),
        ("archive", R, "", "https://example.com/archive-1.0.zip", None, 10),
        ("extras", R, "==1.0", None, None, 11),
        ("pytest", DEV, "*", None, None, 14),
        ("sphinx", GROUP, "~=7.0", None, "docs", 17),
    ]


def test_pipfile_lock() -> None:
    text = json.dumps(
        {
            "_meta": {"hash": {"sha256": "x"}},
            "default": {
                "requests": {"version": "==2.31.0", "hashes": ["sha256:a"]},
                "mylib": {"git": "https://example.com/org/mylib.git", "ref": "abc"},
            },
            "develop": {"pytest": {"version": "==8.0.0"}},
        },
        indent=4,
    )
    result = parse("Pipfile.lock", text)
    assert full(result) == [
        ("requests", LOCK, "==2.31.0", None, None, 8),
        ("mylib", LOCK, "", "https://example.com/org/mylib.git", None, 14),
        ("pytest", LOCK, "==8.0.0", None, "develop", 20),
    ]


# --- package.json ----------------------------------------------------------------------------

PACKAGE_JSON = """\
{
  "name": "web",
  "dependencies": {
    "react": "^18.2.0",
    "@scope/ui": "~1.4.0",
    "my-alias": "npm:real-pkg@^2.0.0",
    "scoped-alias": "npm:@other/thing@1.0.0",
    "from-git": "git+https://example.com/org/repo.git#v1",
    "shorthand": "user/repo#main",
    "gh": "github:user/repo",
    "tarball": "https://example.com/pkg.tgz",
    "local": "file:../local",
    "linked": "link:../linked",
    "ws": "workspace:*",
    "anything": "*"
  },
  "devDependencies": {"react": "18.2.0", "typescript": "^5"},
  "optionalDependencies": {
    "fsevents": "^2"
  },
  "peerDependencies": {
    "react-dom": ">=18"
  },
  "overrides": {"dependencies": {"ignored": "1"}}
}
"""


def test_package_json() -> None:
    result = parse("web/package.json", PACKAGE_JSON)
    assert result.problems == ()
    assert {d.ecosystem for d in result.dependencies} == {NPM}
    assert [(d.name, d.kind, d.spec, d.url, d.location.line) for d in result.dependencies] == [
        ("react", R, "^18.2.0", None, 4),
        ("@scope/ui", R, "~1.4.0", None, 5),
        ("real-pkg", R, "^2.0.0", None, 6),
        ("@other/thing", R, "1.0.0", None, 7),
        ("from-git", R, "", "git+https://example.com/org/repo.git#v1", 8),
        ("shorthand", R, "", "user/repo#main", 9),
        ("gh", R, "", "github:user/repo", 10),
        ("tarball", R, "", "https://example.com/pkg.tgz", 11),
        ("local", R, "", "file:../local", 12),
        ("linked", R, "", "link:../linked", 13),
        ("ws", R, "", "workspace:*", 14),
        ("anything", R, "*", None, 15),
        ("react", DEV, "18.2.0", None, 17),
        ("typescript", DEV, "^5", None, 17),
        ("fsevents", OPT, "^2", None, 19),
        ("react-dom", PEER, ">=18", None, 22),
    ]
    assert result.dependencies[0].location.path == "web/package.json"


def test_package_json_invalid_and_odd() -> None:
    broken = parse("package.json", '{\n  "dependencies": {\n    "a": "1",\n  }\n}\n')
    assert broken.dependencies == ()
    assert problems(broken) == [("package.json", 4)]
    assert broken.problems[0].message.startswith("invalid JSON")
    odd = parse(
        "package.json",
        '{"dependencies": {"../x": "1", "n": 5}, "devDependencies": []}',
    )
    assert rows(odd) == [("../x", "1", None, 1)]
    assert problems(odd) == [("package.json", 1), ("package.json", 1)]
    assert problems(parse("package.json", "[1, 2]")) == [("package.json", 1)]
    assert parse("package.json", "\ufeff{}") == ParseResult()


# --- uv.lock / poetry.lock -------------------------------------------------------------------

UV_LOCK = """\
version = 1
requires-python = ">=3.11"

[[package]]
name = "demo"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "requests" },
]

[[package]]
name = "requests"
version = "2.31.0"
source = { registry = "https://example.com/simple" }
sdist = { url = "https://example.com/requests-2.31.0.tar.gz", hash = "sha256:x" }

[package.metadata]
requires-dist = [{ name = "name", specifier = ">=1" }]

[[package]]
name = "mylib"
version = "1.0.0"
source = { git = "https://example.com/org/mylib.git?rev=main#abc" }

[[package]]
name = "member"
version = "0.2.0"
source = { editable = "packages/member" }

[[package]]
name = "root-virtual"
version = "0.0.0"
source = { virtual = "." }
"""


def test_uv_lock() -> None:
    result = parse("uv.lock", UV_LOCK)
    assert result.problems == ()
    assert full(result) == [
        ("requests", LOCK, "2.31.0", None, None, 13),
        ("mylib", LOCK, "1.0.0", "https://example.com/org/mylib.git?rev=main#abc", None, 22),
        ("member", LOCK, "0.2.0", "packages/member", None, 27),
    ]


def test_uv_lock_invalid() -> None:
    result = parse("uv.lock", "version = 1\n\n[[package]\nname = 'x'\n")
    assert problems(result) == [("uv.lock", 3)]


POETRY_LOCK = """\
# This file is automatically @generated by Poetry.

[[package]]
name = "certifi"
version = "2024.2.2"
description = "certificates"
optional = false
python-versions = ">=3.6"
files = [
    {file = "certifi-2024.2.2.tar.gz", hash = "sha256:x"},
]

[[package]]
name = "mylib"
version = "1.0.0"
description = ""

[package.source]
type = "git"
url = "https://example.com/org/mylib.git"
reference = "main"

[[package]]
name = "private"
version = "3.0"

[package.source]
type = "legacy"
url = "https://example.org/simple"
reference = "corp"

[metadata]
lock-version = "2.0"
"""


def test_poetry_lock() -> None:
    result = parse("poetry.lock", POETRY_LOCK)
    assert result.problems == ()
    assert full(result) == [
        ("certifi", LOCK, "2024.2.2", None, None, 4),
        ("mylib", LOCK, "1.0.0", "https://example.com/org/mylib.git", None, 14),
        ("private", LOCK, "3.0", None, None, 24),
    ]


# --- package-lock.json -----------------------------------------------------------------------

NPM_LOCK_V3 = """\
{
  "name": "web",
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "web", "dependencies": {"a": "^1"}},
    "node_modules/a": {
      "version": "1.0.0",
      "resolved": "https://example.com/a/-/a-1.0.0.tgz"
    },
    "node_modules/a/node_modules/b": {
      "version": "2.0.0",
      "resolved": "https://example.com/b/-/b-2.0.0.tgz"
    },
    "node_modules/@scope/c": {"version": "3.0.0"},
    "node_modules/alias": {
      "name": "real",
      "version": "4.0.0",
      "resolved": "https://example.com/real/-/real-4.0.0.tgz"
    },
    "node_modules/from-git": {
      "version": "5.0.0",
      "resolved": "git+ssh://git@example.com/org/from-git.git#abc"
    },
    "node_modules/ws-member": {"resolved": "packages/ws-member", "link": true},
    "packages/ws-member": {"name": "ws-member", "version": "0.0.1"},
    "node_modules/local": {"version": "6.0.0", "resolved": "file:../local"}
  }
}
"""


def test_package_lock_v3() -> None:
    result = parse("package-lock.json", NPM_LOCK_V3)
    assert result.problems == ()
    assert [(d.name, d.kind, d.spec, d.url, d.location.line) for d in result.dependencies] == [
        ("a", LOCK, "1.0.0", None, 6),
        ("b", LOCK, "2.0.0", None, 10),
        ("@scope/c", LOCK, "3.0.0", None, 14),
        ("real", LOCK, "4.0.0", None, 15),
        ("from-git", LOCK, "5.0.0", "git+ssh://git@example.com/org/from-git.git#abc", 20),
        ("local", LOCK, "6.0.0", "file:../local", 26),
    ]
    assert {d.ecosystem for d in result.dependencies} == {NPM}


def test_package_lock_v1_tree_and_shrinkwrap() -> None:
    text = dedent(
        """\
        {
          "lockfileVersion": 1,
          "dependencies": {
            "a": {
              "version": "1.0.0",
              "requires": {"b": "^2"},
              "dependencies": {
                "b": {"version": "2.0.0"}
              }
            },
            "b": {"version": "3.0.0"},
            "alias": {"version": "npm:real@4.0.0"},
            "g": {"version": "git+https://example.com/org/g.git#abc"}
          }
        }
        """
    )
    result = parse("npm-shrinkwrap.json", text)
    assert result.problems == ()
    assert rows(result) == [
        ("a", "1.0.0", None, 4),
        ("b", "3.0.0", None, 11),
        ("real", "4.0.0", None, 12),
        ("g", "", "git+https://example.com/org/g.git#abc", 13),
        ("b", "2.0.0", None, 8),
    ]


def test_package_lock_invalid() -> None:
    result = parse("package-lock.json", '{\n"packages": {\n"node_modules/a": \n}\n}')
    assert problems(result) == [("package-lock.json", 4)]


# --- pnpm-lock.yaml --------------------------------------------------------------------------

PNPM_V5 = """\
lockfileVersion: 5.4

specifiers:
  a: ^1.0.0

packages:

  /a/1.0.0:
    resolution: {integrity: sha512-x}
    dev: false

  /@scope/b/2.0.0_a@1.0.0:
    resolution: {integrity: sha512-y}

  /string_decoder/1.3.0:
    resolution: {integrity: sha512-z}

  example.com/org/c/abc123:
    resolution: {tarball: https://example.com/org/c/tar.gz/abc123}
    name: c
    version: 0.0.1
"""

PNPM_V6 = """\
lockfileVersion: '6.0'

packages:

  /a@1.0.0:
    resolution: {integrity: sha512-x}

  /@scope/b@2.0.0(a@1.0.0)(react@18.2.0):
    resolution: {integrity: sha512-y}

  /c@https://example.com/c-1.0.0.tgz:
    resolution: {tarball: https://example.com/c-1.0.0.tgz}
    name: c
    version: 1.0.0
"""

PNPM_V9 = """\
lockfileVersion: '9.0'

importers:
  .:
    dependencies:
      a:
        specifier: ^1.0.0
        version: 1.0.0

packages:

  a@1.0.0:
    resolution: {integrity: sha512-x}

  '@scope/b@2.0.0':
    resolution: {integrity: sha512-y}

  local@file:packages/local:
    resolution: {directory: packages/local, type: directory}

  g@git+https://example.com/org/g.git#abc:
    resolution: {type: git, repo: https://example.com/org/g.git, commit: abc}

snapshots:

  '@scope/b@2.0.0(a@1.0.0)':
    dependencies:
      a: 1.0.0
"""


def test_pnpm_lock_v5() -> None:
    result = parse("pnpm-lock.yaml", PNPM_V5)
    assert result.problems == ()
    assert rows(result) == [
        ("a", "1.0.0", None, 8),
        ("@scope/b", "2.0.0", None, 12),
        ("string_decoder", "1.3.0", None, 15),
        ("c", "0.0.1", "example.com/org/c/abc123", 18),
    ]


def test_pnpm_lock_v6() -> None:
    result = parse("pnpm-lock.yaml", PNPM_V6)
    assert rows(result) == [
        ("a", "1.0.0", None, 5),
        ("@scope/b", "2.0.0", None, 8),
        ("c", "1.0.0", "https://example.com/c-1.0.0.tgz", 11),
    ]


def test_pnpm_lock_v9() -> None:
    result = parse("pnpm-lock.yaml", PNPM_V9)
    assert [(d.name, d.kind, d.spec, d.url, d.location.line) for d in result.dependencies] == [
        ("a", LOCK, "1.0.0", None, 12),
        ("@scope/b", LOCK, "2.0.0", None, 15),
        ("local", LOCK, "", "file:packages/local", 18),
        ("g", LOCK, "", "git+https://example.com/org/g.git#abc", 21),
    ]


def test_pnpm_lock_invalid_yaml_and_odd_shapes() -> None:
    result = parse("pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  a@1: [\n")
    assert result.dependencies == ()
    assert problems(result) == [("pnpm-lock.yaml", 4)]
    assert result.problems[0].message.startswith("invalid YAML")
    assert parse("pnpm-lock.yaml", "") == ParseResult()
    assert problems(parse("pnpm-lock.yaml", "- a\n- b\n")) == [("pnpm-lock.yaml", 1)]
    control = parse("pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  a\x00@1: {}\n")
    assert control.dependencies == ()
    assert problems(control) == [("pnpm-lock.yaml", 3)]


# --- yarn.lock -------------------------------------------------------------------------------

YARN_CLASSIC = """\
# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@scope/a@^1.0.0", "@scope/a@^1.1.0":
  version "1.2.3"
  resolved "https://example.com/@scope/a/-/a-1.2.3.tgz#abc"
  integrity sha512-x
  dependencies:
    b "^2.0.0"

b@^2.0.0:
  version "2.1.0"
  resolved "https://example.com/b/-/b-2.1.0.tgz#def"

alias@npm:real@^3:
  version "3.0.0"
  resolved "https://example.com/real/-/real-3.0.0.tgz"

"g@git+https://example.com/org/g.git#abc":
  version "0.1.0"
  resolved "git+https://example.com/org/g.git#abc"

t@https://example.com/t.tgz:
  version "1.0.0"
  resolved "https://example.com/t.tgz#sha"
"""

YARN_BERRY = """\
# This file is generated by running "yarn install" inside your project.

__metadata:
  version: 8
  cacheKey: 10c0

"@scope/a@npm:^1.0.0, @scope/a@npm:^1.1.0":
  version: 1.2.3
  resolution: "@scope/a@npm:1.2.3"
  languageName: node
  linkType: hard

"alias@npm:real@^3":
  version: 3.0.0
  resolution: "real@npm:3.0.0"

"resolve@patch:resolve@npm%3A^1.22#optional!builtin<compat/resolve>":
  version: 1.22.8
  resolution: "resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8"

"g@git+https://example.com/org/g.git#commit=abc":
  version: 0.1.0
  resolution: "g@git+https://example.com/org/g.git#commit=abc"

"web@workspace:.":
  version: 0.0.0-use.local
  resolution: "web@workspace:."

"member@workspace:packages/member":
  version: 0.0.0-use.local
  resolution: "member@workspace:packages/member"
"""


def test_yarn_classic() -> None:
    result = parse("yarn.lock", YARN_CLASSIC)
    assert result.problems == ()
    assert [(d.name, d.kind, d.spec, d.url, d.location.line) for d in result.dependencies] == [
        ("@scope/a", LOCK, "1.2.3", None, 5),
        ("b", LOCK, "2.1.0", None, 12),
        ("real", LOCK, "3.0.0", None, 16),
        ("g", LOCK, "0.1.0", "git+https://example.com/org/g.git#abc", 20),
        ("t", LOCK, "1.0.0", "https://example.com/t.tgz", 24),
    ]


def test_yarn_berry() -> None:
    result = parse("yarn.lock", YARN_BERRY)
    assert result.problems == ()
    assert rows(result) == [
        ("@scope/a", "1.2.3", None, 7),
        ("real", "3.0.0", None, 13),
        ("g", "0.1.0", "git+https://example.com/org/g.git#commit=abc", 21),
        ("member", "0.0.0-use.local", "workspace:packages/member", 29),
    ]


def test_yarn_broken() -> None:
    classic = parse("yarn.lock", 'a@^1:\n  version "1.0.0"\nstray line\n:\n')
    assert rows(classic) == [("a", "1.0.0", None, 1)]
    assert problems(classic) == [("yarn.lock", 3), ("yarn.lock", 4)]
    berry = parse("yarn.lock", '__metadata:\n  version: 8\n"a@npm:1": [\n')
    assert problems(berry) == [("yarn.lock", 4)]


# --- install commands ------------------------------------------------------------------------


def cmd(path: str, text: str) -> list[tuple[Ecosystem, str, str, str | None, int]]:
    result = parse(path, text)
    assert all(d.kind is CMD for d in result.dependencies)
    return [(d.ecosystem, d.name, d.spec, d.url, d.location.line) for d in result.dependencies]


MARKDOWN = """\
# Install

Install it with `pip install aibom-demo` or `npm i -D @scope/tool@^2`.

```sh
$ pip install -U "fastapi[all]>=0.110" 'uvicorn==0.29' --index-url https://example.com/simple
python3 -m pip install -r requirements.txt -c constraints.txt httpx
npm install && npm i left-pad@1.3.0 lodash > /dev/null
uv pip install -e ./libs/core git+https://example.com/org/extra.git#egg=extra
pip install \\
    requests \\
    rich  # comment: not-a-package
```

pip install polars to get started.
- uv add --dev pytest-cov
1. yarn add react react-dom
We could also pip install something-in-prose here.
Remember: npm install is enough.

~~~
poetry add pendulum@^3.0 "pydantic>=2"
pipx install ruff
pnpm add -O sharp
bun add zod@3
conda install numpy
npx create-thing
~~~
"""


def test_markdown_commands() -> None:
    assert cmd("README.md", MARKDOWN) == [
        (PYPI, "aibom-demo", "", None, 3),
        (NPM, "@scope/tool", "^2", None, 3),
        (PYPI, "fastapi", ">=0.110", None, 6),
        (PYPI, "uvicorn", "==0.29", None, 6),
        (PYPI, "httpx", "", None, 7),
        (NPM, "left-pad", "1.3.0", None, 8),
        (NPM, "lodash", "", None, 8),
        (PYPI, "core", "", "./libs/core", 9),
        (PYPI, "extra", "", "git+https://example.com/org/extra.git#egg=extra", 9),
        (PYPI, "requests", "", None, 11),
        (PYPI, "rich", "", None, 12),
        (PYPI, "polars", "", None, 15),
        (PYPI, "pytest-cov", "", None, 16),
        (NPM, "react", "", None, 17),
        (NPM, "react-dom", "", None, 17),
        (PYPI, "pendulum", "^3.0", None, 22),
        (PYPI, "pydantic", ">=2", None, 22),
        (PYPI, "ruff", "", None, 23),
        (NPM, "sharp", "", None, 24),
        (NPM, "zod", "3", None, 25),
    ]


def test_markdown_groups() -> None:
    result = parse("README.md", MARKDOWN)
    groups = {d.name: d.group for d in result.dependencies}
    assert groups["@scope/tool"] == "dev"
    assert groups["pytest-cov"] == "dev"
    assert groups["sharp"] == "optional"
    assert groups["rich"] is None


def test_markdown_prose_rule() -> None:
    text = dedent(
        """\
        | `pip install in-table` | a table row |
        Run pip install run-prefix now
        To install, pip install mid-sentence is not read.
        pip install PACKAGE_NAME
        pip install <your-package>
        > $ npm i quoted
        """
    )
    assert cmd("docs/guide.md", text) == [
        (PYPI, "in-table", "", None, 1),
        (PYPI, "run-prefix", "", None, 2),
        (NPM, "quoted", "", None, 6),
    ]


def test_agent_rules_and_rst() -> None:
    rules = "Always use the project venv.\n\npip install httpx\nDo not pip install flask.\n"
    assert cmd(".cursorrules", rules) == [(PYPI, "httpx", "", None, 3)]
    assert cmd("AGENTS.md", "* `uv add anyio`\n") == [(PYPI, "anyio", "", None, 1)]
    rst = dedent(
        """\
        Install
        =======

        Use ``pip install sphinx-demo``:

        .. code-block:: bash

           pip install furo
           npm install -g yo

        Then read on; pip is great.
        """
    )
    assert cmd("docs/index.rst", rst) == [
        (PYPI, "sphinx-demo", "", None, 4),
        (PYPI, "furo", "", None, 8),
        (NPM, "yo", "", None, 9),
    ]


DOCKERFILE = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim
ARG EXTRA
RUN apt-get update && apt-get install -y git \\
    && pip install --no-cache-dir \\
        gunicorn==21.2.0 \\
    # a comment inside the instruction
        "whitenoise>=6" \\
    && rm -rf /var/lib/apt/lists/*
RUN --mount=type=cache,target=/root/.cache pip install $EXTRA uvicorn
run ["pip", "install", "celery"]
RUN ["/bin/sh", "-c", "npm install -g pm2"]
COPY requirements.txt .
RUN pip install -r requirements.txt
RUN <<EOF
set -e
python -m pip install redis
EOF
CMD ["pip", "install", "not-a-run-line"]
"""


def test_dockerfile() -> None:
    assert cmd("Dockerfile", DOCKERFILE) == [
        (PYPI, "gunicorn", "==21.2.0", None, 6),
        (PYPI, "whitenoise", ">=6", None, 8),
        (PYPI, "uvicorn", "", None, 10),
        (PYPI, "celery", "", None, 11),
        (NPM, "pm2", "", None, 12),
        (PYPI, "redis", "", None, 17),
    ]


def test_dockerfile_backtick_escape() -> None:
    text = "# escape=`\nFROM windows\nRUN pip install `\n    pywin32\n"
    assert cmd("build.dockerfile", text) == [(PYPI, "pywin32", "", None, 4)]


def test_shell_script() -> None:
    text = dedent(
        """\
        #!/usr/bin/env bash
        set -euo pipefail
        # pip install commented-out
        sudo -H pip3 install --user ansible
        PIP_NO_CACHE_DIR=1 python3.12 -m pip install 'black==24.1.0'
        if ! pip install "broken-quote; then echo; fi
        .venv/bin/pip install -q -e . || exit 1
        pnpm --filter web add @types/node@20 -D
        yarn global add serve
        pip install ${PACKAGES}
        pip install
        npm ci
        """
    )
    assert cmd("scripts/setup.sh", text) == [
        (PYPI, "ansible", "", None, 4),
        (PYPI, "black", "==24.1.0", None, 5),
        (PYPI, "broken-quote", "", None, 6),  # bad quoting: split on whitespace
        (PYPI, ".", "", ".", 7),
        (NPM, "@types/node", "20", None, 8),
        (NPM, "serve", "", None, 9),
    ]
    assert parse("scripts/setup.sh", text).problems == ()


def test_npm_arguments() -> None:
    text = (
        "npm install --save-dev @a/b @c/d@^1 e@npm:f@2 user/repo git+https://example.com/x.git"
        " ./local.tgz https://example.com/p-1.0.0.tgz --registry https://example.com/r g\n"
    )
    assert [(d.name, d.spec, d.url, d.group) for d in parse("x.sh", text).dependencies] == [
        ("@a/b", "", None, "dev"),
        ("@c/d", "^1", None, "dev"),
        ("f", "2", None, "dev"),
        ("repo", "", "user/repo", "dev"),
        ("x", "", "git+https://example.com/x.git", "dev"),
        ("local", "", "./local.tgz", "dev"),
        ("p", "", "https://example.com/p-1.0.0.tgz", "dev"),
        ("g", "", None, "dev"),
    ]


def test_bad_quoting_falls_back_to_whitespace() -> None:
    assert cmd("x.sh", "pip install 'requests flask\n") == [
        (PYPI, "requests", "", None, 1),
        (PYPI, "flask", "", None, 1),
    ]


def notebook(cells: list[dict[str, object]]) -> str:
    return json.dumps(
        {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    )


def test_notebook() -> None:
    text = notebook(
        [
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": ["# Setup\n", "`pip install md-pkg`"],
            },
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "source": [
                    "import sys\n",
                    "%pip install -q pandas==2.2.0\n",
                    "!{sys.executable} -m pip install scikit-learn\n",
                    "pip_install = 'not a command'\n",
                    "! npm i chart.js",
                ],
            },
            {"cell_type": "code", "metadata": {}, "source": "%%bash\npip install in-bash-cell\n"},
            {"cell_type": "raw", "metadata": {}, "source": ["pip install raw-ignored"]},
        ]
    )
    assert cmd("nb/demo.ipynb", text) == [
        (PYPI, "md-pkg", "", None, 8),
        (PYPI, "pandas", "==2.2.0", None, 17),
        (PYPI, "scikit-learn", "", None, 18),
        (NPM, "chart.js", "", None, 20),
        (PYPI, "in-bash-cell", "", None, 26),  # a one-string source: the line of the string
    ]


def test_notebook_magic_with_continuation() -> None:
    source = ["!pip install a \\\n", "  b\n", "x = 1 \\\n", "pip install not-shell\n"]
    text = notebook([{"cell_type": "code", "metadata": {}, "source": source}])
    assert cmd("a.ipynb", text) == [(PYPI, "a", "", None, 7), (PYPI, "b", "", None, 8)]


def test_notebook_invalid() -> None:
    assert problems(parse("a.ipynb", '{"cells": [\n')) == [("a.ipynb", 2)]
    assert problems(parse("a.ipynb", '{"nbformat": 4}')) == [("a.ipynb", 1)]


def test_commands_survive_hostile_text() -> None:
    text = "pip install reqаests\x00 \udcff-x\n```\n" + "pip install a " * 50_000 + "\n"
    result = parse("README.md", text)
    assert result.dependencies[0].name == "reqаests\x00"
    assert all("internal error" not in p.message for p in result.problems)


# --- never raise -----------------------------------------------------------------------------

FRAGMENTS = [
    "\n", "\r\n", " ", "\\\n", "#", '"', "'", "[", "]", "{", "}", ":", ",", "=", "@", "/", "-r ",
    "-e ", "--hash=sha256:0", "requests>=2", "; python_version<'3'", "git+https://example.com/x",
    "[project]\n", "dependencies = [", "[tool.poetry.dependencies]\n", "[[package]]\n",
    'name = "x"\n', "version = ", "source = { git = ", '"dependencies": {', '"node_modules/a": ',
    "packages:\n", "  /a/1.0.0:\n", "lockfileVersion: ", "__metadata:\n", "  version ",
    "```\n", "`", "pip install ", "npm i ", "uv add ", "RUN ", "%pip install ", "&&", "|", ">",
    '{"cells": [{"cell_type": "code", "source": ["', "\x00", "\ufeff", "\udc80", "а", "\t",
    "[options]\ninstall_requires =\n  ", "npm:", "file:", "workspace:", "(", ")", "<<EOF\n",
]  # fmt: skip

TEXTS = st.one_of(
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=300),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=40).map("".join),
)


@pytest.mark.parametrize("name", sorted(SAMPLES))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS)
def test_parse_file_never_raises(name: str, text: str) -> None:
    path = SAMPLES[name]
    result = parse_file(path, text, lambda p: "-r requirements.txt\n" + text)
    assert isinstance(result, ParseResult)
    for problem in result.problems:
        assert "internal error" not in problem.message, problem.message
        assert problem.location.line >= 0
    for dependency in result.dependencies:
        assert dependency.location.line >= 1
