"""Column: a field of one dataset version, with its column-level lineage."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Annotated

import strawberry

from provgraph.catalog.model import views
from provgraph.catalog.model.graph import NodeRecord
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.model.transformations import is_indirect, of_edge
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service import fields
from provgraph.graphql.relations import (
    DOWNSTREAM_COLUMNS,
    FEATURES_OF_COLUMN,
    UPSTREAM_COLUMNS,
    Relation,
)
from provgraph.graphql.resolve import CtxInfo, neighbours, record, wrap_all
from provgraph.graphql.types.classification import Classification
from provgraph.graphql.types.node import Node

if TYPE_CHECKING:
    from provgraph.graphql.types.dataset_version import DatasetVersion
    from provgraph.graphql.types.feature_version import FeatureVersion

_Version = Annotated["DatasetVersion", strawberry.lazy("provgraph.graphql.types.dataset_version")]
_FeatureVersion = Annotated[
    "FeatureVersion", strawberry.lazy("provgraph.graphql.types.feature_version")
]


@strawberry.type
class Column(Node):
    @cached_property
    def stored(self) -> views.Column:
        return views.Column.of(self.record)

    @strawberry.field
    def name(self) -> str:
        return self.stored.name

    @strawberry.field
    def type(self) -> str:
        return self.stored.type

    @strawberry.field
    def description(self) -> str | None:
        return self.stored.description

    @strawberry.field
    async def dataset_version(self, info: CtxInfo) -> _Version | None:
        from provgraph.graphql.types.dataset_version import DatasetVersion

        parsed = Urn.parse(self.record.urn)
        if parsed.is_field:  # the field of the dataset: its newest version
            newest = fields.newest_version_at(
                info.context.catalog.index, str(parsed.container()), None
            )
            found = await record(info, newest)
        else:
            found = await record(info, str(parsed.dataset_version()))
        return DatasetVersion(record=found) if found else None

    @strawberry.field(
        metadata=UPSTREAM_COLUMNS.metadata(),
        description="Columns this column's values were derived from (one hop): DIRECT column "
        "lineage; with `includeIndirect` also the columns that only decided which rows or in "
        "what order (filter, join, group, sort, window). `lineage` edges say how.",
    )
    async def upstream(self, info: CtxInfo, include_indirect: bool = False) -> list[Column]:
        return wrap_all(await _derived(info, self.record.urn, UPSTREAM_COLUMNS, include_indirect))

    @strawberry.field(
        metadata=DOWNSTREAM_COLUMNS.metadata(),
        description="Columns derived from this column (one hop): DIRECT column lineage; with "
        "`includeIndirect` also those it only influenced.",
    )
    async def downstream(self, info: CtxInfo, include_indirect: bool = False) -> list[Column]:
        return wrap_all(await _derived(info, self.record.urn, DOWNSTREAM_COLUMNS, include_indirect))

    @strawberry.field(
        metadata=FEATURES_OF_COLUMN.metadata(),
        description="Feature versions computed from this column.",
    )
    async def features(self, info: CtxInfo) -> list[_FeatureVersion]:
        return await FEATURES_OF_COLUMN.nodes(info, self.record.urn)

    @strawberry.field(
        description="Classifications set on this column's field (they hold for the field in "
        "every version of the dataset) or on this version's column alone."
    )
    async def classifications(self, info: CtxInfo) -> list[Classification]:
        holders = [self.record.urn]
        parsed = Urn.parse(self.record.urn)
        if not parsed.is_field:
            holders.append(str(parsed.field_urn()))
        found = {}
        for holder in holders:
            for tag in await neighbours(info, holder, EdgeKind.CLASSIFIED_AS, outgoing=True):
                found[tag.urn] = tag
        return wrap_all(list(found.values()))


async def _derived(
    info: CtxInfo, urn: str, relation: Relation, include_indirect: bool
) -> list[NodeRecord]:
    found = await relation.edges(info, urn)
    urns = [
        e.dst if relation.outgoing else e.src
        for e in found
        if include_indirect or not is_indirect(of_edge(e.props))
    ]
    if info.context.deadline.stopped():
        return []
    records = await info.context.loaders.nodes.load_many(urns)
    return [r for r in records if r is not None]
