"""Lineage questions: upstream/downstream, impact, and paths between two nodes, as of any time.

Results are the declared answers of `model.answers.lineage`, which every surface sends as they
are; each reached node carries its summary (`service.summaries`).
"""

from __future__ import annotations

import time
from datetime import datetime

from provgraph.catalog import metrics
from provgraph.catalog.model.answers.lineage import (
    ColumnLineageResult,
    ColumnUpstream,
    ImpactResult,
    LineageEdge,
    LineageNode,
    LineagePath,
    LineageResult,
)
from provgraph.catalog.model.errors import InvalidArgumentError, NodeNotFoundError
from provgraph.catalog.model.graph import EdgeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import to_micros
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service import fields
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.progress import Progress
from provgraph.catalog.service.summaries import Hop, NodeSummaries
from provgraph.catalog.service.traversal import (
    Direction,
    PartialReason,
    Traversal,
    TraversalLimits,
)
from provgraph.catalog.service.versions import oldest_first

__all__ = [
    "ColumnLineageResult",
    "ColumnUpstream",
    "ImpactResult",
    "LineageEdge",
    "LineageNode",
    "LineagePath",
    "LineageResult",
    "LineageService",
]

MAX_DEPTH = 100
MAX_LIMIT = 100_000
_IMPACT_KINDS = frozenset(
    {NodeKind.FEATURE_VERSION, NodeKind.TRAINING_SET, NodeKind.MODEL_VERSION, NodeKind.DEPLOYMENT}
)


