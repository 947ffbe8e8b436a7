"""Lineage answers: the nodes and edges reached from a node, what depends on it, the paths
between two nodes, and the summary each reached node carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from provgraph.catalog.model.graph import EdgeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import from_micros
from provgraph.catalog.model.transformations import Transformation, of_edge


class Direction(StrEnum):
    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"
    BOTH = "both"


class PartialReason(StrEnum):
    DEPTH = "depth"
    LIMIT = "limit"
    DEADLINE = "deadline"


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeSummary:
    """What a reader needs to read a node in a list without asking for it: its name and where
    it stands. Its state now, also in an answer as of an earlier moment."""

    urn: str
    kind: NodeKind
    name: str
    """A short human label (`public.trips#pickup_lat`, `fraud-detector @fb76a1c2`,
    `production/fraud-detector`)."""
    status: str | None = None
    """A feature's status (draft, certified, deprecated), a deployment's (active, retired), a
    run's state (COMPLETE, FAIL, ...); None for other kinds."""
    stage: str | None = None
    """A model version's registry stage (development, staging, production, archived)."""
    environment: str | None = None
    """A deployment's environment."""
    archived: bool = False
    """Out of use: a deprecated feature, an archived model version, a retired deployment."""
    in_production: bool | None = None
    """A deployment: active in a production environment (the catalog's one rule)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LineageNode(NodeSummary):
    """A node reached by a lineage walk, `depth` hops from where it started."""

    depth: int


@dataclass(frozen=True, slots=True)
class LineageEdge:
    kind: EdgeKind
    source: str
    target: str
    valid_from: datetime
    valid_to: datetime | None
    transformations: list[Transformation] = field(default_factory=list)
    """Column lineage: how the producer said `target` was used to compute `source` (DIRECT or
    INDIRECT, subtype, masking); empty when it did not say (read as DIRECT)."""

    @classmethod
    def of(cls, edge: EdgeRecord) -> LineageEdge:
        valid_from = from_micros(edge.valid_from)
        assert valid_from is not None
        return cls(
            edge.kind,
            edge.src,
            edge.dst,
            valid_from,
            from_micros(edge.valid_to),
            list(of_edge(edge.props)),
        )


@dataclass(frozen=True, slots=True)
class LineageResult:
    root: str
    direction: Direction
    as_of: datetime | None
    """None: the latest state."""
    nodes: list[LineageNode]
    edges: list[LineageEdge] | None
    """None when the caller did not ask for edges."""
    is_partial: bool
    partial_reasons: list[PartialReason]
    versions_used: list[str] = field(default_factory=list)
    """Upstream of a container (dataset, feature, model, job): the versions (runs, for a job)
    walked through, the newest at the moment asked or all of them."""
    resolved_from: str | None = None
    """The versionless column asked about, when `root` is the field in the newest version."""
    seq: int = 0
    """The log sequence number the index reflected when it answered (read-your-writes)."""


@dataclass(frozen=True, slots=True)
class ImpactResult:
    root: str
    as_of: datetime | None
    feature_versions: list[LineageNode]
    training_sets: list[LineageNode]
    model_versions: list[LineageNode]
    deployments: list[LineageNode]
    is_partial: bool
    partial_reasons: list[PartialReason]
    seq: int = 0
    """The log sequence number the index reflected when it answered."""


@dataclass(frozen=True, slots=True)
class ColumnUpstream:
    column: str
    upstream: list[LineageNode]
    """The columns this column is derived from, nearest first (the column itself left out)."""


@dataclass(frozen=True, slots=True)
class ColumnLineageResult:
    dataset_version: str
    columns: list[ColumnUpstream]


@dataclass(frozen=True, slots=True)
class LineagePath:
    nodes: list[str]
    edges: list[LineageEdge]
