"""Model: a registered model with its versions."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.graphql.resolve import CtxInfo, versions
from provgraph.graphql.types.curated import Owned

if TYPE_CHECKING:
    from provgraph.graphql.types.model_version import ModelVersion

_Version = Annotated["ModelVersion", strawberry.lazy("provgraph.graphql.types.model_version")]


@strawberry.type
class Model(Owned):
    @cached_property
    def stored(self) -> views.Model:
        return views.Model.of(self.record)

    @strawberry.field
    def name(self) -> str:
        return self.stored.name

    @strawberry.field
    def description(self) -> str | None:
        return self.stored.description

    @strawberry.field(description="Every version, oldest first.")
    async def versions(self, info: CtxInfo) -> list[_Version]:
        return await versions(info, self.record.urn)
