"""A node's classification, set on it or inherited along lineage, with its explaining path."""

from __future__ import annotations

import strawberry

from provgraph.catalog.service.classification import ClassificationTrace as Trace


@strawberry.type
class ClassificationTrace:
    tag: str
    source: strawberry.ID
    inherited: bool
    path: list[strawberry.ID] = strawberry.field(
        description="From the node asked about to where the classification was set."
    )
    truncated: bool = strawberry.field(
        default=False,
        description="More sources give this tag than are listed (the explanation is bounded).",
    )

    @classmethod
    def of(cls, trace: Trace) -> ClassificationTrace:
        return cls(
            tag=trace.tag,
            source=strawberry.ID(trace.source),
            inherited=trace.inherited,
            path=[strawberry.ID(u) for u in trace.path],
            truncated=trace.truncated,
        )


@strawberry.type
class Classifications:
    urn: strawberry.ID
    classifications: list[ClassificationTrace]
