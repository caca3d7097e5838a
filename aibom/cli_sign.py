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
    "--attest",
    is_flag=True,
    help="Also sign an in-toto Statement (DSSE) of the BOM and the --artifact files.",
)
@click.option(
    "--attestation",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="OUT",
    help="Where the attestation bundle goes [default: FILE.intoto.sigstore.json]; "
    "implies --attest.",
)
@ARTIFACT_OPTION
@click.option(
    "--range",
    "span",
    metavar="A..B",
    help="The attestation summarises the commits of A..B [default: HEAD's history]; "
    "implies --attest.",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="The attestation summarises the commits of every ref; implies --attest.",
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
    """Sign FILE (a BOM) keylessly with Sigstore: a bundle that verifies offline.

    The identity is the CI's ambient OIDC identity, or --identity-token. With --attest (or
    --artifact, --range, --all) an in-toto Statement v1 is signed too: its subjects are FILE
    and every --artifact (name + sha256); its predicate
    (https://aibom.dev/attestation/ai-provenance/v1) summarises the history: commits by
    origin, the AI commits' ids, models and agents.

    \b
    Examples:
      aibom build -o bom.json && aibom sign bom.json
      aibom sign bom.json --attest --artifact dist/app-1.0.tar.gz
      aibom sign bom.json --trust-config private-sigstore.json --identity-token "$TOKEN"
    """
    from aibom.sign import intoto
    from aibom.sign.signer import SignRequest, sign

    if span and everything:
        raise UsageError("--range and --all exclude each other")
    if artifacts or attestation or span or everything:
        attest = True
    revs = ("--all",) if everything else (span,) if span else ()
    request = SignRequest(
        file=file,
        bundle=bundle or _beside(file, ".sigstore.json"),
        provenance=_provenance(ctx, file, revs) if attest else intoto.Provenance(""),
        token=token,
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
    }


def _sign_text(result: Any, trust_config: Path | None = None) -> str:
    lines = [
        f"signed {result.file} (sha256 {result.sha256[:16]}...) as {result.identity}",
        f"  issuer       {result.issuer}",
    ]
    for signed in result.signatures:
        label = "bundle" if signed.kind == "message-signature" else "attestation"
        lines.append(
            f"  {label:<12} {signed.bundle}  (Rekor log index {signed.log_index}"
            f"{_when(signed.integrated_time)})"
        )
    for subject in result.subjects:
        lines.append(f"  subject      {subject.name}  sha256:{subject.sha256[:16]}...")
    lines.append("verify with: " + verify_command_line(result, trust_config))
    return "\n".join(lines)


def verify_command_line(result: Any, trust_config: Path | None) -> str:
    """The ``aibom verify`` command for what was signed, quoted for a POSIX shell; with the
    trust configuration sign used (without it, verify would check against another root)."""
    import shlex

    argv = [
        "aibom",
        "verify",
        str(result.file),
        "--bundle",
        str(result.signatures[0].bundle),
        "--identity",
        result.identity,
        "--issuer",
        result.issuer,
    ]
    if trust_config is not None:
        argv += ["--trust-config", str(trust_config)]
    return shlex.join(argv)


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
    fmt: str,
) -> None:
    """Verify FILE's Sigstore bundle offline, and/or (--records) the BOM against the notes.

    The signature check needs no network: the trusted root (--trust-config, or the local
    cache of the public-good one) decides. With an attestation bundle, FILE and every
    --artifact must be subjects of its statement. Exit status: 0 verified, 1 verification
    failed, 2 usage error.

    \b
    Examples:
      aibom verify bom.json --bundle bom.json.sigstore.json \\
        --identity https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main \\
        --issuer https://token.actions.githubusercontent.com
      aibom verify bom.json --bundle bom.json.intoto.sigstore.json --identity ID --issuer URL \\
        --artifact dist/app-1.0.tar.gz
      aibom verify --records bom.json
    """
    signature = bundle is not None or identity is not None or issuer is not None
    if not signature and not records:
        raise UsageError(
            "nothing to verify", hint="give --bundle B --identity ID --issuer URL, or --records"
        )
    data: dict[str, Any] = {"file": str(file)}
    text: list[str] = []
    if signature:
        verified = _verify_signature(file, bundle, identity, issuer, trust_config, artifacts)
        data["signature"] = _verified_json(verified)
        text += _verified_text(verified)
    if records:
        check = _verify_records(ctx, file)
        data["records"] = {"ok": check.ok, "checked": check.checked, "problems": [*check.problems]}
        text += _records_text(check)
        if not check.ok:
            emit(data, "\n".join(text), Format(fmt))
            raise FindingsError(
                f"records check failed: {len(check.problems)} problem(s) in {file}",
                hint="a note or the BOM changed after the BOM was built",
            )
    emit(data, "\n".join(text), Format(fmt))


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
    commits = verified.predicate.get("commits") if verified.predicate else None
    if isinstance(commits, dict):
        by_origin = commits.get("byOrigin") or {}
        counts = ", ".join(f"{n} {o}" for o, n in by_origin.items() if n)
        lines.append(f"  provenance   {commits.get('total', 0)} commits: {counts or 'none'}")
    return lines


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
