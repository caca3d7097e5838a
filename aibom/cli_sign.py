"""``aibom sign`` and ``aibom verify``: thin adapters over :mod:`aibom.sign`."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from aibom.errors import FindingsError, NotARepositoryError, UsageError
from aibom.report import Format, emit

# Not aibom.cli's FORMAT_OPTION: importing aibom.cli here would be circular (it imports us).
FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in Format]),
    default=Format.TEXT.value,
    show_default=True,
    help="Output format.",
)
TRUST_CONFIG_OPTION = click.option(
    "--trust-config",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="AIBOM_SIGSTORE_TRUST_CONFIG",
    help=(
        "A Sigstore ClientTrustConfig JSON (signing config + trusted root) for a private "
        "instance [env AIBOM_SIGSTORE_TRUST_CONFIG; default: the public-good instance]."
    ),
)
ARTIFACT_OPTION = click.option(
    "--artifact",
    "artifacts",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="A release artefact that is a subject of the attestation too. Repeatable.",
)


@click.command("sign")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--identity-token",
    "token",
    envvar="SIGSTORE_IDENTITY_TOKEN",
    metavar="TOKEN",
    help="An OIDC identity token [env SIGSTORE_IDENTITY_TOKEN; default: the CI's ambient one].",
)
@TRUST_CONFIG_OPTION
@click.option(
    "--bundle",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="OUT",
    help="Where the BOM's bundle goes [default: FILE.sigstore.json].",
)
@click.option(
    "--attest/--no-attest",
    default=True,
    show_default=True,
    help="Also sign an in-toto Statement (DSSE) of the BOM and the --artifact files. "
    "--no-attest: the BOM's bundle alone.",
)
@click.option(
    "--attestation",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="OUT",
    help="Where the attestation bundle goes [default: FILE.intoto.sigstore.json].",
)
@ARTIFACT_OPTION
@click.option(
    "--range",
    "span",
    metavar="A..B",
    help="The attestation summarises the commits of A..B [default: HEAD's history].",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="The attestation summarises the commits of every ref.",
)
@FORMAT_OPTION
@click.pass_context
def sign_command(
    ctx: click.Context,
    file: Path,
    token: str | None,
    trust_config: Path | None,
    bundle: Path | None,
    attest: bool,
    attestation: Path | None,
    artifacts: tuple[Path, ...],
    span: str | None,
    everything: bool,
    fmt: str,
) -> None:
    """Sign FILE (a BOM) keylessly with Sigstore: two bundles that verify offline.

    The identity is the CI's ambient OIDC identity, or --identity-token. Two signatures, both
    logged in Rekor: FILE.sigstore.json signs FILE itself (a message signature, what
    `sigstore verify identity` checks), and FILE.intoto.sigstore.json signs an in-toto
    Statement v1 (DSSE) whose subjects are FILE and every --artifact (name + sha256) and whose
    small predicate (https://aibom.dev/attestation/ai-provenance/v2) summarises the history:
    the range's commit ids, commits by origin, the AI commits' count and the sha256 of their
    ids, the models and agents, the AI share of lines. --no-attest signs FILE alone. Nothing
    is written unless every signature was made.

    \b
    Examples:
      aibom build -o bom.json && aibom sign bom.json
      aibom sign bom.json --artifact dist/app-1.0.tar.gz --range v1.0..v1.1
      aibom sign bom.json --no-attest
      aibom sign bom.json --trust-config private-sigstore.json --identity-token "$TOKEN"
    """
    from aibom.sign import intoto
    from aibom.sign.signer import SignRequest, identity_token, sign

    if span and everything:
        raise UsageError("--range and --all exclude each other")
    if not attest:
        given = [
            name
            for name, value in (
                ("--artifact", artifacts),
                ("--attestation", attestation),
                ("--range", span),
                ("--all", everything),
            )
            if value
        ]
        if given:
            raise UsageError(
                f"--no-attest and {given[0]} exclude each other",
                hint=f"{given[0]} is about the attestation, which --no-attest leaves out",
            )
    revs = ("--all",) if everything else (span,) if span else ()
    raw_token = identity_token(token)  # a bad token is said before the history is read
    request = SignRequest(
        file=file,
        bundle=bundle or _beside(file, ".sigstore.json"),
        provenance=_provenance(ctx, file, revs) if attest else intoto.Provenance(""),
        token=raw_token,
        trust_config=trust_config,
        attestation=(attestation or _beside(file, ".intoto.sigstore.json")) if attest else None,
        artifacts=artifacts,
    )
    result = sign(request)
    emit(_sign_json(result), _sign_text(result, trust_config), Format(fmt))


def _beside(file: Path, suffix: str) -> Path:
    return file.with_name(file.name + suffix)


def _provenance(ctx: click.Context, file: Path, revs: tuple[str, ...]) -> Any:
    from aibom import gitutil
    from aibom.cli import _git_log_args, _revs_checked
    from aibom.sign import history, intoto

    if not file.is_file():
        raise UsageError(f"{file} does not exist or is not a file")
    bom = intoto.bom_info(file.read_bytes())
    try:
        repo = gitutil.discover(ctx.obj.get("cwd"))
    except NotARepositoryError:
        return history.without_repo(bom)
    _revs_checked(repo, revs)
    if sys.stderr.isatty():
        click.echo("aibom: reading the history for the attestation...", err=True)
    provenance = history.from_repo(repo, _git_log_args(revs) if revs else ["HEAD"], bom)
    if provenance.shallow:
        click.echo(
            "aibom: warning: shallow clone: the attestation counts only its commits", err=True
        )
    return provenance


def _sign_json(result: Any) -> dict[str, Any]:
    statement = result.statement
    return {
        "file": str(result.file),
        "sha256": result.sha256,
        "identity": result.identity,
        "issuer": result.issuer,
        "bundles": [
            {
                "path": str(s.bundle),
                "kind": s.kind,
                "log_index": s.log_index,
                "integrated_time": s.integrated_time,
            }
            for s in result.signatures
        ],
        "subjects": [s.to_json() for s in result.subjects],
        "predicate_type": statement.predicate_type if statement else None,
        "predicate": dict(statement.predicate) if statement else None,
    }


def _sign_text(result: Any, trust_config: Path | None = None) -> str:
    lines = [
        f"signed {result.file} (sha256 {result.sha256[:16]}...) as {result.identity}",
        f"  issuer       {result.issuer}",
    ]
    for signed in result.signatures:
        if signed.kind == "message-signature":
            label, what = "bundle", f"message signature of {result.file.name}"
        else:
            label, what = "attestation", "in-toto statement in a DSSE envelope"
        lines.append(
            f"  {label:<12} {signed.bundle}  ({what}; Rekor log index {signed.log_index}"
            f"{_when(signed.integrated_time)})"
        )
    if result.statement is None:
        lines.append("  attestation  none (--no-attest)")
    for subject in result.subjects:
        lines.append(f"  subject      {subject.name}  sha256:{subject.sha256[:16]}...")
    if result.statement is not None:
        lines += _predicate_text(result.statement.predicate_type, result.statement.predicate)
    for at, signed in enumerate(result.signatures):
        lead = "verify with:" if at == 0 else "        and:"
        lines.append(f"{lead} {verify_command_line(result, trust_config, signed.bundle)}")
    return "\n".join(lines)


def verify_command_line(result: Any, trust_config: Path | None, bundle: Path) -> str:
    """The ``aibom verify`` command for one signed bundle, quoted for a POSIX shell; with the
    trust configuration sign used (without it, verify would check against another root)."""
    import shlex

    argv = ["aibom", "verify", str(result.file), "--bundle", str(bundle)]
    argv += ["--identity", result.identity, "--issuer", result.issuer]
    if trust_config is not None:
        argv += ["--trust-config", str(trust_config)]
    return shlex.join(argv)


def _predicate_text(predicate_type: str | None, predicate: Any) -> list[str]:
    """The attested AI provenance in a few lines (v2; v1's counts too)."""
    from aibom.sign.intoto import ORIGINS

    if not isinstance(predicate, dict):
        return []
    lines = [f"  predicate    {predicate_type}"]
    commits = _obj(predicate.get("commits"))
    if commits:
        by_origin = _obj(commits.get("byOrigin"))
        order = [*ORIGINS, *sorted(set(by_origin) - set(ORIGINS))]
        counts = ", ".join(f"{by_origin[o]} {o}" for o in order if by_origin.get(o))
        lines.append(f"  provenance   {commits.get('total', 0)} commits: {counts or 'none'}")
        ai = _obj(commits.get("ai"))
        if ai:
            share = commits.get("aiShare")
            pct = f" ({share:.2%})" if isinstance(share, (int, float)) else ""
            lines.append(
                f"  ai commits   {ai.get('count')}{pct}, ids sha256:{str(ai.get('sha256'))[:16]}..."
            )
    repository = _obj(predicate.get("repository"))
    ends = _obj(repository.get("endpoints"))
    if isinstance(ends.get("include"), list):
        span = " ".join(str(x)[:12] for x in ends["include"])
        span += "".join(f" ^{str(x)[:12]}" for x in ends.get("exclude") or ())
        lines.append(f"  range        {span}")
    elif ends:
        lines.append(f"  range        {ends.get('count')} endpoints (too many to list)")
    for key, label in (("models", "models"), ("agents", "agents")):
        listed = _obj(predicate.get(key))
        items = [_obj(i) for i in listed.get("listed") or ()]
        if items:
            named = ", ".join(f"{i.get('id', i.get('name'))} {i.get('commits')}" for i in items[:3])
            more = len(items) < int(listed.get("distinct") or 0) or len(items) > 3
            lines.append(
                f"  {label:<12} {listed.get('distinct')}: {named}{', ...' if more else ''}"
            )
    share_lines = _obj(predicate.get("lines"))
    if isinstance(share_lines.get("aiShare"), (int, float)):
        lines.append(
            f"  lines        {share_lines['aiShare']:.2%} AI of "
            f"{share_lines.get('release')} release lines (the BOM's metrics)"
        )
    for note in predicate.get("notes") or ():
        lines.append(f"  note         {note}")
    return lines


def _short(rev: str) -> str:
    """A commit id (or ^id) cut to 12 hex digits; anything else as it is."""
    sha = rev.lstrip("^")
    return rev[: len(rev) - len(sha) + 12] if len(sha) in (40, 64) else rev


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _when(epoch: int | None) -> str:
    if epoch is None:
        return ""
    return ", logged " + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


@click.command("verify")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--bundle",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="B",
    help="The Sigstore bundle of FILE (or of its attestation).",
)
@click.option("--identity", metavar="ID", help="The signer identity expected in the certificate.")
@click.option("--issuer", metavar="URL", help="The OIDC issuer expected in the certificate.")
@TRUST_CONFIG_OPTION
@ARTIFACT_OPTION
@click.option(
    "--records",
    is_flag=True,
    help="Check that the repository's notes still say what the BOM FILE recorded.",
)
@click.option(
    "--check-history/--no-check-history",
    "history",
    default=None,
    help="With an attestation: recompute its commit counts and the digest of its AI commit "
    "ids from this repository (-C DIR) and compare. Default: when the repository has the "
    "attested commits; --check-history makes it required.",
)
@FORMAT_OPTION
@click.pass_context
def verify_command(
    ctx: click.Context,
    file: Path,
    bundle: Path | None,
    identity: str | None,
    issuer: str | None,
    trust_config: Path | None,
    artifacts: tuple[Path, ...],
    records: bool,
    history: bool | None,
    fmt: str,
) -> None:
    """Verify FILE's Sigstore bundle offline, and/or (--records) the BOM against the notes.

    The signature check needs no network: the trusted root (--trust-config, or the local
    cache of the public-good one) decides. With an attestation bundle, FILE and every
    --artifact must be subjects of its statement; its AI-provenance summary is shown and,
    inside the repository that has the attested commits, recomputed from the history (the
    AI commits' count and the sha256 of their ids, commits by origin, models, agents).
    Exit status: 0 verified, 1 verification failed (or the history says otherwise), 2
    usage error.

    \b
    Examples:
      aibom verify bom.json --bundle bom.json.sigstore.json \\
        --identity https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main \\
        --issuer https://token.actions.githubusercontent.com
      aibom verify bom.json --bundle bom.json.intoto.sigstore.json --identity ID --issuer URL \\
        --artifact dist/app-1.0.tar.gz
      aibom -C ~/src/app verify bom.json --bundle bom.json.intoto.sigstore.json \\
        --identity ID --issuer URL --check-history
      aibom verify --records bom.json
    """
    signature = bundle is not None or identity is not None or issuer is not None
    if not signature and not records:
        raise UsageError(
            "nothing to verify", hint="give --bundle B --identity ID --issuer URL, or --records"
        )
    if history and not signature:
        raise UsageError(
            "--check-history checks an attestation",
            hint="give --bundle FILE.intoto.sigstore.json --identity ID --issuer URL",
        )
    data: dict[str, Any] = {"file": str(file)}
    text: list[str] = []
    failures: list[FindingsError] = []
    if signature:
        verified = _verify_signature(file, bundle, identity, issuer, trust_config, artifacts)
        if history and verified.kind != "in-toto":
            raise UsageError(
                f"--check-history: {verified.bundle} is a message signature, it attests no history",
                hint="give the attestation bundle (FILE.intoto.sigstore.json)",
            )
        data["signature"] = _verified_json(verified)
        text += _verified_text(verified)
        if verified.kind == "in-toto" and history is not False:
            rechecked = _check_history(ctx, verified, required=bool(history))
            data["history"] = _history_json(rechecked)
            text += _history_text(rechecked)
            if rechecked.checked and not rechecked.ok:
                failures.append(
                    FindingsError(
                        f"history check failed: {rechecked.problems[0]}",
                        hint="the history or its notes changed since signing, or the "
                        "attestation is not about this repository",
                    )
                )
    if records:
        check = _verify_records(ctx, file)
        data["records"] = {"ok": check.ok, "checked": check.checked, "problems": [*check.problems]}
        text += _records_text(check)
        if not check.ok:
            failures.append(
                FindingsError(
                    f"records check failed: {len(check.problems)} problem(s) in {file}",
                    hint="a note or the BOM changed after the BOM was built",
                )
            )
    emit(data, "\n".join(text), Format(fmt))
    if failures:
        raise failures[0]


def _verify_signature(
    file: Path,
    bundle: Path | None,
    identity: str | None,
    issuer: str | None,
    trust_config: Path | None,
    artifacts: tuple[Path, ...],
) -> Any:
    from aibom.sign.verifier import VerifyRequest, verify

    missing = [
        name
        for name, value in (("--bundle", bundle), ("--identity", identity), ("--issuer", issuer))
        if not value
    ]
    if missing:
        raise UsageError(
            f"a signature check needs {', '.join(missing)}",
            hint="aibom verify FILE --bundle B --identity ID --issuer URL",
        )
    assert bundle is not None and identity is not None and issuer is not None
    return verify(VerifyRequest(file, bundle, identity, issuer, trust_config, artifacts))


def _verified_json(verified: Any) -> dict[str, Any]:
    return {
        "ok": True,
        "bundle": str(verified.bundle),
        "kind": verified.kind,
        "sha256": verified.sha256,
        "identity": verified.identity,
        "issuer": verified.issuer,
        "log_index": verified.log_index,
        "integrated_time": verified.integrated_time,
        "rfc3161_timestamps": verified.timestamps,
        "subjects": [s.to_json() for s in verified.subjects],
        "predicate_type": verified.predicate_type,
        "predicate": dict(verified.predicate),
    }


def _verified_text(verified: Any) -> list[str]:
    lines = [
        f"OK: {verified.file} ({verified.kind}) signed by {verified.identity}",
        f"  issuer       {verified.issuer}",
        f"  rekor        log index {verified.log_index}{_when(verified.integrated_time)}",
    ]
    if verified.timestamps:
        lines.append(f"  timestamps   {verified.timestamps} RFC 3161, verified")
    for subject in verified.subjects:
        lines.append(f"  subject      {subject.name}  sha256:{subject.sha256[:16]}...")
    if verified.kind == "in-toto":
        lines += _predicate_text(verified.predicate_type, dict(verified.predicate))
    return lines


def _check_history(ctx: click.Context, verified: Any, *, required: bool) -> Any:
    from aibom import gitutil
    from aibom.sign.history import HistoryCheck, recheck

    try:
        repo = gitutil.discover(ctx.obj.get("cwd"))
    except NotARepositoryError:
        if required:
            raise UsageError(
                "--check-history: not inside a git repository",
                hint="run it in the repository that was signed, or give -C DIR",
            ) from None
        return HistoryCheck(False, "not inside a git repository")
    if sys.stderr.isatty():
        click.echo("aibom: recomputing the attested history...", err=True)
    check = recheck(repo, verified.predicate_type, verified.predicate)
    if required and not check.checked:
        raise UsageError(
            f"--check-history: cannot recompute the attested history: {check.reason}",
            hint="run it in a clone that has the attested commits (git fetch), or give -C DIR",
        )
    return check


def _history_json(check: Any) -> dict[str, Any]:
    return {
        "checked": check.checked,
        "ok": check.ok,
        "reason": check.reason or None,
        "revs": list(check.revs),
        "ai_commits": check.ai_commits if check.checked else None,
        "problems": list(check.problems),
    }


def _history_text(check: Any) -> list[str]:
    if not check.checked:
        return [f"  history      not checked: {check.reason}"]
    if check.ok:
        return [
            f"  history      OK: recomputed here ({' '.join(map(_short, check.revs))}): "
            f"{check.ai_commits} AI commits, same ids digest, counts, models and agents"
        ]
    return [f"  history      CHANGED: {problem}" for problem in check.problems]


def _verify_records(ctx: click.Context, file: Path) -> Any:
    from aibom import gitutil

    if not file.is_file():
        raise UsageError(f"{file} does not exist or is not a file")
    from aibom.bom.records import verify_records

    return verify_records(gitutil.discover(ctx.obj.get("cwd")), file)


def _records_text(check: Any) -> list[str]:
    if check.ok:
        return [f"OK: the notes still say what the BOM recorded ({check.checked} checked)"]
    return [f"CHANGED: {problem}" for problem in check.problems]


COMMANDS: tuple[click.Command, ...] = (sign_command, verify_command)
NOTES_COMMANDS: tuple[click.Command, ...] = ()  # subcommands of ``aibom notes``
