"""Choose the policy engine: an OPA server when OPA_URL is set, else embedded Rego."""

from __future__ import annotations

from pathlib import Path

from provgraph.policies.bundle import PolicyBundle
from provgraph.policies.embedded import EmbeddedEngine
from provgraph.policies.engine import PolicyEngine


def policy_engine(opa_url: str | None, *, bundle_dir: Path | None = None) -> PolicyEngine:
    if opa_url:
        from provgraph.policies.opa_server import OpaServerEngine

        return OpaServerEngine(opa_url)
    bundle = PolicyBundle.from_directory(bundle_dir) if bundle_dir else PolicyBundle.builtin()
    return EmbeddedEngine(bundle)
