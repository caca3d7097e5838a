"""Hashes read from lockfiles, keyed by (ecosystem, normalised name, version)."""

from __future__ import annotations

import base64
import json

from aibom.bom.lockhashes import Hashes, read_hashes

H1, H2 = "1" * 64, "2" * 64


def test_hashed_requirements_with_continuations() -> None:
    found: Hashes = {}
    text = (
        f"Flask_Login==0.6.3 \\\n    --hash=sha256:{H1} \\\n    --hash=sha256:{H2}\n"
        "plain==1.0\n# comment --hash=sha256:" + "3" * 64 + "\n"
    )
    assert read_hashes("requirements.txt", text, found) is None
    assert found == {("pypi", "flask-login", "0.6.3"): (("SHA-256", H1), ("SHA-256", H2))}


def test_uv_and_poetry_locks() -> None:
    uv = (
        '[[package]]\nname = "idna"\nversion = "3.7"\n'
        f'sdist = {{ url = "x", hash = "sha256:{H1}" }}\n'
        f'wheels = [{{ url = "y", hash = "sha256:{H2}" }}]\n'
    )
    found: Hashes = {}
    assert read_hashes("uv.lock", uv, found) is None
    assert found[("pypi", "idna", "3.7")] == (("SHA-256", H1), ("SHA-256", H2))
    poetry = (
        '[[package]]\nname = "Six"\nversion = "1.16.0"\n'
        f'files = [{{file = "a", hash = "sha256:{H1}"}}]\n'
    )
    assert read_hashes("poetry.lock", poetry, found) is None
    assert found[("pypi", "six", "1.16.0")] == (("SHA-256", H1),)


def test_npm_integrity_and_pipfile_lock() -> None:
    digest = bytes(range(64))
    lock = {
        "packages": {
            "": {"name": "root"},
            "node_modules/@scope/pkg": {
                "version": "1.2.3",
                "integrity": "sha512-" + base64.b64encode(digest).decode(),
            },
        }
    }
    found: Hashes = {}
    assert read_hashes("package-lock.json", json.dumps(lock), found) is None
    assert found[("npm", "@scope/pkg", "1.2.3")] == (("SHA-512", digest.hex()),)
    pipfile = {"default": {"requests": {"version": "==2.32.3", "hashes": [f"sha256:{H1}"]}}}
    assert read_hashes("Pipfile.lock", json.dumps(pipfile), found) is None
    assert found[("pypi", "requests", "2.32.3")] == (("SHA-256", H1),)


def test_broken_lockfiles_are_reported_not_raised() -> None:
    found: Hashes = {}
    assert "uv.lock" in (read_hashes("uv.lock", "[[package]\n", found) or "")
    assert "package-lock.json" in (read_hashes("package-lock.json", "{", found) or "")
    assert read_hashes("README.md", "anything", found) is None
    assert found == {}


def test_hashes_of_the_wrong_length_are_left_out() -> None:
    """CycloneDX fixes each algorithm's digest length; a truncated hash made the BOM invalid."""
    found: Hashes = {}
    text = f"short==1.0 --hash=sha256:abc\nok==1.0 --hash=sha256:{H1} --hash=sha512:{H1}\n"
    assert read_hashes("requirements.txt", text, found) is None
    assert found == {("pypi", "ok", "1.0"): (("SHA-256", H1),)}
    lock = {
        "packages": {
            "node_modules/a": {"version": "1.0", "integrity": "sha512-BBBB"},
            "node_modules/b": {"version": "1.0", "integrity": "sha1-W95uCsYbSMTUr6V12d6pcAQFnzg="},
        }
    }
    npm: Hashes = {}
    assert read_hashes("package-lock.json", json.dumps(lock), npm) is None
    assert npm == {("npm", "b", "1.0"): (("SHA-1", "5bde6e0ac61b48c4d4afa575d9dea97004059f38"),)}
