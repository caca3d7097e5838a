"""The ``aibom`` console script: the common forms of ``aibom blame`` run without click
(:mod:`aibom.attribution.fastblame`); everything else goes to :func:`aibom.cli.main`."""

from __future__ import annotations

import sys


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["blame"]:
        from aibom.attribution import fastblame

        code = fastblame.main(argv[1:])
        if code is not None:
            sys.exit(code)
    from aibom.cli import main as cli_main

    sys.exit(cli_main(argv))
