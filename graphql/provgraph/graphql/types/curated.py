"""Fields every curated entity shares: owners and the classifications set on it directly."""

from __future__ import annotations

import strawberry

from provgraph.catalog.model.kinds import EdgeKind
from provgraph.graphql.resolve import CtxInfo, neighbours, wrap_all
from provgraph.graphql.types.classification import Classification
from provgraph.graphql.types.node import Node
from provgraph.graphql.types.owner import Owner


@strawberry.type
class Owned(Node):
    @strawberry.field
    async def owners(self, info: CtxInfo) -> list[Owner]:
        return wrap_all(await neighbours(info, self.record.urn, EdgeKind.OWNED_BY, outgoing=True))


@strawberry.type
class Curated(Owned):
    @strawberry.field
    async def classifications(self, info: CtxInfo) -> list[Classification]:
        return wrap_all(
            await neighbours(info, self.record.urn, EdgeKind.CLASSIFIED_AS, outgoing=True)
        )
