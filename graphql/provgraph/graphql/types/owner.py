"""Owner: a person or team responsible for assets."""

from __future__ import annotations

from functools import cached_property

import strawberry

from provgraph.catalog.model import views
from provgraph.graphql.types.node import Node


@strawberry.type
class Owner(Node):
    @cached_property
    def stored(self) -> views.Owner:
        return views.Owner.of(self.record)

    @strawberry.field
    def id(self) -> str:
        return self.stored.id
