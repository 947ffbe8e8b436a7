"""Views of governance: owners, classifications and recorded policy decisions."""

from __future__ import annotations

from dataclasses import dataclass, field

from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.views.base import Json, NodeView


@dataclass(frozen=True, slots=True, kw_only=True)
class Owner(NodeView):
    KIND = NodeKind.OWNER
    id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Classification(NodeView):
    KIND = NodeKind.CLASSIFICATION
    tag: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyDecision(NodeView):
    KIND = NodeKind.POLICY_DECISION
    action: str
    purpose: str
    principal: str
    allow: bool
    deny: list[str] = field(default_factory=list)
    obligations: list[str] = field(default_factory=list)
    bundle_revision: str
    input_digest: str
    engine: str
    error: str | None = None
    policy_input: dict[str, Json] = field(default_factory=dict)
    """The input document as decided on, so it can be replayed under another bundle."""
    origin: str = "use"
    """`use` (gated real work) or `compliance` (made by a compliance report)."""
