"""The demo scene builds a BOM of a repository and narrates it."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from aibom.bom.demo import scene
from tests.conftest import GitRepo
from tests.unit.bom.scripted import OPUS, build_scripted


def test_scene_builds_and_narrates(make_repo: Callable[..., GitRepo], tmp_path: Path) -> None:
    repo = make_repo()
    build_scripted(repo.path)
    out = tmp_path / "bom.cdx.json"
    lines = scene(repo.path, dict(os.environ), out)
    text = "\n".join(lines)
    assert json.loads(out.read_text())["bomFormat"] == "CycloneDX"
    assert "$ aibom build -o bom.cdx.json" in text
    assert "11 components" in text and f"model  {OPUS}: 1 commits, 7 lines" in text
    assert "file   src/util.py: 100% AI" in text
    assert "dep    pkg:pypi/requests@2.32.3: added by" in text and "mixed" in text
