"""Lineage questions: upstream/downstream, impact, and paths between two nodes, as of any time.

Results are plain frozen dataclasses; the API layers turn them into their own types.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from provgraph.catalog import metrics
from provgraph.catalog.model.errors import InvalidArgumentError, NodeNotFoundError
from provgraph.catalog.model.graph import EdgeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import from_micros, to_micros
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.traversal import (
    Direction,
    PartialReason,
    Traversal,
    TraversalLimits,
)
from provgraph.catalog.service.versions import newest_version

MAX_DEPTH = 100
MAX_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class LineageNode:
    urn: str
    kind: NodeKind
    depth: int


@dataclass(frozen=True, slots=True)
class LineageEdge:
    kind: EdgeKind
    source: str
    target: str
    valid_from: datetime
    valid_to: datetime | None

    @classmethod
    def of(cls, edge: EdgeRecord) -> LineageEdge:
        valid_from = from_micros(edge.valid_from)
        assert valid_from is not None
        return cls(edge.kind, edge.src, edge.dst, valid_from, from_micros(edge.valid_to))


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


class LineageService:
    def __init__(self, index: LineageIndex) -> None:
        self._index = index

    def lineage(
        self,
        urn: str,
        *,
        direction: Direction = Direction.UPSTREAM,
        depth: int = 20,
        as_of: datetime | None = None,
        edge_kinds: frozenset[EdgeKind] | None = None,
        limit: int = 10_000,
        deadline_s: float = 5.0,
        include_edges: bool = True,
    ) -> LineageResult:
        if not 1 <= depth <= MAX_DEPTH:
            raise InvalidArgumentError(f"depth must be between 1 and {MAX_DEPTH}, got {depth}")
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidArgumentError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        at = self._check_exists(urn, as_of)
        started = time.perf_counter()
        traversal = self._index.traverse(
            urn,
            direction,
            at=at,
            limits=TraversalLimits(depth=depth, limit=limit, deadline_s=deadline_s),
            edge_kinds=edge_kinds,
        )
        result = LineageResult(
            root=urn,
            direction=direction,
            as_of=as_of,
            nodes=self._nodes(traversal),
            edges=self.edges(traversal) if include_edges else None,
            is_partial=bool(traversal.partial),
            partial_reasons=sorted(traversal.partial),
        )
        metrics.LINEAGE_SECONDS.observe(time.perf_counter() - started)
        return result

    def edges(self, traversal: Traversal) -> list[LineageEdge]:
        return [LineageEdge.of(e) for e in self._index.edges_within(traversal)]

    def impact(self, urn: str, *, as_of: datetime | None = None) -> ImpactResult:
        """What depends on `urn`: feature versions, training sets, model versions, deployments."""
        at = self._check_exists(urn, as_of)
        traversal = self._index.traverse(
            urn,
            Direction.DOWNSTREAM,
            at=at,
            limits=TraversalLimits(depth=MAX_DEPTH, limit=MAX_LIMIT, deadline_s=10.0),
        )
        nodes = self._nodes(traversal)

        def of(kind: NodeKind) -> list[LineageNode]:
            return [n for n in nodes if n.kind is kind and n.urn != urn]

        return ImpactResult(
            root=urn,
            as_of=as_of,
            feature_versions=of(NodeKind.FEATURE_VERSION),
            training_sets=of(NodeKind.TRAINING_SET),
            model_versions=of(NodeKind.MODEL_VERSION),
            deployments=of(NodeKind.DEPLOYMENT),
            is_partial=bool(traversal.partial),
            partial_reasons=sorted(traversal.partial),
        )

    def column_lineage(
        self, urn: str, *, depth: int = 20, as_of: datetime | None = None
    ) -> ColumnLineageResult:
        """For each column of a dataset version (or of a dataset's newest version as of the
        moment asked), the columns upstream of it."""
        parsed = Urn.parse(urn)
        if parsed.kind is NodeKind.DATASET:
            at = self._check_exists(urn, as_of)
            newest = newest_version(
                self._index.related(urn, EdgeKind.HAS_VERSION, outgoing=True, at=at)
            )
            if newest is None:
                raise InvalidArgumentError(f"{urn} has no recorded versions")
            urn = newest
        elif parsed.kind is not NodeKind.DATASET_VERSION:
            raise InvalidArgumentError(
                f"column lineage needs a dataset or dataset-version urn, got a {parsed.kind}"
            )
        self._check_exists(urn, as_of)
        column_kinds = frozenset({EdgeKind.DERIVED_FROM})
        columns = []
        for edge in self._index.related(urn, EdgeKind.HAS_COLUMN, outgoing=True, at=None):
            result = self.lineage(
                edge.dst, depth=depth, as_of=as_of, edge_kinds=column_kinds, include_edges=False
            )
            upstream = [n for n in result.nodes if n.depth > 0]
            columns.append(ColumnUpstream(column=edge.dst, upstream=upstream))
        return ColumnLineageResult(dataset_version=urn, columns=columns)

    def paths(
        self,
        source: str,
        target: str,
        *,
        as_of: datetime | None = None,
        max_depth: int = 30,
        max_paths: int = 10,
    ) -> list[LineagePath]:
        """Shortest lineage paths explaining why `source` is connected to `target`."""
        at = self._check_exists(source, as_of)
        self._check_exists(target, as_of)
        found = self._index.shortest_paths(
            source, target, at=at, max_depth=max_depth, max_paths=max_paths
        )
        return [_path(source, path) for path in found]

    def _nodes(self, traversal: Traversal) -> list[LineageNode]:
        return [LineageNode(u, k, d) for u, k, d in self._index.describe(traversal)]

    def _check_exists(self, urn: str, as_of: datetime | None) -> int | None:
        Urn.parse(urn)
        created = self._index.created_at(urn)
        if created is None:
            raise NodeNotFoundError(urn)
        if as_of is None:
            return None
        at = to_micros(as_of)
        if created > at:
            raise NodeNotFoundError(urn, f"{urn} did not exist yet as of {as_of.isoformat()}")
        return at


def _path(source: str, edges: list[EdgeRecord]) -> LineagePath:
    nodes = [source]
    for edge in edges:
        nodes.append(edge.dst if edge.src == nodes[-1] else edge.src)
    return LineagePath(nodes=nodes, edges=[LineageEdge.of(e) for e in edges])
