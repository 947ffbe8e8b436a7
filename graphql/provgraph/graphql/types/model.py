"""Model: a registered model with its versions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.graphql.resolve import CtxInfo, versions
from provgraph.graphql.types.curated import Owned

if TYPE_CHECKING:
    from provgraph.graphql.types.model_version import ModelVersion

_Version = Annotated["ModelVersion", strawberry.lazy("provgraph.graphql.types.model_version")]


@strawberry.type
class Model(Owned):
    @strawberry.field
    def name(self) -> str:
        return str(self.prop("name"))

    @strawberry.field
    def description(self) -> str | None:
        return self.text("description")

    @strawberry.field(description="Every version, oldest first.")
    async def versions(self, info: CtxInfo) -> list[_Version]:
        return await versions(info, self.record.urn)
