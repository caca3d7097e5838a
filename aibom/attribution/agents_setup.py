"""``aibom agents install|uninstall|status AGENT``: wire an agent's hooks to ``aibom checkpoint``.

Each agent keeps its hooks in its own JSON file; aibom writes the *project-local* one by
default (user-level only with ``--global``), merging its entries into what is there and
never touching other entries. What it added is listed in a manifest (``agents.json`` in the
repository's common git dir, or next to the global shim), so ``uninstall`` removes exactly
that: the entries, the file when aibom created it and nothing else is left, and the shim.

The hook command is a small shell shim that starts Python the way the git hook shims do
(``-E -S``, aibom's directory on ``sys.path``), so a checkpoint costs a bare interpreter
start plus the work; it exits 0 even when aibom is gone, so an agent is never blocked.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibom.errors import UsageError
from aibom.gitutil import Repo

MANIFEST = "agents.json"
SHIM = "aibom-checkpoint"
SHIM_MARKER = "aibom-managed-checkpoint"


@dataclass(frozen=True)
class HookEntry:
    event: str
    matcher: str | None
    command: str

    def as_list(self) -> list[str | None]:
        return [self.event, self.matcher, self.command]


class ConfigFormat(ABC):
    """How one agent's hook file holds a command hook (one implementation per layout)."""

    @abstractmethod
    def add(self, doc: dict[str, Any], entry: HookEntry) -> bool:
        """Add ``entry`` unless present; True when the document changed."""

    @abstractmethod
    def remove(self, doc: dict[str, Any], entry: HookEntry) -> bool:
        """Remove exactly ``entry``; True when the document changed."""

    @abstractmethod
    def has(self, doc: dict[str, Any], entry: HookEntry) -> bool: ...

    def empty(self, doc: dict[str, Any]) -> bool:
        """Nothing but an empty hook table is left (the file can go, if aibom created it)."""
        rest = {k: v for k, v in doc.items() if k not in ("hooks", "version")}
        return not rest and not doc.get("hooks")


def _events(doc: dict[str, Any], create: bool) -> dict[str, Any] | None:
    hooks = doc.get("hooks")
    if hooks is None and create:
        hooks = doc["hooks"] = {}
    if hooks is not None and not isinstance(hooks, dict):
        raise UsageError('the "hooks" key of the agent configuration is not an object')
    return hooks


class MatcherGroups(ConfigFormat):
    """``{"hooks": {Event: [{"matcher": M, "hooks": [{"type": "command", "command": C}]}]}}``.

    Claude Code, Gemini CLI and Codex.
    """

    def _groups(self, doc: dict[str, Any], event: str, create: bool) -> list[Any] | None:
        hooks = _events(doc, create)
        if hooks is None:
            return None
        groups = hooks.get(event)
        if groups is None and create:
            groups = hooks[event] = []
        return groups if isinstance(groups, list) else None

    @staticmethod
    def _ours(handler: Any, entry: HookEntry) -> bool:
        return isinstance(handler, dict) and handler.get("command") == entry.command

    def has(self, doc: dict[str, Any], entry: HookEntry) -> bool:
        for group in self._groups(doc, entry.event, False) or ():
            if (
                isinstance(group, dict)
                and group.get("matcher") == entry.matcher
                and any(self._ours(h, entry) for h in group.get("hooks") or ())
            ):
                return True
        return False

    def add(self, doc: dict[str, Any], entry: HookEntry) -> bool:
        if self.has(doc, entry):
            return False
        groups = self._groups(doc, entry.event, True)
        if groups is None:
            raise UsageError(f'hooks "{entry.event}" of the agent configuration is not a list')
        group: dict[str, Any] = {"hooks": [{"type": "command", "command": entry.command}]}
        if entry.matcher is not None:
            group = {"matcher": entry.matcher, **group}
        groups.append(group)
        return True

    def remove(self, doc: dict[str, Any], entry: HookEntry) -> bool:
        groups = self._groups(doc, entry.event, False)
        if not groups:
            return False
        changed = False
        for group in list(groups):
            if not isinstance(group, dict) or group.get("matcher") != entry.matcher:
                continue
            handlers = group.get("hooks")
            if not isinstance(handlers, list):
                continue
            kept = [h for h in handlers if not self._ours(h, entry)]
            if len(kept) != len(handlers):
                changed = True
                if kept:
                    group["hooks"] = kept
                else:
                    groups.remove(group)
        _drop_empty_event(doc, entry.event)
        return changed


