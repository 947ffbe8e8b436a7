"""Fields every curated entity shares: owners and the classifications set on it directly."""

from __future__ import annotations

import strawberry

from provgraph.graphql.relations import CLASSIFIED_AS, OWNED_BY
from provgraph.graphql.resolve import CtxInfo
from provgraph.graphql.types.classification import Classification
from provgraph.graphql.types.node import Node
from provgraph.graphql.types.owner import Owner


@strawberry.type
class Owned(Node):
    @strawberry.field(metadata=OWNED_BY.metadata())
    async def owners(self, info: CtxInfo) -> list[Owner]:
        return await OWNED_BY.nodes(info, self.record.urn)


@strawberry.type
class Curated(Owned):
    @strawberry.field(metadata=CLASSIFIED_AS.metadata())
    async def classifications(self, info: CtxInfo) -> list[Classification]:
        return await CLASSIFIED_AS.nodes(info, self.record.urn)
