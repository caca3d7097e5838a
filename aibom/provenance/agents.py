"""Catalogue of known AI coding agents and the traces each leaves.

Immutable :class:`aibom._value.Value` classes (no ``dataclasses``: this is on the hook
path). Facts come from the agents' documentation, issue trackers and public detector tables
(``@vercel/detect-agent``, ``std-env``, ``am-i-vibing`` and similar); entries marked
"uncertain" rest on a single secondary source. Only traces an agent writes itself are listed:
no whole-domain email rules (a vendor's employees are people), no generic ``[bot]`` rule
(dependabot is not an AI agent), no name-only rules (people are called Claude).
"""

from __future__ import annotations

from aibom._value import Value
from aibom.provenance.types import Origin

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "AGENTS",
    "GENERIC_AGENT_VARS",
    "AgentSpec",
    "EnvSignature",
    "IdentityPattern",
    "agent_by_alias",
    "agent_by_email",
    "agent_by_identity",
    "agent_by_name",
    "agent_by_package",
    "agent_by_process",
    "github_noreply_login",
    "parse_agent_value",
]

GEN = Origin.AI_GENERATED
ASSIST = Origin.AI_ASSISTED


class EnvSignature(Value):
    """An environment variable an agent sets in the shells it runs commands in.

    ``values`` (case-insensitive) restrict the match; empty means any non-empty value.
    ``also`` lists other variables that must hold the given values at the same time.
    ``strength`` scales the source's base confidence (terminal-only markers a human's
    shell in the same app also carries are weaker). ``session`` marks a variable whose
    value is the agent's session/thread id; ``secret`` one whose value must not be shown.
    """

    __slots__ = ("also", "contains", "origin", "secret", "session", "strength", "values", "var")
    var: str
    values: tuple[str, ...]
    contains: str
    also: tuple[tuple[str, str], ...]
    strength: float
    origin: Origin | None
    session: bool
    secret: bool

    def __init__(
        self,
        var: str,
        values: tuple[str, ...] = (),
        contains: str = "",
        also: tuple[tuple[str, str], ...] = (),
        strength: float = 1.0,
        origin: Origin | None = None,
        session: bool = False,
        secret: bool = False,
    ) -> None:
        self._set(
            var=var,
            values=tuple(values),
            contains=contains,
            also=tuple(also),
            strength=strength,
            origin=origin,
            session=session,
            secret=secret,
        )

    def matches(self, env: Mapping[str, str]) -> bool:
        value = _text(env.get(self.var))
        if not value:
            return False
        if self.values and value.lower() not in self.values:
            return False
        if self.contains and self.contains not in value.lower():
            return False
        return all(_text(env.get(var)).lower() == want.lower() for var, want in self.also)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


class IdentityPattern(Value):
    """A git identity (author, committer or co-author) an agent uses.

    Exactly one of ``email`` (whole address, lower-case), ``login`` (the GitHub login of a
    ``[<digits>+]login@users.noreply.github.com`` address) or ``name_suffix`` is set.
    ``model_in_name``: the display name may carry the model (``Claude Opus 4.5``).
    """

    __slots__ = ("email", "login", "model_in_name", "name_suffix", "origin")
    email: str
    login: str
    name_suffix: str
    origin: Origin | None
    model_in_name: bool

    def __init__(
        self,
        email: str = "",
        login: str = "",
        name_suffix: str = "",
        origin: Origin | None = None,
        model_in_name: bool = False,
    ) -> None:
        self._set(
            email=email,
            login=login,
            name_suffix=name_suffix,
            origin=origin,
            model_in_name=model_in_name,
        )


