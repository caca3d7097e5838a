"""Which files the dependency gate reads, decided from the path alone.

Plain string operations only, no imports: git hooks import this module and their start-up
time is measured. Paths are relative to the work tree, with forward slashes.

``format_of`` names the parser of a file (the ``name`` of a ``ManifestParser``); ``kind_of``
groups those formats into "manifest", "lockfile", "doc" (a file that may hold install commands:
Markdown, agent rules, Dockerfiles, shell scripts, notebooks) and "python". Anything under a
``node_modules/`` or ``site-packages/`` directory is vendored code, not a declaration: None.
"""

from __future__ import annotations

# Exact file names (case matters to the tools that read them).
_BY_NAME = {
    "pyproject.toml": "pyproject",
    "setup.cfg": "setup.cfg",
    "Pipfile": "pipfile",
    "Pipfile.lock": "pipfile.lock",
    "package.json": "package.json",
    "uv.lock": "uv.lock",
    "poetry.lock": "poetry.lock",
    "package-lock.json": "package-lock",
    "npm-shrinkwrap.json": "package-lock",
    "pnpm-lock.yaml": "pnpm-lock",
    "yarn.lock": "yarn.lock",
}

_KINDS = {
    "requirements": "manifest",
    "pyproject": "manifest",
    "setup.cfg": "manifest",
    "pipfile": "manifest",
    "package.json": "manifest",
    "pipfile.lock": "lockfile",
    "uv.lock": "lockfile",
    "poetry.lock": "lockfile",
    "package-lock": "lockfile",
    "pnpm-lock": "lockfile",
    "yarn.lock": "lockfile",
    "markdown": "doc",
    "dockerfile": "doc",
    "shell": "doc",
    "notebook": "doc",
    "python": "python",
}

# Agent rule files without an extension; their content is Markdown-like.
_RULE_FILES = (".cursorrules", ".windsurfrules", ".clinerules")
_MARKDOWN_EXTENSIONS = (".md", ".mdx", ".mdc", ".markdown", ".rst")
_SHELL_EXTENSIONS = (".sh", ".bash")
# ``*.in`` files that are not pip-tools inputs (setuptools, autotools).
_NOT_PIP_TOOLS = ("manifest.in", "makefile.in", "gnumakefile.in", "configure.in", "config.in")
_VENDORED = ("/node_modules/", "/site-packages/")


def _requirements_like(parent: str, lower: str) -> bool:
    if lower.endswith(".txt"):
        return "requirements" in lower or "constraints" in lower or parent == "requirements"
    if lower.endswith(".in"):
        stem = lower[:-3]
        if "requirements" in stem or "constraints" in stem or parent == "requirements":
            return True
        return bool(stem) and "." not in stem and lower not in _NOT_PIP_TOOLS
    return False


def _dockerfile(lower: str) -> bool:
    for base in ("dockerfile", "containerfile"):
        if lower == base or lower.startswith(base + ".") or lower.endswith("." + base):
            return True
    return False


def format_of(path: str) -> str | None:
    """The name of the parser for ``path`` ("requirements", "pyproject", "markdown", ...),
    "python" for Python source, None for a file the gate does not read."""
    if not path:
        return None
    for vendored in _VENDORED:
        if vendored in "/" + path:
            return None
    directory, _, name = path.rpartition("/")
    found = _BY_NAME.get(name)
    if found is not None:
        return found
    lower = name.lower()
    parent = directory.rpartition("/")[2].lower()
    if _requirements_like(parent, lower):
        return "requirements"
    if lower.endswith(".py"):
        return "python"
    if lower.endswith(_MARKDOWN_EXTENSIONS) or lower in _RULE_FILES:
        return "markdown"
    if _dockerfile(lower):
        return "dockerfile"
    if lower.endswith(_SHELL_EXTENSIONS):
        return "shell"
    if lower.endswith(".ipynb"):
        return "notebook"
    return None


def kind_of(path: str) -> str | None:
    """ "manifest", "lockfile", "doc" (may hold install commands), "python" or None."""
    found = format_of(path)
    return None if found is None else _KINDS[found]
