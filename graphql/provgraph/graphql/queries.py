"""The Query type: lookups, listings, lineage, impact, paths, column lineage."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

import strawberry

from provgraph.catalog.model import views
from provgraph.catalog.model.errors import (
    InvalidArgumentError,
    InvalidUrnError,
    NodeNotFoundError,
)
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.run_ids import as_uuid, run_uuid
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.search.port import SearchFilters as DomainFilters
from provgraph.catalog.service import fields
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.run_identity import run_home
from provgraph.catalog.service.search import Cursor
from provgraph.catalog.service.traversal import Direction
from provgraph.graphql.discovery import DiscoveryQuery
from provgraph.graphql.outcomes import guarded
from provgraph.graphql.relations import leads_to
from provgraph.graphql.resolve import CtxInfo, record, wrap
from provgraph.graphql.selection import selects
from provgraph.graphql.types.classification_trace import Classifications, ClassificationTrace
from provgraph.graphql.types.dataset import Dataset
from provgraph.graphql.types.errors import InvalidInputError, NotFoundError
from provgraph.graphql.types.job import Job
from provgraph.graphql.types.lineage import (
    ColumnLineage,
    ColumnLineageEntry,
    Impact,
    LineageEdge,
    LineageGraph,
    LineageNode,
    LineagePath,
    Paths,
)
from provgraph.graphql.types.node import Node
from provgraph.graphql.types.run import Run
from provgraph.graphql.types.search import (
    SearchFacets,
    SearchFilters,
    SearchHit,
    SearchResults,
    facet_counts,
)

LineageOutcome = Annotated[
    LineageGraph | NotFoundError | InvalidInputError, strawberry.union("LineageOutcome")
]
ImpactOutcome = Annotated[
    Impact | NotFoundError | InvalidInputError, strawberry.union("ImpactOutcome")
]
PathsOutcome = Annotated[
    Paths | NotFoundError | InvalidInputError, strawberry.union("PathsOutcome")
]
ColumnLineageOutcome = Annotated[
    ColumnLineage | NotFoundError | InvalidInputError, strawberry.union("ColumnLineageOutcome")
]
ClassificationsOutcome = Annotated[
    Classifications | NotFoundError | InvalidInputError, strawberry.union("ClassificationsOutcome")
]
SearchOutcome = Annotated[SearchResults | InvalidInputError, strawberry.union("SearchOutcome")]
MAX_PAGE = 500


@strawberry.type(description="One page of a listing.")
class NodePage:
    total: int
    items: list[Node]


async def _by_urn(info: CtxInfo, urn: Urn) -> Node | None:
    found = await record(info, str(urn))
    return wrap(found) if found else None


async def _run(info: CtxInfo, run_id: str, namespace: str | None, job: str | None) -> Run | None:
    """The run as run_identity.py places it: without a job, the run of a UUID."""
    if namespace is None or job is None:
        plain = as_uuid(run_id)
        if plain is None:
            return None
        return await _by_urn(info, Urn(NodeKind.RUN, str(plain)))  # type: ignore[return-value]
    of_job = Urn.job(namespace.strip(), job.strip())
    uuid = run_uuid(run_id, namespace=of_job.namespace or "", job=of_job.name)
    first = await record(info, str(Urn(NodeKind.RUN, str(uuid))))
    holder = views.Run.of(first).job if first else None
    found = run_home(uuid, of_job, job_of=lambda _: holder)
    return await _by_urn(info, found)  # type: ignore[return-value]


def _node_at(catalog: Catalog, arguments: Mapping[str, Any], _at: str | None) -> str | None:
    return fields.resolve(catalog.index, str(arguments["urn"]))


def _dataset_at(catalog: Catalog, arguments: Mapping[str, Any], _at: str | None) -> str | None:
    named = Urn.dataset(arguments["namespace"], arguments["name"])
    return str(fields.dataset_named(catalog.index, named))


def _job_at(catalog: Catalog, arguments: Mapping[str, Any], _at: str | None) -> str | None:
    return str(Urn.job(arguments["namespace"], arguments["name"]))


@strawberry.type
class Query(DiscoveryQuery):
    @strawberry.field(
        description="Any node by URN; null if there is none. A column named without a "
        "version is the field in its dataset's newest version.",
        metadata=leads_to(_node_at),
    )
    async def node(self, info: CtxInfo, urn: strawberry.ID) -> Node | None:
        try:
            text = fields.resolve(info.context.catalog.index, str(urn))
        except (InvalidUrnError, NodeNotFoundError):
            return None
        found = await record(info, text)
        return wrap(found) if found else None

    @strawberry.field(
        description="A dataset by its OpenLineage (namespace, name), or by one of its "
        "aliases (symlinks).",
        metadata=leads_to(_dataset_at),
    )
    async def dataset(self, info: CtxInfo, namespace: str, name: str) -> Dataset | None:
        try:
            named = fields.dataset_named(info.context.catalog.index, Urn.dataset(namespace, name))
        except InvalidUrnError:
            return None
        return await _by_urn(info, named)  # type: ignore[return-value]

    @strawberry.field(
        description="A run by the id its producer sent: a UUID, or, with its job's "
        "(namespace, name), any id (the catalog's runId is derived from the id and the job), "
        "including one that another job's run had first."
    )
    async def run(
        self, info: CtxInfo, run_id: str, namespace: str | None = None, job: str | None = None
    ) -> Run | None:
        try:
            return await _run(info, run_id, namespace, job)
        except InvalidUrnError:
            return None

    @strawberry.field(
        description="A job by its OpenLineage (namespace, name).", metadata=leads_to(_job_at)
    )
    async def job(self, info: CtxInfo, namespace: str, name: str) -> Job | None:
        return await _by_urn(info, Urn.job(namespace, name))  # type: ignore[return-value]

    @strawberry.field(description="Nodes of one kind, in the order they were recorded.")
    async def nodes(
        self,
        info: CtxInfo,
        kind: NodeKind,
        first: int = 50,
        offset: int = 0,
    ) -> NodePage:
        first = max(0, min(first, MAX_PAGE))
        reader = info.context.catalog.reader
        urns = reader.list_urns(kind, offset=max(offset, 0), limit=first)
        records = await info.context.loaders.nodes.load_many(urns)
        return NodePage(total=reader.count(kind), items=[wrap(r) for r in records if r])

    @strawberry.field(
        description="Full-text search over features, datasets, models, model versions, "
        "training sets, jobs, runs and deployments, with facets; "
        "ranked by relevance, certification, quality and production use."
    )
    def search(
        self,
        info: CtxInfo,
        query: str = "",
        filters: SearchFilters | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> SearchOutcome:
        try:
            return _search(info, query, filters, first, after)
        except InvalidArgumentError as exc:
            return InvalidInputError(message=str(exc), field=None)

    @strawberry.field(
        description="Classifications set on a node or inherited along its lineage, as of a "
        "moment, each with the path back to where it was set."
    )
    def classifications(
        self, info: CtxInfo, urn: strawberry.ID, as_of: datetime | None = None
    ) -> ClassificationsOutcome:
        def run() -> Classifications:
            traces = info.context.catalog.classifications.classifications(str(urn), as_of=as_of)
            return Classifications(
                urn=urn, classifications=[ClassificationTrace.of(t) for t in traces]
            )

        return guarded(run)

    @strawberry.field(
        description="Lineage from a node: upstream, downstream or both, as of a moment."
    )
    def lineage(
        self,
        info: CtxInfo,
        urn: strawberry.ID,
        direction: Direction = Direction.UPSTREAM,
        depth: int = 20,
        as_of: datetime | None = None,
        edge_kinds: list[EdgeKind] | None = None,
        limit: int = 10_000,
        all_versions: bool = False,
    ) -> LineageOutcome:
        kinds: frozenset[EdgeKind] | None = frozenset(edge_kinds) if edge_kinds else None

        def run() -> LineageGraph:
            result = info.context.catalog.lineage.lineage(
                str(urn),
                direction=direction,
                depth=depth,
                as_of=as_of,
                edge_kinds=kinds,
                limit=limit,
                include_edges=selects(info, "edges"),
                all_versions=all_versions,
            )
            return LineageGraph(
                root=strawberry.ID(result.root),
                direction=result.direction,
                as_of=result.as_of,
                nodes=[LineageNode.of(n) for n in result.nodes],
                edges=[LineageEdge.of(e) for e in result.edges or []],
                is_partial=result.is_partial,
                partial_reasons=list(result.partial_reasons),
                versions_used=[strawberry.ID(v) for v in result.versions_used],
                resolved_from=(
                    strawberry.ID(result.resolved_from) if result.resolved_from else None
                ),
                seq=result.seq,
            )

        return guarded(run)

    @strawberry.field(
        description="Feature versions, training sets, model versions and deployments that "
        "depend on a node."
    )
    def impact(
        self, info: CtxInfo, urn: strawberry.ID, as_of: datetime | None = None
    ) -> ImpactOutcome:
        return guarded(
            lambda: Impact.of(info.context.catalog.lineage.impact(str(urn), as_of=as_of))
        )

    @strawberry.field(
        description="Shortest lineage paths between two nodes: why are they connected?"
    )
    def paths(
        self,
        info: CtxInfo,
        source: Annotated[strawberry.ID, strawberry.argument(name="from")],
        target: Annotated[strawberry.ID, strawberry.argument(name="to")],
        as_of: datetime | None = None,
    ) -> PathsOutcome:
        def run() -> Paths:
            found = info.context.catalog.lineage.paths(str(source), str(target), as_of=as_of)
            return Paths(paths=[LineagePath.of(p) for p in found])

        return guarded(run)

    @strawberry.field(
        description="For each column of a dataset (its newest version) or of a dataset "
        "version, the columns upstream of it."
    )
    def column_lineage(
        self, info: CtxInfo, urn: strawberry.ID, depth: int = 20, as_of: datetime | None = None
    ) -> ColumnLineageOutcome:
        return guarded(lambda: _column_lineage(info, str(urn), depth, as_of))


def _search(
    info: CtxInfo, query: str, filters: SearchFilters | None, first: int, after: str | None
) -> SearchResults:
    chosen = filters or SearchFilters()
    page = info.context.catalog.search.search(
        query,
        DomainFilters(
            kinds=tuple(chosen.kinds or ()),
            owner=chosen.owner,
            classification=chosen.classification,
            status=chosen.status,
            updated_after=chosen.updated_after,
            in_production=chosen.in_production,
        ),
        first=first,
        after=after,
    )
    return SearchResults(
        total=page.total,
        hits=[SearchHit.of(h) for h in page.hits],
        facets=SearchFacets(
            kinds=facet_counts(page.facets.get("kind", {})),
            owners=facet_counts(page.facets.get("owner", {})),
            classifications=facet_counts(page.facets.get("classification", {})),
            statuses=facet_counts(page.facets.get("status", {})),
        ),
        end_cursor=None if page.next_offset is None else Cursor(page.next_offset).encode(),
        has_next_page=page.next_offset is not None,
    )


def _column_lineage(info: CtxInfo, urn: str, depth: int, as_of: datetime | None) -> ColumnLineage:
    found = info.context.catalog.lineage.column_lineage(urn, depth=depth, as_of=as_of)
    return ColumnLineage(
        dataset_version=strawberry.ID(found.dataset_version),
        columns=[
            ColumnLineageEntry(
                column=strawberry.ID(c.column), upstream=[LineageNode.of(n) for n in c.upstream]
            )
            for c in found.columns
        ],
    )
