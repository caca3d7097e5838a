"""Fail-open wrapper shared by every hook entry point.

A hook never loses a commit: an internal error prints a warning and exits 0, unless the
configuration says fail-closed (then exit 3). Usage errors (exit 2) are reported as such.
"""

from __future__ import annotations

import os
import sys

from aibom.errors import AibomError, ExitCode, exit_code_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


_CLOSED_BY_CONFIG: list[bool] = [False]


def configure(fail_closed: bool) -> None:
    """A hook that loaded its configuration says whether it fails closed (``fail_closed``)."""
    _CLOSED_BY_CONFIG[0] = fail_closed


def fail_closed() -> bool:
    env = os.environ.get("AIBOM_FAIL_CLOSED", "").strip().lower() in {"1", "true", "yes", "on"}
    return env or _CLOSED_BY_CONFIG[0]


def _report_modules() -> None:
    """``AIBOM_DEBUG_MODULES=FILE``: write the names of all loaded modules (import budget test)."""
    path = os.environ.get("AIBOM_DEBUG_MODULES")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("\n".join(sorted(sys.modules)) + "\n")


def run(name: str, body: Callable[[list[str]], int], argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    skip = {p.strip() for p in os.environ.get("AIBOM_SKIP", "").lower().split(",")}
    if skip & {"1", "true", "yes", "all", name}:
        return ExitCode.OK
    try:
        code = body(args)
        _report_modules()
        return code
    except KeyboardInterrupt:
        return ExitCode.INTERNAL
    except Exception as exc:
        code = exit_code_for(exc)
        if isinstance(exc, AibomError):
            text = exc.message + (f" (hint: {exc.hint})" if exc.hint else "")
        else:
            text = f"{type(exc).__name__}: {exc}"
        closed = fail_closed() or getattr(exc, "fail_closed", False)
        if closed:
            print(f"aibom {name}: {text}", file=sys.stderr)
            return int(code)
        print(
            f"aibom {name}: warning: {text} (the commit goes on; hook failed open)", file=sys.stderr
        )
        return ExitCode.OK
