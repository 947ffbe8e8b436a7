"""Feature: a named, versioned model input computed from dataset columns."""

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
from provgraph.graphql.types.curated import Curated

if TYPE_CHECKING:
    from provgraph.graphql.types.feature_version import FeatureVersion

_Version = Annotated["FeatureVersion", strawberry.lazy("provgraph.graphql.types.feature_version")]


@strawberry.type
class Feature(Curated):
    @cached_property
    def stored(self) -> views.Feature:
        return views.Feature.of(self.record)

    @strawberry.field
    def group(self) -> str:
        return self.stored.group

    @strawberry.field
    def name(self) -> str:
        return self.stored.name

    @strawberry.field
    def description(self) -> str | None:
        return self.stored.description

    @strawberry.field
    def dtype(self) -> str | None:
        return self.stored.dtype

    @strawberry.field
    def entity(self) -> str | None:
        return self.stored.entity

    @strawberry.field(description="draft, certified or deprecated.")
    def status(self) -> str:
        return self.stored.status

    @strawberry.field
    def status_reason(self) -> str | None:
        return self.stored.status_reason

    @strawberry.field(metadata=HAS_VERSION.metadata(), description="Every version, oldest first.")
    async def versions(self, info: CtxInfo) -> list[_Version]:
        return await versions(info, self.record.urn)

    @strawberry.field(metadata=leads_to(newest_version))
    async def latest_version(self, info: CtxInfo) -> _Version | None:
        newest: _Version | None = await latest_version(info, self.record.urn)
        return newest
