"""The domain's enums, exposed to GraphQL under their own names."""

from __future__ import annotations

import strawberry

from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.service.traversal import Direction, PartialReason

NodeKindEnum = strawberry.enum(NodeKind, name="NodeKind", description="What a node is.")
EdgeKindEnum = strawberry.enum(EdgeKind, name="EdgeKind", description="What an edge means.")
DirectionEnum = strawberry.enum(
    Direction, name="Direction", description="Which way to walk lineage."
)
PartialReasonEnum = strawberry.enum(
    PartialReason, name="PartialReason", description="Why a lineage answer is incomplete."
)
