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


def fail_closed() -> bool:
    return os.environ.get("AIBOM_FAIL_CLOSED", "").strip().lower() in {"1", "true", "yes", "on"}


def run(name: str, body: Callable[[list[str]], int], argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if os.environ.get("AIBOM_SKIP", "").strip().lower() in {"1", "true", "yes", "all", name}:
        return ExitCode.OK
    try:
        return body(args)
    except KeyboardInterrupt:
        return ExitCode.INTERNAL
    except Exception as exc:
        code = exit_code_for(exc)
        text = exc.render() if isinstance(exc, AibomError) else f"{type(exc).__name__}: {exc}"
        closed = fail_closed() or getattr(exc, "fail_closed", False)
        if closed:
            print(f"aibom {name}: {text}", file=sys.stderr)
            return int(code)
        print(
            f"aibom {name}: warning: {text} (the commit goes on; hook failed open)", file=sys.stderr
        )
        return ExitCode.OK
