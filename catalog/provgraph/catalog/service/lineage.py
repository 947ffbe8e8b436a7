"""Lineage questions: upstream/downstream, impact, and paths between two nodes, as of any time."""

from __future__ import annotations

import time
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from provgraph.catalog import metrics
from provgraph.catalog.model.errors import NodeNotFoundError
from provgraph.catalog.model.graph import EdgeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import from_micros, to_micros, utc_now
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.lineage_index import (
    Direction,
    LineageIndex,
    PartialReason,
    Traversal,
    TraversalLimits,
)

MAX_DEPTH = 100
MAX_LIMIT = 100_000


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class LineageNode(_Out):
    urn: str
    kind: NodeKind
    depth: int


class LineageEdge(_Out):
    kind: EdgeKind
    source: str
    target: str
    valid_from: datetime
    valid_to: datetime | None

    @classmethod
    def of(cls, edge: EdgeRecord) -> LineageEdge:
        valid_from = from_micros(edge.valid_from)
        assert valid_from is not None
        return cls(
            kind=edge.kind,
            source=edge.src,
            target=edge.dst,
            valid_from=valid_from,
            valid_to=from_micros(edge.valid_to),
        )


class LineageResult(_Out):
    root: str
    direction: Direction
    as_of: datetime
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    is_partial: bool
    partial_reasons: list[PartialReason]


class ImpactResult(_Out):
    root: str
    as_of: datetime
    feature_versions: list[LineageNode]
    training_sets: list[LineageNode]
    model_versions: list[LineageNode]
    deployments: list[LineageNode]
    is_partial: bool
    partial_reasons: list[PartialReason]


class LineagePath(_Out):
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
    ) -> LineageResult:
        if not 1 <= depth <= MAX_DEPTH:
            raise ValueError(f"depth must be between 1 and {MAX_DEPTH}, got {depth}")
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        moment = as_of or utc_now()
        at = self._check_exists(urn, moment)
        started = time.perf_counter()
        traversal = self._index.traverse(
            urn,
            direction,
            at=at,
            limits=TraversalLimits(depth=depth, limit=limit, deadline_s=deadline_s),
            edge_kinds=edge_kinds,
        )
        metrics.LINEAGE_SECONDS.observe(time.perf_counter() - started)
        return LineageResult(
            root=urn,
            direction=direction,
            as_of=moment,
            nodes=_nodes(traversal),
            edges=[LineageEdge.of(e) for e in traversal.edges],
            is_partial=bool(traversal.partial),
            partial_reasons=sorted(traversal.partial),
        )

    def impact(self, urn: str, *, as_of: datetime | None = None) -> ImpactResult:
        """What depends on `urn`: feature versions, training sets, model versions, deployments."""
        moment = as_of or utc_now()
        at = self._check_exists(urn, moment)
        traversal = self._index.traverse(
            urn,
            Direction.DOWNSTREAM,
            at=at,
            limits=TraversalLimits(depth=MAX_DEPTH, limit=MAX_LIMIT, deadline_s=10.0),
        )
        nodes = _nodes(traversal)

        def of(kind: NodeKind) -> list[LineageNode]:
            return [n for n in nodes if n.kind is kind and n.urn != urn]

        return ImpactResult(
            root=urn,
            as_of=moment,
            feature_versions=of(NodeKind.FEATURE_VERSION),
            training_sets=of(NodeKind.TRAINING_SET),
            model_versions=of(NodeKind.MODEL_VERSION),
            deployments=of(NodeKind.DEPLOYMENT),
            is_partial=bool(traversal.partial),
            partial_reasons=sorted(traversal.partial),
        )

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
        moment = as_of or utc_now()
        at = self._check_exists(source, moment)
        self._check_exists(target, moment)
        found = self._index.shortest_paths(
            source, target, at=at, max_depth=max_depth, max_paths=max_paths
        )
        return [_path(source, path) for path in found]

    def _check_exists(self, urn: str, moment: datetime) -> int:
        Urn.parse(urn)
        created = self._index.created_at(urn)
        if created is None:
            raise NodeNotFoundError(urn)
        at = to_micros(moment)
        if created > at:
            raise NodeNotFoundError(urn, f"{urn} did not exist yet as of {moment.isoformat()}")
        return at


def _nodes(traversal: Traversal) -> list[LineageNode]:
    return [
        LineageNode(urn=urn, kind=kind, depth=depth)
        for urn, (kind, depth) in sorted(traversal.nodes.items(), key=lambda item: item[1][1])
    ]


def _path(source: str, edges: list[EdgeRecord]) -> LineagePath:
    nodes = [source]
    for edge in edges:
        nodes.append(edge.dst if edge.src == nodes[-1] else edge.src)
    return LineagePath(nodes=nodes, edges=[LineageEdge.of(e) for e in edges])
