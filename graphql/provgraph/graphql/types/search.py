"""Search results for feature discovery."""

from __future__ import annotations

import asyncio
from datetime import datetime

import strawberry

from provgraph.catalog.model.answers.search import SearchHit as Hit
from provgraph.catalog.model.kinds import NodeKind
from provgraph.graphql.resolve import CtxInfo, record, wrap
from provgraph.graphql.types.classification_trace import ClassificationTrace
from provgraph.graphql.types.node import Node


@strawberry.input
class SearchFilters:
    kinds: list[NodeKind] | None = None
    owner: str | None = None
    classification: str | None = strawberry.field(
        default=None, description="A tag or tag prefix: 'pii' matches 'pii.email'."
    )
    status: str | None = strawberry.field(default=None, description="draft, certified, deprecated")
    updated_after: datetime | None = None
    in_production: bool | None = None


@strawberry.type(description="One result, with its score and why it ranked where it did.")
class SearchHit:
    urn: strawberry.ID
    kind: NodeKind
    name: str
    score: float
    reasons: list[str]
    description: str
    owners: list[str]
    status: str = strawberry.field(description="draft, certified, deprecated; 'none' if n/a.")
    quality: str = strawberry.field(
        description="passing, failing or unknown: the newest checks on its (source) data."
    )
    production_deployments: int = strawberry.field(
        description="Production deployments whose lineage reaches it."
    )

    @strawberry.field(
        description="Classifications set on it or inherited along lineage, as of now, each "
        "with the path back to where it was set."
    )
    async def classifications(self, info: CtxInfo) -> list[ClassificationTrace]:
        service = info.context.catalog.classifications
        traces = await asyncio.to_thread(service.classifications, str(self.urn))
        return [ClassificationTrace.of(t) for t in traces]

    @strawberry.field
    async def node(self, info: CtxInfo) -> Node | None:
        found = await record(info, str(self.urn))
        return wrap(found) if found else None

    @classmethod
    def of(cls, hit: Hit) -> SearchHit:
        return cls(
            urn=strawberry.ID(hit.urn),
            kind=hit.kind,
            name=hit.name,
            score=hit.score,
            reasons=hit.reasons,
            description=hit.description,
            owners=hit.owners,
            status=hit.status,
            quality=hit.quality,
            production_deployments=hit.production_deployments,
        )


@strawberry.type
class FacetCount:
    value: str
    count: int


@strawberry.type(description="Counts over every match, not just this page.")
class SearchFacets:
    kinds: list[FacetCount]
    owners: list[FacetCount]
    classifications: list[FacetCount]
    statuses: list[FacetCount]


@strawberry.type
class SearchResults:
    total: int
    hits: list[SearchHit]
    facets: SearchFacets
    end_cursor: str | None
    has_next_page: bool


def facet_counts(counts: dict[str, int]) -> list[FacetCount]:
    return [FacetCount(value=value, count=count) for value, count in counts.items()]