class AgentSpec(Value):
    """One coding agent: canonical name and every signature aibom knows for it.

    ``origin`` is what a commit the agent makes by itself is (ai-generated for autonomous
    agents, ai-assisted for editor assistants); ``processes`` are executable or script
    basenames; ``packages`` the npm/PyPI package names their scripts live under;
    ``model_env`` variables naming the model in use; ``footers`` lower-case phrases the agent
    writes into message bodies; ``session_trailers`` lower-case keys of its session trailers;
    ``marker_paths`` files only the agent's machine has.
    """

    __slots__ = (
        "aliases",
        "display",
        "env",
        "footers",
        "identities",
        "marker_paths",
        "model_env",
        "name",
        "origin",
        "packages",
        "processes",
        "session_trailers",
    )
    name: str
    display: str
    origin: Origin
    aliases: tuple[str, ...]
    env: tuple[EnvSignature, ...]
    processes: tuple[str, ...]
    packages: tuple[str, ...]
    identities: tuple[IdentityPattern, ...]
    model_env: tuple[str, ...]
    footers: tuple[str, ...]
    session_trailers: tuple[str, ...]
    marker_paths: tuple[str, ...]

    def __init__(
        self,
        name: str,
        display: str,
        origin: Origin = Origin.AI_GENERATED,
        aliases: tuple[str, ...] = (),
        env: tuple[EnvSignature, ...] = (),
        processes: tuple[str, ...] = (),
        packages: tuple[str, ...] = (),
        identities: tuple[IdentityPattern, ...] = (),
        model_env: tuple[str, ...] = (),
        footers: tuple[str, ...] = (),
        session_trailers: tuple[str, ...] = (),
        marker_paths: tuple[str, ...] = (),
    ) -> None:
        self._set(
            name=name,
            display=display,
            origin=origin,
            aliases=aliases,
            env=env,
            processes=processes,
            packages=packages,
            identities=identities,
            model_env=model_env,
            footers=footers,
            session_trailers=session_trailers,
            marker_paths=marker_paths,
        )


def _env(
    var: str,
    *values: str,
    contains: str = "",
    also: tuple[tuple[str, str], ...] = (),
    strength: float = 1.0,
    origin: Origin | None = None,
    session: bool = False,
    secret: bool = False,
) -> EnvSignature:
    return EnvSignature(
        var, tuple(v.lower() for v in values), contains, also, strength, origin, session, secret
    )


def _email(address: str, *, origin: Origin | None = None, model: bool = False) -> IdentityPattern:
    return IdentityPattern(email=address.lower(), origin=origin, model_in_name=model)


def _login(login: str, *, origin: Origin | None = None) -> IdentityPattern:
    return IdentityPattern(login=login.lower(), origin=origin)


# Generic conventions: AI_AGENT (promoted by Vercel's detect-agent; value names the agent,
# possibly with a version: ``codex@1.2.3``, ``claude-code_2-1-141_agent``) and AGENT (an
# AGENTS.md community convention, ``AGENT=amp``/``goose``; non-AI tools use the name too, so
# only known agent values count).
GENERIC_AGENT_VARS = ("AI_AGENT", "AGENT")

