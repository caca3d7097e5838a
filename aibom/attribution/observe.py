"""An agent hook payload -> before/after events of the files it edits (hook path).

Which files: ``tool_input.file_path`` / ``path`` (Claude Code, Gemini CLI, Codex, Copilot
in the VS Code format; each item of a MultiEdit's ``edits`` or of VS Code's
``multi_replace_string_in_file`` ``replacements``), ``toolArgs`` (Copilot CLI; a JSON
string or an object), ``file_path`` at the top (Cursor ``afterFileEdit``), the ``*** Add/
Update/Delete File:`` and ``*** Move to:`` lines of a Codex ``apply_patch`` command, or the
generic ``--file`` option.
Which phase: ``Pre*`` / ``before*`` events are ``pre`` (the state a person left), the rest
``post``. A post event with no pre event of the same agent session before it (Cursor has no
pre-edit hook) gets its before state back from the payload's own edits (old/new strings,
applied in reverse) when they locate unambiguously; otherwise the diff against the last
known state is credited at a lower confidence.
"""

from __future__ import annotations

import os
import time

from aibom import _fastjson as json
from aibom.attribution import checkpoints as store_mod
from aibom.attribution.checkpoints import Event

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from aibom.provenance.checkpoint import Checkpoint

_PATH_KEYS = ("file_path", "filePath", "path", "absolute_path", "target_file", "notebook_path")
# tools that write files (Claude Code, Gemini CLI, Codex, Copilot, Cursor), lower case
_EDIT_TOOLS = frozenset(
    (
        *("write", "edit", "multiedit", "notebookedit", "write_file", "replace", "edit_file"),
        *("apply_patch", "create_file", "editfiles", "str_replace_editor", "insert_edit_into_file"),
        *("replace_string_in_file", "multi_replace_string_in_file"),
    )
)
_PATCH_MARKERS = ("*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: ")


def phase_of(event: str | None) -> str:
    name = (event or "").strip().lower()
    return "pre" if name.startswith(("pre", "before")) else "post"


def tool_input(payload: Mapping[str, Any]) -> Mapping[str, Any]:
    for key in ("tool_input", "toolInput", "toolArgs", "tool_args", "args"):
        value = payload.get(key)
        if isinstance(value, str) and value.lstrip().startswith("{"):
            try:
                value = json.loads(value)
            except (ValueError, SystemError, RecursionError):
                continue
        if isinstance(value, dict):
            return value
    return {}


def _patch_paths(command: Any) -> list[str]:
    texts = [command] if isinstance(command, str) else command
    if not isinstance(texts, list):
        return []
    found: list[str] = []
    for text in texts:
        if not isinstance(text, str) or "*** " not in text:
            continue
        for line in text.split("\n"):
            for marker in _PATCH_MARKERS:
                if line.startswith(marker):
                    found.append(line[len(marker) :].strip())
    return found


def edited_paths(payload: Mapping[str, Any]) -> list[str]:
    """Every file the payload says the tool edits, in order, without duplicates."""
    ti = tool_input(payload)
    found: list[str] = []
    for holder in (ti, payload):
        for key in _PATH_KEYS:
            value = holder.get(key)
            if isinstance(value, str) and value.strip():
                found.append(value.strip())
        for list_key in ("edits", "replacements"):  # MultiEdit; VS Code's multi_replace
            listed = holder.get(list_key)
            for edit in listed if isinstance(listed, list) else ():
                for key in _PATH_KEYS[:3] if isinstance(edit, dict) else ():
                    if isinstance(edit.get(key), str):
                        found.append(edit[key])
    for key in ("command", "patch", "input"):
        found += _patch_paths(ti.get(key))
    return list(dict.fromkeys(p for p in found if p and "\x00" not in p))


