"""Python requirement strings (PEP 508) and direct references (URLs, VCS, local paths).

Names are returned as written. A string that ``packaging`` rejects only because of its name
(a Cyrillic letter, a control character) still yields that name, so the checks can report it;
anything else that does not parse is an error message for a ``ParseProblem``.
"""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement

_ARCHIVES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar")
_VCS = ("git+", "hg+", "svn+", "bzr+")
# Characters that end a project name in a requirement string.
_NAME_END = frozenset(" \t[(<>=!~;@,")


class Parsed:
    """The result of reading one requirement: a name, a spec and a direct reference."""

    __slots__ = ("name", "spec", "url")

    def __init__(self, name: str, spec: str = "", url: str | None = None) -> None:
        self.name = name
        self.spec = spec
        self.url = url


def _has_scheme(text: str) -> bool:
    scheme, sep, rest = text.partition(":")
    if not sep or not scheme or not scheme[0].isalpha():
        return False
    if not all(c.isalnum() or c in "+.-" for c in scheme):
        return False
    return rest.startswith("//") or scheme.lower() == "file"


def is_reference(text: str) -> bool:
    """Whether ``text`` (one requirement, markers allowed) is a URL, VCS link or local path
    rather than ``name[extras] spec``."""
    head = text.split(";", 1)[0].strip()
    if not head:
        return False
    before, at, _ = head.partition("@")
    if at and before.strip() and not any(char in before for char in "/\\:"):
        return False  # "name @ url" (PEP 508): a requirement with a direct reference
    if _has_scheme(head) or head.lower().startswith(_VCS):
        return True
    if head[0] in "./~\\" or (len(head) > 2 and head[1] == ":" and head[2] in "\\/"):
        return True
    for char in head:
        if char in "/\\":
            return True
        if char in _NAME_END:
            break
    base = head.split("#", 1)[0].lower()
    return base.endswith(_ARCHIVES)


def reference_url(text: str) -> str:
    """The reference itself: ``text`` without a trailing ``; marker``."""
    head = text.strip()
    for separator in (" ;", "\t;", "; "):
        if separator in head:
            head = head.split(separator, 1)[0]
    return head.strip()


def reference_name(url: str) -> str:
    """The project name a direct reference stands for: its ``#egg=`` fragment, else a guess
    from its last path segment (archive file name, repository name); else the URL itself."""
    base, _, fragment = url.partition("#")
    for param in fragment.split("&"):
        key, _, value = param.partition("=")
        if key == "egg" and value:
            return value.split("[", 1)[0]
    base = base.split("?", 1)[0].rstrip("/\\")
    segment = base.replace("\\", "/").rpartition("/")[2]
    if "://" in base and segment == base.partition("://")[2]:
        segment = ""  # a bare host: no name
    segment = segment.partition("@")[0] if "@" in segment and "://" in base else segment
    lower = segment.lower()
    if lower.endswith(".whl"):
        segment = segment[:-4].split("-", 1)[0]
    else:
        for suffix in _ARCHIVES:
            if lower.endswith(suffix):
                stem = segment[: -len(suffix)]
                name, dash, version = stem.rpartition("-")
                segment = name if dash and version[:1].isdigit() else stem
                break
        else:
            if lower.endswith(".git"):
                segment = segment[:-4]
    segment = segment.split("[", 1)[0]
    return segment if segment not in ("", ".", "..") else url


def _lenient(text: str) -> Parsed | None:
    """``name rest`` where only the name is invalid: keep the name as written."""
    stripped = text.strip()
    end = 0
    while end < len(stripped) and stripped[end] not in _NAME_END:
        end += 1
    name, rest = stripped[:end], stripped[end:]
    if not name:
        return None
    if not rest.strip():
        return Parsed(name)
    try:
        req = Requirement("x" + rest)
    except InvalidRequirement:
        return None
    return Parsed(name, str(req.specifier), req.url)


def parse_requirement(text: str) -> Parsed | str:
    """A ``Parsed`` for one requirement string, or why it cannot be read."""
    stripped = text.strip()
    if not stripped:
        return "empty requirement"
    if is_reference(stripped):
        url = reference_url(stripped)
        if url.endswith("]") and "[" in url and not _has_scheme(url):
            url = url[: url.rindex("[")]  # a local path with extras: ".[dev]"
        return Parsed(reference_name(url), "", url)
    try:
        req = Requirement(stripped)
    except InvalidRequirement as exc:
        lenient = _lenient(stripped)
        if lenient is not None:
            return lenient
        reason = str(exc).split("\n", 1)[0]
        return f"cannot parse requirement: {reason}"
    return Parsed(req.name, str(req.specifier), req.url)
