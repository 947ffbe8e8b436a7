"""Job: code that runs (a Spark job, an Airflow task, a training script)."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.graphql.relations import READS, RUNS, WRITES
from provgraph.graphql.resolve import CtxInfo, wrap_all
from provgraph.graphql.types.curated import Owned

if TYPE_CHECKING:
    from provgraph.graphql.types.dataset import Dataset
    from provgraph.graphql.types.run import Run

_Dataset = Annotated["Dataset", strawberry.lazy("provgraph.graphql.types.dataset")]
_Run = Annotated["Run", strawberry.lazy("provgraph.graphql.types.run")]


@strawberry.type
class Job(Owned):
    @cached_property
    def stored(self) -> views.Job:
        return views.Job.of(self.record)

    @strawberry.field
    def namespace(self) -> str:
        return self.stored.namespace

    @strawberry.field
    def name(self) -> str:
        return self.stored.name

    @strawberry.field(description="The current code version (git sha or digest of its code).")
    def version(self) -> str | None:
        return self.stored.version

    @strawberry.field
    def source_code_location(self) -> str | None:
        return self.stored.source_code_location

    @strawberry.field
    def sql(self) -> str | None:
        return self.stored.sql

    @strawberry.field
    def description(self) -> str | None:
        return self.stored.description

    @strawberry.field(metadata=RUNS.metadata(), description="Runs, newest first.")
    async def runs(self, info: CtxInfo, first: int = 20) -> list[_Run]:
        found = await RUNS.records(info, self.record.urn)
        return wrap_all(sorted(found, key=lambda r: r.created_at, reverse=True)[: max(first, 0)])

    @strawberry.field(
        metadata=READS.metadata(),
        description="Datasets the job reads (as of a moment; default now).",
    )
    async def reads(self, info: CtxInfo, as_of: datetime | None = None) -> list[_Dataset]:
        return await READS.nodes(info, self.record.urn, as_of=as_of)

    @strawberry.field(
        metadata=WRITES.metadata(),
        description="Datasets the job writes (as of a moment; default now).",
    )
    async def writes(self, info: CtxInfo, as_of: datetime | None = None) -> list[_Dataset]:
        return await WRITES.nodes(info, self.record.urn, as_of=as_of)
