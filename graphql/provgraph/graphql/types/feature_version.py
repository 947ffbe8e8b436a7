"""FeatureVersion: an immutable feature definition and the columns it reads."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.model.urn import Urn
from provgraph.graphql.resolve import CtxInfo, neighbours, record, wrap, wrap_all
from provgraph.graphql.types.column import Column
from provgraph.graphql.types.node import Node

if TYPE_CHECKING:
    from provgraph.graphql.types.feature import Feature
    from provgraph.graphql.types.training_set import TrainingSet

_Feature = Annotated["Feature", strawberry.lazy("provgraph.graphql.types.feature")]
_TrainingSet = Annotated["TrainingSet", strawberry.lazy("provgraph.graphql.types.training_set")]


@strawberry.type
class FeatureVersion(Node):
    @cached_property
    def stored(self) -> views.FeatureVersion:
        return views.FeatureVersion.of(self.record)

    @strawberry.field
    def version(self) -> str:
        return str(Urn.parse(self.record.urn).version)

    @strawberry.field
    def transformation(self) -> str:
        return self.stored.transformation

    @strawberry.field
    def dtype(self) -> str | None:
        return self.stored.dtype

    @strawberry.field(description="The transformation removes what makes its sources sensitive.")
    def declassifying(self) -> bool:
        return self.stored.declassifying

    @strawberry.field
    async def feature(self, info: CtxInfo) -> _Feature | None:
        found = await record(info, str(Urn.parse(self.record.urn).container()))
        return wrap(found) if found else None  # type: ignore[return-value]

    @strawberry.field
    async def source_columns(self, info: CtxInfo) -> list[Column]:
        return wrap_all(
            await neighbours(info, self.record.urn, EdgeKind.COMPUTED_FROM, outgoing=True)
        )

    @strawberry.field(description="Training sets that include this version.")
    async def training_sets(self, info: CtxInfo) -> list[_TrainingSet]:
        return wrap_all(await neighbours(info, self.record.urn, EdgeKind.INCLUDES, outgoing=False))
