"""The Node interface every catalog entity implements."""

from __future__ import annotations

from datetime import datetime

import strawberry

import provgraph.graphql.enums  # noqa: F401 - registers the domain enums with strawberry
from provgraph.catalog.model.graph import NodeRecord
from provgraph.catalog.model.kinds import NodeKind
from provgraph.catalog.model.timeutil import from_micros


@strawberry.interface(description="Anything in the catalog, identified by its URN.")
class Node:
    record: strawberry.Private[NodeRecord]

    @strawberry.field
    def urn(self) -> strawberry.ID:
        return strawberry.ID(self.record.urn)

    @strawberry.field
    def kind(self) -> NodeKind:
        kind: NodeKind = self.record.kind
        return kind

    @strawberry.field(description="When the catalog first recorded this node (its event time).")
    def created_at(self) -> datetime:
        created = from_micros(self.record.created_at)
        assert created is not None
        return created
