"""The one error hierarchy of aibom. Exit codes are decided here and nowhere else.

0 ok, 1 findings or policy violation, 2 usage or configuration error, 3 internal error.
"""

from __future__ import annotations


class ExitCode:
    """The four exit codes (plain ints: ``enum`` is too slow to import on the hook path)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    INTERNAL = 3


class AibomError(Exception):
    """Base class. ``hint`` is a user-facing suggestion printed under the message."""

    exit_code: int = ExitCode.INTERNAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        text = f"aibom: error: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class UsageError(AibomError):
    """Bad arguments or bad input given by the user."""

    exit_code = ExitCode.USAGE


class ConfigError(UsageError):
    """Invalid configuration (pyproject, .aibom.toml, AIBOM_* variables, git config)."""


class NotARepositoryError(UsageError):
    """The command needs a git repository (or a work tree) and none was found."""


class GitError(AibomError):
    """A git command failed in a way aibom did not expect."""

    exit_code = ExitCode.INTERNAL

    def __init__(self, args: list[str], returncode: int, stderr: str) -> None:
        cmd = " ".join(args[:4]) + (" ..." if len(args) > 4 else "")
        super().__init__(f"`{cmd}` failed ({returncode}): {stderr.strip()[:500]}")
        self.returncode = returncode
        self.stderr = stderr


class RecordError(AibomError):
    """A record failed schema validation (on write: a bug; on read: foreign data)."""

    exit_code = ExitCode.INTERNAL


class FindingsError(AibomError):
    """Findings or a policy violation: exit 1."""

    exit_code = ExitCode.FINDINGS


def exit_code_for(exc: BaseException) -> int:
    """Map any exception to the exit code DESIGN.md fixes."""
    if isinstance(exc, AibomError):
        return exc.exit_code
    return ExitCode.INTERNAL