class CommandList(ConfigFormat):
    """``{"version": 1, "hooks": {event: [{KEY: C, ...}]}}``: Cursor (command), Copilot (bash)."""

    def __init__(self, key: str, extra: dict[str, Any] | None = None) -> None:
        self.key = key
        self.extra = dict(extra or {})

    def _list(self, doc: dict[str, Any], event: str, create: bool) -> list[Any] | None:
        hooks = _events(doc, create)
        if hooks is None:
            return None
        found = hooks.get(event)
        if found is None and create:
            found = hooks[event] = []
        return found if isinstance(found, list) else None

    def has(self, doc: dict[str, Any], entry: HookEntry) -> bool:
        found = self._list(doc, entry.event, False) or []
        return any(isinstance(h, dict) and h.get(self.key) == entry.command for h in found)

    def add(self, doc: dict[str, Any], entry: HookEntry) -> bool:
        if self.has(doc, entry):
            return False
        doc.setdefault("version", 1)
        found = self._list(doc, entry.event, True)
        if found is None:
            raise UsageError(f'hooks "{entry.event}" of the agent configuration is not a list')
        found.append({**self.extra, self.key: entry.command})
        return True

    def remove(self, doc: dict[str, Any], entry: HookEntry) -> bool:
        found = self._list(doc, entry.event, False)
        if not found:
            return False
        kept = [h for h in found if not (isinstance(h, dict) and h.get(self.key) == entry.command)]
        if len(kept) == len(found):
            return False
        found[:] = kept
        _drop_empty_event(doc, entry.event)
        return True


def _drop_empty_event(doc: dict[str, Any], event: str) -> None:
    hooks = doc.get("hooks")
    if isinstance(hooks, dict) and hooks.get(event) == []:
        del hooks[event]


@dataclass(frozen=True)
class AgentSpec:
    name: str
    project_file: str  # relative to the work tree
    global_file: str | None  # relative to the home directory; None: no user-level file
    layout: ConfigFormat
    events: tuple[tuple[str, str | None], ...]
    note: str = ""


_EDIT_TOOLS = "Write|Edit|MultiEdit"
AGENTS: dict[str, AgentSpec] = {
    spec.name: spec
    for spec in (
        AgentSpec(
            "claude-code",
            ".claude/settings.local.json",
            ".claude/settings.json",
            MatcherGroups(),
            (("PreToolUse", _EDIT_TOOLS), ("PostToolUse", _EDIT_TOOLS)),
        ),
        AgentSpec(
            "codex",
            ".codex/hooks.json",
            ".codex/hooks.json",
            MatcherGroups(),
            (("PreToolUse", "apply_patch|Edit|Write"), ("PostToolUse", "apply_patch|Edit|Write")),
            "Codex runs hooks only with `codex_hooks = true` under [features] in its "
            "config.toml, and project hooks only in trusted projects",
        ),
        AgentSpec(
            "cursor",
            ".cursor/hooks.json",
            ".cursor/hooks.json",
            CommandList("command"),
            (("afterFileEdit", None),),
            "Cursor has no pre-edit hook: the state before each edit is rebuilt from the "
            "edit's old and new strings",
        ),
        AgentSpec(
            "gemini-cli",
            ".gemini/settings.json",
            ".gemini/settings.json",
            MatcherGroups(),
            (("BeforeTool", "write_file|replace"), ("AfterTool", "write_file|replace")),
        ),
        AgentSpec(
            "copilot",
            ".github/hooks/aibom.json",
            None,
            CommandList("bash", {"type": "command", "timeoutSec": 10}),
            (("preToolUse", None), ("postToolUse", None)),
            "Copilot reads .github/hooks/*.json from the repository; the hook names this "
            "clone's aibom and does nothing where that is missing",
        ),
    )
}
ALIASES = {
    "claude": "claude-code",
    "claude-code": "claude-code",
    "gemini": "gemini-cli",
    "github-copilot": "copilot",
    "copilot-cli": "copilot",
}


