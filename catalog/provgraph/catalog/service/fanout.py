"""How many edges of one kind meet at a node, and the most that meet at any node of a kind.

The GraphQL cost model prices a relation's list by these numbers (a version's real column
count; else the largest count any node of that kind has) instead of a typical length. Kept as
the lineage index grows, in O(1) memory per node: a node's edges of one kind are counted by
scanning its incidence list while it is short (at most HUB_DEGREE edges), and in a counter
per kind once it is longer. Closed edges stay counted, so the numbers bound any as-of answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from provgraph.catalog.model.kinds import EdgeKind, NodeKind

HUB_DEGREE = 64
"""Nodes with more edges on one side than this keep a counter per edge kind."""


class Fanout:
    def __init__(self, edge_kinds: Sequence[EdgeKind]) -> None:
        self._edge_kinds = edge_kinds
        """The index's edge kind per edge index (shared, appended to by the index)."""
        self._hubs: dict[tuple[int, bool], Counter[EdgeKind]] = {}
        self._largest: dict[tuple[NodeKind, EdgeKind, bool], int] = {}

    def added(
        self,
        node: int,
        node_kind: NodeKind,
        kind: EdgeKind,
        *,
        outgoing: bool,
        incidence: Sequence[int],
    ) -> None:
        """An edge of `kind` was appended to `node`'s `incidence` (its out- or in-list)."""
        counts = self._hubs.get((node, outgoing))
        if counts is not None:
            counts[kind] += 1
        elif len(incidence) > HUB_DEGREE:
            counts = self._hubs[(node, outgoing)] = Counter(self._edge_kinds[e] for e in incidence)
        count = counts[kind] if counts is not None else self._scan(incidence, kind)
        key = (node_kind, kind, outgoing)
        if count > self._largest.get(key, 0):
            self._largest[key] = count

    def degree(self, node: int, kind: EdgeKind, *, outgoing: bool, incidence: Sequence[int]) -> int:
        counts = self._hubs.get((node, outgoing))
        return counts[kind] if counts is not None else self._scan(incidence, kind)

    def largest(self, node_kind: NodeKind | None, kind: EdgeKind, *, outgoing: bool) -> int:
        """The most edges of `kind` at one node of `node_kind` (None: of any kind)."""
        if node_kind is not None:
            return self._largest.get((node_kind, kind, outgoing), 0)
        return max(
            (n for (_, k, out), n in self._largest.items() if k is kind and out is outgoing),
            default=0,
        )

    def _scan(self, incidence: Sequence[int], kind: EdgeKind) -> int:
        kinds = self._edge_kinds
        return sum(1 for e in incidence if kinds[e] is kind)
