"""Dataset: a table, file or topic, named the OpenLineage way (namespace, name)."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.graphql.relations import (
    ALIASES,
    HAS_VERSION,
    READERS,
    WRITERS,
    latest_version,
    leads_to,
    newest_version,
    versions,
)
from provgraph.graphql.resolve import CtxInfo
from provgraph.graphql.types.curated import Curated

if TYPE_CHECKING:
    from provgraph.graphql.types.dataset_alias import DatasetAlias
    from provgraph.graphql.types.dataset_version import DatasetVersion
    from provgraph.graphql.types.job import Job

_Version = Annotated["DatasetVersion", strawberry.lazy("provgraph.graphql.types.dataset_version")]
_Job = Annotated["Job", strawberry.lazy("provgraph.graphql.types.job")]
_Alias = Annotated["DatasetAlias", strawberry.lazy("provgraph.graphql.types.dataset_alias")]


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

    @strawberry.field(
        metadata=ALIASES.metadata(),
        description="Its other names (OpenLineage symlinks): lookups and lineage by any of "
        "them reach this dataset.",
    )
    async def aliases(self, info: CtxInfo) -> list[_Alias]:
        return await ALIASES.nodes(info, self.record.urn)

    @strawberry.field(
        metadata=HAS_VERSION.metadata(), description="Every recorded version, oldest first."
    )
    async def versions(self, info: CtxInfo) -> list[_Version]:
        return await versions(info, self.record.urn)

    @strawberry.field(metadata=leads_to(newest_version))
    async def latest_version(self, info: CtxInfo) -> _Version | None:
        newest: _Version | None = await latest_version(info, self.record.urn)
        return newest

    @strawberry.field(
        metadata=WRITERS.metadata(),
        description="Jobs that write this dataset (as of a moment; default now).",
    )
    async def producers(self, info: CtxInfo, as_of: datetime | None = None) -> list[_Job]:
        return await WRITERS.nodes(info, self.record.urn, as_of=as_of)

    @strawberry.field(
        metadata=READERS.metadata(),
        description="Jobs that read this dataset (as of a moment; default now).",
    )
    async def consumers(self, info: CtxInfo, as_of: datetime | None = None) -> list[_Job]:
        return await READERS.nodes(info, self.record.urn, as_of=as_of)
