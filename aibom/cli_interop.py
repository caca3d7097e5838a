"""``aibom`` commands of the interop area (registered by :func:`aibom.cli._register`)."""

from __future__ import annotations

import click

COMMANDS: tuple[click.Command, ...] = ()
NOTES_COMMANDS: tuple[click.Command, ...] = ()  # subcommands of ``aibom notes``
