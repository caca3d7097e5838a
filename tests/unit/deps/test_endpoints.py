"""Endpoint resolution from pip, uv and npm configuration, in a temp HOME and a temp /etc."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aibom.deps.registries import endpoints as ep
from aibom.deps.registries.endpoints import Endpoint, EndpointOverrides, Endpoints, resolve
from aibom.deps.types import Ecosystem

PUBLIC_PYPI = "https://public-index.example.invalid/simple"
PUBLIC_NPM = "https://public-npm.example.invalid/"
PUBLICS = EndpointOverrides(public_pypi=PUBLIC_PYPI, public_npm=PUBLIC_NPM)
CORP = "https://corp.example.invalid/simple"


class World:
    """A temp HOME, /etc and project; ``resolve()`` never sees the real user's files."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.etc = root / "etc"
        self.project = root / "project"
        for path in (self.home, self.etc, self.project):
            path.mkdir()
        self.env: dict[str, str] = {"HOME": str(self.home), "PATH": os.defpath}

    def write(self, path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def resolve(self, overrides: EndpointOverrides = PUBLICS, **env: str) -> Endpoints:
        return resolve(
            str(self.project), {**self.env, **env}, overrides, system_config_dir=str(self.etc)
        )


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def urls(endpoints: tuple[Endpoint, ...]) -> list[str]:
    return [e.url for e in endpoints]


def test_nothing_configured_means_the_public_defaults(world: World) -> None:
    found = world.resolve()
    assert found.pypi == (
        Endpoint(Ecosystem.PYPI, PUBLIC_PYPI, True, "default (aibom setting public_pypi)"),
    )
    assert found.npm == (
        Endpoint(Ecosystem.NPM, PUBLIC_NPM.rstrip("/"), True, "default (aibom setting public_npm)"),
    )
    assert found.scopes == {} and found.skipped == () and found.problems == {}
    assert found.get(Ecosystem.NPM) == found.npm


def test_the_public_pypi_default_is_pips_own_constant(world: World) -> None:
    from pip._internal.models.index import PyPI

    found = world.resolve(EndpointOverrides(public_npm=PUBLIC_NPM))
    assert urls(found.pypi) == [PyPI.simple_url.rstrip("/")]
    assert found.pypi[0].public and found.pypi[0].source == "default (pip)"


def test_without_pip_the_error_says_so(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pip._internal.models.index", None)
    found = world.resolve(EndpointOverrides(public_npm=PUBLIC_NPM))
    assert found.pypi == ()
    assert "pip is not importable" in found.problems[Ecosystem.PYPI]
    # a configured index still works; nothing is known to be public
    found = world.resolve(EndpointOverrides(public_npm=PUBLIC_NPM), PIP_INDEX_URL=CORP)
    assert urls(found.pypi) == [CORP] and not found.pypi[0].public
    assert Ecosystem.PYPI not in found.problems


def test_pip_environment(world: World) -> None:
    found = world.resolve(
        PIP_INDEX_URL=CORP + "/",
        PIP_EXTRA_INDEX_URL="https://a.example.invalid/simple  https://b.example.invalid/s/",
    )
    assert urls(found.pypi) == [
        CORP,
        "https://a.example.invalid/simple",
        "https://b.example.invalid/s",
    ]
    assert [e.source for e in found.pypi] == ["PIP_INDEX_URL", *["PIP_EXTRA_INDEX_URL"] * 2]
    assert not any(e.public for e in found.pypi)


def test_pip_configuration_files_in_pips_precedence(world: World) -> None:
    world.write(
        world.etc / "xdg" / "pip" / "pip.conf",
        "[global]\nindex-url = https://xdg.example.invalid\n",
    )
    etc = world.write(
        world.etc / "pip.conf",
        "[global]\nindex-url = https://etc.example.invalid\n"
        "extra-index-url = https://etc-extra.example.invalid\n",
    )
    world.write(world.home / ".pip" / "pip.conf", "[global]\nindex_url = https://legacy.invalid\n")
    user = world.write(
        world.home / ".config" / "pip" / "pip.conf", "[global]\nindex-url = https://user.invalid\n"
    )
    venv = world.project / ".venv"
    site = world.write(
        venv / "pip.conf",
        "[install]\nextra-index-url =\n    https://site-1.invalid\n    https://site-2.invalid\n",
    )
    found = world.resolve(VIRTUAL_ENV=str(venv))
    assert urls(found.pypi) == [
        "https://user.invalid",
        "https://site-1.invalid",
        "https://site-2.invalid",
    ]
    assert found.pypi[0].source == f"{user} [global] index-url"
    assert found.pypi[1].source == f"{site} [install] extra-index-url"

    # PIP_CONFIG_FILE comes last, and when it exists the user files are not read
    env_file = world.write(
        world.home / "custom.conf", "[install]\nindex-url = https://env.invalid\n"
    )
    found = world.resolve(PIP_CONFIG_FILE=str(env_file))
    assert urls(found.pypi) == ["https://env.invalid", "https://etc-extra.example.invalid"]
    assert found.pypi[1].source == f"{etc} [global] extra-index-url"

    # environment variables beat every file; os.devnull turns the files off
    found = world.resolve(PIP_CONFIG_FILE=str(env_file), PIP_INDEX_URL=CORP)
    assert urls(found.pypi)[0] == CORP
    found = world.resolve(PIP_CONFIG_FILE=os.devnull)
    assert urls(found.pypi) == [PUBLIC_PYPI]
    found = world.resolve(PIP_CONFIG_FILE=str(env_file), PIP_INDEX_URL="", PIP_EXTRA_INDEX_URL="")
    assert urls(found.pypi) == ["https://env.invalid"]  # an empty list clears the extras


def test_install_section_beats_global_in_any_file(world: World) -> None:
    world.write(world.etc / "pip.conf", "[install]\nindex-url = https://install.invalid\n")
    world.write(
        world.home / ".config/pip/pip.conf", "[global]\nindex-url = https://global.invalid\n"
    )
    assert urls(world.resolve().pypi) == ["https://install.invalid"]


def test_no_index(world: World) -> None:
    conf = world.write(world.etc / "pip.conf", "[global]\nno-index = true\nfind-links = /w\n")
    found = world.resolve()
    assert found.pypi == ()
    assert (
        "no-index" in found.problems[Ecosystem.PYPI] and str(conf) in found.problems[Ecosystem.PYPI]
    )
    assert world.resolve(PIP_NO_INDEX="0").pypi[0].url == PUBLIC_PYPI


def test_file_indexes_are_skipped_not_fatal(world: World) -> None:
    """This machine's pip configuration has file:// extra indexes."""
    conf = world.write(
        world.home / ".config" / "pip" / "pip.conf",
        "[global]\nfind-links = /opt/wheels\n"
        "extra-index-url = file:///opt/pypi/simple file:///opt/pypi-more/simple\n",
    )
    found = world.resolve(PIP_FIND_LINKS="/opt/wheels", PIP_EXTRA_INDEX_URL="/local/dir " + CORP)
    assert urls(found.pypi) == [PUBLIC_PYPI, CORP]
    assert found.skipped == ("/local/dir (PIP_EXTRA_INDEX_URL): not an URL (a local path?)",)
    found = world.resolve()
    assert urls(found.pypi) == [PUBLIC_PYPI]
    assert found.skipped == (
        f"file:///opt/pypi/simple ({conf} [global] extra-index-url): not an http(s) URL",
        f"file:///opt/pypi-more/simple ({conf} [global] extra-index-url): not an http(s) URL",
    )


def test_unreadable_configuration_is_skipped(world: World) -> None:
    world.write(world.etc / "pip.conf", "index-url = no section header\n")
    world.write(world.project / "uv.toml", "index-url = [unclosed\n")
    found = world.resolve()
    assert urls(found.pypi) == [PUBLIC_PYPI]
    assert len(found.skipped) == 2
    assert all("not readable" in s for s in found.skipped)


def test_uv_environment(world: World) -> None:
    found = world.resolve(
        UV_DEFAULT_INDEX=CORP,
        UV_INDEX="mirror=https://mirror.invalid/simple https://plain.invalid/simple",
        UV_EXTRA_INDEX_URL="https://old-style.invalid/simple",
    )
    assert urls(found.pypi) == [
        CORP,
        "https://mirror.invalid/simple",
        "https://plain.invalid/simple",
        "https://old-style.invalid/simple",
    ]
    assert [e.source for e in found.pypi] == [
        "UV_DEFAULT_INDEX",
        "UV_INDEX",
        "UV_INDEX",
        "UV_EXTRA_INDEX_URL",
    ]
    assert urls(world.resolve(UV_INDEX_URL=CORP).pypi) == [CORP]


def test_uv_project_configuration(world: World) -> None:
    pyproject = world.write(
        world.project / "pyproject.toml",
        '[project]\nname = "x"\n[tool.uv]\nextra-index-url = ["https://extra.invalid"]\n'
        '[[tool.uv.index]]\nname = "corp"\nurl = "https://corp.invalid/simple"\ndefault = true\n'
        '[[tool.uv.index]]\nname = "torch"\nurl = "https://torch.invalid/whl"\nexplicit = true\n',
    )
    found = world.resolve()
    assert urls(found.pypi) == [
        "https://corp.invalid/simple",
        "https://torch.invalid/whl",
        "https://extra.invalid",
    ]
    assert found.pypi[0].source == f"{pyproject} [tool.uv] [[index]] corp"

    # uv.toml wins over [tool.uv]; the user's uv.toml adds to it
    world.write(world.project / "uv.toml", 'index-url = "https://uvtoml.invalid/simple"\n')
    world.write(
        world.home / ".config" / "uv" / "uv.toml",
        '[[index]]\nurl = "https://user-uv.invalid/simple"\n',
    )
    assert urls(world.resolve().pypi) == [
        "https://uvtoml.invalid/simple",
        "https://user-uv.invalid/simple",
    ]
    assert urls(world.resolve(UV_NO_CONFIG="1").pypi) == [PUBLIC_PYPI]


def test_pip_and_uv_together(world: World) -> None:
    world.write(world.project / "uv.toml", 'index-url = "https://uv.invalid/simple"\n')
    found = world.resolve(PIP_INDEX_URL=CORP)
    assert urls(found.pypi) == [CORP, "https://uv.invalid/simple"]


def test_overrides_win(world: World) -> None:
    world.write(world.project / ".npmrc", "registry=https://project-npm.invalid/\n")
    world.write(world.home / ".npmrc", "@corp:registry=https://corp-npm.invalid/\n")
    overrides = EndpointOverrides(
        pypi_index_url="http://127.0.0.1:9/simple",
        pypi_extra_index_urls=("http://127.0.0.1:9/extra",),
        npm_registry="http://127.0.0.1:9/npm",
        public_pypi=PUBLIC_PYPI,
        public_npm=PUBLIC_NPM,
    )
    found = world.resolve(
        overrides,
        PIP_INDEX_URL=CORP,
        PIP_EXTRA_INDEX_URL="https://x.invalid",
        UV_DEFAULT_INDEX="https://uv.invalid",
        NPM_CONFIG_REGISTRY="https://env-npm.invalid",
    )
    assert urls(found.pypi) == ["http://127.0.0.1:9/simple", "http://127.0.0.1:9/extra"]
    assert found.pypi[0].source == "aibom setting pypi_index_url"
    assert urls(found.npm) == ["http://127.0.0.1:9/npm"]
    assert found.scopes["@corp"].url == "https://corp-npm.invalid"  # scoped registries stay


def test_public_flag_ignores_a_trailing_slash_and_case(world: World) -> None:
    found = world.resolve(PIP_INDEX_URL="HTTPS://Public-Index.example.invalid/simple/")
    assert found.pypi[0].public
    assert found.pypi[0].url == "HTTPS://Public-Index.example.invalid/simple"


def test_npmrc_files_and_scopes(world: World) -> None:
    secret = "npm_SECRETTOKEN123"
    user = world.write(
        world.home / ".npmrc",
        "; user config\nregistry=https://user-npm.invalid/\n"
        "@corp:registry = https://corp-npm.invalid/\n"
        f"//corp-npm.invalid/:_authToken={secret}\n"
        f"_auth={secret}\n",
    )
    project = world.write(
        world.project / ".npmrc",
        '# project\nregistry="https://project-npm.invalid/"\n'
        "@Tools:registry=https://${TOOLS_HOST}/npm/\n",
    )
    found = world.resolve(TOOLS_HOST="tools.invalid")
    assert urls(found.npm) == ["https://project-npm.invalid"]
    assert found.npm[0].source == f"project .npmrc registry ({project})"
    assert {k: v.url for k, v in found.scopes.items()} == {
        "@corp": "https://corp-npm.invalid",
        "@tools": "https://tools.invalid/npm",
    }
    assert found.scopes["@corp"].source == f"@corp:registry in user .npmrc ({user})"
    assert secret not in repr(found) + "".join(found.skipped)

    found = world.resolve(npm_config_registry="https://env-npm.invalid")
    assert urls(found.npm) == ["https://env-npm.invalid"]
    assert found.npm[0].source == "npm_config_registry"
    found = world.resolve(NPM_CONFIG_USERCONFIG=str(world.home / "other.npmrc"))
    assert urls(found.npm) == ["https://project-npm.invalid"]
    assert "@corp" not in found.scopes


def test_credentials_are_kept_for_requests_and_redacted_for_display(world: World) -> None:
    found = world.resolve(
        PIP_INDEX_URL="https://alice:s3cret@corp.invalid/simple",
        PIP_EXTRA_INDEX_URL="ftp://bob:hunter2@files.invalid/ https://tok3n@tok.invalid/s",
    )
    first, second = found.pypi
    assert first.url == "https://alice:s3cret@corp.invalid/simple"
    assert first.display == "https://***@corp.invalid/simple"
    assert second.display == "https://***@tok.invalid/s"
    shown = repr(found) + " ".join(found.skipped) + " ".join(e.source for e in found.pypi)
    for secret in ("s3cret", "hunter2", "tok3n", "alice", "bob"):
        assert secret not in shown
    assert found.skipped == ("ftp://***@files.invalid/ (PIP_EXTRA_INDEX_URL): not an http(s) URL",)
    assert ep.canonical(first.url) == "https://corp.invalid/simple"


@pytest.fixture
def fake_npm(world: World, tmp_path: Path) -> Iterator[Path]:
    """An ``npm`` on PATH that counts its runs; the once-per-process memo is reset around."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "npm"
    count = tmp_path / "npm-runs"
    script.write_text(
        f'#!/bin/sh\necho run >> "{count}"\n'
        'echo "npm warn something" >&2\necho "https://npm-default.invalid/"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    world.env["PATH"] = str(bin_dir)
    ep.NPM_DEFAULT.reset()
    yield count
    ep.NPM_DEFAULT.reset()


def test_npm_default_asks_npm_once(world: World, fake_npm: Path) -> None:
    overrides = EndpointOverrides(public_pypi=PUBLIC_PYPI)
    assert urls(world.resolve(overrides, NPM_CONFIG_REGISTRY=CORP).npm) == [CORP]
    assert not fake_npm.exists()  # configuration names a registry: npm is not run
    for _ in range(3):
        found = world.resolve(overrides)
        assert found.npm == (
            Endpoint(
                Ecosystem.NPM,
                "https://npm-default.invalid",
                True,
                "default (npm config get registry)",
            ),
        )
    assert fake_npm.read_text().count("run") == 1


def test_without_npm_the_problem_is_reported(world: World, fake_npm: Path) -> None:
    world.env["PATH"] = str(fake_npm.parent / "empty")
    found = world.resolve(EndpointOverrides(public_pypi=PUBLIC_PYPI))
    assert found.npm == ()
    assert "npm is not installed" in found.problems[Ecosystem.NPM]
