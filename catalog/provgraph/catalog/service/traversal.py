"""Traversal vocabulary shared by the lineage index and the lineage service."""

from __future__ import annotations

from dataclasses import dataclass, field

from provgraph.catalog.model.answers.lineage import Direction, PartialReason
from provgraph.catalog.model.kinds import EdgeKind

__all__ = ["Direction", "PartialReason", "Traversal", "TraversalLimits"]


@dataclass(frozen=True, slots=True)
class TraversalLimits:
    depth: int = 20
    limit: int = 10_000
    deadline_s: float = 5.0


@dataclass(slots=True)
class Traversal:
    """Reached node ids (index-internal) with their hop count, and why the answer may be partial.

    `at` is the moment asked about (None: the latest state). Edges among the reached nodes are
    computed only when asked for (LineageIndex.edges_within), since many callers need none.
    """

    direction: Direction
    at: int | None
    edge_kinds: frozenset[EdgeKind] | None
    hops: dict[int, int] = field(default_factory=dict)
    partial: set[PartialReason] = field(default_factory=set)
    doubled: bool = False
    """hops is keyed by upstream-graph vertices (2i real, 2i+1 shadow) rather than node ids;
    mapping back is left to the readers so a bare traversal does no per-node Python work."""

    def node_hops(self) -> dict[int, int]:
        """Reached node ids with their (smallest) hop count."""
        if not self.doubled:
            return self.hops
        nodes: dict[int, int] = {}
        for vertex, depth in self.hops.items():
            node = vertex >> 1
            if nodes.get(node, depth + 1) > depth:
                nodes[node] = depth
        return nodes
