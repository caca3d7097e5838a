"""``aibom demo``: a throwaway repository with human and AI commits, hooks installed.

Everything runs for real: git commits go through the installed native hooks, which stamp
trailers and write records; one commit skips the hooks (as aider does) and is backfilled.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from aibom import demo_run
from aibom.errors import UsageError
from aibom.report import Format, dump_json
from aibom.testing.registry import LoopbackRegistry

AGENT_VARS = (
    "CLAUDECODE",
    "CLAUDE_CODE_ENTRYPOINT",
    "CODEX_SANDBOX",
    "CURSOR_AGENT",
    "CURSOR_TRACE_ID",
    "GEMINI_CLI",
    "AI_AGENT",
    "AGENT",
    "OPENCODE",
    "AIDER_MODEL",
    "ANTHROPIC_MODEL",
)


def _clean_env() -> dict[str, str]:
    """The demo's commits must not pick up the real agent that may be running this demo."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "AIBOM_")) and k not in AGENT_VARS
    }
    env.update(
        GIT_AUTHOR_NAME="Dana Developer",
        GIT_AUTHOR_EMAIL="dana@example.com",
        GIT_COMMITTER_NAME="Dana Developer",
        GIT_COMMITTER_EMAIL="dana@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        AIBOM_PROCESS_ANCESTRY="false",
    )
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str], *, input: str | None = None) -> str:
    return demo_run.run(cmd, cwd, env, input=input).stdout


def _aibom(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    return demo_run.aibom(args, cwd, env).stdout


def _commit(
    repo: Path, env: dict[str, str], path: str, content: str, message: str, *extra: str
) -> None:
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(content, encoding="utf-8")
    _run(["git", "add", path], repo, env)
    _run(["git", "commit", "-q", "-m", message, *extra], repo, env)


DEMO_PACKAGES = {
    "pypi": {
        "requests": {
            "versions": {"2.31.0": "2023-05-22T15:00:00Z", "2.32.3": "2024-05-29T15:00:00Z"}
        },
        "flask": {"versions": {"3.0.0": "2023-09-30T20:00:00Z"}},
    },
    "npm": {},
}


def _registry_env(env: dict[str, str], registry: LoopbackRegistry, cache: Path) -> dict[str, str]:
    """Point the gate at the loopback registry the way a user points pip and npm elsewhere."""
    return dict(
        env,
        PIP_INDEX_URL=registry.pypi_url,
        PIP_EXTRA_INDEX_URL="",
        NPM_CONFIG_REGISTRY=registry.npm_url,
        AIBOM_DEPS_PUBLIC_PYPI=registry.pypi_url,
        AIBOM_DEPS_PUBLIC_NPM=registry.npm_url,
        AIBOM_CACHE_DIR=str(cache),
    )


def _try_commit(repo: Path, env: dict[str, str], path: str, content: str, message: str) -> str:
    """Commit that may be refused by a hook: returns the hooks' stderr ('' when committed)."""
    (repo / path).write_text(content, encoding="utf-8")
    _run(["git", "add", path], repo, env)
    proc = subprocess.run(
        ["git", "commit", "-q", "-m", message],
        cwd=repo,
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )
    return "" if proc.returncode == 0 else proc.stderr.strip()


def gate_scene(repo: Path, env: dict[str, str]) -> list[str]:
    """An agent adds a typosquatted dependency: the pre-commit gate blocks it; the fix lands."""
    say = [
        "",
        "dependency gate: an agent session adds `reqeusts` to requirements.txt",
        "$ git commit -m 'Add HTTP client'   # pre-commit hook: aibom-deps",
    ]
    _aibom(
        ["session", "start", "--agent", "codex/0.58.0", "--model", "openai/gpt-5-codex"],
        repo,
        env,
    )
    refused = _try_commit(
        repo, env, "requirements.txt", "flask>=3\nreqeusts>=2.31\n", "Add HTTP client"
    )
    if not refused:
        raise RuntimeError("the gate let a typosquat through")
    say.append(refused)
    say.append("(commit refused, exit 1)")
    say.append("$ sed -i s/reqeusts/requests/ requirements.txt && git commit -m 'Add HTTP client'")
    refused = _try_commit(
        repo, env, "requirements.txt", "flask>=3\nrequests>=2.31\n", "Add HTTP client"
    )
    if refused:
        raise RuntimeError(f"the fixed commit was refused: {refused}")
    _aibom(["session", "end"], repo, env)
    say.append("committed: the note records which dependencies this AI commit added")
    return say


def build(repo: Path, registry: LoopbackRegistry | None = None) -> list[str]:
    """Create the demo history in ``repo``; returns the narration."""
    env = _clean_env()
    say: list[str] = []
    _run(["git", "init", "-q", "-b", "main", str(repo)], repo.parent, env)
    _commit(repo, env, "README.md", "# payments\n", "Start the payments service")
    _commit(
        repo,
        env,
        "pay/util.py",
        "def cents(x):\n    return int(x * 100)\n",
        "Add cents helper\n\n"
        "Co-authored-by: aider (anthropic/claude-3-7-sonnet-20250219) <aider@aider.chat>",
    )
    say.append("history from before aibom: a human commit and an aider commit (no records)")
    say.append(f"$ aibom install   # in {repo}")
    say.append(_aibom(["install"], repo, env).strip())

    _commit(repo, env, "docs/ops.md", "# Operations\n", "Document operations")
    say.append("human commit: no agent anywhere -> AI-Origin: human")

    _aibom(
        [
            "session",
            "start",
            "--agent",
            "claude-code/2.0.14",
            "--model",
            "anthropic/claude-opus-4-5-20251101",
            "--param",
            "temperature=0.2",
            "--param",
            "reasoning_effort=high",
        ],
        repo,
        env,
    )
    _commit(
        repo,
        env,
        "pay/api.py",
        "def charge(amount):\n    return {'ok': amount > 0}\n",
        "Add charge endpoint",
    )
    _aibom(["session", "end"], repo, env)
    say.append(
        "session commit: aibom session start --agent claude-code/2.0.14"
        " --model anthropic/claude-opus-4-5-20251101"
    )

    codex_env = dict(env, CODEX_SANDBOX="seatbelt", CODEX_SANDBOX_NETWORK_DISABLED="1")
    _commit(repo, codex_env, "pay/refund.py", "def refund(tx):\n    return tx\n", "Add refunds")
    say.append("agent shell: committed from a Codex sandbox shell (CODEX_SANDBOX set)")

    _commit(repo, env, "pay/limits.py", "LIMIT = 10_000\n", "Add limits\n\nMade-with: Cursor")
    say.append("Cursor commit: 'Made-with: Cursor' trailer")

    say.append("$ aibom backfill")
    say.append(_aibom(["backfill"], repo, env).strip())
    if registry is not None:
        say.extend(gate_scene(repo, _registry_env(env, registry, repo.parent / "cache")))
    return say


def run_demo(keep: Path | None, fmt: Format) -> None:
    if keep is not None:
        keep = keep.resolve()
        target = keep / "payments"
        try:
            keep.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"--keep {keep}: cannot create it ({exc.strerror})") from None
        if target.exists():
            raise UsageError(f"{target} exists already", hint="pick another --keep directory")
        _demo_in(target, fmt)
        return
    with tempfile.TemporaryDirectory(prefix="aibom-demo-") as tmp:
        _demo_in(Path(tmp) / "payments", fmt)


