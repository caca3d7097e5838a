"""``aibom install`` / ``uninstall``: per repository, opt-in, reversible.

Writes native hook shims (chaining any hook that was there) or prints the pre-commit
framework snippet, and sets the repository-local git configuration that keeps records alive
through rewrites, merges and fetches. Everything it adds is listed in
``<common-dir>/aibom/install.json`` so ``uninstall`` removes exactly that and nothing else.
It never touches global git configuration or an agent's user-level configuration.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from aibom.errors import UsageError
from aibom.gitutil import NOTES_REF, Repo

MARKER = "aibom-managed-hook"
CHAIN_SUFFIX = ".aibom-chained"
HOOKS: dict[str, str] = {
    "pre-commit": "deps",
    "commit-msg": "commit_msg",
    "post-commit": "post_commit",
    "post-merge": "post_merge",
    "post-rewrite": "post_rewrite",
}
STDIN_HOOKS = frozenset({"post-rewrite"})
# A chained pre-commit or commit-msg hook that fails aborts the commit, as it did before
# aibom. Git ignores the status of post-* hooks, so their failure must not keep aibom from
# recording.
CHAINED_FAILURE = {"commit-msg": "|| exit $?", "pre-commit": "|| exit $?"}
MANIFEST = "install.json"


def hooks_source_dir() -> Path:
    pkg = Path(__file__).resolve().parent
    for candidate in (pkg / "_hooks", pkg.parent / "hooks"):
        if (candidate / "aibom-hook.sh.in").is_file():
            return candidate
    raise UsageError("aibom's hook templates are missing from this installation")


def package_root() -> str:
    """The directory that holds the ``aibom`` package (site-packages, or a source checkout)."""
    return str(Path(__file__).resolve().parent.parent)


def render_hook(hook: str, python: str) -> str:
    import shlex

    template = (hooks_source_dir() / "aibom-hook.sh.in").read_text("utf-8")
    stdin = hook in STDIN_HOOKS
    return (
        template.replace("@STDIN_SAVE@", "input=$(cat)" if stdin else "")
        .replace("@STDIN_FEED@", "printf '%s\\n' \"$input\" | " if stdin else "")
        .replace("@CHAINED_FAILURE@", CHAINED_FAILURE.get(hook, "|| :"))
        .replace("@MODULE@", HOOKS[hook])
        .replace("@HOOK@", hook)
        .replace("@PYTHON@", shlex.quote(python))
        .replace("@PKGROOT@", shlex.quote(package_root()))
    )


def is_ours(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return MARKER.encode() in fh.read(512)
    except OSError:
        return False


def config_entries(remotes: list[str]) -> list[tuple[str, str, bool]]:
    """(key, value, multi-valued) the installation adds."""
    entries = [
        ("notes.rewriteRef", NOTES_REF, True),
        ("notes.rewriteMode", "cat_sort_uniq", False),
        ("notes.aibom.mergeStrategy", "cat_sort_uniq", False),
        ("notes.displayRef", NOTES_REF, True),
    ]
    for remote in remotes:
        entries.append(
            (f"remote.{remote}.fetch", f"+{NOTES_REF}:refs/notes/remotes/{remote}/aibom", True)
        )
    return entries


@dataclass(frozen=True)
class InstallResult:
    hooks_dir: str
    hooks: tuple[str, ...]
    chained: tuple[str, ...]
    config_added: tuple[tuple[str, str], ...]
    pre_commit_snippet: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def _hooks_dir(repo: Repo) -> Path:
    proc = repo.git(["config", "--show-scope", "--get", "core.hooksPath"], check=False)
    if proc.returncode == 0 and proc.stdout.strip():
        scope, _, value = proc.stdout.decode().strip().partition("\t")
        if scope not in {"local", "worktree"}:
            raise UsageError(
                f"core.hooksPath is set in your {scope} git configuration ({value}); installing "
                "there would change every repository that shares it",
                hint="use the pre-commit framework (aibom install --pre-commit), or set "
                "core.hooksPath locally for this repository",
            )
    path = Path(repo.out(["rev-parse", "--git-path", "hooks"]).strip())
    return path if path.is_absolute() else (Path(repo.cwd) / path).resolve()


def _remotes(repo: Repo) -> list[str]:
    return [r for r in repo.out(["remote"]).split() if r]


def _get_all(repo: Repo, key: str) -> list[str]:
    proc = repo.git(["config", "--local", "--get-all", key], check=False)
    return proc.stdout.decode("utf-8", "replace").splitlines() if proc.returncode == 0 else []


def apply_config(repo: Repo, remotes: list[str]) -> list[tuple[str, str]]:
    added: list[tuple[str, str]] = []
    for key, value, multi in config_entries(remotes):
        current = _get_all(repo, key)
        if value in current:
            continue
        if not multi and current:
            continue  # the user chose a value already; keep it
        repo.git(["config", "--local", "--add" if multi else "--replace-all", key, value])
        added.append((key, value))
    return added


def _load_manifest(repo: Repo) -> dict[str, list[list[str]]]:
    try:
        data = json.loads((Path(repo.shared_dir) / MANIFEST).read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_manifest(repo: Repo, data: dict[str, list[list[str]]]) -> None:
    Path(repo.shared_dir).mkdir(parents=True, exist_ok=True)
    (Path(repo.shared_dir) / MANIFEST).write_text(
        json.dumps(data, indent=2, sort_keys=True), "utf-8"
    )


def _require_worktree(repo: Repo) -> None:
    if repo.bare:
        raise UsageError(
            "this is a bare repository: no commits are made here, so there is nothing to hook",
            hint="run aibom install in a clone that has a work tree",
        )


def install(repo: Repo, *, pre_commit: bool = False, python: str | None = None) -> InstallResult:
    _require_worktree(repo)
    manifest = _load_manifest(repo)
    written: list[str] = []
    chained: list[str] = []
    hooks_dir = _hooks_dir(repo)
    if not pre_commit:
        hooks_dir.mkdir(parents=True, exist_ok=True)
        for hook in HOOKS:
            target = hooks_dir / hook
            if target.exists() and not is_ours(target):
                backup = hooks_dir / (hook + CHAIN_SUFFIX)
                if backup.exists():
                    raise UsageError(f"{backup} exists already; move it away and retry")
                os.replace(target, backup)
                chained.append(hook)
            target.write_text(render_hook(hook, python or sys.executable), "utf-8")
            mode = target.stat().st_mode
            target.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            written.append(hook)
        manifest["hooks_dir"] = [[str(hooks_dir)]]
    added = apply_config(repo, _remotes(repo))
    manifest.setdefault("config_added", [])
    manifest["config_added"] += [[k, v] for k, v in added]
    _save_manifest(repo, manifest)
    snippet = PRE_COMMIT_SNIPPET if pre_commit else None
    return InstallResult(
        str(hooks_dir), tuple(written), tuple(chained), tuple(added), snippet, _warnings(repo)
    )


def _warnings(repo: Repo) -> tuple[str, ...]:
    """Choices of the user's that aibom keeps but that can cost records."""
    found: list[str] = []
    mode = _get_all(repo, "notes.rewriteMode")
    if mode and mode[-1] not in ("cat_sort_uniq", "concatenate"):
        found.append(
            f"notes.rewriteMode is {mode[-1]!r}: on amend and rebase git will replace the new "
            "commit's records instead of uniting them (aibom recommends cat_sort_uniq)"
        )
    strategy = _get_all(repo, "notes.aibom.mergeStrategy")
    if strategy and strategy[-1] not in ("cat_sort_uniq", "union"):
        found.append(
            f"notes.aibom.mergeStrategy is {strategy[-1]!r}: merging notes from other clones "
            "may drop records (aibom recommends cat_sort_uniq)"
        )
    return tuple(found)