AGENTS: tuple[AgentSpec, ...] = (
    AgentSpec(
        name="claude-code",
        display="Claude Code",
        aliases=("claude", "claudecode", "claude-code-cli"),
        env=(
            # CLAUDECODE=1 in Bash tool shells since v0.2.47 (anthropics/claude-code#531).
            _env("CLAUDECODE"),
            _env("CLAUDE_CODE"),
            # cli / sdk-ts / sdk-py / sdk-cli / claude-vscode ...: which front end started it.
            _env("CLAUDE_CODE_ENTRYPOINT"),
            # Exported to children by newer versions; the cloud one is ``cse_...``.
            _env("CLAUDE_CODE_SESSION_ID", session=True),
            _env("CLAUDE_CODE_REMOTE_SESSION_ID", session=True),
        ),
        processes=("claude",),
        packages=("@anthropic-ai/claude-code",),
        identities=(
            _email("noreply@anthropic.com", model=True),
            _login("claude[bot]"),  # the Claude GitHub app
            _login("claude"),
        ),
        model_env=("ANTHROPIC_MODEL", "CLAUDE_MODEL"),
        footers=(
            "generated with [claude code]",
            "generated with claude code",
            "claude.ai/code/session_",
        ),
        session_trailers=("claude-session",),
    ),
    AgentSpec(
        name="claude-cowork",
        display="Claude Cowork",
        aliases=("cowork",),
        # Set together with CLAUDECODE; detectors check it first (uncertain beyond that).
        env=(_env("CLAUDE_CODE_IS_COWORK"),),
    ),
    AgentSpec(
        name="codex",
        display="OpenAI Codex",
        aliases=("codex-cli", "openai-codex", "chatgpt-codex"),
        env=(
            # CODEX_THREAD_ID: the conversation id, injected into every shell command.
            _env("CODEX_THREAD_ID", session=True),
            _env("CODEX_SANDBOX"),  # "seatbelt" on macOS
            _env("CODEX_SANDBOX_NETWORK_DISABLED"),
            _env("CODEX_CI"),
        ),
        processes=("codex", "codex-exec"),
        packages=("@openai/codex",),
        identities=(
            _email("noreply@openai.com"),
            _email("codex@openai.com"),
            _login("codex"),
            _login("chatgpt-codex-connector[bot]"),
            _login("chatgpt-codex-connector"),
        ),
    ),
    AgentSpec(
        name="cursor",
        display="Cursor",
        origin=ASSIST,
        aliases=("cursor-agent", "cursor-cli", "cursoragent"),
        env=(
            # CURSOR_AGENT=1: shells of Cursor's agent and of the cursor-agent CLI.
            _env("CURSOR_AGENT", strength=1.0),
            _env("CURSOR_EXTENSION_HOST_ROLE", "agent-exec"),
            _env("CURSOR_SANDBOX", strength=0.9),
            _env("CURSOR_TRACE_ID", also=(("PAGER", "head -n 10000 | cat"),), strength=0.9),
            # Every Cursor integrated terminal, a human's too: weak.
            _env("CURSOR_TRACE_ID", strength=0.5),
        ),
        processes=("cursor-agent",),
        identities=(
            _email("cursoragent@cursor.com", origin=GEN),
            _login("cursoragent[bot]", origin=GEN),
            _login("cursor[bot]", origin=GEN),
        ),
        footers=("made with [cursor]",),
    ),
    AgentSpec(
        name="gemini-cli",
        display="Gemini CLI",
        aliases=("gemini", "gemini-agent", "google-gemini-cli"),
        # GEMINI_CLI=1 on every shell command and MCP server it spawns.
        env=(_env("GEMINI_CLI"),),
        processes=("gemini",),
        packages=("@google/gemini-cli",),
        identities=(
            # A review suggestion accepted by a person: assistance, not generation.
            _login("gemini-code-assist[bot]", origin=ASSIST),
            # Convention in projects' agent instructions, not written by the CLI (uncertain).
            _email("noreply@google.com"),
        ),
        model_env=("GEMINI_MODEL",),
    ),
    AgentSpec(
        name="copilot",
        display="GitHub Copilot",
        aliases=(
            "github-copilot",
            "copilot-cli",
            "github-copilot-cli",
            "copilot-agent",
            "copilot-swe-agent",
            "copilot-vscode",
            "github_copilot",
        ),
        env=(
            _env("COPILOT_CLI"),
            _env("COPILOT_AGENT"),
            _env("COPILOT_AGENT_SESSION_ID", session=True),
            _env("COPILOT_AGENT_JOB_ID"),
            _env("COPILOT_MODEL", strength=0.8),
            _env("COPILOT_ALLOW_ALL", strength=0.8),
            # VS Code agent terminals set GIT_PAGER=cat; weak, a person may too.
            _env(
                "TERM_PROGRAM", "vscode", also=(("GIT_PAGER", "cat"),), strength=0.4, origin=ASSIST
            ),
        ),
        processes=("copilot",),
        packages=("@github/copilot",),
        identities=(
            # 175728472+Copilot: a pull-request review suggestion a person accepted.
            _login("175728472+copilot", origin=ASSIST),
            _login("copilot"),  # 198982749+ coding agent, 223556219+ CLI/SDK
            _login("copilot-swe-agent[bot]"),
            _login("copilot-swe-agent"),
            _email("copilot@github.com", origin=ASSIST),  # VS Code git.addAICoAuthor
            _email("copilot-swe-agent@github.com"),
        ),
        model_env=("COPILOT_MODEL",),
        footers=("copilot workspace session",),
        session_trailers=("copilot-session", "agent-logs-url"),
    ),
    AgentSpec(
        name="amp",
        display="Amp",
        aliases=("ampcode", "sourcegraph-amp"),
        # AGENT=amp, AGENT_THREAD_ID and AMP_CURRENT_THREAD_ID in every shell tool run.
        env=(_env("AMP_CURRENT_THREAD_ID", session=True),),
        processes=("amp",),
        packages=("@sourcegraph/amp",),
        identities=(_email("amp@ampcode.com"),),
        footers=("generated with [amp]", "ampcode.com/threads/"),
        session_trailers=("amp-thread-id", "amp-thread"),
    ),
    AgentSpec(
        name="windsurf",
        display="Windsurf",
        origin=ASSIST,
        aliases=("cascade", "codeium", "windsurf-cascade"),
        # Set in Windsurf's terminals (uncertain whether only for Cascade's commands).
        env=(_env("CODEIUM_EDITOR_APP_ROOT", strength=0.6),),
        identities=(
            _email("cascade@windsurf.ai", origin=GEN),
            _email("cascade@windsurf.com", origin=GEN),
        ),
    ),
    AgentSpec(
        name="cline",
        display="Cline",
        aliases=("cline-cli",),
        # CLINE_ACTIVE is set on the terminals Cline creates for its commands.
        env=(_env("CLINE_ACTIVE"), _env("CLINE_TASK_ID", session=True)),
        processes=("cline",),
        packages=("cline",),
    ),
    AgentSpec(
        name="opencode",
        display="OpenCode",
        aliases=("sst-opencode", "opencode-agent", "opencode-ai"),
        env=(
            _env("OPENCODE"),
            _env("OPENCODE_CLIENT"),
            _env("OPENCODE_CALLER"),
            _env("OPENCODE_BIN_PATH", strength=0.9),
            _env("OPENCODE_SERVER", strength=0.9),
        ),
        processes=("opencode",),
        packages=("opencode-ai",),
        identities=(_email("noreply@opencode.ai"),),
        footers=("generated with [opencode]", "generated with opencode"),
    ),
    AgentSpec(
        name="aider",
        display="aider",
        # aider reads every option from AIDER_<OPTION>; these are configuration a person may
        # export in a normal shell, so they are weak.
        env=(_env("AIDER_MODEL", strength=0.5), _env("AIDER_API_KEY", strength=0.4, secret=True)),
        processes=("aider",),
        packages=("aider", "aider-chat"),
        identities=(
            IdentityPattern(name_suffix="(aider)"),  # --attribute-author / --attribute-committer
            _email("aider@aider.chat", model=True),
            _email("noreply@aider.chat", model=True),
        ),
        model_env=("AIDER_MODEL",),
    ),
    AgentSpec(
        name="devin",
        display="Devin",
        aliases=("devin-ai", "cognition"),
        # Devin's VM has an /opt/.devin marker; its EDITOR names devin (std-env).
        env=(_env("EDITOR", contains="devin", strength=0.8),),
        processes=("devin",),
        identities=(
            _login("devin-ai-integration[bot]"),
            _login("devin-ai-integration"),
            _email("devin@cognition.ai"),
            _email("devin@cognition-labs.com"),
        ),
        marker_paths=("/opt/.devin",),
    ),
    AgentSpec(
        name="jules",
        display="Jules",
        aliases=("google-jules", "google-labs-jules"),
        # Jules's VM runs as USER=swebot with HOME=/home/jules (am-i-vibing).
        env=(_env("HOME", "/home/jules", also=(("USER", "swebot"),)),),
        identities=(
            _login("google-labs-jules[bot]"),
            _login("google-labs-jules"),
            _email("jules@google.com"),
        ),
    ),
    AgentSpec(
        name="goose",
        display="goose",
        aliases=("block-goose",),
        env=(
            _env("GOOSE_TERMINAL"),  # exported by goose's shell sessions
            _env("GOOSE_PROVIDER", strength=0.4),  # configuration: weak
        ),
        processes=("goose",),
        model_env=("GOOSE_MODEL",),
    ),
    AgentSpec(
        name="roo-code",
        display="Roo Code",
        aliases=("roo", "roocode", "roo-cline"),
        # Two detector tables disagree (ROO_ACTIVE vs ROO_CODE_TASK_ID): uncertain.
        env=(_env("ROO_ACTIVE"), _env("ROO_CODE_TASK_ID", session=True)),
    ),
    AgentSpec(
        name="kilo-code",
        display="Kilo Code",
        aliases=("kilo", "kilocode"),
        # Uncertain: from one detector table each.
        env=(_env("KILOCODE_FEATURE"), _env("KILO_PLATFORM", "vscode")),
        processes=("kilocode", "kilo"),
        packages=("@kilocode/cli",),
    ),
    AgentSpec(
        name="augment",
        display="Augment (Auggie)",
        aliases=("auggie", "augment-cli", "augmentcode", "augment-code"),
        env=(_env("AUGMENT_AGENT"),),  # AUGMENT_AGENT=1 on every command execution
        processes=("auggie",),
        packages=("@augmentcode/auggie",),
    ),
    AgentSpec(
        name="qwen-code",
        display="Qwen Code",
        aliases=("qwen", "qwencode", "qwen-cli"),
        env=(_env("QWEN_CODE"),),  # QWEN_CODE=1 on every shell exec (a Gemini CLI fork)
        processes=("qwen",),
        packages=("@qwen-code/qwen-code",),
        identities=(_email("qwen-coder@alibabacloud.com"),),
        model_env=("OPENAI_MODEL",),  # Qwen Code's OpenAI-compatible configuration
    ),
    AgentSpec(
        name="crush",
        display="Crush",
        aliases=("charm-crush",),
        # CRUSH=1, AGENT=crush and AI_AGENT=crush on every shell exec.
        env=(_env("CRUSH", "1"),),
        processes=("crush",),
        packages=("@charmland/crush",),
        identities=(_email("crush@charm.land"),),
        footers=("generated with crush",),
    ),
    AgentSpec(
        name="kiro",
        display="Kiro",
        aliases=("kiro-cli", "kiro-agent", "amazon-kiro"),
        env=(
            _env("KIRO_AGENT_PATH"),
            _env("AGENT_CONTEXT_OUT", strength=0.8),  # uncertain
            _env("KIRO", strength=0.8),  # uncertain
            # The Kiro IDE terminal sets it for people as well: weak.
            _env("TERM_PROGRAM", "kiro", strength=0.5),
        ),
        processes=("kiro-cli", "kiro"),
        identities=(_email("noreply@kiro.dev"), _login("kiro-agent"), _login("kiro-agent[bot]")),
    ),
    AgentSpec(
        name="continue",
        display="Continue",
        aliases=("continue-dev", "continue-cli", "cn"),
        processes=("cn",),
        packages=("@continuedev/cli",),
        identities=(_email("noreply@continue.dev"),),
    ),
    AgentSpec(
        name="junie",
        display="Junie",
        aliases=("jetbrains-junie",),
        env=(_env("JUNIE_DATA"), _env("JUNIE_SHIM_PATH")),
        processes=("junie",),
    ),
    AgentSpec(
        name="replit",
        display="Replit Agent",
        aliases=("replit-agent", "replit-assistant"),
        env=(
            _env("REPL_ID", also=(("REPLIT_MODE", "assistant"),), origin=ASSIST),
            # Every Replit workspace, a person's shell too: weak.
            _env("REPL_ID", strength=0.5, origin=ASSIST),
        ),
        identities=(_email("agent@replit.com"), _email("no-reply@replit.com")),
        session_trailers=("replit-commit-author",),
    ),
    AgentSpec(
        name="antigravity",
        display="Google Antigravity",
        env=(_env("ANTIGRAVITY_AGENT"),),
    ),
    AgentSpec(
        name="factory-droid",
        display="Factory Droid",
        aliases=("droid", "factory-ai"),
        processes=("droid",),
        identities=(_email("droid@factory.ai"), _login("factory-droid[bot]")),
    ),
    AgentSpec(
        name="openhands",
        display="OpenHands",
        aliases=("all-hands", "opendevin"),
        env=(_env("OR_APP_NAME", "openhands"),),  # uncertain
        processes=("openhands",),
        identities=(_email("openhands@all-hands.dev"), _login("openhands-agent")),
    ),
    AgentSpec(
        name="warp",
        display="Warp Agent",
        aliases=("warp-agent",),
        env=(_env("OZ_RUN_ID", session=True),),  # uncertain
        identities=(_email("agent@warp.dev"),),
    ),
    AgentSpec(
        name="trae",
        display="TRAE",
        aliases=("trae-cli", "trae-agent"),
        env=(_env("TRAE_AI_SHELL_ID", session=True),),
        identities=(_email("traecli@bytedance.com"),),
    ),
    AgentSpec(
        name="pi",
        display="Pi coding agent",
        aliases=("pi-agent", "pi-coding-agent"),
        env=(_env("PI_CODING_AGENT", "true"),),
    ),
    AgentSpec(
        name="zed",
        display="Zed Agent",
        origin=ASSIST,
        aliases=("zed-agent",),
        env=(_env("TERM_PROGRAM", "zed", also=(("PAGER", "cat"),), strength=0.6),),
    ),
    AgentSpec(
        name="tabnine",
        display="Tabnine",
        aliases=("tabnine-cli",),
        identities=(_email("noreply@tabnine.com"),),
    ),
    AgentSpec(
        name="grok-cli",
        display="Grok CLI",
        aliases=("grok",),
        env=(_env("GROK_AGENT"),),  # uncertain
        processes=("grok",),
        packages=("@vibe-kit/grok-cli",),
    ),
    AgentSpec(
        name="kimi-cli",
        display="Kimi CLI",
        aliases=("kimi",),
        env=(_env("KIMI_CLI"),),  # uncertain
        processes=("kimi",),
    ),
    AgentSpec(
        name="hermes-agent",
        display="Hermes Agent",
        aliases=("hermes",),
        env=(_env("HERMES_SESSION_ID", session=True),),  # uncertain
    ),
    AgentSpec(
        name="openclaw",
        display="OpenClaw",
        env=(_env("OPENCLAW_SHELL", "exec"), _env("OPENCLAW_CLI", "1")),
    ),
    AgentSpec(
        name="v0",
        display="v0",
        identities=(_email("noreply@v0.dev"),),
    ),
    AgentSpec(
        name="lovable",
        display="Lovable",
        identities=(_email("noreply@lovable.dev"), _login("lovable-dev[bot]")),
    ),
    AgentSpec(
        name="bolt",
        display="Bolt",
        origin=ASSIST,
        env=(_env("SHELL", "/bin/jsh", strength=0.6),),
        identities=(_email("noreply@bolt.new"),),
    ),
    AgentSpec(
        name="charlie",
        display="Charlie",
        aliases=("charlielabs", "charliehelps"),
        identities=(_email("charlie@charlielabs.ai"),),
    ),
    AgentSpec(
        name="zencoder",
        display="Zencoder",
        identities=(_login("zencoder-ai[bot]"),),
    ),
)


