"""Model: a registered model with its versions."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.graphql.relations import (
    HAS_VERSION,
    latest_version,
    leads_to,
    newest_version,
    versions,
)
from provgraph.graphql.resolve import CtxInfo
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

    @strawberry.field(metadata=HAS_VERSION.metadata(), description="Every version, oldest first.")
    async def versions(self, info: CtxInfo) -> list[_Version]:
        return await versions(info, self.record.urn)

    @strawberry.field(
        metadata=leads_to(newest_version),
        description="The newest version (the later, then the greater URN).",
    )
    async def latest_version(self, info: CtxInfo) -> _Version | None:
        newest: _Version | None = await latest_version(info, self.record.urn)
        return newest
