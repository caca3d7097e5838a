from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from aibom.provenance.agents import (
    AGENTS,
    agent_by_alias,
    agent_by_name,
    github_noreply_login,
    parse_agent_value,
)
from aibom.provenance.sources.ancestry import AncestrySource
from aibom.provenance.sources.environment import EnvironmentSource
from aibom.provenance.sources.foreign import ForeignTrailerSource, parse_assisted_by
from aibom.provenance.sources.identity import IdentitySource
from aibom.provenance.types import (
    BASE_CONFIDENCE,
    DetectionContext,
    Evidence,
    Ident,
    ModelId,
    Origin,
    Source,
    SourceKind,
    Trailer,
)

HUMAN_ENV = {
    "HOME": "/home/jane",
    "USER": "jane",
    "SHELL": "/bin/bash",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "TERM": "xterm-256color",
    "LANG": "en_US.UTF-8",
    "EDITOR": "vim",
    "PAGER": "less",
    "ANTHROPIC_MODEL": "claude-opus-4-5",  # configuration alone is not an agent
    "OPENAI_MODEL": "gpt-4o",
    "AGENT": "make",  # AGENT is shared with non-AI tools
}
HUMAN = Ident("Jane Doe", "jane@example.com")


def ctx(**kw: object) -> DetectionContext:
    kw.setdefault("git_dir", None)
    kw.setdefault("env", {})
    return DetectionContext(**kw)  # type: ignore[arg-type]


def only(found: Sequence[Evidence]) -> Evidence:
    assert len(found) == 1, found
    return found[0]


def agents_of(found: Sequence[Evidence]) -> set[str]:
    return {e.agent.name for e in found if e.agent is not None}


# --------------------------------------------------------------------------- catalogue


BRIEF_AGENTS = [
    "claude-code",
    "codex",
    "cursor",
    "gemini-cli",
    "copilot",
    "amp",
    "windsurf",
    "cline",
    "opencode",
    "aider",
    "devin",
    "jules",
    "goose",
    "roo-code",
    "kilo-code",
    "augment",
    "qwen-code",
    "crush",
    "kiro",
    "continue",
    "junie",
    "replit",
]


@pytest.mark.parametrize("name", BRIEF_AGENTS)
def test_catalogue_has_agent(name: str) -> None:
    spec = agent_by_name(name)
    assert spec is not None
    assert spec.env or spec.processes or spec.identities, name


def test_catalogue_names_and_aliases_are_unique() -> None:
    seen: dict[str, str] = {}
    for spec in AGENTS:
        for alias in (spec.name, *spec.aliases):
            assert alias not in seen, (alias, seen.get(alias), spec.name)
            seen[alias] = spec.name
    processes = [p for spec in AGENTS for p in spec.processes]
    assert len(processes) == len(set(processes))
    emails = [i.email for spec in AGENTS for i in spec.identities if i.email]
    assert len(emails) == len(set(emails))


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("claude-code", ("claude-code", None)),
        ("codex@1.2.3", ("codex", "1.2.3")),
        ("devin@1", ("devin", "1")),
        ("claude-code_2-1-141_agent", ("claude-code", "2.1.141")),
        ("github_copilot_vscode_agent", ("copilot", None)),
        ("Cursor-CLI", ("cursor-cli", None)),
    ],
)
def test_parse_agent_value(value: str, want: tuple[str, str | None]) -> None:
    assert parse_agent_value(value) == want


@pytest.mark.parametrize(
    ("email", "login"),
    [
        (
            "158243242+devin-ai-integration[bot]@users.noreply.github.com",
            "devin-ai-integration[bot]",
        ),
        ("Copilot@users.noreply.github.com", "copilot"),
        ("jane@example.com", None),
    ],
)
def test_github_noreply_login(email: str, login: str | None) -> None:
    assert github_noreply_login(email) == login


def test_alias_lookup_is_forgiving_about_case_and_spaces() -> None:
    spec = agent_by_alias("GitHub Copilot")
    assert spec is not None and spec.name == "copilot"
    spec = agent_by_alias("Claude")
    assert spec is not None and spec.name == "claude-code"
    assert agent_by_alias("Daniel Gustafsson") is None


def test_sources_satisfy_the_protocol() -> None:
    sources: list[Source] = [
        EnvironmentSource(),
        AncestrySource(),
        IdentitySource(),
        ForeignTrailerSource(),
    ]
    kinds = [s.kind for s in sources]
    assert kinds == [
        SourceKind.ENVIRONMENT,
        SourceKind.ANCESTRY,
        SourceKind.IDENTITY,
        SourceKind.TRAILER,
    ]


# --------------------------------------------------------------------------- environment