def _build_index() -> tuple[
    dict[str, AgentSpec],
    dict[str, AgentSpec],
    dict[str, AgentSpec],
    dict[str, AgentSpec],
    dict[str, AgentSpec],
]:
    by_alias: dict[str, AgentSpec] = {}
    by_process: dict[str, AgentSpec] = {}
    by_package: dict[str, AgentSpec] = {}
    by_email: dict[str, AgentSpec] = {}
    by_login: dict[str, AgentSpec] = {}
    for spec in AGENTS:
        for alias in (spec.name, *spec.aliases):
            by_alias.setdefault(alias, spec)
        for proc in spec.processes:
            by_process.setdefault(proc, spec)
        for pkg in spec.packages:
            by_package.setdefault(pkg, spec)
        for ident in spec.identities:
            if ident.email:
                by_email.setdefault(ident.email, spec)
            if ident.login:
                by_login.setdefault(ident.login, spec)
    return by_alias, by_process, by_package, by_email, by_login


_BY_ALIAS, _BY_PROCESS, _BY_PACKAGE, _BY_EMAIL, _BY_LOGIN = _build_index()
_NOREPLY_DOMAIN = "@users.noreply.github.com"


def agent_by_name(name: str) -> AgentSpec | None:
    """The agent whose canonical name is ``name``."""
    spec = _BY_ALIAS.get(name)
    return spec if spec is not None and spec.name == name else None


