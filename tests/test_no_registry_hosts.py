"""Hard rule: no package-registry host name anywhere in the repository.

Endpoints come from pip/uv/npm configuration, AIBOM_* settings or a client library constant.
The forbidden names are kept here only as sha256 digests, so this file obeys the rule too.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "a4aa2ac280bb8d1a0ce7a1be5a7bfb10292b49fe9435ad5cff19f421f3c70e41",
    "c899567ee906851741bf7f3bde17a33777859ff9f53ff54d6f0ea54cf31ad636",
    "9495278a74715c7e246a36404b3589f0f2f0b564defdec00b228aa07ecb515e0",
    "9ab2ad663f3d2a5e0a38190483536f53c576599778c6e6d1adb9f357122f355c",
    "d6d7019ca9fcbf07c769e445342515ef0c92e4f18a96adbb3bf6460f5b0ba17f",
    "0dc11026ac75c015aaa1deafff4a7a54ef6d0cf6b3c7f9b1d2c8f3502929aa9e",
    "8743857e3ea00fd1c64bbc68b8af241954ad2c285e7a60340eec7ea5dcb200db",
    "3ca29e55be4befa48f875d24c27f9bed32fe06588819ed6264084b6670a1ebb0",
    "5cd04dc6512f5c5771d256b037997dad11066eed0e16aa781d581969b64e03ab",
    "fd0c6a9279196963adad509f0c8df13a4d0f048f328ba06ce7e8836e7f4182d6",
    "70bb4000cd2fab03af01fed086c6bf3c2c970f8b8b8001c311028ec3b80e775a",
    "8b5bb5eb9d758455b8635855cf8aaf05b68775e3f83f0291e800ef338fb9783c",
    "3aa282eb004de296fcb997e706570a2eaa60e1eb1e8118a90003b7c7da1e39f7",
    "317d2d52829b78129d2c9e43d001899f0c8d30968bae00b848a47154df56b0ca",
    "789e46d79514e28093cabe2bb4a0798266f584b0e508ef269ebabb6e57859290",
    "00a7dc5a0cc388586b8665846e7d8ae94a6dd096f2aa1aa3b4aab4ac484f998a",
    "71741fe2460a615058687c4585f665af5e825968e51a512ffb14c6f2684a397d",
    "05b16d11407cc4e4a60df3760a38c1f542c1aefbfaa524e42cedf413a119c3f2",
}
HOSTLIKE = re.compile(rb"[a-z0-9-]+(?:\.[a-z0-9-]+)+")


def _digest(name: bytes) -> str:
    return hashlib.sha256(name).hexdigest()


def _suffixes(host: bytes) -> list[bytes]:
    labels = host.split(b".")
    return [b".".join(labels[i:]) for i in range(len(labels) - 1)]


def offending(data: bytes) -> set[str]:
    found = set()
    for match in HOSTLIKE.finditer(data.lower()):
        for suffix in _suffixes(match.group()):
            if _digest(suffix) in FORBIDDEN:
                found.add(suffix.decode())
    return found


def repository_files() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return [ROOT / name for name in out.decode().split("\0") if name]


def test_the_detector_works() -> None:
    # built from pieces so that this file holds no registry host name itself
    sample = b"index-url = https://" + b"py" + b"pi" + b".org/simple"
    assert offending(sample) == {"py" + "pi" + ".org"}
    assert offending(b"see https://github.com/x/y and git-scm.com") == set()


def test_no_registry_host_name_in_the_repository() -> None:
    hits = {}
    for path in repository_files():
        if path.is_file():
            found = offending(path.read_bytes())
            if found:
                hits[str(path.relative_to(ROOT))] = sorted(found)
    assert hits == {}