ENV_CASES: list[tuple[str, dict[str, str]]] = [
    ("claude-code", {"CLAUDECODE": "1", "CLAUDE_CODE_ENTRYPOINT": "cli"}),
    ("claude-cowork", {"CLAUDE_CODE_IS_COWORK": "1"}),
    ("codex", {"CODEX_SANDBOX": "seatbelt", "CODEX_SANDBOX_NETWORK_DISABLED": "1"}),
    ("cursor", {"CURSOR_AGENT": "1"}),
    ("gemini-cli", {"GEMINI_CLI": "1"}),
    ("copilot", {"COPILOT_CLI": "1"}),
    ("amp", {"AMP_CURRENT_THREAD_ID": "T-1234", "AGENT": "amp"}),
    ("windsurf", {"CODEIUM_EDITOR_APP_ROOT": "/Applications/Windsurf.app"}),
    ("cline", {"CLINE_ACTIVE": "true"}),
    ("opencode", {"OPENCODE": "1"}),
    ("aider", {"AIDER_MODEL": "gpt-4o"}),
    ("devin", {"EDITOR": "devin-editor"}),
    ("jules", {"HOME": "/home/jules", "USER": "swebot"}),
    ("goose", {"GOOSE_TERMINAL": "1"}),
    ("roo-code", {"ROO_ACTIVE": "1"}),
    ("kilo-code", {"KILOCODE_FEATURE": "cli"}),
    ("augment", {"AUGMENT_AGENT": "1"}),
    ("qwen-code", {"QWEN_CODE": "1"}),
    ("crush", {"CRUSH": "1", "AGENT": "crush", "AI_AGENT": "crush"}),
    ("kiro", {"KIRO_AGENT_PATH": "/opt/kiro"}),
    ("continue", {"AI_AGENT": "continue"}),
    ("junie", {"JUNIE_DATA": "/home/u/.junie"}),
    ("replit", {"REPL_ID": "abc", "REPLIT_MODE": "assistant"}),
    ("antigravity", {"ANTIGRAVITY_AGENT": "1"}),
    ("pi", {"PI_CODING_AGENT": "true"}),
    ("trae", {"TRAE_AI_SHELL_ID": "s1"}),
    ("warp", {"OZ_RUN_ID": "r1"}),
    ("openclaw", {"OPENCLAW_SHELL": "exec"}),
    ("zed", {"TERM_PROGRAM": "zed", "PAGER": "cat"}),
]


@pytest.mark.parametrize(("agent", "env"), ENV_CASES, ids=[c[0] for c in ENV_CASES])
def test_environment_detects_agent(agent: str, env: dict[str, str]) -> None:
    found = EnvironmentSource(path_exists=None).detect(ctx(env={**HUMAN_ENV, **env}))
    assert found, env
    best = found[0]
    assert best.agent is not None and best.agent.name == agent
    assert best.source is SourceKind.ENVIRONMENT
    assert best.origin.is_ai
    assert 0 < best.confidence <= BASE_CONFIDENCE[SourceKind.ENVIRONMENT]
    assert best.detail.startswith("env ")


@pytest.mark.parametrize("spec", [s for s in AGENTS if s.env], ids=lambda s: s.name)
def test_every_catalogued_variable_is_reachable(spec: object) -> None:
    from aibom.provenance.agents import AgentSpec

    assert isinstance(spec, AgentSpec)
    for sig in spec.env:
        env = {sig.var: sig.values[0] if sig.values else (sig.contains or "x")}
        env.update(dict(sig.also))
        names = agents_of(EnvironmentSource(path_exists=None).detect(ctx(env=env)))
        assert spec.name in names, (spec.name, sig.var)


def test_environment_human_gives_nothing() -> None:
    assert EnvironmentSource(path_exists=lambda _: False).detect(ctx(env=HUMAN_ENV)) == []


def test_environment_empty_or_false_values_give_nothing() -> None:
    env = {"CLAUDECODE": "", "AI_AGENT": "0", "CODEX_SANDBOX": "   ", "AGENT": "false"}
    assert EnvironmentSource(path_exists=None).detect(ctx(env=env)) == []


def test_environment_model_and_session() -> None:
    env = {
        "CLAUDECODE": "1",
        "ANTHROPIC_MODEL": "claude-opus-4-5-20251101",
        "CLAUDE_CODE_SESSION_ID": "0b7c-uuid",
    }
    ev = only(EnvironmentSource(path_exists=None).detect(ctx(env=env)))
    assert ev.models == (ModelId("anthropic", "claude-opus-4-5", "20251101"),)
    assert ev.session == "0b7c-uuid"
    assert ev.confidence == BASE_CONFIDENCE[SourceKind.ENVIRONMENT]
    assert ev.origin is Origin.AI_GENERATED
    assert "CLAUDECODE=1" in ev.detail


def test_environment_codex_thread_is_the_session() -> None:
    ev = only(EnvironmentSource(path_exists=None).detect(ctx(env={"CODEX_THREAD_ID": "th-9"})))
    assert ev.agent is not None and ev.agent.name == "codex"
    assert ev.session == "th-9"


