"""The gate as a service: policy, registries, cache, typosquats and lists, put together once.

The CLI (``aibom deps check``) and the pre-commit hook both call :func:`check`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from aibom.config import Config
from aibom.deps import gate, handoff
from aibom.deps import policy as policies
from aibom.deps.checks import TyposquatFinder
from aibom.deps.policy import Policy
from aibom.deps.types import Ecosystem, PackageInfo
from aibom.gitutil import Repo


def load_policy(cfg: Config, env: Mapping[str, str], offline: bool | None = None) -> Policy:
    policy = policies.load(cfg.deps, env)
    return replace(policy, offline=offline) if offline is not None else policy


def make_lookup(
    toplevel: str | None, policy: Policy, env: Mapping[str, str]
) -> tuple[gate.Lookup, list[str]]:
    """The registry lookup the gate uses, and notes on skipped configuration (filled as
    ecosystems are resolved). Endpoints of an ecosystem are resolved on its first lookup:
    a change that adds no npm package never starts npm to ask for its registry."""
    from aibom.deps.cache import RegistryCache
    from aibom.deps.registries import Registry, open_registries
    from aibom.deps.registries.endpoints import EndpointOverrides, resolve
    from aibom.deps.registries.http import Limits

    overrides = EndpointOverrides(
        pypi_index_url=policy.pypi_index_url,
        pypi_extra_index_urls=policy.pypi_extra_index_urls,
        npm_registry=policy.npm_registry,
        public_pypi=policy.public_pypi,
        public_npm=policy.public_npm,
    )
    cache = RegistryCache(
        env=env,
        positive_ttl=policy.cache_hours * 3600,
        negative_ttl=policy.negative_cache_minutes * 60,
    )
    limits = Limits(read_timeout=policy.timeout)
    opened: dict[Ecosystem, Registry] = {}
    skipped: list[str] = []

    def lookup(ecosystem: Ecosystem, names: Sequence[str]) -> Mapping[str, PackageInfo]:
        if ecosystem not in opened:
            endpoints = resolve(toplevel, env, overrides, ecosystems=frozenset({ecosystem}))
            skipped.extend(endpoints.skipped)
            registries = open_registries(endpoints, cache, policy.offline, limits=limits)
            opened[ecosystem] = registries[ecosystem]
        return opened[ecosystem].lookup(names)

    return lookup, skipped


def typosquat_finder(policy: Policy) -> TyposquatFinder:
    from aibom.deps import typosquat

    def find(ecosystem: Ecosystem, name: str) -> tuple[str, str] | None:
        popular = typosquat.load_popular(ecosystem)
        match = typosquat.find_typosquat(ecosystem, name, popular, policy.allow.get(ecosystem))
        if match is None:
            return None
        return typosquat.explain(match, name), typosquat.hint(match)

    return find


def hallucinated(policy: Policy) -> dict[Ecosystem, frozenset[str]]:
    from aibom.deps.popular import known_hallucinated

    return {e: known_hallucinated(e, policy.hallucinated.get(e)) for e in Ecosystem}


def check(
    repo: Repo,
    cfg: Config,
    scope: gate.Scope,
    *,
    offline: bool | None = None,
    env: Mapping[str, str] | None = None,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> gate.Result:
    env = os.environ if env is None else env
    policy = load_policy(cfg, env, offline)
    lookup, _skipped = make_lookup(repo.toplevel, policy, env)
    return gate.run(
        repo,
        scope,
        policy,
        lookup,
        typosquat=typosquat_finder(policy),
        hallucinated=hallucinated(policy),
        now=now,
        progress=progress,
    )


def run_hook(repo: Repo, cfg: Config) -> int:
    """pre-commit: check the staged change, print what was found, hand the additions to
    post-commit, and return the exit code (1 blocks the commit)."""
    from aibom.report.deps import dependency_json, to_text

    result = check(repo, cfg, gate.Scope("staged"))
    if result.findings or result.problems:
        print(to_text(result), file=sys.stderr)
    if result.added:
        tree = repo.out(["write-tree"], check=False).strip()
        findings = [
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "ecosystem": f.dependency.ecosystem.value,
                "name": f.dependency.name[:300],
                "blocking": gate.is_blocking(f, result.policy),
            }
            for f in result.findings
        ]
        handoff.save(repo, tree, [dependency_json(d) for d in result.added], findings)
    else:
        handoff.clear(repo)
    return result.exit_code
