"""What the hooks do: stamp the message (commit-msg) and record the commit (post-commit)."""

from __future__ import annotations

import os
import time

from aibom._hash import hexdigest
from aibom._value import Value
from aibom.provenance import detect
from aibom.provenance import trailers as tr
from aibom.provenance.types import DetectionContext, Ident, SourceKind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from aibom.config import Config
    from aibom.gitutil import Repo
    from aibom.provenance.commits import CommitInfo
    from aibom.provenance.generation import BlobDigest
    from aibom.provenance.types import Detection, Trailer


def context(
    repo: Repo | None,
    cfg: Config,
    *,
    trailers: Sequence[Trailer] = (),
    message: str = "",
    author: Ident | None = None,
    committer: Ident | None = None,
    env: Mapping[str, str] | None = None,
) -> DetectionContext:
    return DetectionContext(
        git_dir=repo.git_dir if repo is not None else None,
        env=dict(os.environ) if env is None else env,
        trailers=tuple(trailers),
        message=message,
        author=author,
        committer=committer,
        pid=os.getpid() if cfg.process_ancestry else None,
        now=time.time(),
    )


def _env_ident(env: Mapping[str, str], role: str) -> Ident | None:
    name = env.get(f"GIT_{role}_NAME")
    email = env.get(f"GIT_{role}_EMAIL")
    if name is None and email is None:
        return None
    return Ident(name or "", email or "")


SIGN_OFF = b"Signed-off-by: "


def rest_is_empty(lines: Sequence[bytes]) -> bool:
    """git's own rule: only whitespace and ``Signed-off-by:`` lines count as no message."""
    return all(not ln.strip() or ln.startswith(SIGN_OFF) for ln in lines)


def effectively_empty(message: bytes) -> bool:
    """True when git would abort the commit as having an empty message.

    Stamping such a message would turn an aborted commit into one that holds only trailers.
    Comment lines are dropped as the default cleanup does; a message of sign-offs is empty.
    """
    message, _ = tr.split_scissors(message)
    lines = [ln for ln in message.split(b"\n") if not ln.startswith(b"#")]
    return rest_is_empty(lines)


SYSTEM_CONFIG = "/etc/gitconfig"


def _config_paths(repo: Repo) -> list[str]:
    home = os.environ.get("HOME", "")
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    paths = [os.path.join(repo.common_dir, "config"), os.path.join(xdg, "git", "config")]
    paths.append(os.environ.get("GIT_CONFIG_GLOBAL") or os.path.join(home, ".gitconfig"))
    if not os.environ.get("GIT_CONFIG_NOSYSTEM"):
        paths.append(os.environ.get("GIT_CONFIG_SYSTEM") or SYSTEM_CONFIG)
    return paths


def _may_have_template(repo: Repo) -> bool:
    """Cheap screen: could ``commit.template`` be set? (then git is asked; includes count)."""
    if any(k.startswith("GIT_CONFIG_KEY_") or k == "GIT_CONFIG_PARAMETERS" for k in os.environ):
        return True
    for path in _config_paths(repo):
        try:
            with open(path, "rb") as fh:
                data = fh.read().lower()
        except OSError:
            continue
        if b"template" in data or b"include" in data:
            return True
    return False


def template_untouched(repo: Repo, message: bytes) -> bool:
    """True when the message is still the configured ``commit.template`` (git would abort).

    Only ``commit.template`` is visible to a hook; ``git commit -t FILE`` is not.
    """
    if not _may_have_template(repo):
        return False
    found = repo.git(["config", "--path", "--get", "commit.template"], check=False)
    path = found.stdout.decode("utf-8", "surrogateescape").strip()
    if found.returncode != 0 or not path:
        return False
    try:
        with open(os.path.join(repo.cwd, path), "rb") as fh:
            template = fh.read()
    except OSError:
        return False

    def clean(data: bytes) -> bytes:
        proc = repo.git(["stripspace", "--strip-comments"], input=data, check=False)
        return proc.stdout if proc.returncode == 0 else data

    body, _ = tr.split_scissors(message)
    wanted = clean(template)
    got = clean(body)
    if not wanted or not got.startswith(wanted):
        return False
    return rest_is_empty(got[len(wanted) :].split(b"\n"))