def test_environment_gemini_and_aider_models() -> None:
    ev = only(
        EnvironmentSource(path_exists=None).detect(
            ctx(env={"GEMINI_CLI": "1", "GEMINI_MODEL": "gemini-2.5-pro"})
        )
    )
    assert ev.models == (ModelId("google", "gemini-2.5-pro"),)
    ev = only(
        EnvironmentSource(path_exists=None).detect(
            ctx(env={"AIDER_MODEL": "openrouter/anthropic/claude-3.5-sonnet"})
        )
    )
    assert ev.models == (ModelId("anthropic", "claude-3-5-sonnet"),)


def test_environment_cursor_terminal_only_is_weaker() -> None:
    src = EnvironmentSource(path_exists=None)
    terminal = only(src.detect(ctx(env={"CURSOR_TRACE_ID": "abc"})))
    agent = only(src.detect(ctx(env={"CURSOR_AGENT": "1", "CURSOR_TRACE_ID": "abc"})))
    assert terminal.confidence < agent.confidence
    assert terminal.origin is Origin.AI_ASSISTED


def test_environment_ai_agent_convention() -> None:
    src = EnvironmentSource(path_exists=None)
    ev = only(src.detect(ctx(env={"AI_AGENT": "claude-code_2-1-141_agent"})))
    assert ev.agent is not None and ev.agent.slug == "claude-code/2.1.141"
    assert ev.confidence < BASE_CONFIDENCE[SourceKind.ENVIRONMENT]
    ev = only(src.detect(ctx(env={"AI_AGENT": "my-bot@2.0"})))
    assert ev.agent is not None and ev.agent.slug == "my-bot/2.0"
    ev = only(src.detect(ctx(env={"AI_AGENT": "1"})))
    assert ev.agent is None and ev.origin.is_ai


def test_environment_ai_agent_version_merges_with_specific_variable() -> None:
    env = {"CODEX_THREAD_ID": "t1", "AI_AGENT": "codex@0.50.0"}
    ev = only(EnvironmentSource(path_exists=None).detect(ctx(env=env)))
    assert ev.agent is not None and ev.agent.slug == "codex/0.50.0"
    assert ev.confidence == BASE_CONFIDENCE[SourceKind.ENVIRONMENT]
    assert ev.session == "t1"


def test_environment_devin_marker_file() -> None:
    src = EnvironmentSource(path_exists=lambda p: p == "/opt/.devin")
    ev = only(src.detect(ctx(env=HUMAN_ENV)))
    assert ev.agent is not None and ev.agent.name == "devin"
    assert ev.detail == "file /opt/.devin"


def test_environment_secret_values_are_not_shown() -> None:
    ev = only(EnvironmentSource(path_exists=None).detect(ctx(env={"AIDER_API_KEY": "sk-123"})))
    assert "sk-123" not in ev.detail


def test_environment_never_raises_on_odd_data() -> None:
    env = {"CLAUDECODE": None, "AI_AGENT": 3, "AGENT": "\x00\n"}
    assert EnvironmentSource(path_exists=None).detect(ctx(env=env)) == []

    def boom(_: str) -> bool:
        raise OSError("nope")

    assert EnvironmentSource(path_exists=boom).detect(ctx(env={})) == []


# --------------------------------------------------------------------------- ancestry


