"""The demo's BOM scene: ``aibom build -o OUT`` on the demo repository, then what it says."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from aibom import demo_run


def scene(repo: Path, env: dict[str, str], out: Path) -> list[str]:
    """Build the AI-BOM of ``repo`` into ``out`` and narrate it (components, models, AI share
    of lines, the dependencies and who added them). Raises RuntimeError when the build fails."""
    argv = [sys.executable, "-m", "aibom.cli", "-C", str(repo), "build", "-o", str(out)]
    proc = demo_run.run([*argv, "--report", "json"], None, env)
    summary = json.loads(proc.stdout)
    bom = json.loads(out.read_text(encoding="utf-8"))
    say = [
        "",
        "release: a CycloneDX AI-BOM from history, notes, blame and manifests",
        f"$ aibom build -o {out.name}",
        f"  {_kinds(bom)} in CycloneDX {bom['specVersion']}, validated before it was written",
        f"  {summary['commits']} commits, {summary['ai_commits']} by AI; "
        f"{summary['ai_line_share']:.0%} of the release's lines were written by AI",
    ]
    say += _models(bom)
    say += _files(bom)
    say += _dependencies(bom)
    say += [f"  warning: {w}" for w in summary["warnings"]]
    return say


def _props(item: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for prop in item.get("properties", []):
        found.setdefault(prop["name"], []).append(prop.get("value", ""))
    return found


def _kinds(bom: dict[str, Any]) -> str:
    counts = Counter(c["type"] for c in bom.get("components", []))
    parts = [f"{n} {kind}" for kind, n in sorted(counts.items())]
    return f"{sum(counts.values())} components ({', '.join(parts) or 'none'})"


def _models(bom: dict[str, Any]) -> list[str]:
    lines = []
    for comp in bom.get("components", []):
        if comp["type"] == "machine-learning-model":
            usage = _props(comp.get("modelCard", {}))
            lines.append(
                f"  model  {_props(comp)['aibom:model:id'][0]}: "
                f"{usage['aibom:usage:commits'][0]} commits, {usage['aibom:usage:lines'][0]} lines"
            )
    return lines


def _files(bom: dict[str, Any]) -> list[str]:
    lines = []
    for comp in bom.get("components", []):
        if comp["type"] == "file":
            p = _props(comp)
            share = float(p["aibom:share:ai"][0])
            models = ", ".join(p.get("aibom:model", [])) or "-"
            lines.append(f"  file   {comp['name']}: {share:.0%} AI ({models})")
    return lines


def _dependencies(bom: dict[str, Any]) -> list[str]:
    lines = []
    for comp in bom.get("components", []):
        if comp["type"] == "library":
            p = _props(comp)
            commit = p.get("aibom:added-by:commit", ["?"])[0][:10]
            origin = p["aibom:added-by:origin"][0]
            models = ", ".join(p.get("aibom:added-by:model", []))
            who = f"{origin} ({models})" if models else origin
            lines.append(f"  dep    {comp['purl']}: added by {commit}, {who}")
    return lines
