"""Feature: a named, versioned model input computed from dataset columns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.graphql.resolve import CtxInfo, latest_version, versions
from provgraph.graphql.types.curated import Curated

if TYPE_CHECKING:
    from provgraph.graphql.types.feature_version import FeatureVersion

_Version = Annotated["FeatureVersion", strawberry.lazy("provgraph.graphql.types.feature_version")]


@strawberry.type
class Feature(Curated):
    @strawberry.field
    def group(self) -> str:
        return str(self.prop("group"))

    @strawberry.field
    def name(self) -> str:
        return str(self.prop("name"))

    @strawberry.field
    def description(self) -> str | None:
        return self.text("description")

    @strawberry.field
    def dtype(self) -> str | None:
        return self.text("dtype")

    @strawberry.field
    def entity(self) -> str | None:
        return self.text("entity")

    @strawberry.field(description="draft, certified or deprecated.")
    def status(self) -> str:
        return str(self.prop("status") or "draft")

    @strawberry.field
    def status_reason(self) -> str | None:
        return self.text("status_reason")

    @strawberry.field(description="Every version, oldest first.")
    async def versions(self, info: CtxInfo) -> list[_Version]:
        return await versions(info, self.record.urn)

    @strawberry.field
    async def latest_version(self, info: CtxInfo) -> _Version | None:
        newest: _Version | None = await latest_version(info, self.record.urn)
        return newest
