"""Dataset: a table, file or topic, named the OpenLineage way (namespace, name)."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.graphql.resolve import CtxInfo, latest_version, neighbours, versions, wrap_all
from provgraph.graphql.types.curated import Curated

if TYPE_CHECKING:
    from provgraph.graphql.types.dataset_version import DatasetVersion
    from provgraph.graphql.types.job import Job

_Version = Annotated["DatasetVersion", strawberry.lazy("provgraph.graphql.types.dataset_version")]
_Job = Annotated["Job", strawberry.lazy("provgraph.graphql.types.job")]


@strawberry.type
class Dataset(Curated):
    @cached_property
    def stored(self) -> views.Dataset:
        return views.Dataset.of(self.record)

    @strawberry.field
    def namespace(self) -> str:
        return self.stored.namespace

    @strawberry.field
    def name(self) -> str:
        return self.stored.name

    @strawberry.field
    def description(self) -> str | None:
        return self.stored.description

    @strawberry.field(description="Every recorded version, oldest first.")
    async def versions(self, info: CtxInfo) -> list[_Version]:
        return await versions(info, self.record.urn)

    @strawberry.field
    async def latest_version(self, info: CtxInfo) -> _Version | None:
        newest: _Version | None = await latest_version(info, self.record.urn)
        return newest

    @strawberry.field(description="Jobs that write this dataset (as of a moment; default now).")
    async def producers(self, info: CtxInfo, as_of: datetime | None = None) -> list[_Job]:
        return wrap_all(
            await neighbours(info, self.record.urn, EdgeKind.WRITES, outgoing=False, as_of=as_of)
        )

    @strawberry.field(description="Jobs that read this dataset (as of a moment; default now).")
    async def consumers(self, info: CtxInfo, as_of: datetime | None = None) -> list[_Job]:
        return wrap_all(
            await neighbours(info, self.record.urn, EdgeKind.READS, outgoing=False, as_of=as_of)
        )
