"""Lineage answers: graphs, impact, paths, column lineage."""

from __future__ import annotations

from datetime import datetime

import strawberry

from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.transformations import Transformation
from provgraph.catalog.service.lineage import ImpactResult
from provgraph.catalog.service.lineage import LineageEdge as Edge
from provgraph.catalog.service.lineage import LineageNode as Hop
from provgraph.catalog.service.lineage import LineagePath as Path
from provgraph.catalog.service.traversal import Direction, PartialReason
from provgraph.graphql.resolve import CtxInfo, record, wrap
from provgraph.graphql.types.node import Node


@strawberry.type(description="A node reached by a lineage walk, with its distance in hops.")
class LineageNode:
    urn: strawberry.ID
    kind: NodeKind
    depth: int

    @strawberry.field(description="The node itself, with all its fields.")
    async def node(self, info: CtxInfo) -> Node | None:
        found = await record(info, str(self.urn))
        return wrap(found) if found else None

    @classmethod
    def of(cls, hop: Hop) -> LineageNode:
        kind: NodeKind = hop.kind
        return cls(urn=strawberry.ID(hop.urn), kind=kind, depth=hop.depth)


@strawberry.type(
    description="How a column-lineage source was used (OpenLineage's transformation types)."
)
class ColumnTransformation:
    type: str = strawberry.field(description="DIRECT (values computed from it) or INDIRECT.")
    subtype: str | None = strawberry.field(
        description="IDENTITY, TRANSFORMATION, AGGREGATION; FILTER, JOIN, GROUP_BY, SORT, "
        "WINDOW, CONDITIONAL."
    )
    description: str | None
    masking: bool = strawberry.field(description="It hides the value (a hash, a redaction).")

    @classmethod
    def of(cls, transformation: Transformation) -> ColumnTransformation:
        return cls(
            type=transformation.type,
            subtype=transformation.subtype,
            description=transformation.description,
            masking=transformation.masking,
        )


@strawberry.type
class LineageEdge:
    kind: EdgeKind
    source: strawberry.ID
    target: strawberry.ID
    valid_from: datetime
    valid_to: datetime | None
    transformations: list[ColumnTransformation] = strawberry.field(
        default_factory=list,
        description="Column lineage: how `target` was used to compute `source`; empty when "
        "the producer did not say (read as DIRECT). Classifications flow only along DIRECT, "
        "unmasked edges.",
    )

    @classmethod
    def of(cls, edge: Edge) -> LineageEdge:
        kind: EdgeKind = edge.kind
        return cls(
            kind=kind,
            source=strawberry.ID(edge.source),
            target=strawberry.ID(edge.target),
            valid_from=edge.valid_from,
            valid_to=edge.valid_to,
            transformations=[ColumnTransformation.of(t) for t in edge.transformations],
        )


@strawberry.type(description="Nodes and edges reached from `root`; `isPartial` says if it was cut.")
class LineageGraph:
    root: strawberry.ID
    direction: Direction
    as_of: datetime | None
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    is_partial: bool
    partial_reasons: list[PartialReason]
    versions_used: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="Upstream of a container: the versions (a job: the runs) walked through.",
    )
    resolved_from: strawberry.ID | None = strawberry.field(
        default=None,
        description="The versionless column asked about; `root` is its newest version.",
    )
    seq: int = strawberry.field(
        default=0,
        description="The event log sequence number this server's index reflected when it "
        "answered (read-your-writes: `/graphql?min_seq=N`).",
    )


@strawberry.type(description="What depends on `root`, by kind.")
class Impact:
    root: strawberry.ID
    as_of: datetime | None
    feature_versions: list[LineageNode]
    training_sets: list[LineageNode]
    model_versions: list[LineageNode]
    deployments: list[LineageNode]
    is_partial: bool
    partial_reasons: list[PartialReason]
    seq: int = strawberry.field(
        default=0, description="The event log sequence number the index reflected."
    )

    @classmethod
    def of(cls, result: ImpactResult) -> Impact:
        reasons: list[PartialReason] = result.partial_reasons
        return cls(
            root=strawberry.ID(result.root),
            as_of=result.as_of,
            feature_versions=[LineageNode.of(n) for n in result.feature_versions],
            training_sets=[LineageNode.of(n) for n in result.training_sets],
            model_versions=[LineageNode.of(n) for n in result.model_versions],
            deployments=[LineageNode.of(n) for n in result.deployments],
            is_partial=result.is_partial,
            partial_reasons=reasons,
            seq=result.seq,
        )


@strawberry.type(description="One lineage path, as node URNs and the edges between them.")
class LineagePath:
    nodes: list[strawberry.ID]
    edges: list[LineageEdge]

    @classmethod
    def of(cls, path: Path) -> LineagePath:
        return cls(
            nodes=[strawberry.ID(u) for u in path.nodes],
            edges=[LineageEdge.of(e) for e in path.edges],
        )


@strawberry.type
class Paths:
    paths: list[LineagePath]


@strawberry.type(description="A column and the columns upstream of it, nearest first.")
class ColumnLineageEntry:
    column: strawberry.ID
    upstream: list[LineageNode]


@strawberry.type
class ColumnLineage:
    dataset_version: strawberry.ID
    columns: list[ColumnLineageEntry]
