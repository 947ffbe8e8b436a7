"""Lineage answers: graphs, impact, paths, column lineage."""

from __future__ import annotations

from datetime import datetime

import strawberry

from provgraph.catalog.model.answers import lineage as answers
from provgraph.catalog.model.answers.lineage import Direction, PartialReason
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.transformations import Transformation
from provgraph.graphql.resolve import CtxInfo, record, wrap
from provgraph.graphql.types.node import Node


@strawberry.type(
    description="A node reached by a lineage walk, with its distance in hops, its name and "
    "where it stands now (the catalog's one node summary, as REST sends it)."
)
class LineageNode:
    urn: strawberry.ID
    kind: NodeKind
    depth: int
    name: str = strawberry.field(description="A short human label.")
    status: str | None = strawberry.field(
        description="A feature's status, a deployment's (active, retired), a run's state."
    )
    stage: str | None = strawberry.field(description="A model version's registry stage.")
    environment: str | None = strawberry.field(description="A deployment's environment.")
    archived: bool = strawberry.field(
        description="Out of use: a deprecated feature, an archived model version, a retired "
        "deployment."
    )
    in_production: bool | None = strawberry.field(
        description="A deployment: active in a production environment."
    )

    @strawberry.field(description="The node itself, with all its fields.")
    async def node(self, info: CtxInfo) -> Node | None:
        found = await record(info, str(self.urn))
        return wrap(found) if found else None

    @classmethod
    def of(cls, hop: answers.LineageNode) -> LineageNode:
        kind: NodeKind = hop.kind
        return cls(
            urn=strawberry.ID(hop.urn),
            kind=kind,
            depth=hop.depth,
            name=hop.name,
            status=hop.status,
            stage=hop.stage,
            environment=hop.environment,
            archived=hop.archived,
            in_production=hop.in_production,
        )


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
    def of(cls, edge: answers.LineageEdge) -> LineageEdge:
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

    @classmethod
    def of(cls, result: answers.LineageResult) -> LineageGraph:
        reasons: list[PartialReason] = result.partial_reasons
        return cls(
            root=strawberry.ID(result.root),
            direction=result.direction,
            as_of=result.as_of,
            nodes=[LineageNode.of(n) for n in result.nodes],
            edges=[LineageEdge.of(e) for e in result.edges or []],
            is_partial=result.is_partial,
            partial_reasons=reasons,
            versions_used=[strawberry.ID(v) for v in result.versions_used],
            resolved_from=strawberry.ID(result.resolved_from) if result.resolved_from else None,
            seq=result.seq,
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
    def of(cls, result: answers.ImpactResult) -> Impact:
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
    def of(cls, path: answers.LineagePath) -> LineagePath:
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

    @classmethod
    def of(cls, result: answers.ColumnLineageResult) -> ColumnLineage:
        return cls(
            dataset_version=strawberry.ID(result.dataset_version),
            columns=[
                ColumnLineageEntry(
                    column=strawberry.ID(c.column),
                    upstream=[LineageNode.of(n) for n in c.upstream],
                )
                for c in result.columns
            ],
        )
