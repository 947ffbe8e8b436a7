"""Helpers every type's resolvers share: relations through the DataLoaders, record wrapping."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from strawberry.types import Info

from provgraph.catalog.model.graph import EdgeRecord, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.service.versions import newest_version, oldest_first
from provgraph.graphql.context import GraphContext, RelationKey

if TYPE_CHECKING:
    from provgraph.graphql.types.node import Node

CtxInfo = Info[GraphContext, None]


async def edges(
    info: CtxInfo, urn: str, kind: EdgeKind, *, outgoing: bool, as_of: datetime | None = None
) -> list[EdgeRecord]:
    return await info.context.loaders.related.load(RelationKey(urn, kind, outgoing, as_of))


async def neighbours(
    info: CtxInfo, urn: str, kind: EdgeKind, *, outgoing: bool, as_of: datetime | None = None
) -> list[NodeRecord]:
    found = await edges(info, urn, kind, outgoing=outgoing, as_of=as_of)
    urns = [e.dst if outgoing else e.src for e in found]
    records = await info.context.loaders.nodes.load_many(urns)
    return [r for r in records if r is not None]


async def decided_on(info: CtxInfo, urn: str) -> list[NodeRecord]:
    """The PolicyDecisions recorded about `urn`, oldest first."""
    found = await edges(info, urn, EdgeKind.DECIDED, outgoing=False)
    ordered = sorted(found, key=lambda e: (e.valid_from, e.src))
    records = await info.context.loaders.nodes.load_many([e.src for e in ordered])
    return [r for r in records if r is not None]


async def versions(info: CtxInfo, container: str) -> list[Any]:
    """The versions of a dataset, feature or model, oldest first (the catalog's one rule)."""
    found = await edges(info, container, EdgeKind.HAS_VERSION, outgoing=True)
    records = await info.context.loaders.nodes.load_many([e.dst for e in oldest_first(found)])
    return wrap_all([r for r in records if r is not None])


async def latest_version(info: CtxInfo, container: str) -> Any:
    """The newest version of a dataset, feature or model (the catalog's one rule)."""
    found = await edges(info, container, EdgeKind.HAS_VERSION, outgoing=True)
    newest = await record(info, newest_version(found))
    return None if newest is None else wrap(newest)


async def record(info: CtxInfo, urn: str | None) -> NodeRecord | None:
    if urn is None:
        return None
    return await info.context.loaders.nodes.load(urn)


def wrap(found: NodeRecord) -> Node:
    from provgraph.graphql.types.registry import node_type

    return node_type(found.kind)(record=found)


def wrap_all(found: list[NodeRecord]) -> list[Any]:
    return [wrap(r) for r in found]
