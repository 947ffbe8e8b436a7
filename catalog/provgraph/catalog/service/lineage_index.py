"""The in-memory lineage index: every node and edge of the store, laid out for traversal.

Built from the store on start and updated with each applied change, under one lock. The store
stays the source of truth; this index answers lineage, impact and path questions in
microseconds, with each edge's validity interval kept so questions can be asked as of a time.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from provgraph.catalog.model.graph import EdgeRecord, GraphChange, NodeRecord, edge_id
from provgraph.catalog.model.kinds import EdgeKind, Flow, NodeKind
from provgraph.catalog.model.timeutil import OPEN_END
from provgraph.catalog.model.urn import Urn

_Step = tuple[int, int, bool]
"""(neighbour node, edge index, neighbour is a container: reached but not expanded)."""


class Direction(StrEnum):
    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"
    BOTH = "both"


class PartialReason(StrEnum):
    DEPTH = "depth"
    LIMIT = "limit"
    DEADLINE = "deadline"


@dataclass(frozen=True, slots=True)
class TraversalLimits:
    depth: int = 20
    limit: int = 10_000
    deadline_s: float = 5.0


@dataclass(slots=True)
class Traversal:
    """Nodes (urn -> (kind, hops from the start)) and edges reached, and why it may be partial."""

    nodes: dict[str, tuple[NodeKind, int]] = field(default_factory=dict)
    edges: list[EdgeRecord] = field(default_factory=list)
    partial: set[PartialReason] = field(default_factory=set)


class LineageIndex:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._ids: dict[str, int] = {}
        self._urns: list[str] = []
        self._kinds: list[NodeKind] = []
        self._created: list[int] = []
        self._edge_ids: dict[str, int] = {}
        self._ekind: list[EdgeKind] = []
        self._src: list[int] = []
        self._dst: list[int] = []
        self._vf: list[int] = []
        self._vt: list[int] = []
        self._out: list[list[int]] = []
        self._in: list[list[int]] = []
        self._up: list[list[_Step]] = []
        self._down: list[list[_Step]] = []

    # ---- building -------------------------------------------------------------------------

    def load(self, nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord]) -> None:
        with self._lock:
            for node in nodes:
                self._add_node(node)
            for edge in edges:
                self._add_edge(edge)

    def apply(self, change: GraphChange) -> None:
        with self._lock:
            for node in change.nodes:
                self._add_node(node)
            for edge in change.opened:
                self._add_edge(edge)
            for closure in change.closed:
                index = self._edge_ids.get(closure.eid)
                if index is not None:
                    self._vt[index] = closure.valid_to

    def _add_node(self, node: NodeRecord) -> int:
        existing = self._ids.get(node.urn)
        if existing is not None:
            return existing
        index = len(self._urns)
        self._ids[node.urn] = index
        self._urns.append(node.urn)
        self._kinds.append(node.kind)
        self._created.append(node.created_at)
        self._out.append([])
        self._in.append([])
        self._up.append([])
        self._down.append([])
        return index

    def _add_edge(self, edge: EdgeRecord) -> None:
        eid = edge.eid
        if eid in self._edge_ids:
            return
        src, dst = self._ids[edge.src], self._ids[edge.dst]
        index = len(self._ekind)
        self._edge_ids[eid] = index
        self._ekind.append(edge.kind)
        self._src.append(src)
        self._dst.append(dst)
        self._vf.append(edge.valid_from)
        self._vt.append(edge.valid_to)
        self._out[src].append(index)
        self._in[dst].append(index)
        flow = edge.kind.flow
        if flow is Flow.TO_UPSTREAM:
            self._up[src].append((dst, index, False))
            self._down[dst].append((src, index, False))
        elif flow is Flow.TO_DOWNSTREAM:
            self._down[src].append((dst, index, False))
            self._up[dst].append((src, index, False))
        elif flow is Flow.CONTAINER_TO_MEMBER:
            self._down[src].append((dst, index, False))
            self._up[dst].append((src, index, True))
        elif flow is Flow.MEMBER_TO_CONTAINER:
            self._down[dst].append((src, index, False))
            self._up[src].append((dst, index, True))

    # ---- point look-ups -------------------------------------------------------------------

    def counts(self) -> tuple[int, int]:
        with self._lock:
            return len(self._urns), len(self._ekind)

    def has(self, urn: str) -> bool:
        return urn in self._ids

    def kind_of(self, urn: str) -> NodeKind | None:
        index = self._ids.get(urn)
        return None if index is None else self._kinds[index]

    def created_at(self, urn: str) -> int | None:
        index = self._ids.get(urn)
        return None if index is None else self._created[index]

    def newest_of_kind(self, kind: NodeKind, name: str) -> str | None:
        """The most recently created node of `kind` whose URN has the name `name`."""
        with self._lock:
            best: tuple[int, str] | None = None
            for index, node_kind in enumerate(self._kinds):
                if node_kind is kind and Urn.parse(self._urns[index]).name == name:
                    candidate = (self._created[index], self._urns[index])
                    best = candidate if best is None or candidate > best else best
            return None if best is None else best[1]

    def edges_from(self, urn: str, kind: EdgeKind, *, open_only: bool = False) -> list[EdgeRecord]:
        with self._lock:
            index = self._ids.get(urn)
            if index is None:
                return []
            return [
                self._edge(e)
                for e in self._out[index]
                if self._ekind[e] is kind and (not open_only or self._vt[e] == OPEN_END)
            ]

    def edges_to(self, urn: str, kind: EdgeKind, *, open_only: bool = False) -> list[EdgeRecord]:
        with self._lock:
            index = self._ids.get(urn)
            if index is None:
                return []
            return [
                self._edge(e)
                for e in self._in[index]
                if self._ekind[e] is kind and (not open_only or self._vt[e] == OPEN_END)
            ]

    def _edge(self, index: int) -> EdgeRecord:
        return EdgeRecord(
            kind=self._ekind[index],
            src=self._urns[self._src[index]],
            dst=self._urns[self._dst[index]],
            valid_from=self._vf[index],
            valid_to=self._vt[index],
        )

    def edge_exists(self, kind: EdgeKind, src: str, dst: str, valid_from: int) -> bool:
        return edge_id(kind, src, dst, valid_from) in self._edge_ids

    # ---- traversal ------------------------------------------------------------------------

    def traverse(
        self,
        start: str,
        direction: Direction,
        *,
        at: int,
        limits: TraversalLimits,
        edge_kinds: frozenset[EdgeKind] | None = None,
    ) -> Traversal:
        with self._lock:
            origin = self._ids[start]
            result = Traversal()
            result.nodes[start] = (self._kinds[origin], 0)
            deadline = time.monotonic() + limits.deadline_s
            sides = (
                [self._up, self._down]
                if direction is Direction.BOTH
                else [self._up if direction is Direction.UPSTREAM else self._down]
            )
            for adjacency in sides:
                self._bfs(origin, adjacency, at, limits, edge_kinds, deadline, result)
            return result

    def _bfs(
        self,
        origin: int,
        adjacency: list[list[_Step]],
        at: int,
        limits: TraversalLimits,
        edge_kinds: frozenset[EdgeKind] | None,
        deadline: float,
        result: Traversal,
    ) -> None:
        vf, vt, ekind, urns, kinds = self._vf, self._vt, self._ekind, self._urns, self._kinds
        seen: dict[int, int] = {origin: 0}
        seen_edges: set[int] = set()
        queue: deque[int] = deque([origin])
        expanded = 0
        while queue:
            node = queue.popleft()
            hops = seen[node]
            expanded += 1
            if expanded & 255 == 0 and time.monotonic() > deadline:
                result.partial.add(PartialReason.DEADLINE)
                return
            for neighbour, edge, terminal in adjacency[node]:
                if not (vf[edge] <= at < vt[edge]):
                    continue
                if edge_kinds is not None and ekind[edge] not in edge_kinds:
                    continue
                if hops >= limits.depth:
                    if neighbour not in seen:
                        result.partial.add(PartialReason.DEPTH)
                    continue
                if neighbour not in seen:
                    if len(result.nodes) >= limits.limit and urns[neighbour] not in result.nodes:
                        result.partial.add(PartialReason.LIMIT)
                        continue
                    seen[neighbour] = hops + 1
                    result.nodes.setdefault(urns[neighbour], (kinds[neighbour], hops + 1))
                    if not terminal:
                        queue.append(neighbour)
                if edge not in seen_edges:
                    seen_edges.add(edge)
                    result.edges.append(self._edge(edge))

    def shortest_paths(
        self,
        source: str,
        target: str,
        *,
        at: int,
        max_depth: int,
        max_paths: int,
    ) -> list[list[EdgeRecord]]:
        """Shortest lineage paths from `source` to `target`, searched upstream, then downstream."""
        with self._lock:
            origin, goal = self._ids[source], self._ids[target]
            for adjacency in (self._up, self._down):
                parents = self._bfs_parents(origin, goal, adjacency, at, max_depth)
                if parents is not None:
                    return self._unwind(parents, origin, goal, max_paths)
            return []

    def _bfs_parents(
        self,
        origin: int,
        goal: int,
        adjacency: list[list[_Step]],
        at: int,
        max_depth: int,
    ) -> dict[int, list[tuple[int, int]]] | None:
        depth: dict[int, int] = {origin: 0}
        parents: dict[int, list[tuple[int, int]]] = {origin: []}
        frontier = [origin]
        while frontier and goal not in depth:
            following: list[int] = []
            for node in frontier:
                if depth[node] >= max_depth:
                    continue
                for neighbour, edge, terminal in adjacency[node]:
                    if not (self._vf[edge] <= at < self._vt[edge]):
                        continue
                    if terminal and neighbour != goal:
                        continue
                    if neighbour not in depth:
                        depth[neighbour] = depth[node] + 1
                        parents[neighbour] = []
                        following.append(neighbour)
                    if depth[neighbour] == depth[node] + 1:
                        parents[neighbour].append((node, edge))
            frontier = following
        return parents if goal in depth else None

    def _unwind(
        self,
        parents: dict[int, list[tuple[int, int]]],
        origin: int,
        goal: int,
        max_paths: int,
    ) -> list[list[EdgeRecord]]:
        paths: list[list[EdgeRecord]] = []
        stack: list[tuple[int, list[int]]] = [(goal, [])]
        while stack and len(paths) < max_paths:
            node, edges = stack.pop()
            if node == origin:
                paths.append([self._edge(e) for e in reversed(edges)])
                continue
            for parent, edge in parents[node]:
                stack.append((parent, [*edges, edge]))
        return paths

    def acyclic_downstream(self, urn: str) -> list[str]:
        """Direct downstream neighbours over the edges that must stay acyclic.

        Version- and column-level lineage must never cycle; job-level edges may (a job that
        reads and writes one table), and a container is not its members' upstream.
        """
        with self._lock:
            index = self._ids.get(urn)
            if index is None:
                return []
            return [
                self._urns[neighbour]
                for neighbour, edge, terminal in self._down[index]
                if not terminal
                and not self._ekind[edge].may_cycle
                and self._ekind[edge].flow is not Flow.CONTAINER_TO_MEMBER
                and self._vt[edge] == OPEN_END
            ]
