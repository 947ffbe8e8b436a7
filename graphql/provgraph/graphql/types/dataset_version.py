"""DatasetVersion: an immutable schema + producing run of a dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.model.urn import Urn
from provgraph.graphql.relations import CONSUMERS, HAS_COLUMN, QUALITY_RESULTS
from provgraph.graphql.resolve import CtxInfo, neighbours, record, wrap
from provgraph.graphql.types.column import Column
from provgraph.graphql.types.node import Node
from provgraph.graphql.types.validation_result import ValidationResult

if TYPE_CHECKING:
    from provgraph.graphql.types.dataset import Dataset
    from provgraph.graphql.types.run import Run

_Dataset = Annotated["Dataset", strawberry.lazy("provgraph.graphql.types.dataset")]
_Run = Annotated["Run", strawberry.lazy("provgraph.graphql.types.run")]


@strawberry.type
class DatasetVersion(Node):
    @strawberry.field
    def version(self) -> str:
        return str(Urn.parse(self.record.urn).version)

    @strawberry.field(
        description="Written by a run that ended FAIL or ABORT: the data may be incomplete."
    )
    def run_failed(self) -> bool:
        return views.DatasetVersion.of(self.record).run_failed

    @strawberry.field
    async def dataset(self, info: CtxInfo) -> _Dataset | None:
        found = await record(info, str(Urn.parse(self.record.urn).container()))
        return wrap(found) if found else None  # type: ignore[return-value]

    @strawberry.field(metadata=HAS_COLUMN.metadata())
    async def columns(self, info: CtxInfo) -> list[Column]:
        return await HAS_COLUMN.nodes(info, self.record.urn)

    @strawberry.field(description="The run that wrote this version, if a run did.")
    async def produced_by(self, info: CtxInfo) -> _Run | None:
        found = await neighbours(info, self.record.urn, EdgeKind.PRODUCED, outgoing=False)
        return wrap(found[0]) if found else None  # type: ignore[return-value]

    @strawberry.field(metadata=CONSUMERS.metadata())
    async def consumed_by(self, info: CtxInfo) -> list[_Run]:
        return await CONSUMERS.nodes(info, self.record.urn)

    @strawberry.field(
        metadata=QUALITY_RESULTS.metadata(),
        description="Data-quality results recorded for this version.",
    )
    async def quality_results(self, info: CtxInfo) -> list[ValidationResult]:
        return await QUALITY_RESULTS.nodes(info, self.record.urn)
