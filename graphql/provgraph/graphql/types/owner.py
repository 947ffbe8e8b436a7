"""Owner: a person or team responsible for assets."""

from __future__ import annotations

import strawberry

from provgraph.graphql.types.node import Node


@strawberry.type
class Owner(Node):
    @strawberry.field
    def id(self) -> str:
        return str(self.prop("id"))
