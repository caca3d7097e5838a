"""npm dependency specs: aliases, direct references (git, tarball URL, file, workspace...)."""

from __future__ import annotations

# Spec prefixes that mean "not from the registry".
_REFERENCE_PREFIXES = (
    "file:",
    "link:",
    "workspace:",
    "portal:",
    "exec:",
    "git+",
    "git:",
    "github:",
    "gitlab:",
    "bitbucket:",
    "gist:",
    "http:",
    "https:",
)
_TARBALLS = (".tgz", ".tar.gz", ".tar")


def is_reference(spec: str) -> bool:
    """Whether a version spec is a URL, git link, GitHub shorthand or local path."""
    value = spec.strip()
    if value.lower().startswith(_REFERENCE_PREFIXES) or "://" in value:
        return True
    if value.startswith((".", "/", "~/")):
        return True
    # ``user/repo`` (GitHub shorthand): version ranges and dist-tags never contain "/".
    return "/" in value and not value.startswith("@")


def split_name(argument: str) -> tuple[str, str]:
    """``"@scope/pkg@^1"`` -> ``("@scope/pkg", "^1")``; ``"pkg"`` -> ``("pkg", "")``."""
    at = argument.find("@", 1)
    if at < 0:
        return argument, ""
    return argument[:at], argument[at + 1 :]


def resolve(name: str, spec: str) -> tuple[str, str, str | None]:
    """(name to check, version spec, url) for the dependency ``name`` with value ``spec``.
    ``npm:real@range`` is an alias: the real name is the one that is installed."""
    if spec.startswith("npm:"):
        real, version = split_name(spec[4:])
        if real:
            return real, version, None
    if is_reference(spec):
        return name, "", spec
    return name, spec, None


def reference_name(url: str) -> str:
    """A name guess for a bare reference: the last path segment (no ``.git``, no version)."""
    base = url.split("#", 1)[0].rstrip("/")
    for prefix in ("github:", "gitlab:", "bitbucket:", "gist:", "file:", "link:"):
        if base.lower().startswith(prefix):
            base = base[len(prefix) :]
            break
    segment = base.rpartition("/")[2]
    lower = segment.lower()
    for suffix in (".git", *_TARBALLS):
        if lower.endswith(suffix):
            segment = segment[: -len(suffix)]
            name, dash, version = segment.rpartition("-")
            if suffix != ".git" and dash and version[:1].isdigit():
                segment = name
            break
    return segment if segment not in ("", ".", "..") else url


def argument(text: str) -> tuple[str, str, str | None]:
    """(name, spec, url) for one package argument of ``npm install`` and friends."""
    if is_reference(text) or text.lower().endswith(_TARBALLS):
        return reference_name(text), "", text
    name, spec = split_name(text)
    return resolve(name, spec)


def registry_tarball(resolved: str) -> bool:
    """Whether a lockfile's ``resolved`` URL has the shape of a registry tarball
    (``<registry>/<name>/-/<name>-<version>.tgz``), whatever the registry's host."""
    url = resolved.split("#", 1)[0].split("?", 1)[0]
    return url.startswith(("https://", "http://")) and "/-/" in url and url.endswith(".tgz")