def make_proc(root: Path, pid: int, ppid: int, comm: str, argv: Sequence[str]) -> None:
    d = root / str(pid)
    d.mkdir(parents=True)
    (d / "stat").write_text(f"{pid} ({comm}) S {ppid} {pid} {pid} 0 -1 4194560 0 0\n")
    (d / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")


def chain(root: Path, agent_comm: str, agent_argv: Sequence[str]) -> DetectionContext:
    """init(1) -> agent(100) -> bash(200) -> git(300) -> hook(400)."""
    make_proc(root, 1, 0, "systemd", ["/sbin/init"])
    make_proc(root, 100, 1, agent_comm, agent_argv)
    make_proc(root, 200, 100, "bash", ["/bin/bash", "-c", "git commit -m x"])
    make_proc(root, 300, 200, "git", ["git", "commit", "-m", "x"])
    make_proc(root, 400, 300, "python3", ["/usr/bin/python3", "-m", "aibom.hookentry"])
    return ctx(pid=400)


ANCESTRY_CASES: list[tuple[str, str, list[str]]] = [
    ("claude-code", "claude", ["claude"]),
    ("claude-code", "node", ["node", "/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js"]),
    ("codex", "codex", ["/usr/local/bin/codex", "exec", "fix it"]),
    (
        "codex",
        "codex-x86_64-",
        ["/usr/lib/node_modules/@openai/codex/vendor/x86_64/codex/codex-x86_64-unknown-linux"],
    ),
    ("cursor", "cursor-agent", ["/home/u/.local/bin/cursor-agent", "-p"]),
    ("gemini-cli", "node", ["node", "--no-warnings", "/usr/local/bin/gemini"]),
    ("copilot", "node", ["node", "/home/u/.npm/bin/copilot"]),
    ("amp", "amp", ["amp"]),
    ("cline", "node", ["node", "/opt/node_modules/cline/dist/cli.mjs"]),
    ("opencode", "opencode", ["/home/u/.opencode/bin/opencode"]),
    ("aider", "python3.11", ["/usr/bin/python3.11", "/home/u/.local/bin/aider", "--yes"]),
    ("aider", "python3", ["python3", "-m", "aider", "--model", "gpt-4o"]),
    ("devin", "devin", ["devin"]),
    ("goose", "goose", ["/usr/local/bin/goose", "session"]),
    ("kilo-code", "node", ["node", "/usr/lib/node_modules/@kilocode/cli/index.js"]),
    ("augment", "node", ["node", "/usr/local/bin/auggie"]),
    ("qwen-code", "node", ["node", "/usr/local/bin/qwen"]),
    ("crush", "crush", ["crush"]),
    ("kiro", "kiro-cli", ["kiro-cli", "chat"]),
    ("continue", "node", ["node", "/usr/local/bin/cn"]),
    ("junie", "junie", ["junie"]),
    ("factory-droid", "droid", ["droid"]),
    ("openhands", "python3", ["python3", "/venv/bin/openhands"]),
    ("grok-cli", "bun", ["bun", "run", "/home/u/.bun/bin/grok"]),
    ("kimi-cli", "kimi", ["kimi"]),
]


@pytest.mark.parametrize(
    ("agent", "comm", "argv"), ANCESTRY_CASES, ids=[f"{c[0]}-{c[1]}" for c in ANCESTRY_CASES]
)
def test_ancestry_detects_agent(tmp_path: Path, agent: str, comm: str, argv: list[str]) -> None:
    context = chain(tmp_path, comm, argv)
    ev = only(AncestrySource(proc_root=str(tmp_path)).detect(context))
    assert ev.agent is not None and ev.agent.name == agent
    assert ev.source is SourceKind.ANCESTRY
    assert ev.origin.is_ai
    assert "pid 100" in ev.detail
    assert 0 < ev.confidence <= BASE_CONFIDENCE[SourceKind.ANCESTRY]


def test_ancestry_native_install_version(tmp_path: Path) -> None:
    context = chain(tmp_path, "2.0.14", ["/home/u/.local/share/claude/versions/2.0.14"])
    ev = only(AncestrySource(proc_root=str(tmp_path)).detect(context))
    assert ev.agent is not None and ev.agent.slug == "claude-code/2.0.14"


@pytest.mark.parametrize(
    ("comm", "argv"),
    [
        ("vim", ["/home/claude/bin/vim", "COMMIT_EDITMSG"]),
        ("node", ["node", "/srv/claude-tools/index.js"]),
        ("claudette", ["claudette"]),
        ("bash", ["/bin/bash", "--login"]),
        ("code", ["/usr/share/code/code", "--type=renderer"]),
        ("node", ["node", "/srv/app/node_modules/left-pad/index.js"]),
        ("python3", ["python3", "-m", "http.server"]),
    ],
)
def test_ancestry_human_gives_nothing(tmp_path: Path, comm: str, argv: list[str]) -> None:
    context = chain(tmp_path, comm, argv)
    assert AncestrySource(proc_root=str(tmp_path)).detect(context) == []


def test_ancestry_disabled_without_pid(tmp_path: Path) -> None:
    chain(tmp_path, "claude", ["claude"])
    assert AncestrySource(proc_root=str(tmp_path)).detect(ctx(pid=None)) == ()


def test_ancestry_odd_proc_data(tmp_path: Path) -> None:
    make_proc(tmp_path, 7, 7, "loop", ["loop"])  # its own parent
    assert AncestrySource(proc_root=str(tmp_path)).detect(ctx(pid=7)) == []
    (tmp_path / "8").mkdir()
    (tmp_path / "8" / "stat").write_text("garbage")
    assert AncestrySource(proc_root=str(tmp_path)).detect(ctx(pid=8)) == []
    assert AncestrySource(proc_root=str(tmp_path)).detect(ctx(pid=99999)) == []


def test_ancestry_depth_is_bounded(tmp_path: Path) -> None:
    make_proc(tmp_path, 1, 0, "claude", ["claude"])
    for pid in range(2, 40):
        make_proc(tmp_path, pid, pid - 1, "bash", ["bash"])
    assert AncestrySource(proc_root=str(tmp_path)).detect(ctx(pid=39)) == []
    found = AncestrySource(proc_root=str(tmp_path), max_depth=40).detect(ctx(pid=39))
    assert agents_of(found) == {"claude-code"}


def test_ancestry_comm_with_spaces_and_parens(tmp_path: Path) -> None:
    make_proc(tmp_path, 5, 1, "a (b) c", ["x"])
    make_proc(tmp_path, 6, 5, "git", ["git"])
    assert AncestrySource(proc_root=str(tmp_path)).detect(ctx(pid=6)) == []


def test_ancestry_ps_fallback() -> None:
    output = (
        "    1     0 launchd          /sbin/launchd\n"
        "  100     1 node             node /usr/local/lib/node_modules/@openai/codex/bin/codex.js\n"
        "  200   100 zsh              /bin/zsh -c git commit\n"
        "  300   200 git              git commit\n"
        "garbage line\n"
    )
    found = AncestrySource(ps=lambda: output).detect(ctx(pid=300))
    assert agents_of(found) == {"codex"}


def test_ancestry_two_agents_nearest_first(tmp_path: Path) -> None:
    make_proc(tmp_path, 1, 0, "systemd", ["/sbin/init"])
    make_proc(tmp_path, 10, 1, "goose", ["goose"])
    make_proc(tmp_path, 20, 10, "claude", ["claude"])
    make_proc(tmp_path, 30, 20, "git", ["git"])
    found = AncestrySource(proc_root=str(tmp_path)).detect(ctx(pid=30))
    assert [e.agent.name for e in found if e.agent] == ["claude-code", "goose"]


def test_ancestry_real_proc_is_fast() -> None:
    import os

    if not os.path.isdir("/proc/self"):
        pytest.skip("no /proc")
    src = AncestrySource()
    context = ctx(pid=os.getpid())
    src.detect(context)
    start = time.perf_counter()
    for _ in range(20):
        src.detect(context)
    assert (time.perf_counter() - start) / 20 < 0.002


# --------------------------------------------------------------------------- identity

IDENTITY_CASES: list[tuple[str, Ident, Origin]] = [
    (
        "claude-code",
        Ident("claude[bot]", "209825114+claude[bot]@users.noreply.github.com"),
        Origin.AI_GENERATED,
    ),
    (
        "copilot",
        Ident("Copilot", "198982749+Copilot@users.noreply.github.com"),
        Origin.AI_GENERATED,
    ),
    (
        "copilot",
        Ident(
            "copilot-swe-agent[bot]", "198982749+copilot-swe-agent[bot]@users.noreply.github.com"
        ),
        Origin.AI_GENERATED,
    ),
    ("copilot", Ident("Copilot", "Copilot@users.noreply.github.com"), Origin.AI_GENERATED),
    (
        "devin",
        Ident(
            "devin-ai-integration[bot]",
            "158243242+devin-ai-integration[bot]@users.noreply.github.com",
        ),
        Origin.AI_GENERATED,
    ),
    (
        "jules",
        Ident(
            "google-labs-jules[bot]", "161369871+google-labs-jules[bot]@users.noreply.github.com"
        ),
        Origin.AI_GENERATED,
    ),
    ("jules", Ident("Google Labs Jules", "jules@google.com"), Origin.AI_GENERATED),
    (
        "codex",
        Ident(
            "chatgpt-codex-connector[bot]",
            "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com",
        ),
        Origin.AI_GENERATED,
    ),
    ("codex", Ident("Codex", "noreply@openai.com"), Origin.AI_GENERATED),
    ("cursor", Ident("Cursor Agent", "cursoragent@cursor.com"), Origin.AI_GENERATED),
    ("aider", Ident("Paul Gauthier (aider)", "paul@example.org"), Origin.AI_GENERATED),
    ("amp", Ident("Amp", "amp@ampcode.com"), Origin.AI_GENERATED),
    ("opencode", Ident("opencode", "noreply@opencode.ai"), Origin.AI_GENERATED),
    ("crush", Ident("Crush", "crush@charm.land"), Origin.AI_GENERATED),
    ("windsurf", Ident("Cascade", "cascade@windsurf.ai"), Origin.AI_GENERATED),
    ("qwen-code", Ident("Qwen-Coder", "qwen-coder@alibabacloud.com"), Origin.AI_GENERATED),
    ("kiro", Ident("Kiro", "noreply@kiro.dev"), Origin.AI_GENERATED),
    ("continue", Ident("Continue", "noreply@continue.dev"), Origin.AI_GENERATED),
    ("replit", Ident("Replit Agent", "agent@replit.com"), Origin.AI_GENERATED),
    ("factory-droid", Ident("Droid", "droid@factory.ai"), Origin.AI_GENERATED),
    ("openhands", Ident("openhands", "openhands@all-hands.dev"), Origin.AI_GENERATED),
    ("warp", Ident("Warp", "agent@warp.dev"), Origin.AI_GENERATED),
    (
        "gemini-cli",
        Ident(
            "gemini-code-assist[bot]", "176961590+gemini-code-assist[bot]@users.noreply.github.com"
        ),
        Origin.AI_ASSISTED,
    ),
    ("copilot", Ident("Copilot", "175728472+Copilot@users.noreply.github.com"), Origin.AI_ASSISTED),
]


@pytest.mark.parametrize(
    ("agent", "author", "origin"),
    IDENTITY_CASES,
    ids=[f"{c[0]}-{c[1].email}" for c in IDENTITY_CASES],
)
def test_identity_detects_agent_author(agent: str, author: Ident, origin: Origin) -> None:
    ev = only(IdentitySource().detect(ctx(author=author, committer=HUMAN)))
    assert ev.agent is not None and ev.agent.name == agent
    assert ev.origin is origin
    assert ev.confidence == BASE_CONFIDENCE[SourceKind.IDENTITY]
    assert ev.detail.startswith("author ")


def test_identity_committer_only_is_assisted_and_weaker() -> None:
    bot = Ident("Cursor Agent", "cursoragent@cursor.com")
    ev = only(IdentitySource().detect(ctx(author=HUMAN, committer=bot)))
    assert ev.origin is Origin.AI_ASSISTED
    assert ev.confidence < BASE_CONFIDENCE[SourceKind.IDENTITY]
    both = only(IdentitySource().detect(ctx(author=bot, committer=bot)))
    assert both.origin is Origin.AI_GENERATED


@pytest.mark.parametrize(
    "ident",
    [
        HUMAN,
        Ident("Boris", "boris@anthropic.com"),  # a vendor's employee is a person
        Ident("Michael", "michael@cursor.com"),
        Ident("Claude Paroz", "claude@2xlibre.net"),
        Ident("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
        Ident("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com"),
        Ident("GitHub", "noreply@github.com"),
        Ident("notclaude[bot]", "1+notclaude[bot]@users.noreply.github.com"),
        Ident("jane", "12345+jane@users.noreply.github.com"),
        Ident("", ""),
    ],
)
def test_identity_human_gives_nothing(ident: Ident) -> None:
    assert IdentitySource().detect(ctx(author=ident, committer=ident)) == []


def test_identity_without_idents() -> None:
    assert IdentitySource().detect(ctx()) == []


def test_identity_model_in_co_author_style_name() -> None:
    author = Ident("Claude Sonnet 4.5", "noreply@anthropic.com")
    ev = only(IdentitySource().detect(ctx(author=author)))
    assert ev.models == (ModelId("anthropic", "claude-sonnet-4-5"),)


# --------------------------------------------------------------------------- foreign


def T(key: str, value: str) -> Trailer:
    return Trailer(key, value)


def message(*trailers: Trailer, body: str = "Some body.") -> str:
    lines = "\n".join(f"{t.key}: {t.value}" for t in trailers)
    return f"feat: subject\n\n{body}\n\n{lines}\n"


# agent, trailers, extra body, expected models, expected session, expected origin
FOREIGN_CASES: list[tuple[str, list[Trailer], str, tuple[ModelId, ...], str | None, Origin]] = [
    (
        "claude-code",
        [T("Co-Authored-By", "Claude <noreply@anthropic.com>")],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "claude-code",
        [T("Co-Authored-By", "Claude Opus 4.5 <noreply@anthropic.com>")],
        "",
        (ModelId("anthropic", "claude-opus-4-5"),),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "claude-code",
        [T("co-authored-by", "Claude Opus 4.8 (1M context) <noreply@anthropic.com>")],
        "",
        (ModelId("anthropic", "claude-opus-4-8"),),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "claude-code",
        [T("Claude-Session", "https://claude.ai/code/session_01F5QQ")],
        "",
        (),
        "session_01F5QQ",
        Origin.AI_GENERATED,
    ),
    (
        "claude-code",
        [],
        "Generated with [Claude Code](https://claude.com/claude-code)",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    ("claude-code", [T("Generated-by", "Claude Code")], "", (), None, Origin.AI_GENERATED),
    (
        "aider",
        [T("Co-authored-by", "aider (gpt-4o) <aider@aider.chat>")],
        "",
        (ModelId("openai", "gpt-4o"),),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "aider",
        [
            T(
                "Co-authored-by",
                "aider (openrouter/anthropic/claude-3.5-sonnet) <noreply@aider.chat>",
            )
        ],
        "",
        (ModelId("anthropic", "claude-3-5-sonnet"),),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "codex",
        [T("Co-authored-by", "Codex <noreply@openai.com>")],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "codex",
        [T("Assisted-by", "Codex:gpt-5.1-codex [ripgrep] [pytest]")],
        "",
        (ModelId("openai", "gpt-5.1-codex"),),
        None,
        Origin.AI_ASSISTED,
    ),
    (
        "copilot",
        [T("Co-authored-by", "Copilot <223556219+Copilot@users.noreply.github.com>")],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    ("copilot", [T("Copilot-Session", "6f1d-uuid")], "", (), "6f1d-uuid", Origin.AI_GENERATED),
    (
        "copilot",
        [T("Agent-Logs-Url", "https://github.com/o/r/sessions/abc123")],
        "",
        (),
        "abc123",
        Origin.AI_GENERATED,
    ),
    ("cursor", [T("Made-with", "Cursor")], "", (), None, Origin.AI_ASSISTED),
    (
        "cursor",
        [T("Co-authored-by", "Cursor <cursoragent@cursor.com>")],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "jules",
        [
            T(
                "Co-authored-by",
                "google-labs-jules[bot] "
                "<161369871+google-labs-jules[bot]@users.noreply.github.com>",
            )
        ],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "devin",
        [
            T(
                "Co-Authored-By",
                "Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>",
            )
        ],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "amp",
        [
            T("Amp-Thread-ID", "https://ampcode.com/threads/T-5a8c"),
            T("Co-authored-by", "Amp <amp@ampcode.com>"),
        ],
        "",
        (),
        "T-5a8c",
        Origin.AI_GENERATED,
    ),
    (
        "opencode",
        [T("Co-Authored-By", "opencode <noreply@opencode.ai>")],
        "Generated with [opencode](https://opencode.ai)",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "crush",
        [T("Assisted-by", "Crush:glm-4.6")],
        "Generated with Crush",
        (ModelId("zhipuai", "glm-4.6"),),
        None,
        Origin.AI_ASSISTED,
    ),
    (
        "crush",
        [],
        "Generated with Crush (GLM-4.6)",
        (ModelId("zhipuai", "glm-4.6"),),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "windsurf",
        [T("Co-authored-by", "Windsurf Cascade <cascade@windsurf.ai>")],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "gemini-cli",
        [T("Assisted-by", "Gemini:gemini-2.5-pro")],
        "",
        (ModelId("google", "gemini-2.5-pro"),),
        None,
        Origin.AI_ASSISTED,
    ),
    (
        "gemini-cli",
        [
            T(
                "Co-authored-by",
                "gemini-code-assist[bot] "
                "<176961590+gemini-code-assist[bot]@users.noreply.github.com>",
            )
        ],
        "",
        (),
        None,
        Origin.AI_ASSISTED,
    ),
    (
        "qwen-code",
        [T("Co-authored-by", "Qwen-Coder <qwen-coder@alibabacloud.com>")],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    ("kiro", [T("Co-Authored-By", "Kiro <noreply@kiro.dev>")], "", (), None, Origin.AI_GENERATED),
    (
        "continue",
        [T("Co-Authored-By", "Continue <noreply@continue.dev>")],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    ("replit", [T("Replit-Commit-Author", "Agent")], "", (), None, Origin.AI_GENERATED),
    ("replit", [T("Replit-Commit-Author", "Assistant")], "", (), None, Origin.AI_ASSISTED),
    (
        "factory-droid",
        [T("Co-authored-by", "Droid <droid@factory.ai>")],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "openhands",
        [T("Co-authored-by", "openhands <openhands@all-hands.dev>")],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    ("warp", [T("Co-Authored-By", "Warp <agent@warp.dev>")], "", (), None, Origin.AI_GENERATED),
    (
        "trae",
        [T("Co-authored-by", "TRAE CLI <traecli@bytedance.com>")],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "tabnine",
        [T("Co-Authored-By", "Tabnine CLI <noreply@tabnine.com>")],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "goose",
        [T("Co-authored-by", "goose <noreply@anthropic.com>")],
        "",
        (),
        None,
        Origin.AI_GENERATED,
    ),
    (
        "claude-code",
        [T("Assisted-by", "Claude:claude-3-opus-20240229 coccinelle")],
        "",
        (ModelId("anthropic", "claude-3-opus", "20240229"),),
        None,
        Origin.AI_ASSISTED,
    ),
]


@pytest.mark.parametrize(
    ("agent", "trailers", "body", "models", "session", "origin"),
    FOREIGN_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(FOREIGN_CASES)],
)
def test_foreign_detects_agent(
    agent: str,
    trailers: list[Trailer],
    body: str,
    models: tuple[ModelId, ...],
    session: str | None,
    origin: Origin,
) -> None:
    msg = message(*trailers, body=body or "Some body.")
    ev = only(ForeignTrailerSource().detect(ctx(trailers=tuple(trailers), message=msg)))
    assert ev.agent is not None and ev.agent.name == agent
    assert ev.source is SourceKind.TRAILER
    assert ev.models == models
    assert ev.session == session
    assert ev.origin is origin
    assert 0 < ev.confidence <= BASE_CONFIDENCE[SourceKind.TRAILER]


def test_foreign_claude_code_full_message_merges() -> None:
    trailers = (
        T("Co-Authored-By", "Claude Sonnet 4.5 <noreply@anthropic.com>"),
        T("Claude-Session", "https://claude.ai/code/session_01XYZ"),
    )
    msg = message(
        *trailers,
        body="Did things.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)",
    )
    ev = only(ForeignTrailerSource().detect(ctx(trailers=trailers, message=msg)))
    assert ev.models == (ModelId("anthropic", "claude-sonnet-4-5"),)
    assert ev.session == "session_01XYZ"
    assert ev.confidence == BASE_CONFIDENCE[SourceKind.TRAILER]
    assert ev.detail.count("Claude-Session") == 1


def test_foreign_co_author_outside_trailer_block() -> None:
    msg = (
        "feat: squashed (#12)\n\n* one\n* two\n\n"
        "Co-authored-by: Codex <noreply@openai.com>\n\nTrailing prose paragraph.\n"
    )
    ev = only(ForeignTrailerSource().detect(ctx(message=msg)))
    assert ev.agent is not None and ev.agent.name == "codex"
    assert ev.confidence < BASE_CONFIDENCE[SourceKind.TRAILER]


def test_foreign_unknown_agent_in_assisted_by() -> None:
    trailers = (T("Assisted-by", "FooBot:claude-sonnet-4-5"),)
    ev = only(ForeignTrailerSource().detect(ctx(trailers=trailers, message=message(*trailers))))
    assert ev.agent is not None and ev.agent.name == "foobot"
    assert ev.models == (ModelId("anthropic", "claude-sonnet-4-5"),)
    assert ev.confidence < BASE_CONFIDENCE[SourceKind.TRAILER]


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("Codex:gpt-5.1 [rg]", ("Codex", ModelId("openai", "gpt-5.1"))),
        ("Crush:hf:moonshotai/Kimi-K2", ("Crush", ModelId("moonshotai", "kimi-k2"))),
        ("Daniel Gustafsson", ("Daniel Gustafsson", None)),
        ("", (None, None)),
    ],
)
def test_parse_assisted_by(value: str, want: tuple[str | None, ModelId | None]) -> None:
    assert parse_assisted_by(value) == want


HUMAN_TRAILERS: list[list[Trailer]] = [
    [T("Co-authored-by", "Jane Doe <jane@example.com>")],
    [T("Co-Authored-By", "Claude Dioudonnat <claude@dioudonnat.fr>")],
    [T("Co-authored-by", "Boris <boris@anthropic.com>")],
    [T("Co-authored-by", "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>")],
    [T("Assisted-by", "Daniel Gustafsson"), T("Assisted-by", "Rich Salz")],
    [T("Signed-off-by", "Jane Doe <jane@example.com>"), T("Reviewed-by", "Bob <bob@x.org>")],
    [T("Made-with", "love")],
    [T("Generated-by", "make docs")],
    [T("Replit-Commit-Author", "Deployment")],
    # aibom's own trailers are declared evidence, read by another source
    [
        T("AI-Origin", "ai-generated"),
        T("AI-Agent", "claude-code/2.0.14"),
        T("AI-Model", "anthropic/claude-opus-4-5-20251101"),
    ],
]


@pytest.mark.parametrize("trailers", HUMAN_TRAILERS, ids=lambda t: t[0].key + ":" + t[0].value)
def test_foreign_human_gives_nothing(trailers: list[Trailer]) -> None:
    msg = message(*trailers)
    assert ForeignTrailerSource().detect(ctx(trailers=tuple(trailers), message=msg)) == []


@pytest.mark.parametrize(
    "msg",
    [
        "Generated with Claude Code\n",  # a subject is never evidence
        "drop the claude-specific codex workaround\n\nWe used to call codex and claude here.\n",
        "fix: typo\n",
        "",
    ],
)
def test_foreign_human_messages_give_nothing(msg: str) -> None:
    assert ForeignTrailerSource().detect(ctx(message=msg)) == []


def test_foreign_never_raises_on_odd_data() -> None:
    odd = (
        Trailer("", ""),
        Trailer("Co-authored-by", "<<>>"),
        Trailer("Assisted-by", ":::"),
        Trailer("Claude-Session", " "),
        Trailer(None, None),
    )  # type: ignore[arg-type]
    found = ForeignTrailerSource().detect(ctx(trailers=odd, message="x\n\n\x00\ufffd"))
    assert list(found) == []


# --------------------------------------------------------------------------- all sources


def test_plain_human_commit_gives_no_evidence_anywhere(tmp_path: Path) -> None:
    make_proc(tmp_path, 1, 0, "systemd", ["/sbin/init"])
    make_proc(tmp_path, 50, 1, "bash", ["-bash"])
    make_proc(tmp_path, 60, 50, "git", ["git", "commit"])
    trailers = (T("Signed-off-by", "Jane Doe <jane@example.com>"),)
    context = ctx(
        env=HUMAN_ENV,
        trailers=trailers,
        message=message(*trailers),
        author=HUMAN,
        committer=HUMAN,
        pid=60,
    )
    sources: list[Source] = [
        EnvironmentSource(path_exists=lambda _: False),
        AncestrySource(proc_root=str(tmp_path)),
        IdentitySource(),
        ForeignTrailerSource(),
    ]
    for source in sources:
        assert list(source.detect(context)) == [], source.kind
