"""ModelVersion: an immutable trained artifact and everything that produced it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.model.urn import Urn
from provgraph.graphql.relations import DECIDED_ON, SERVED_BY, decided_on
from provgraph.graphql.resolve import CtxInfo, neighbours, record, wrap, wrap_all
from provgraph.graphql.scalars import JSON
from provgraph.graphql.types.node import Node
from provgraph.graphql.types.recipe import Recipe

if TYPE_CHECKING:
    from provgraph.graphql.types.deployment import Deployment
    from provgraph.graphql.types.feature_version import FeatureVersion
    from provgraph.graphql.types.model import Model
    from provgraph.graphql.types.policy_decision import PolicyDecision
    from provgraph.graphql.types.run import Run
    from provgraph.graphql.types.training_set import TrainingSet

_Model = Annotated["Model", strawberry.lazy("provgraph.graphql.types.model")]
_Run = Annotated["Run", strawberry.lazy("provgraph.graphql.types.run")]
_TrainingSet = Annotated["TrainingSet", strawberry.lazy("provgraph.graphql.types.training_set")]
_FeatureVersion = Annotated[
    "FeatureVersion", strawberry.lazy("provgraph.graphql.types.feature_version")
]
_Deployment = Annotated["Deployment", strawberry.lazy("provgraph.graphql.types.deployment")]
_Decision = Annotated["PolicyDecision", strawberry.lazy("provgraph.graphql.types.policy_decision")]


@strawberry.type
class ModelVersion(Node):
    @cached_property
    def stored(self) -> views.ModelVersion:
        return views.ModelVersion.of(self.record)

    @strawberry.field
    def version(self) -> str:
        return str(Urn.parse(self.record.urn).version)

    @strawberry.field
    def label(self) -> str | None:
        return self.stored.label

    @strawberry.field
    def artifact_digest(self) -> str:
        return self.stored.artifact_digest

    @strawberry.field
    def framework(self) -> str | None:
        return self.stored.framework

    @strawberry.field
    def params(self) -> JSON:
        return JSON(self.stored.params)

    @strawberry.field
    def metrics(self) -> JSON:
        return JSON(self.stored.metrics)

    @strawberry.field
    def stage(self) -> str | None:
        return self.stored.stage

    @strawberry.field
    def purpose(self) -> str | None:
        return self.stored.purpose

    @strawberry.field
    async def model(self, info: CtxInfo) -> _Model | None:
        found = await record(info, str(Urn.parse(self.record.urn).container()))
        return wrap(found) if found else None  # type: ignore[return-value]

    @strawberry.field
    async def training_set(self, info: CtxInfo) -> _TrainingSet | None:
        found = await neighbours(info, self.record.urn, EdgeKind.TRAINED_ON, outgoing=True)
        return wrap(found[0]) if found else None  # type: ignore[return-value]

    @strawberry.field
    async def training_run(self, info: CtxInfo) -> _Run | None:
        found = await neighbours(info, self.record.urn, EdgeKind.PRODUCED_MODEL, outgoing=False)
        return wrap(found[0]) if found else None  # type: ignore[return-value]

    @strawberry.field(description="The feature versions of its training set.")
    async def features(self, info: CtxInfo) -> list[_FeatureVersion]:
        sets = await neighbours(info, self.record.urn, EdgeKind.TRAINED_ON, outgoing=True)
        found = []
        for training_set in sets:
            found += await neighbours(info, training_set.urn, EdgeKind.INCLUDES, outgoing=True)
        return wrap_all(found)

    @strawberry.field(
        metadata=SERVED_BY.metadata(),
        description="Deployments serving this version (as of a moment; default now).",
    )
    async def deployments(self, info: CtxInfo, as_of: datetime | None = None) -> list[_Deployment]:
        return await SERVED_BY.nodes(info, self.record.urn, as_of=as_of)

    @strawberry.field(
        metadata=DECIDED_ON.metadata(),
        description="Policy decisions recorded about this version, oldest first.",
    )
    async def decisions(self, info: CtxInfo) -> list[_Decision]:
        return wrap_all(await decided_on(info, self.record.urn))

    @strawberry.field(
        description="The exact recipe to train this version again: data and feature versions, "
        "training-set manifest, params, environment and code; and what changed since."
    )
    async def recipe(self, info: CtxInfo) -> Recipe:
        recipes = info.context.catalog.recipes
        return Recipe.of(await asyncio.to_thread(recipes.recipe, self.record.urn))