class LineageService:
    def __init__(
        self,
        index: LineageIndex,
        summaries: NodeSummaries,
        *,
        progress: Progress | None = None,
    ) -> None:
        self._index = index
        self._summaries = summaries
        self._progress = progress or Progress()

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
        all_versions: bool = False,
    ) -> LineageResult:
        """Lineage of `urn`. Upstream of a container walks through its newest version at the
        moment asked (a job: its newest run), or through every version with `all_versions`."""
        if not 1 <= depth <= MAX_DEPTH:
            raise InvalidArgumentError(f"depth must be between 1 and {MAX_DEPTH}, got {depth}")
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidArgumentError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        asked = urn
        seq = self._progress.seq  # what the index holds at least, from here on
        urn, at = self._check_exists(urn, as_of)
        started = time.perf_counter()
        limits = TraversalLimits(depth=depth, limit=limit, deadline_s=deadline_s)
        traversal = self._index.traverse(
            urn, direction, at=at, limits=limits, edge_kinds=edge_kinds
        )
        hops = self._hops(traversal)
        edges = self.edges(traversal) if include_edges else None
        partial = set(traversal.partial)
        versions: list[str] = []
        if direction is not Direction.DOWNSTREAM and depth > 1:
            versions = self._versions_to_walk(urn, at, all_versions)
            merged = {hop[0]: hop for hop in hops}
            found_edges = {(e.kind, e.source, e.target, e.valid_from): e for e in edges or []}
            sub_limits = TraversalLimits(depth=depth - 1, limit=limit, deadline_s=deadline_s)
            for version in versions:
                sub = self._index.traverse(
                    version, Direction.UPSTREAM, at=at, limits=sub_limits, edge_kinds=edge_kinds
                )
                partial |= sub.partial
                for node, kind, hop_depth in self._hops(sub):
                    if node not in merged or merged[node][2] > hop_depth + 1:
                        merged[node] = (node, kind, hop_depth + 1)
                if include_edges:
                    for edge in self.edges(sub):
                        found_edges.setdefault(
                            (edge.kind, edge.source, edge.target, edge.valid_from), edge
                        )
            if len(merged) > limit:
                partial.add(PartialReason.LIMIT)
            hops = sorted(merged.values(), key=lambda hop: (hop[2], hop[0]))[:limit]
            if include_edges:
                kept = {hop[0] for hop in hops}
                edges = [e for e in found_edges.values() if e.source in kept and e.target in kept]
        nodes = self._summaries.lineage_nodes(hops)
        result = LineageResult(
            root=urn,
            direction=direction,
            as_of=as_of,
            nodes=nodes,
            edges=edges,
            is_partial=bool(partial),
            partial_reasons=sorted(partial),
            versions_used=versions,
            resolved_from=asked if asked != urn else None,
            seq=seq,
        )
        metrics.LINEAGE_SECONDS.observe(time.perf_counter() - started)
        return result

    def edges(self, traversal: Traversal) -> list[LineageEdge]:
        return [LineageEdge.of(e) for e in self._index.edges_within(traversal)]

    def impact(self, urn: str, *, as_of: datetime | None = None) -> ImpactResult:
        """What depends on `urn`: feature versions, training sets, model versions, deployments."""
        seq = self._progress.seq
        urn, at = self._check_exists(urn, as_of)
        traversal = self._index.traverse(
            urn,
            Direction.DOWNSTREAM,
            at=at,
            limits=TraversalLimits(depth=MAX_DEPTH, limit=MAX_LIMIT, deadline_s=10.0),
        )
        nodes = self._summaries.lineage_nodes(
            h for h in self._hops(traversal) if h[1] in _IMPACT_KINDS and h[0] != urn
        )

        def of(kind: NodeKind) -> list[LineageNode]:
            return [n for n in nodes if n.kind is kind]

        return ImpactResult(
            root=urn,
            as_of=as_of,
            feature_versions=of(NodeKind.FEATURE_VERSION),
            training_sets=of(NodeKind.TRAINING_SET),
            model_versions=of(NodeKind.MODEL_VERSION),
            deployments=of(NodeKind.DEPLOYMENT),
            is_partial=bool(traversal.partial),
            partial_reasons=sorted(traversal.partial),
            seq=seq,
        )

    def column_lineage(
        self, urn: str, *, depth: int = 20, as_of: datetime | None = None
    ) -> ColumnLineageResult:
        """For each column of a dataset version (or of a dataset's newest version as of the
        moment asked), the columns upstream of it."""
        parsed = Urn.parse(urn)
        if parsed.kind is NodeKind.DATASET:
            urn, at = self._check_exists(urn, as_of)
            newest = fields.newest_version_at(self._index, urn, at)
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
        source, at = self._check_exists(source, as_of)
        target, _ = self._check_exists(target, as_of)
        found = self._index.shortest_paths(
            source, target, at=at, max_depth=max_depth, max_paths=max_paths
        )
        return [_path(source, path) for path in found]

    def _hops(self, traversal: Traversal) -> list[Hop]:
        return self._index.describe(traversal)

    def _check_exists(self, urn: str, as_of: datetime | None) -> tuple[str, int | None]:
        """The node to start from (a versionless column: the field's newest version) and the
        moment asked (None: the latest state)."""
        Urn.parse(urn)
        at = None if as_of is None else to_micros(as_of)
        urn = fields.resolve(self._index, urn, at)
        created = self._index.created_at(urn)
        if created is None:
            raise NodeNotFoundError(urn)
        if as_of is None:
            return urn, None
        assert at is not None
        if created > at:
            raise NodeNotFoundError(urn, f"{urn} did not exist yet as of {as_of.isoformat()}")
        return urn, at

    def _versions_to_walk(self, urn: str, at: int | None, all_versions: bool) -> list[str]:
        kind = self._index.kind_of(urn)
        if kind in (NodeKind.DATASET, NodeKind.FEATURE, NodeKind.MODEL):
            if not all_versions:
                newest = fields.newest_version_at(self._index, urn, at)
                return [newest] if newest else []
            members = self._index.related(urn, EdgeKind.HAS_VERSION, outgoing=True, at=at)
            return [e.dst for e in oldest_first(members)]
        if kind is NodeKind.JOB:
            runs = sorted(
                self._index.related(urn, EdgeKind.INSTANCE_OF, outgoing=False, at=at),
                key=lambda e: (e.valid_from, e.src),
            )
            return [e.src for e in runs] if all_versions else [e.src for e in runs[-1:]]
        return []


def _path(source: str, edges: list[EdgeRecord]) -> LineagePath:
    nodes = [source]
    for edge in edges:
        nodes.append(edge.dst if edge.src == nodes[-1] else edge.src)
    return LineagePath(nodes=nodes, edges=[LineageEdge.of(e) for e in edges])
