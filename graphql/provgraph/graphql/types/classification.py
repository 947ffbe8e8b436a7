"""Classification: a tag such as pii.email, sensitive or consent:marketing."""

from __future__ import annotations

import strawberry

from provgraph.graphql.types.node import Node


@strawberry.type
class Classification(Node):
    @strawberry.field
    def tag(self) -> str:
        return str(self.prop("tag"))
