"""Dependency components from the gate's parsers: one per package version, hashes, scope,
who added each."""

from __future__ import annotations

from aibom.bom import dependencies as deps
from aibom.bom.lines import LineFact

H = "c" * 64
PYPROJECT = (
    '[project]\nname = "app"\ndependencies = ["idna>=3"]\n'
    '[project.optional-dependencies]\ntest = ["pytest>=8"]\n'
)
UV_LOCK = (
    'version = 1\n[[package]]\nname = "idna"\nversion = "3.7"\n'
    'source = { registry = "https://example.invalid/simple" }\n'
    f'sdist = {{ url = "https://example.invalid/idna.tar.gz", hash = "sha256:{H}" }}\n'
    '[[package]]\nname = "pytest"\nversion = "8.2.0"\n'
    'source = { registry = "https://example.invalid/simple" }\n'
)
PACKAGE_JSON = '{"name": "web", "devDependencies": {"@types/node": "^20.0.0"}}'


def _components(
    records: dict[tuple[str, str], deps.AddedBy] | None = None,
) -> dict[str, deps.DepComponent]:
    found = deps.declared(
        {
            "pyproject.toml": PYPROJECT.encode(),
            "uv.lock": UV_LOCK.encode(),
            "package.json": PACKAGE_JSON.encode(),
        }
    )
    assert found.warnings == ()

    def blamed(path: str, line: int) -> LineFact | None:
        return LineFact(line, "b" * 40, "human", None, None) if path == "uv.lock" else None

    built = deps.components(found, records or {}, blamed, lambda sha: ())
    return {c.purl: c for c in built}


def test_locked_versions_fold_in_their_manifest_ranges() -> None:
    comps = _components()
    assert set(comps) == {"pkg:pypi/idna@3.7", "pkg:pypi/pytest@8.2.0", "pkg:npm/%40types/node"}
    idna = comps["pkg:pypi/idna@3.7"]
    assert idna.scope == "required" and idna.spec == ">=3"
    assert idna.hashes == (("SHA-256", H),)
    assert idna.locations == ("pyproject.toml:3", "uv.lock:3")
    assert comps["pkg:pypi/pytest@8.2.0"].scope == "optional"  # only a test extra wants it
    node = comps["pkg:npm/%40types/node"]
    assert node.version is None and node.scope == "optional" and node.spec == "^20.0.0"
    assert idna.added_by == deps.AddedBy("b" * 40, "human", (), "blame")
    assert node.added_by == deps.AddedBy(None, "unknown", (), "none")


def test_a_dependency_record_names_who_added_it() -> None:
    added = deps.AddedBy("a" * 40, "ai", ("openai/gpt-5-codex",), "record")
    comps = _components({("pypi", "idna"): added})
    assert comps["pkg:pypi/idna@3.7"].added_by == added
    assert comps["pkg:pypi/pytest@8.2.0"].added_by.source == "blame"


def test_unreadable_and_broken_manifests_are_warnings() -> None:
    found = deps.declared({"requirements.txt": b"\xff\xfe", "package.json": b"{"})
    assert any("requirements.txt: not UTF-8" in w for w in found.warnings)
    assert any("package.json" in w for w in found.warnings)
    assert found.dependencies == ()


def test_npm_purls_keep_the_case_of_scope_and_name() -> None:
    """purl-spec's npm type: scope (namespace) and name are case sensitive, so kept as
    written (JSONStream and jsonstream are two packages); the scope's @ is always %40."""
    assert deps.purl_of("npm", "@Scope/Pkg", "1.0.0") == "pkg:npm/%40Scope/Pkg@1.0.0"
    assert deps.purl_of("npm", "JSONStream", "1.3.5") == "pkg:npm/JSONStream@1.3.5"
    assert deps.purl_of("npm", "@types/node", None) == "pkg:npm/%40types/node"
    assert deps.purl_of("npm", "left-pad", "1.3.0") == "pkg:npm/left-pad@1.3.0"
    assert deps.purl_of("npm", "semver", "1.0.0+build.1") == "pkg:npm/semver@1.0.0%2Bbuild.1"
    assert deps.purl_of("pypi", "idna", "3.7") == "pkg:pypi/idna@3.7"


def test_npm_names_differing_in_case_are_two_components() -> None:
    """Their purls are their bom-refs: folded to one case, the BOM had a duplicate bom-ref."""
    manifest = b'{"name": "web", "dependencies": {"JSONStream": "1.3.5", "jsonstream": "1.0.3"}}'
    found = deps.declared({"package.json": manifest})
    built = deps.components(found, {}, lambda path, line: None, lambda sha: ())
    assert sorted(c.purl for c in built) == ["pkg:npm/JSONStream", "pkg:npm/jsonstream"]
