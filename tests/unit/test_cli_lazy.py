"""The lazily loaded command table of ``aibom.cli`` matches what the area modules export."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from aibom import cli

AREAS = sorted({*cli.LAZY_COMMANDS.values(), *cli.LAZY_NOTES_COMMANDS.values()})


@pytest.mark.parametrize("area", AREAS)
def test_table_names_exactly_the_commands_of_each_area(area: str) -> None:
    module = importlib.import_module(f"aibom.cli_{area}")
    exported = {c.name for c in module.COMMANDS}
    notes = {c.name for c in module.NOTES_COMMANDS}
    assert exported == {n for n, a in cli.LAZY_COMMANDS.items() if a == area}
    assert notes == {n for n, a in cli.LAZY_NOTES_COMMANDS.items() if a == area}


def test_every_lazy_command_resolves_and_shows_help() -> None:
    for name in cli.LAZY_COMMANDS:
        assert cli.main([name, "--help"]) == 0, name
    for name in cli.LAZY_NOTES_COMMANDS:
        assert cli.main(["notes", name, "--help"]) == 0, name


def test_a_command_loads_only_its_own_area() -> None:
    code = (
        "import sys\n"
        "from aibom.cli import main\n"
        "main(['--version'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('aibom.cli_')))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.strip().splitlines()[-1] == "[]"
