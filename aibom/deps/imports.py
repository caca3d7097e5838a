"""Imports a change adds to .py files that nothing provides: no standard-library module, no
installed distribution, no module of the repository and no declared dependency.

The distribution name is guessed from the module (a small table of well-known differences,
else the module name itself), and the registry check then runs on that guess.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

# Import names whose distribution is named differently (public, well-known facts).
KNOWN_DISTRIBUTIONS = {
    "attr": "attrs",
    "bs4": "beautifulsoup4",
    "crypto": "pycryptodome",
    "cv2": "opencv-python",
    "dateutil": "python-dateutil",
    "discord": "discord-py",
    "docx": "python-docx",
    "dotenv": "python-dotenv",
    "fitz": "pymupdf",
    "git": "gitpython",
    "jwt": "pyjwt",
    "magic": "python-magic",
    "mysqldb": "mysqlclient",
    "openssl": "pyopenssl",
    "pil": "pillow",
    "pptx": "python-pptx",
    "psycopg2": "psycopg2-binary",
    "serial": "pyserial",
    "skimage": "scikit-image",
    "sklearn": "scikit-learn",
    "telegram": "python-telegram-bot",
    "usb": "pyusb",
    "websocket": "websocket-client",
    "yaml": "pyyaml",
    "zmq": "pyzmq",
}


@dataclass(frozen=True)
class AddedImport:
    module: str  # top-level module name
    line: int


def top_level_imports(source: str) -> dict[str, int] | None:
    """Absolute top-level module names imported anywhere in ``source`` (first line of each);
    None when the file does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".", 1)[0]
            if top and (top not in found or node.lineno < found[top]):
                found[top] = node.lineno
    return found


def added_imports(new: str, old: str | None) -> list[AddedImport]:
    after = top_level_imports(new) or {}
    before = (top_level_imports(old) or {}) if old is not None else {}
    return [AddedImport(m, line) for m, line in sorted(after.items()) if m not in before]


def local_modules(paths: Iterable[str]) -> frozenset[str]:
    """Names importable from the repository itself: every directory and module stem on the
    path of a tracked .py file (generous on purpose: a miss here is a false alarm)."""
    names: set[str] = set()
    for path in paths:
        if not path.endswith((".py", ".pyi", ".pyx", ".so")):
            continue
        parts = path.split("/")
        names.update(parts[:-1])
        names.add(parts[-1].split(".", 1)[0])
    return frozenset(names)


@cache
def installed_modules() -> Mapping[str, list[str]]:
    from importlib.metadata import packages_distributions

    return packages_distributions()


def guess_distribution(module: str) -> str:
    return KNOWN_DISTRIBUTIONS.get(module.lower(), module)


def unprovided(
    imports: Iterable[AddedImport], local: frozenset[str], declared: frozenset[str]
) -> list[AddedImport]:
    """The imports nothing provides. ``declared``: normalised names of declared dependencies."""
    from aibom.deps.names import normalize
    from aibom.deps.types import Ecosystem

    installed = installed_modules()
    result = []
    for imp in imports:
        mod = imp.module
        if mod in sys.stdlib_module_names or mod in sys.builtin_module_names or mod == "__future__":
            continue
        if mod in local or mod in installed:
            continue
        guesses = {
            normalize(Ecosystem.PYPI, mod),
            normalize(Ecosystem.PYPI, guess_distribution(mod)),
        }
        if guesses & declared:
            continue
        result.append(imp)
    return result
