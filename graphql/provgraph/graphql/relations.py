"""What a field follows, declared once where the field is: its resolver follows it, and the cost
model (provgraph.graphql.pricing) prices the field by it before anything runs.

A list field that follows one relation is declared with `metadata=RELATION.metadata()` and
resolved with `RELATION.nodes(...)`; a single-object field whose node can be found before
running (a lookup by name, a container's newest version) names how with `leads_to(...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from provgraph.catalog.model.graph import EdgeRecord, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.versions import newest_version as newest_of
from provgraph.catalog.service.versions import oldest_first
from provgraph.graphql.resolve import CtxInfo, edges, neighbours, record, wrap, wrap_all

PRICED_BY = "provgraph.priced_by"
LEADS_TO = "provgraph.leads_to"

Step = Callable[[Catalog, Mapping[str, Any], str | None], str | None]
"""(catalog, the field's arguments, the node the query is at) -> the node the field leads to."""


@dataclass(frozen=True)
class Relation:
    kind: EdgeKind
    outgoing: bool

    def metadata(self) -> dict[str, object]:
        return {PRICED_BY: self}

    async def edges(
        self, info: CtxInfo, urn: str, *, as_of: datetime | None = None
    ) -> list[EdgeRecord]:
        return await edges(info, urn, self.kind, outgoing=self.outgoing, as_of=as_of)

    async def records(
        self, info: CtxInfo, urn: str, *, as_of: datetime | None = None
    ) -> list[NodeRecord]:
        return await neighbours(info, urn, self.kind, outgoing=self.outgoing, as_of=as_of)

    async def nodes(self, info: CtxInfo, urn: str, *, as_of: datetime | None = None) -> list[Any]:
        """The related nodes, wrapped in their GraphQL types."""
        return wrap_all(await self.records(info, urn, as_of=as_of))


def leads_to(step: Step) -> dict[str, object]:
    return {LEADS_TO: step}


def newest_version(catalog: Catalog, _arguments: Mapping[str, Any], at: str | None) -> str | None:
    """A dataset's, feature's or model's `latestVersion` (the catalog's one rule)."""
    return None if at is None else catalog.reader.newest_version(at)


HAS_VERSION = Relation(EdgeKind.HAS_VERSION, outgoing=True)
HAS_COLUMN = Relation(EdgeKind.HAS_COLUMN, outgoing=True)
OWNED_BY = Relation(EdgeKind.OWNED_BY, outgoing=True)
CLASSIFIED_AS = Relation(EdgeKind.CLASSIFIED_AS, outgoing=True)
UPSTREAM_COLUMNS = Relation(EdgeKind.DERIVED_FROM, outgoing=True)
DOWNSTREAM_COLUMNS = Relation(EdgeKind.DERIVED_FROM, outgoing=False)
FEATURES_OF_COLUMN = Relation(EdgeKind.COMPUTED_FROM, outgoing=False)
SOURCE_COLUMNS = Relation(EdgeKind.COMPUTED_FROM, outgoing=True)
STORED_IN = Relation(EdgeKind.STORED_IN, outgoing=True)
WRITERS = Relation(EdgeKind.WRITES, outgoing=False)
READERS = Relation(EdgeKind.READS, outgoing=False)
READS = Relation(EdgeKind.READS, outgoing=True)
WRITES = Relation(EdgeKind.WRITES, outgoing=True)
CONSUMERS = Relation(EdgeKind.CONSUMED, outgoing=False)
INPUTS = Relation(EdgeKind.CONSUMED, outgoing=True)
OUTPUTS = Relation(EdgeKind.PRODUCED, outgoing=True)
QUALITY_RESULTS = Relation(EdgeKind.VALIDATES, outgoing=False)
RUNS = Relation(EdgeKind.INSTANCE_OF, outgoing=False)
PRODUCED_MODELS = Relation(EdgeKind.PRODUCED_MODEL, outgoing=True)
INCLUDED_IN = Relation(EdgeKind.INCLUDES, outgoing=False)
INCLUDES = Relation(EdgeKind.INCLUDES, outgoing=True)
DRAWN_FROM = Relation(EdgeKind.DRAWN_FROM, outgoing=True)
TRAINED_BY = Relation(EdgeKind.TRAINED_ON, outgoing=False)
SERVED_BY = Relation(EdgeKind.SERVES, outgoing=False)
DECIDED_ON = Relation(EdgeKind.DECIDED, outgoing=False)
SUBJECTS = Relation(EdgeKind.DECIDED, outgoing=True)
ALIASES = Relation(EdgeKind.ALIAS_OF, outgoing=False)


async def decided_on(info: CtxInfo, urn: str) -> list[NodeRecord]:
    """The PolicyDecisions recorded about `urn`, oldest first."""
    found = await DECIDED_ON.edges(info, urn)
    ordered = sorted(found, key=lambda e: (e.valid_from, e.src))
    records = await info.context.loaders.nodes.load_many([e.src for e in ordered])
    return [r for r in records if r is not None]


async def versions(info: CtxInfo, container: str) -> list[Any]:
    """The versions of a dataset, feature or model, oldest first (the catalog's one rule)."""
    found = await HAS_VERSION.edges(info, container)
    records = await info.context.loaders.nodes.load_many([e.dst for e in oldest_first(found)])
    return wrap_all([r for r in records if r is not None])


async def latest_version(info: CtxInfo, container: str) -> Any:
    """The newest version of a dataset, feature or model (the catalog's one rule)."""
    found = await HAS_VERSION.edges(info, container)
    newest = await record(info, newest_of(found))
    return None if newest is None else wrap(newest)
