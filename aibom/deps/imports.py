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


_GUARDS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
# Top-level names many distributions share (namespace packages): the import alone does not
# tell which distribution provides it.
NAMESPACES = frozenset({"google", "azure", "zope", "jaraco", "backports", "sphinxcontrib"})


class _Imports(ast.NodeVisitor):
    """Absolute imports outside ``try`` blocks that catch ImportError (optional imports)."""

    def __init__(self) -> None:
        self.found: dict[str, int] = {}

    def visit_Try(self, node: ast.Try) -> None:
        if any(_catches_import_error(h) for h in node.handlers):
            for child in (*node.handlers, *node.orelse, *node.finalbody):
                self.visit(child)  # the body is the optional import: skipped
            return
        self.generic_visit(node)

    visit_TryStar = visit_Try  # type: ignore[assignment]

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self._add(node.module, node.lineno)

    def _add(self, name: str, line: int) -> None:
        top = name.split(".", 1)[0]
        if top and (top not in self.found or line < self.found[top]):
            self.found[top] = line


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type
    if kinds is None:
        return True  # a bare except
    names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
    return any(isinstance(n, ast.Name) and n.id in _GUARDS for n in names)


def top_level_imports(source: str) -> dict[str, int] | None:
    """Absolute top-level module names imported in ``source`` (first line of each), leaving
    out optional imports (inside ``try`` blocks that catch ImportError); None when the file
    does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    visitor = _Imports()
    try:
        visitor.visit(tree)
    except RecursionError:
        return None
    return visitor.found


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
def installed_modules(toplevel: str | None = None) -> Mapping[str, list[str]]:
    """Top-level modules of the distributions installed in the project's environment: the
    active virtualenv (``VIRTUAL_ENV``), else ``.venv``/``venv`` in the work tree, else the
    interpreter running aibom."""
    from importlib.metadata import distributions

    paths = _environment_paths(toplevel)
    found: dict[str, list[str]] = {}
    for dist in distributions(path=paths) if paths else distributions():
        name = dist.metadata["Name"] or ""
        for module in _provides(dist):
            found.setdefault(module, []).append(name)
    return found


def _environment_paths(toplevel: str | None) -> list[str] | None:
    import glob
    import os

    roots = [os.environ.get("VIRTUAL_ENV", "")]
    if toplevel:
        roots += [os.path.join(toplevel, ".venv"), os.path.join(toplevel, "venv")]
    for root in roots:
        if root and os.path.isdir(root):
            found = glob.glob(os.path.join(glob.escape(root), "lib", "python3*", "site-packages"))
            found += glob.glob(os.path.join(glob.escape(root), "Lib", "site-packages"))
            if found:
                return sorted(found)
    return None


def _provides(dist: object) -> set[str]:
    """Top-level modules of a distribution: top_level.txt, else its RECORD's paths."""
    read_text = getattr(dist, "read_text", None)
    text = read_text("top_level.txt") if read_text else None
    if text:
        return {line.strip() for line in text.splitlines() if line.strip()}
    modules = set()
    for file in getattr(dist, "files", None) or ():
        parts = str(file).split("/")
        if ".dist-info" in parts[0] or ".egg-info" in parts[0] or parts[0] in ("..", ""):
            continue
        first = parts[0]
        if len(parts) == 1:
            if not first.endswith((".py", ".so", ".pyd")):
                continue
            first = first.split(".", 1)[0]
        modules.add(first)
    return modules


def guess_distribution(module: str) -> str:
    return KNOWN_DISTRIBUTIONS.get(module.lower(), module)


def unprovided(
    imports: Iterable[AddedImport],
    local: frozenset[str],
    declared: frozenset[str],
    toplevel: str | None = None,
) -> list[AddedImport]:
    """The imports nothing provides. ``declared``: normalised names of declared dependencies.
    Private modules (``_speedups``: usually an extension built in place), namespace packages
    and names no distribution could have are left alone."""
    from aibom.deps.names import invalid_reason, normalize
    from aibom.deps.types import Ecosystem

    installed = installed_modules(toplevel)
    result = []
    for imp in imports:
        mod = imp.module
        if mod in sys.stdlib_module_names or mod in sys.builtin_module_names:
            continue
        if mod.startswith("_") or mod in NAMESPACES or mod in local or mod in installed:
            continue
        if invalid_reason(Ecosystem.PYPI, guess_distribution(mod)) is not None:
            continue
        guesses = {
            normalize(Ecosystem.PYPI, mod),
            normalize(Ecosystem.PYPI, guess_distribution(mod)),
        }
        if guesses & declared:
            continue
        result.append(imp)
    return result
