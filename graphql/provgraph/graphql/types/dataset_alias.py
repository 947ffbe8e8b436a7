"""DatasetAlias: another (namespace, name) of a dataset (OpenLineage's `symlinks` facet)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.graphql.resolve import CtxInfo, neighbours, wrap
from provgraph.graphql.types.node import Node

if TYPE_CHECKING:
    from provgraph.graphql.types.dataset import Dataset

_Dataset = Annotated["Dataset", strawberry.lazy("provgraph.graphql.types.dataset")]


@strawberry.type(
    description="Another name of a dataset: lookups and lineage by this (namespace, name) "
    "reach the dataset."
)
class DatasetAlias(Node):
    @cached_property
    def stored(self) -> views.DatasetAlias:
        return views.DatasetAlias.of(self.record)

    @strawberry.field
    def namespace(self) -> str:
        return self.stored.namespace

    @strawberry.field
    def name(self) -> str:
        return self.stored.name

    @strawberry.field(description="What this name names (TABLE, LOCATION, ...), as sent.")
    def type(self) -> str | None:
        return self.stored.type

    @strawberry.field(description="The dataset this is another name of.")
    async def dataset(self, info: CtxInfo) -> _Dataset | None:
        found = await neighbours(info, self.record.urn, EdgeKind.ALIAS_OF, outgoing=True)
        return wrap(found[0]) if found else None  # type: ignore[return-value]
