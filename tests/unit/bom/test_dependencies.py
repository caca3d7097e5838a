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
