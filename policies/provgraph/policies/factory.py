"""Choose the policy engine: an OPA server when OPA_URL is set, else embedded Rego; and the
bounds of the embedded engine's processes, from the settings."""

from __future__ import annotations

from pathlib import Path

from provgraph.catalog.settings import Settings
from provgraph.policies.bundle import PolicyBundle
from provgraph.policies.embedded import EmbeddedEngine
from provgraph.policies.engine import PolicyEngine
from provgraph.policies.opa.process import EngineLimits


def policy_engine(
    opa_url: str | None, *, bundle_dir: Path | None = None, limits: EngineLimits | None = None
) -> PolicyEngine:
    if opa_url:
        from provgraph.policies.opa_server import OpaServerEngine

        return OpaServerEngine(opa_url)
    bundle = PolicyBundle.from_directory(bundle_dir) if bundle_dir else PolicyBundle.builtin()
    return EmbeddedEngine(bundle, limits=limits)


def engine_limits(settings: Settings) -> EngineLimits:
    """The active bundle's engine: a deadline per decision."""
    return EngineLimits(memory_mb=settings.policy_memory_mb, deadline_s=settings.policy_deadline_s)


def candidate_limits(settings: Settings) -> EngineLimits:
    """A candidate bundle's engine: one deadline for the whole what-if or backtest."""
    return EngineLimits(
        memory_mb=settings.policy_memory_mb, deadline_s=settings.candidate_deadline_s
    )
