"""FeatureVersion: an immutable feature definition and the columns it reads."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.catalog.model.urn import Urn
from provgraph.graphql.relations import INCLUDED_IN, SOURCE_COLUMNS, STORED_IN
from provgraph.graphql.resolve import CtxInfo, record, wrap
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

    @strawberry.field(
        description="A steward declared that the transformation removes what makes its sources "
        "sensitive (their classifications do not reach it). A producer's evidence — a masking "
        "transformation — is on the lineage edges (LineageEdge.transformations)."
    )
    def declassifying(self) -> bool:
        return self.stored.declassifying

    @strawberry.field
    async def feature(self, info: CtxInfo) -> _Feature | None:
        found = await record(info, str(Urn.parse(self.record.urn).container()))
        return wrap(found) if found else None  # type: ignore[return-value]

    @strawberry.field(metadata=SOURCE_COLUMNS.metadata())
    async def source_columns(self, info: CtxInfo) -> list[Column]:
        return await SOURCE_COLUMNS.nodes(info, self.record.urn)

    @strawberry.field(
        metadata=STORED_IN.metadata(),
        description="The column of the feature table holding this version's values, where a "
        "materialization wrote it (empty when the version is its source column itself).",
    )
    async def stored_in(self, info: CtxInfo) -> list[Column]:
        return await STORED_IN.nodes(info, self.record.urn)

    @strawberry.field(
        metadata=INCLUDED_IN.metadata(), description="Training sets that include this version."
    )
    async def training_sets(self, info: CtxInfo) -> list[_TrainingSet]:
        return await INCLUDED_IN.nodes(info, self.record.urn)
