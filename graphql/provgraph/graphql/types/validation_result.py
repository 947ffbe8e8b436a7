"""ValidationResult: data-quality facts a run observed on a dataset version."""

from __future__ import annotations

import strawberry

from provgraph.graphql.scalars import JSON
from provgraph.graphql.types.node import Node


@strawberry.type
class ValidationResult(Node):
    @strawberry.field
    def success(self) -> bool:
        return bool(self.prop("success"))

    @strawberry.field
    def row_count(self) -> int | None:
        value = self.prop("row_count")
        return None if value is None else int(value)

    @strawberry.field
    def column_metrics(self) -> JSON:
        return self.json("column_metrics", {})

    @strawberry.field
    def assertions(self) -> JSON:
        return self.json("assertions", [])

    @strawberry.field(description="URN of the run that observed it.")
    def observed_by(self) -> str | None:
        return self.text("observed_by")