class StampOutcome(Value):
    __slots__ = ("added", "detection")
    detection: Detection
    added: tuple[Trailer, ...]

    def __init__(self, detection: Detection, added: tuple[Trailer, ...]) -> None:
        self._set(detection=detection, added=tuple(added))


def stamp_message_file(repo: Repo, path: str, cfg: Config) -> StampOutcome | None:
    """The commit-msg hook: add AI-* trailers to the message file, in place."""
    with open(path, "rb") as fh:
        message = fh.read()
    if effectively_empty(message) or _maybe_all_comments(repo, message):
        return None
    if template_untouched(repo, message):
        return None
    existing = tr.parse_trailers(message, cwd=repo.cwd)
    text = message.decode("utf-8", "surrogateescape")
    env = os.environ
    ctx = context(
        repo,
        cfg,
        trailers=existing,
        message=text,
        author=_env_ident(env, "AUTHOR"),
        committer=_env_ident(env, "COMMITTER"),
    )
    detection = detect.detect(ctx, detect.default_sources(ancestry=cfg.process_ancestry))
    from aibom.provenance import handoff

    handoff.give(repo, detection)
    add = tr.wanted_trailers(detection, existing)
    result = tr.stamp(message, add, cwd=repo.cwd, existing=existing)
    if result.changed:
        tmp = f"{path}.aibom.{os.getpid()}"
        with open(tmp, "wb") as fh:
            fh.write(result.message)
        os.replace(tmp, path)
    return StampOutcome(detection, result.added)


def _maybe_all_comments(repo: Repo, message: bytes) -> bool:
    """With an unusual core.commentChar, ask git's own cleanup whether anything remains."""
    lines = [ln.strip() for ln in message.split(b"\n") if ln.strip()]
    firsts = {ln[:1] for ln in lines}
    if len(firsts) != 1 or firsts.pop().isalnum():
        return False
    proc = repo.git(["stripspace", "--strip-comments"], input=message, check=False)
    return proc.returncode == 0 and rest_is_empty(proc.stdout.split(b"\n"))


class RecordOutcome(Value):
    __slots__ = ("action", "commit", "detection", "handoff")
    commit: str
    action: str  # recorded | skipped-rebase | cherry-pick | unchanged | skipped
    detection: Detection | None
    handoff: bool  # the commit-msg hook's detection was reused

    def __init__(
        self, commit: str, action: str, detection: Detection | None = None, handoff: bool = False
    ) -> None:
        self._set(commit=commit, action=action, detection=detection, handoff=handoff)