@dataclass(frozen=True)
class UninstallResult:
    removed: tuple[str, ...]
    restored: tuple[str, ...]
    config_removed: tuple[tuple[str, str], ...]


def uninstall(repo: Repo) -> UninstallResult:
    _require_worktree(repo)
    manifest = _load_manifest(repo)
    dirs = {Path(entry[0]) for entry in manifest.get("hooks_dir", [])} | {_hooks_dir(repo)}
    removed: list[str] = []
    restored: list[str] = []
    for hooks_dir in sorted(dirs):
        for hook in HOOKS:
            target = hooks_dir / hook
            if is_ours(target):
                target.unlink()
                removed.append(hook)
            backup = hooks_dir / (hook + CHAIN_SUFFIX)
            if backup.exists() and not target.exists():
                os.replace(backup, target)
                restored.append(hook)
    config_removed: list[tuple[str, str]] = []
    for key, value in manifest.get("config_added", []):
        if value in _get_all(repo, key):
            repo.git(["config", "--local", "--fixed-value", "--unset-all", key, value], check=False)
            config_removed.append((key, value))
    try:
        (Path(repo.shared_dir) / MANIFEST).unlink()
    except FileNotFoundError:
        pass
    return UninstallResult(tuple(removed), tuple(restored), tuple(config_removed))


PRE_COMMIT_SNIPPET = """\
# .pre-commit-config.yaml — aibom hooks (aibom must be installed: pip install aibom)
repos:
  - repo: local
    hooks:
      - id: aibom-deps
        name: aibom checks the dependencies this commit adds
        entry: aibom-deps
        language: system
        stages: [pre-commit]
        pass_filenames: false
      - id: aibom-commit-msg
        name: aibom stamps AI-Origin trailers
        entry: aibom-commit-msg
        language: system
        stages: [commit-msg]
        always_run: true
      - id: aibom-post-commit
        name: aibom records generation context
        entry: aibom-post-commit
        language: system
        stages: [post-commit]
        always_run: true
        pass_filenames: false
      - id: aibom-post-merge
        name: aibom records merge commits
        entry: aibom-post-merge
        language: system
        stages: [post-merge]
        always_run: true
        pass_filenames: false
      - id: aibom-post-rewrite
        name: aibom keeps records through rewrites
        entry: aibom-post-rewrite
        language: system
        stages: [post-rewrite]
        always_run: true
        pass_filenames: false
# then: pre-commit install --hook-type pre-commit --hook-type commit-msg --hook-type post-commit \\
#         --hook-type post-merge --hook-type post-rewrite
"""
