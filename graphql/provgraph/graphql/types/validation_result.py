"""ValidationResult: data-quality facts a run observed on a dataset version."""

from __future__ import annotations

from functools import cached_property

import strawberry

from provgraph.catalog.model import views
from provgraph.graphql.scalars import JSON
from provgraph.graphql.types.node import Node


@strawberry.type
class ValidationResult(Node):
    @cached_property
    def stored(self) -> views.ValidationResult:
        return views.ValidationResult.of(self.record)

    @strawberry.field
    def success(self) -> bool:
        return self.stored.success

    @strawberry.field
    def row_count(self) -> int | None:
        return self.stored.row_count

    @strawberry.field
    def column_metrics(self) -> JSON:
        return JSON(self.stored.column_metrics)

    @strawberry.field
    def assertions(self) -> JSON:
        return JSON(self.stored.assertions)

    @strawberry.field(description="URN of the run that observed it.")
    def observed_by(self) -> str | None:
        return self.stored.observed_by