def agent_by_alias(text: str) -> AgentSpec | None:
    """The agent a free-form name designates (``Claude``, ``cursor-cli``, ``GitHub Copilot``)."""
    key = "-".join(text.strip().lower().replace("_", " ").split())
    if not key:
        return None
    return _BY_ALIAS.get(key) or _BY_ALIAS.get(key.removesuffix("[bot]"))


def agent_by_process(basename: str) -> AgentSpec | None:
    """The agent whose executable (or script) basename this is, exact match only."""
    return _BY_PROCESS.get(basename)


def agent_by_package(package: str) -> AgentSpec | None:
    """The agent distributed as this npm/PyPI package name."""
    return _BY_PACKAGE.get(package.lower())


def github_noreply_login(email: str) -> str | None:
    """``123+login[bot]@users.noreply.github.com`` -> ``login[bot]``; None for other emails."""
    address = email.strip().lower()
    if not address.endswith(_NOREPLY_DOMAIN):
        return None
    local = address[: -len(_NOREPLY_DOMAIN)]
    digits, plus, login = local.partition("+")
    if plus and digits.isdigit():
        return login or None
    return local or None


def agent_by_email(email: str) -> tuple[AgentSpec, IdentityPattern] | None:
    """The agent identity an email address belongs to, if any."""
    address = email.strip().lower().strip("<>")
    spec = _BY_EMAIL.get(address)
    if spec is not None:
        return _pattern(spec, "email", address)
    login = github_noreply_login(address)
    if login is None:
        return None
    full = address[: -len(_NOREPLY_DOMAIN)]  # ``<id>+login``: some ids mean something
    for key in (full, login):
        spec = _BY_LOGIN.get(key)
        if spec is not None:
            return _pattern(spec, "login", key)
    return None


