"""Classification: a tag such as pii.email, sensitive or consent:marketing."""

from __future__ import annotations

from functools import cached_property

import strawberry

from provgraph.catalog.model import views
from provgraph.graphql.types.node import Node


@strawberry.type
class Classification(Node):
    @cached_property
    def stored(self) -> views.Classification:
        return views.Classification.of(self.record)

    @strawberry.field
    def tag(self) -> str:
        return self.stored.tag