def _demo_in(repo: Path, fmt: Format) -> None:
    repo.mkdir(parents=True, exist_ok=True)
    with LoopbackRegistry() as registry:
        registry.load(DEMO_PACKAGES)
        say = build(repo, registry)
    env = _clean_env()
    log_json = _aibom(["log", "--format", "json"], repo, env) if fmt is Format.JSON else ""
    say += _capture_sections(repo, env)
    say += scenes(repo, env)
    if fmt is Format.JSON:
        import json

        print(dump_json({"repository": str(repo), "log": json.loads(log_json), "narration": say}))
        return
    print("\n".join(say))


def _capture_sections(repo: Path, env: dict[str, str]) -> list[str]:
    """What the hooks recorded so far: the log, one stamped message, one record."""
    return [
        "\n$ aibom log",
        _aibom(["log"], repo, env).rstrip(),
        "\n$ git log -1 --format=%B HEAD~3   # the trailers the commit-msg hook stamped",
        _run(["git", "log", "-1", "--format=%B", "HEAD~3"], repo, env).rstrip(),
        "\n$ aibom show HEAD~3",
        _aibom(["show", "HEAD~3"], repo, env).rstrip(),
        "\n$ git notes --ref=aibom show HEAD   # the dependency record of the last commit",
        _dependency_record(repo, env),
    ]


def scenes(repo: Path, env: dict[str, str]) -> list[str]:
    """Line-level capture and blame, the AI-BOM (built, signed, verified, tampered), trace
    and stats by model, and interop, each on the demo history built so far."""
    from aibom.attribution import demo_blame, demo_capture
    from aibom.bom import demo as bom_demo
    from aibom.forensics import demo as forensics_demo
    from aibom.forensics.index import demo as index_demo
    from aibom.interop import demo as interop_demo
    from aibom.sign import demo as sign_demo

    say = demo_capture.scene(repo, env)
    say += demo_blame.scene(repo, env, demo_capture.PATH)
    bom = repo.parent / "aibom.cdx.json"
    say += bom_demo.scene(repo, env, bom)
    say += sign_demo.scene(repo, env, bom)
    say += forensics_demo.scene(repo, env)
    say += index_demo.scene(repo, env)
    say += interop_demo.scene(repo, env)
    return say


def _dependency_record(repo: Path, env: dict[str, str]) -> str:
    import json

    note = _run(["git", "notes", "--ref=aibom", "show", "HEAD"], repo, env)
    for line in note.splitlines():
        data = json.loads(line)
        if data.get("kind") == "dependency":
            keep = {k: data[k] for k in ("origin", "models", "agent", "added", "findings")}
            return json.dumps(keep, indent=2)
    raise RuntimeError("the last commit has no dependency record")