def record_head(repo: Repo, cfg: Config) -> RecordOutcome:
    """The post-commit hook: append a generation record to HEAD's note."""
    from aibom.deps import handoff as deps_handoff
    from aibom.gitutil import last_reflog_entry, loose_commit_time
    from aibom.notes import rewrite
    from aibom.notes.store import NotesStore
    from aibom.provenance import checkpoint, generation, handoff
    from aibom.provenance import session as sessions
    from aibom.provenance.commits import read_head_with_changes

    entry = last_reflog_entry(repo)
    action = rewrite.reflog_action(repo)
    if rewrite.is_rebase_step(action):
        deps_handoff.clear(repo)
        return RecordOutcome(entry[1] if entry else "HEAD", "skipped-rebase")
    cherry_pick = rewrite.is_cherry_pick(repo, action)
    detection = handoff.take(repo, entry[0]) if entry else None
    if cherry_pick:
        detection = None  # a pick copies its source's records; see below
    committed = loose_commit_time(repo, entry[1]) if entry and detection else None
    changes: list[tuple[str, str]] = []
    fast = detection is not None and committed is not None and entry is not None
    if detection is not None and committed is not None and entry is not None:
        sha = entry[1]  # fast path: commit-msg's detection, nothing asked of git yet
        if detection.origin.is_ai:
            info, changes = read_head_with_changes(repo, sha)
    else:
        info, changes = read_head_with_changes(repo)
        sha, committed = info.sha, info.committed
        if cherry_pick:
            source = rewrite.cherry_pick_source(repo, info.message, info.sha)
            if source is not None and rewrite.copy_cherry_pick(repo, source, info.sha):
                deps_handoff.clear(repo)
                return RecordOutcome(info.sha, "cherry-pick")
        detection = detect_commit(repo, cfg, info)
    amend = action.startswith("commit (amend)")
    observed_ai = any(
        e.origin.is_ai and e.source is not SourceKind.DECLARED for e in detection.evidence
    )
    # what the pre-commit gate saw is recorded even when the generation record is not, and
    # the hand-off is consumed either way so it can never attach to a later commit
    added = deps_handoff.take(repo, sha)
    deps_lines = [deps_handoff.record(added, detection).line] if added is not None else []
    # line-level attribution from agent checkpoints goes into the same append
    attributed, fetched = attribution_lines(
        repo, sha, changes, entry[0] if amend and entry else None
    )
    deps_lines += attributed
    if (amend and not observed_ai) or (not detection.origin.is_ai and not cfg.human_records):
        if deps_lines:
            NotesStore(repo).append(sha, deps_lines)
        return RecordOutcome(sha, "skipped", detection)
    state = repo.state_dir
    current = sessions.load(state)
    ai = detection.origin.is_ai  # blobs and agent config are recorded for AI commits only
    record = generation.build(
        detection,
        committed=committed,
        session=current,
        blobs=blob_digests(repo, changes, fetched) if ai else [],
        agent_config=(
            generation.agent_config_digest(repo.toplevel, cfg.agent_config_files) if ai else None
        ),
    )
    changed = NotesStore(repo).append(sha, [record.line, *deps_lines])
    checkpoint.consume(state)
    return RecordOutcome(sha, "recorded" if changed else "unchanged", detection, fast)


def attribution_lines(
    repo: Repo, sha: str, changes: Sequence[tuple[str, str]], replaced: str | None
) -> tuple[list[str], dict[str, bytes]]:
    """The ``attribution`` record line of a new commit, when agent checkpoints saw its files,
    and the blobs read for it (by object name; reused for the generation record's digests).

    ``replaced``: the commit an amend replaced (its lines are carried by the rewrite, so they
    count as base here). Never raises: line facts are best effort, the commit record is not.
    """
    if not os.path.isdir(os.path.join(repo.state_dir, "attribution")):
        return [], {}  # no agent checkpoint ever named a file here: one stat, no import
    from aibom.attribution import checkpoints as attribution_store

    if not attribution_store.has_events(repo.state_dir):
        return [], {}
    try:
        from aibom.attribution.capture import record_for_commit
        from aibom.provenance.commits import read_head_with_changes

        if not changes:
            _, changes = read_head_with_changes(repo, sha)
        record, blobs = record_for_commit(repo, changes, replaced or f"{sha}^", sha)
    except Exception as exc:  # pragma: no cover - reported, never fatal
        import sys

        print(f"aibom post-commit: warning: line attribution skipped ({exc})", file=sys.stderr)
        return [], {}
    return ([record.line] if record is not None else []), blobs


def detect_commit(
    repo: Repo | None, cfg: Config, info: CommitInfo, *, live: bool = True
) -> Detection:
    """Detection for a commit that exists.

    ``live`` (post-commit): every layer, including this worktree's session, the environment
    and process ancestry. Not live (backfill): only what the commit itself says.
    """
    ctx = context(
        repo if live else None,
        cfg,
        trailers=info.trailers,
        message=info.message,
        author=info.author,
        committer=info.committer,
        env=None if live else {},
    )
    sources = detect.default_sources(ancestry=live and cfg.process_ancestry)
    return detect.detect(ctx, sources)


def blob_digests(
    repo: Repo, changes: Sequence[tuple[str, str]], known: Mapping[str, bytes] | None = None
) -> list[BlobDigest]:
    """sha256 of every blob a commit added or changed, read with one ``cat-file --batch``
    (none when ``known`` holds them all already)."""
    from aibom.notes.store import cat_blobs
    from aibom.provenance.generation import BlobDigest

    contents = dict(known or {})
    contents.update(cat_blobs(repo, [oid for _, oid in changes if oid not in contents]))
    return [
        BlobDigest(path, hexdigest(contents[oid]))
        for path, oid in sorted(changes)
        if oid in contents
    ]
