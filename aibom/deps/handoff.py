"""The gate hands what a commit adds to post-commit, which records it with the commit's origin.

The pre-commit gate writes ``<git dir>/aibom/deps-handoff.json`` keyed by the tree it saw
(``git write-tree`` of the index); post-commit turns it into a ``dependency`` record when the
new commit has that tree, and removes it either way. Hook path: standard library and aibom
core only.
"""

from __future__ import annotations

import os

from aibom import __version__, _fastjson

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from aibom.gitutil import Repo
    from aibom.notes.records import Record
    from aibom.provenance.types import Detection

FILE = "deps-handoff.json"


def path(repo: Repo) -> str:
    return os.path.join(repo.state_dir, FILE)


def save(repo: Repo, tree: str, added: Sequence[Any], findings: Sequence[Any]) -> None:
    """Write the hand-off atomically (``added``/``findings``: JSON-ready dicts).

    A path that is not UTF-8 holds lone surrogates (``surrogateescape``): they are written
    as ``\\udcXX`` escapes, as in records, and read back to the same path."""
    from aibom.notes.records import canonical

    os.makedirs(repo.state_dir, exist_ok=True)
    data = {"tree": tree, "added": list(added), "findings": list(findings)}
    tmp = f"{path(repo)}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(canonical(data))
    os.replace(tmp, path(repo))


def clear(repo: Repo) -> None:
    try:
        os.unlink(path(repo))
    except FileNotFoundError:
        pass


def take(repo: Repo, commit: str) -> dict[str, Any] | None:
    """The hand-off for ``commit`` (removed once read); None when there is none or it was
    made for another tree (the commit changed after the gate ran)."""
    try:
        with open(path(repo), encoding="utf-8") as fh:
            raw = fh.read()
    except OSError:
        return None
    clear(repo)
    try:
        data = _fastjson.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or not data.get("added"):
        return None
    tree = repo.out(["rev-parse", f"{commit}^{{tree}}"], check=False).strip()
    return data if data.get("tree") == tree else None


def record(data: dict[str, Any], detection: Detection) -> Record:
    from aibom.notes.records import Record

    body = {
        "origin": detection.origin.value,
        "models": [m.slug for m in detection.models],
        "agent": (
            {"name": detection.agent.name, "version": detection.agent.version}
            if detection.agent
            else None
        ),
        "session": detection.session,
        "added": data["added"],
        "findings": data.get("findings", []),
        "tool": {"name": "aibom", "version": __version__},
    }
    return Record.create("dependency", body)
