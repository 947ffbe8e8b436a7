"""Helpers every type's resolvers share: relations through the DataLoaders, record wrapping."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from strawberry.types import Info

from provgraph.catalog.model.graph import EdgeRecord, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.graphql.context import GraphContext, RelationKey

if TYPE_CHECKING:
    from provgraph.graphql.types.node import Node

CtxInfo = Info[GraphContext, None]


async def edges(
    info: CtxInfo, urn: str, kind: EdgeKind, *, outgoing: bool, as_of: datetime | None = None
) -> list[EdgeRecord]:
    if info.context.deadline.stopped():
        return []
    return await info.context.loaders.related.load(RelationKey(urn, kind, outgoing, as_of))


async def neighbours(
    info: CtxInfo, urn: str, kind: EdgeKind, *, outgoing: bool, as_of: datetime | None = None
) -> list[NodeRecord]:
    found = await edges(info, urn, kind, outgoing=outgoing, as_of=as_of)
    urns = [e.dst if outgoing else e.src for e in found]
    if info.context.deadline.stopped():
        return []
    records = await info.context.loaders.nodes.load_many(urns)
    return [r for r in records if r is not None]


async def record(info: CtxInfo, urn: str | None) -> NodeRecord | None:
    if urn is None:
        return None
    if info.context.deadline.stopped():
        return None
    return await info.context.loaders.nodes.load(urn)


def wrap(found: NodeRecord) -> Node:
    from provgraph.graphql.types.registry import node_type

    return node_type(found.kind)(record=found)


def wrap_all(found: list[NodeRecord]) -> list[Any]:
    return [wrap(r) for r in found]