def spec_for(agent: str) -> AgentSpec:
    name = ALIASES.get(agent.strip().lower(), agent.strip().lower())
    if name not in AGENTS:
        raise UsageError(
            f"no hook set-up known for agent {agent!r}",
            hint=f"one of: {', '.join(AGENTS)} (or call `aibom checkpoint` from your agent)",
        )
    return AGENTS[name]


# -- where things go -------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    name: str  # project | global
    config_root: Path  # the work tree, or the home directory
    state_dir: Path  # where the shim and the manifest live


def scope_for(repo: Repo | None, global_: bool) -> Scope:
    if global_:
        home = Path.home()
        data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
        return Scope("global", home, data / "aibom")
    if repo is None or repo.toplevel is None:
        raise UsageError(
            "agent hooks are set up per work tree",
            hint="run this in a clone with a work tree, or pass --global",
        )
    return Scope("project", Path(repo.toplevel), Path(repo.shared_dir))


def shim_text(python: str) -> str:
    root = str(Path(__file__).resolve().parent.parent.parent)
    return (
        "#!/bin/sh\n"
        f"# {SHIM_MARKER} (written by `aibom agents install`; `aibom agents uninstall` "
        "removes it)\n"
        "# Records an agent hook event for line-level attribution; never blocks the agent.\n"
        f"py={shlex.quote(python)}\n"
        f"AIBOM_HOOK_PATH={shlex.quote(root)}\n"
        "export AIBOM_HOOK_PATH\n"
        'if [ -x "$py" ]; then\n'
        '  exec "$py" -E -S -c \'import os, sys\n'
        'sys.path.insert(0, os.environ["AIBOM_HOOK_PATH"])\n'
        "from aibom.hookentry.checkpoint import main\n"
        'sys.exit(main())\' "$@"\n'
        "fi\n"
        "exit 0\n"
    )


def _write_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Write ``path`` whole (a temporary file beside it, renamed into place); an existing
    file keeps its mode unless ``mode`` is given."""
    if mode is None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            pass
    tmp = path.with_name(f".{path.name}.aibom.{os.getpid()}")
    tmp.write_text(text, "utf-8")
    if mode is not None:
        tmp.chmod(mode)
    os.replace(tmp, path)


def _config_target(path: Path, scope: Scope) -> Path:
    """The file a write of the agent's hook file ``path`` must go to: ``path`` itself, or
    what it links to (renaming over a symbolic link would replace the link with a file).

    A dangling link (of the file or a folder on its way) is refused: aibom would create a
    file somewhere it cannot see. In a project, so is a file that resolves outside the work
    tree: a cloned repository must not make aibom write JSON over a file of the user's."""
    folder = path
    while folder != scope.config_root and scope.config_root in folder.parents:
        if folder.is_symlink() and not folder.exists():
            raise UsageError(
                f"{folder} is a symbolic link to {os.readlink(folder)}, which does not exist; "
                "aibom will not write through it",
                hint="point the link at an existing file (or remove it) and run the command again",
            )
        folder = folder.parent
    target = Path(os.path.realpath(path))
    root = Path(os.path.realpath(scope.config_root))
    if scope.name == "project" and root not in target.parents:
        raise UsageError(
            f"{path} resolves to {target}, outside the repository; aibom will not write there",
            hint="make it a file (or a link to one) inside the repository, then run this again",
        )
    return target


def _read_doc(path: Path) -> dict[str, Any] | None:
    return _read_doc_text(path)[0]


def _read_doc_text(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The file's JSON object and its text; (None, None) when it does not exist."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    if not text.strip():
        return {}, text
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}); aibom will not "
            "overwrite it",
            hint="fix the file (or move it away) and run the command again",
        ) from exc
    if not isinstance(doc, dict):
        raise UsageError(f"{path} does not hold a JSON object", hint="fix or move the file")
    return doc, text


