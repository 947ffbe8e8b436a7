"""TrainingSet: a reproducible manifest of feature versions and source data."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.catalog.model.urn import Urn
from provgraph.graphql.relations import DRAWN_FROM, INCLUDES, TRAINED_BY
from provgraph.graphql.resolve import CtxInfo
from provgraph.graphql.scalars import JSON
from provgraph.graphql.types.node import Node

if TYPE_CHECKING:
    from provgraph.graphql.types.dataset_version import DatasetVersion
    from provgraph.graphql.types.feature_version import FeatureVersion
    from provgraph.graphql.types.model_version import ModelVersion

_FeatureVersion = Annotated[
    "FeatureVersion", strawberry.lazy("provgraph.graphql.types.feature_version")
]
_DatasetVersion = Annotated[
    "DatasetVersion", strawberry.lazy("provgraph.graphql.types.dataset_version")
]
_ModelVersion = Annotated["ModelVersion", strawberry.lazy("provgraph.graphql.types.model_version")]


@strawberry.type
class TrainingSet(Node):
    @cached_property
    def stored(self) -> views.TrainingSet:
        return views.TrainingSet.of(self.record)

    @strawberry.field
    def name(self) -> str:
        return self.stored.name

    @strawberry.field
    def version(self) -> str:
        return str(Urn.parse(self.record.urn).version)

    @strawberry.field(description="Window, filters, split, seed, row count.")
    def manifest(self) -> JSON:
        return JSON(self.stored.manifest)

    @strawberry.field(metadata=INCLUDES.metadata())
    async def features(self, info: CtxInfo) -> list[_FeatureVersion]:
        return await INCLUDES.nodes(info, self.record.urn)

    @strawberry.field(metadata=DRAWN_FROM.metadata())
    async def sources(self, info: CtxInfo) -> list[_DatasetVersion]:
        return await DRAWN_FROM.nodes(info, self.record.urn)

    @strawberry.field(metadata=TRAINED_BY.metadata())
    async def model_versions(self, info: CtxInfo) -> list[_ModelVersion]:
        return await TRAINED_BY.nodes(info, self.record.urn)