def edits_of(payload: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """(old, new, replace_all) string edits the payload declares, in the order applied."""
    ti = tool_input(payload)
    raw: list[Any] = []
    for holder in (ti, payload):
        if isinstance(holder.get("edits"), list):
            raw = list(holder["edits"])
            break
    if not raw:
        raw = [ti]
    edits: list[tuple[str, str, bool]] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        old = item.get("old_string", item.get("old_str"))
        new = item.get("new_string", item.get("new_str"))
        if isinstance(old, str) and isinstance(new, str):
            edits.append((old, new, bool(item.get("replace_all"))))
    return edits


def reverse_edits(data: bytes, edits: Sequence[tuple[str, str, bool]]) -> bytes | None:
    """The content before ``edits`` were applied, or None when that cannot be known."""
    if not edits:
        return None
    text = data.decode("utf-8", "surrogateescape")
    for old, new, every in reversed(edits):
        if not new:
            return None  # a pure deletion leaves nothing to find
        count = text.count(new)
        if count == 0 or (count > 1 and not every):
            return None
        text = text.replace(new, old) if every else text.replace(new, old, 1)
    return text.encode("utf-8", "surrogateescape")


def resolve(toplevel: str, cwd: str, target: str) -> tuple[str, str] | None:
    """(work-tree relative path with ``/``, absolute path) or None outside the work tree.

    Directories above the file are resolved (a symlinked checkout still matches); the file
    itself is not, so a symlink is seen as one.
    """
    full = target if os.path.isabs(target) else os.path.join(cwd, target)
    full = os.path.normpath(full)
    parent = os.path.realpath(os.path.dirname(full))
    full = os.path.join(parent, os.path.basename(full))
    rel = os.path.relpath(full, os.path.realpath(toplevel))
    if rel == "." or rel.startswith("..") or os.path.isabs(rel):
        return None
    rel = rel.replace(os.sep, "/")
    if rel.split("/")[0] == ".git":
        return None
    return rel, full


def recordable(path: str) -> bool:
    """A path a record can name: one line of UTF-8 text (records are JSON)."""
    if "\n" in path:
        return False
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8, kept as surrogate escapes
        return False
    return True


def _payload_cwd(payload: Mapping[str, Any]) -> str:
    cwd = payload.get("cwd")
    if isinstance(cwd, str) and os.path.isabs(cwd):
        return cwd
    roots = payload.get("workspace_roots")
    if isinstance(roots, list) and roots and isinstance(roots[0], str):
        return roots[0]
    return os.getcwd()


def _ranges(lines: Sequence[int]) -> list[tuple[int, int]]:
    from aibom.attribution.model import compress

    return compress(lines)


def _changed(store: str, before: Event | None, data: bytes) -> list[tuple[int, int]]:
    from aibom.attribution.linediff import changed_lines, split_lines

    new = split_lines(data)
    old: list[str] = []
    if before is not None and before.has_text and before.digest:
        kept = store_mod.read_snapshot(store, before.digest)
        old = split_lines(kept) if kept is not None else []
    return _ranges(changed_lines(old, new))


def _event(
    point: Checkpoint,
    seq: int,
    phase: str,
    rel: str,
    state: store_mod.FileState,
    digest: str | None,
    changed: Sequence[tuple[int, int]],
    *,
    synthetic: bool = False,
) -> Event:
    return Event(
        seq,
        point.at,
        point.agent,
        phase,
        rel,
        state.state,
        agent_version=point.agent_version,
        model=point.model,
        session=point.session,
        digest=digest,
        lines=state.lines,
        changed=changed,
        known=point.known_shape,
        synthetic=synthetic,
    )


def observe(
    toplevel: str,
    state_dir: str,
    point: Checkpoint,
    payload: Mapping[str, Any],
    *,
    files: Sequence[str] = (),
    phase: str | None = None,
) -> tuple[list[Event], list[str]]:
    """Record the state of each file the payload names; returns (events, warnings)."""
    warnings: list[str] = []
    targets = list(files) or edited_paths(payload)
    if not targets:
        from aibom.provenance.checkpoint import tool_name

        tool = tool_name(payload) or ""
        if tool.lower() in _EDIT_TOOLS:  # a file-writing tool, but no file named
            return [], [f"{tool} payload names no file; no lines recorded"]
        return [], []
    phase = phase or phase_of(point.event)
    cwd = _payload_cwd(payload)
    store = store_mod.store_dir(state_dir)
    history: list[Event] | None = None
    events: list[Event] = []
    seq = time.time_ns()
    for target in targets:
        where = resolve(toplevel, cwd, target)
        if where is None:
            warnings.append(f"{target}: outside the work tree; not recorded")
            continue
        rel, full = where
        if not recordable(rel):
            warnings.append(
                f"{target!r}: not a name a record can hold (one line of UTF-8); no line credit"
            )
            continue
        state = store_mod.read_state(full)
        digest = store_mod.write_snapshot(store, state.data) if state.data is not None else None
        changed: list[tuple[int, int]] = []
        if phase == "post" and state.data is not None:
            if history is None:
                history = store_mod.load(store)
            before = store_mod.last_for(history, rel)
            anchored = (
                before is not None
                and before.phase == "pre"
                and before.agent == point.agent
                and before.session == point.session
            )
            if not anchored:
                restored = reverse_edits(state.data, edits_of(payload))
                if restored is not None and restored != state.data:
                    pre = store_mod.FileState("text", None, restored.count(b"\n"), restored)
                    pre_digest = store_mod.write_snapshot(store, restored)
                    before = _event(point, seq, "pre", rel, pre, pre_digest, (), synthetic=True)
                    events.append(before)
                    seq += 1
            changed = _changed(store, before, state.data)
        events.append(_event(point, seq, phase, rel, state, digest, changed))
        seq += 1
        if state.state not in store_mod.TEXT_STATES and state.state != "missing":
            warnings.append(f"{rel}: {state.state} file; no line credit")
    store_mod.append(store, events)
    return events, warnings