def _load_manifest(scope: Scope) -> dict[str, Any]:
    try:
        data = json.loads((scope.state_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {"agents": {}}
    if not isinstance(data, dict) or not isinstance(data.get("agents"), dict):
        return {"agents": {}}
    return data


def _key(manifest: dict[str, Any], name: str, path: Path) -> str:
    """The manifest key of what aibom wrote for agent ``name`` into ``path``: one record per
    hook file, as each linked worktree has its own (a record an older aibom keyed by the
    agent alone is found under that name)."""
    old = manifest["agents"].get(name)
    if isinstance(old, dict) and old.get("config_file") == str(path):
        return name
    return f"{name} {path}"


def _save_manifest(scope: Scope, data: dict[str, Any]) -> None:
    path = scope.state_dir / MANIFEST
    if not data["agents"]:
        path.unlink(missing_ok=True)
        return
    scope.state_dir.mkdir(parents=True, exist_ok=True)
    _write_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def phase_of(event: str) -> str:
    return "pre" if event.lower().startswith(("pre", "before")) else "post"


def entries_for(spec: AgentSpec, shim: Path) -> list[HookEntry]:
    """One shell command per event; the phase is explicit (Copilot's payloads do not name it).

    The command does nothing where the shim does not exist (a hook file committed and used
    on another machine, or aibom's state removed), so it never fails the agent.
    """
    quoted = shlex.quote(str(shim))
    return [
        HookEntry(
            event,
            matcher,
            f"[ ! -x {quoted} ] || exec {quoted} {spec.name} --phase {phase_of(event)}",
        )
        for event, matcher in spec.events
    ]


# -- the operations --------------------------------------------------------------------------
@dataclass(frozen=True)
class AgentResult:
    agent: str
    scope: str
    config_file: str
    changed: bool
    entries: tuple[tuple[str, str | None], ...]  # (event, matcher) added or removed
    file_created: bool
    file_removed: bool
    note: str


def install(repo: Repo | None, agent: str, *, global_: bool = False) -> AgentResult:
    spec = spec_for(agent)
    scope = scope_for(repo, global_)
    rel = spec.global_file if global_ else spec.project_file
    if rel is None:
        raise UsageError(
            f"{spec.name} has no user-level hook file aibom knows of",
            hint=f"run `aibom agents install {spec.name}` in each repository instead",
        )
    path = scope.config_root / rel
    target = _config_target(path, scope)
    existing, original = _read_doc_text(path)
    doc: dict[str, Any] = existing if existing is not None else {}
    keys_before = set(doc)
    shim = scope.state_dir / SHIM
    added = [e for e in entries_for(spec, shim) if spec.layout.add(doc, e)]
    manifest = _load_manifest(scope)
    key = _key(manifest, spec.name, path)
    scope.state_dir.mkdir(parents=True, exist_ok=True)
    _write_atomic(shim, shim_text(sys.executable), 0o755 | stat.S_IRUSR)
    if added:
        created_dirs = [str(p) for p in _missing_dirs(path.parent, scope.config_root)]
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(target, json.dumps(doc, indent=2) + "\n")
        record = manifest["agents"].get(key) or {
            "config_file": str(path),
            "created": existing is None,
            "created_dirs": created_dirs,
            "entries": [],
            "original": original,  # the text to put back when uninstall leaves the same JSON
        }
        record["entries"] += [e.as_list() for e in added]
        keys = record.setdefault("added_keys", [])
        keys += [k for k in doc if k not in keys_before and k not in keys]
        manifest["agents"][key] = record
    elif key not in manifest["agents"]:
        manifest["agents"][key] = {
            "config_file": str(path),
            "created": False,
            "created_dirs": [],
            "entries": [],
        }  # present already (written by hand): status knows, uninstall leaves it
    _save_manifest(scope, manifest)
    return AgentResult(
        spec.name,
        scope.name,
        str(path),
        bool(added),
        tuple((e.event, e.matcher) for e in added),
        existing is None and bool(added),
        False,
        spec.note,
    )


def _missing_dirs(folder: Path, root: Path) -> list[Path]:
    missing: list[Path] = []
    while folder != root and not folder.exists() and root in folder.parents:
        missing.append(folder)
        folder = folder.parent
    return missing


def uninstall(repo: Repo | None, agent: str, *, global_: bool = False) -> AgentResult:
    spec = spec_for(agent)
    scope = scope_for(repo, global_)
    manifest = _load_manifest(scope)
    rel = spec.global_file if global_ else spec.project_file
    record = None
    if rel is not None:
        record = manifest["agents"].pop(_key(manifest, spec.name, scope.config_root / rel), None)
    if record is None:
        return AgentResult(
            spec.name, scope.name, str(scope.config_root / (rel or "")), False, (), False, False,
            "aibom did not install hooks for this agent here; nothing changed",
        )  # fmt: skip
    path = Path(record["config_file"])
    doc = _read_doc(path)
    removed: list[HookEntry] = []
    file_removed = False
    if doc is not None:
        for raw in record.get("entries") or ():
            entry = HookEntry(str(raw[0]), raw[1], str(raw[2]))
            if spec.layout.remove(doc, entry):
                removed.append(entry)
        _drop_added_keys(doc, record.get("added_keys") or ())
        if record.get("created") and spec.layout.empty(doc):
            path.unlink()
            file_removed = True
            for folder in record.get("created_dirs") or ():
                try:
                    Path(folder).rmdir()
                except OSError:
                    break
        elif removed:
            _write_atomic(_config_target(path, scope), _restored(record.get("original"), doc))
    if not manifest["agents"]:
        shim = scope.state_dir / SHIM
        if _is_our_shim(shim):
            shim.unlink()
    _save_manifest(scope, manifest)
    return AgentResult(
        spec.name,
        scope.name,
        str(path),
        bool(removed) or file_removed,
        tuple((e.event, e.matcher) for e in removed),
        False,
        file_removed,
        "",
    )


def _drop_added_keys(doc: dict[str, Any], keys: Any) -> None:
    """Remove the top-level keys install added: ``hooks`` once empty, Cursor's and Copilot's
    ``version`` as install set it."""
    if "hooks" in keys and doc.get("hooks") == {}:
        del doc["hooks"]
    if "version" in keys and doc.get("version") == 1:
        del doc["version"]


def _restored(original: Any, doc: dict[str, Any]) -> str:
    """The file's text before install when ``doc`` is what it held (its own formatting),
    else ``doc`` written out."""
    if isinstance(original, str):
        try:
            if json.loads(original or "{}") == doc:
                return original
        except ValueError:
            pass
    return json.dumps(doc, indent=2) + "\n"


def _is_our_shim(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return SHIM_MARKER.encode() in fh.read(300)
    except OSError:
        return False


@dataclass(frozen=True)
class AgentStatus:
    agent: str
    scope: str
    config_file: str
    installed: bool  # every hook entry is in the agent's file
    missing: tuple[tuple[str, str | None], ...]
    managed: bool  # aibom wrote them (uninstall removes them)
    note: str


def status(repo: Repo | None, agents: list[str], *, global_: bool = False) -> list[AgentStatus]:
    scope = scope_for(repo, global_)
    manifest = _load_manifest(scope)
    shim = scope.state_dir / SHIM
    found: list[AgentStatus] = []
    for name in agents or list(AGENTS):
        spec = spec_for(name)
        rel = spec.global_file if global_ else spec.project_file
        if rel is None:
            continue
        path = scope.config_root / rel
        try:
            doc = _read_doc(path) or {}
        except UsageError:
            doc = {}
        missing = tuple(
            (e.event, e.matcher) for e in entries_for(spec, shim) if not spec.layout.has(doc, e)
        )
        found.append(
            AgentStatus(
                spec.name,
                scope.name,
                str(path),
                not missing and _is_our_shim(shim),
                missing,
                bool(
                    (manifest["agents"].get(_key(manifest, spec.name, path)) or {}).get("entries")
                ),
                spec.note,
            )
        )
    return found