def agent_by_identity(name: str, email: str) -> tuple[AgentSpec, IdentityPattern] | None:
    """The agent a ``Name <email>`` identity belongs to: by email, then by name suffix."""
    hit = agent_by_email(email) if email else None
    if hit is not None:
        return hit
    lowered = name.strip().lower()
    if not lowered:
        return None
    for spec in AGENTS:
        for ident in spec.identities:
            if ident.name_suffix and lowered.endswith(ident.name_suffix):
                return spec, ident
    return None


def _pattern(spec: AgentSpec, key: str, value: str) -> tuple[AgentSpec, IdentityPattern] | None:
    for ident in spec.identities:
        if getattr(ident, key) == value:
            return spec, ident
    return None


def parse_agent_value(value: str) -> tuple[str, str | None]:
    """Split an ``AI_AGENT``-style value into (name, version).

    Handles ``codex@1.2.3``, ``devin@1``, ``claude-code_2-1-141_agent`` (version with dashes
    for dots) and ``github_copilot_vscode_agent``. The name is lower-case.
    """
    text = value.strip().lower()
    name, at, version = text.partition("@")
    if at:
        return name.strip(), version.strip() or None
    if text.startswith("github_copilot"):
        return "copilot", None
    head, underscore, rest = text.partition("_")
    if not underscore:
        return text, None
    ver = rest.removesuffix("_agent").split("_", 1)[0]
    if ver and ver.replace("-", "").isdigit():
        return head, ver.replace("-", ".")
    return head, None
