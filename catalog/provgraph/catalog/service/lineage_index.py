"""The in-memory lineage index: every node and edge of the store, laid out for traversal.

Built from the store on start and updated with each applied change, under one lock. The store
stays the source of truth; this index answers lineage, impact and path questions.

Two engines answer traversals:
- the latest state (no as-of, no edge-kind filter) runs in Rust: rustworkx `bfs_layers` over
  graphs that hold only the open lineage edges. In the upstream graph every node i has a real
  vertex 2i and a "shadow" vertex 2i+1 without out-edges; a member points at its container's
  shadow, so containers are reached but not expanded (the upstream of dataset version v2 is
  what produced v2, not whatever produced v1 of the same dataset).
- as-of and filtered questions run a breadth-first walk in Python that checks each edge's
  validity interval and kind.
"""

from __future__ import annotations

import gc
import threading
import time
from array import array
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import rustworkx as rx

from provgraph.catalog.model.graph import (
    EdgeRecord,
    GraphChange,
    JsonDict,
    NodeRecord,
    canonical_json,
    edge_id,
)
from provgraph.catalog.model.kinds import EdgeKind, Flow, NodeKind
from provgraph.catalog.model.timeutil import OPEN_END
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service.fanout import Fanout
from provgraph.catalog.service.traversal import (
    Direction,
    PartialReason,
    Traversal,
    TraversalLimits,
)
from provgraph.catalog.service.versions import edge_key, version_key

_Step = tuple[int, int, bool]
"""(neighbour node, edge index, neighbour is a container: reached but not expanded)."""

LATEST = OPEN_END - 1
"""The moment that only open edges are valid at."""

KEYED_FANOUT = 64
"""Out-edges of a node with more than this many are also kept in a set, for O(1) look-ups."""

RUST_MIN_DEPTH = 3
"""Shallower questions are cheaper in Python: bfs_layers cannot stop at a depth."""


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class LineageIndex:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._ids: dict[str, int] = {}
        self._urns: list[str] = []
        self._kinds: list[NodeKind] = []
        self._created: list[int] = []
        # per edge; machine-integer arrays keep 10^6-node catalogs small (no int objects, and no
        # eid dictionary: an edge is found through its source's out-list)
        self._ekind: list[EdgeKind] = []
        self._src = array("q")
        self._dst = array("q")
        self._vf = array("q")
        self._vt = array("q")
        self._eprops = array("i")
        """Per edge: its properties' position in _props (0: none), interned (few distinct)."""
        self._props: list[JsonDict] = [{}]
        self._props_ids: dict[str, int] = {}
        self._out: list[list[int]] = []
        self._in: list[list[int]] = []
        self._up: list[list[_Step]] = []
        self._down: list[list[_Step]] = []
        self._rx_up = rx.PyDiGraph(multigraph=True)
        self._rx_down = rx.PyDiGraph(multigraph=True)
        self._rx_edges: dict[int, tuple[int, int]] = {}
        self._by_kind: dict[NodeKind, list[int]] = {kind: [] for kind in NodeKind}
        self._out_keys: dict[int, set[tuple[int, EdgeKind, int]]] = {}
        """(target, kind, valid_from) of the out-edges of nodes with more than KEYED_FANOUT."""
        self._newest: dict[int, tuple[int, int]] = {}
        """container -> (valid_from, member) of its newest HAS_VERSION member."""
        self._fanout = Fanout(self._ekind)

    # ---- building -------------------------------------------------------------------------

    def load(
        self, nodes: Iterable[NodeRecord], edges: Iterable[EdgeRecord], *, moving: bool = False
    ) -> None:
        """Load a store's nodes, then its edges.

        `moving`: the store is being written meanwhile (another server applies the shared
        log), so an edge may name a node written after the nodes were read; it is left out,
        and comes back with the change that wrote it, which the loader follows next.
        """
        # linear in nodes + edges: each edge is added in O(1) (see _remember), and the cyclic
        # garbage collector, which would re-scan the growing index again and again, waits
        with self._lock, _collector_paused():
            for node in nodes:
                self._add_node(node)
            for edge in edges:
                if moving and (edge.src not in self._ids or edge.dst not in self._ids):
                    continue
                self._add_edge(edge)

    def apply(self, change: GraphChange) -> None:
        with self._lock:
            for node in change.nodes:
                self._add_node(node)
            for edge in change.opened:
                self._add_edge(edge)
            for closure in change.closed:
                index = self._find_edge(closure.src, closure.eid)
                if index is not None:
                    self._vt[index] = closure.valid_to
                    self._drop_from_rust(index)

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
        self._rx_up.add_nodes_from((None, None))  # vertices 2i (real) and 2i+1 (shadow)
        self._rx_down.add_node(None)
        self._by_kind[node.kind].append(index)
        return index

    def _find_edge(self, src: str, eid: str) -> int | None:
        node = self._ids.get(src)
        if node is None:
            return None
        for index in self._out[node]:
            if self._eid(index) == eid:
                return index
        return None

    def edge_by_id(self, src: str, eid: str) -> EdgeRecord | None:
        with self._lock:
            index = self._find_edge(src, eid)
            return None if index is None else self._edge(index)

    def _eid(self, index: int) -> str:
        return edge_id(
            self._ekind[index],
            self._urns[self._src[index]],
            self._urns[self._dst[index]],
            self._vf[index],
        )

    def _add_edge(self, edge: EdgeRecord) -> None:
        src, dst = self._ids[edge.src], self._ids[edge.dst]
        if self._has_edge(src, dst, edge.kind, edge.valid_from):
            return
        index = len(self._ekind)
        self._ekind.append(edge.kind)
        self._src.append(src)
        self._dst.append(dst)
        self._vf.append(edge.valid_from)
        self._vt.append(edge.valid_to)
        self._eprops.append(self._intern(edge.props))
        self._out[src].append(index)
        self._in[dst].append(index)
        self._remember(src, index)
        self._fanout.added(
            src, self._kinds[src], edge.kind, outgoing=True, incidence=self._out[src]
        )
        self._fanout.added(
            dst, self._kinds[dst], edge.kind, outgoing=False, incidence=self._in[dst]
        )
        if edge.kind is EdgeKind.HAS_VERSION:
            # the one rule (versions.py), whatever the order edges were loaded in, so restarts
            # and replays agree with the projection
            current = self._newest.get(src)
            if current is None or version_key(current[0], self._urns[current[1]]) < edge_key(edge):
                self._newest[src] = (edge.valid_from, dst)
        flow = edge.kind.flow
        if flow is Flow.NONE:
            return
        # (upstream-side node, downstream-side node, upstream side is a container)
        if flow is Flow.TO_UPSTREAM:
            up_node, down_node, container = dst, src, False
        elif flow is Flow.TO_DOWNSTREAM:
            up_node, down_node, container = src, dst, False
        elif flow is Flow.CONTAINER_TO_MEMBER:
            up_node, down_node, container = src, dst, True
        else:
            up_node, down_node, container = dst, src, True
        self._up[down_node].append((up_node, index, container))
        self._down[up_node].append((down_node, index, False))
        if edge.is_open:
            self._rx_edges[index] = (
                self._rx_up.add_edge(2 * down_node, 2 * up_node + container, None),
                self._rx_down.add_edge(up_node, down_node, None),
            )

    def _intern(self, props: JsonDict) -> int:
        if not props:
            return 0
        key = canonical_json(props)
        found = self._props_ids.get(key)
        if found is None:
            found = self._props_ids[key] = len(self._props)
            self._props.append(props)
        return found

    def _drop_from_rust(self, index: int) -> None:
        rx_edges = self._rx_edges.pop(index, None)
        if rx_edges is not None:
            self._rx_up.remove_edge_from_index(rx_edges[0])
            self._rx_down.remove_edge_from_index(rx_edges[1])

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
        """The newest (the rule in versions.py) node of `kind` whose URN has the name `name`."""
        with self._lock:
            best: tuple[int, str] | None = None
            for index in self._by_kind[kind]:
                if Urn.parse(self._urns[index]).name == name:
                    candidate = version_key(self._created[index], self._urns[index])
                    best = candidate if best is None or candidate > best else best
            return None if best is None else best[1]

    def newest_member(self, container: str) -> tuple[int, str] | None:
        """(recorded at, urn) of the newest version of a dataset, feature or model."""
        with self._lock:
            index = self._ids.get(container)
            found = None if index is None else self._newest.get(index)
            return None if found is None else (found[0], self._urns[found[1]])

    def urns_of_kind(self, kind: NodeKind, *, offset: int = 0, limit: int = 100) -> list[str]:
        """Nodes of one kind in the order they were recorded."""
        with self._lock:
            return [self._urns[i] for i in self._by_kind[kind][offset : offset + limit]]

    def count_of_kind(self, kind: NodeKind) -> int:
        return len(self._by_kind[kind])

    def related(
        self, urn: str, kind: EdgeKind, *, outgoing: bool, at: int | None
    ) -> list[EdgeRecord]:
        """Edges of `kind` leaving (or entering) `urn`, valid at `at` (None: open now)."""
        moment = LATEST if at is None else at
        with self._lock:
            index = self._ids.get(urn)
            if index is None:
                return []
            incidence = self._out if outgoing else self._in
            return [
                self._edge(e)
                for e in incidence[index]
                if self._ekind[e] is kind and self._vf[e] <= moment < self._vt[e]
            ]

    def degree(self, urn: str, kind: EdgeKind, *, outgoing: bool) -> int:
        """How many edges of `kind` leave (or enter) `urn`, open or closed."""
        with self._lock:
            index = self._ids.get(urn)
            if index is None:
                return 0
            incidence = (self._out if outgoing else self._in)[index]
            return self._fanout.degree(index, kind, outgoing=outgoing, incidence=incidence)

    def largest_degree(self, node_kind: NodeKind | None, kind: EdgeKind, *, outgoing: bool) -> int:
        """The most edges of `kind` that leave (or enter) one node of `node_kind` (None: any)."""
        with self._lock:
            return self._fanout.largest(node_kind, kind, outgoing=outgoing)

    def related_urns(
        self, urn: str, kind: EdgeKind, *, outgoing: bool, at: int | None
    ) -> list[str]:
        """The other ends of `related` edges, without building the edges (walks that only
        need where they lead)."""
        moment = LATEST if at is None else at
        with self._lock:
            index = self._ids.get(urn)
            if index is None:
                return []
            incidence, ends = (self._out, self._dst) if outgoing else (self._in, self._src)
            urns, ekind, vf, vt = self._urns, self._ekind, self._vf, self._vt
            return [
                urns[ends[e]]
                for e in incidence[index]
                if ekind[e] is kind and vf[e] <= moment < vt[e]
            ]

    def edges_from(self, urn: str, kind: EdgeKind, *, open_only: bool = False) -> list[EdgeRecord]:
        return self._incident(urn, kind, open_only, self._out)

    def edges_to(self, urn: str, kind: EdgeKind, *, open_only: bool = False) -> list[EdgeRecord]:
        return self._incident(urn, kind, open_only, self._in)

    def _incident(
        self, urn: str, kind: EdgeKind, open_only: bool, incidence: list[list[int]]
    ) -> list[EdgeRecord]:
        with self._lock:
            index = self._ids.get(urn)
            if index is None:
                return []
            return [
                self._edge(e)
                for e in incidence[index]
                if self._ekind[e] is kind and (not open_only or self._vt[e] == OPEN_END)
            ]

    def _edge(self, index: int) -> EdgeRecord:
        return EdgeRecord(
            kind=self._ekind[index],
            src=self._urns[self._src[index]],
            dst=self._urns[self._dst[index]],
            valid_from=self._vf[index],
            valid_to=self._vt[index],
            props=self._props[self._eprops[index]],
        )

    def edge_exists(self, kind: EdgeKind, src: str, dst: str, valid_from: int) -> bool:
        with self._lock:
            source, target = self._ids.get(src), self._ids.get(dst)
            if source is None or target is None:
                return False
            return self._has_edge(source, target, kind, valid_from)

    def _has_edge(self, src: int, dst: int, kind: EdgeKind, valid_from: int) -> bool:
        keys = self._out_keys.get(src)
        if keys is not None:
            return (dst, kind, valid_from) in keys
        return any(
            self._dst[e] == dst and self._ekind[e] is kind and self._vf[e] == valid_from
            for e in self._out[src]
        )

    def _remember(self, src: int, edge: int) -> None:
        """Keep a node's out-edges findable by key once it has many (a dataset with 10^4
        versions, a version with 10^4 columns): adding an edge stays O(1), loading linear."""
        keys = self._out_keys.get(src)
        if keys is not None:
            keys.add((self._dst[edge], self._ekind[edge], self._vf[edge]))
        elif len(self._out[src]) > KEYED_FANOUT:
            self._out_keys[src] = {
                (self._dst[e], self._ekind[e], self._vf[e]) for e in self._out[src]
            }

    # ---- traversal ------------------------------------------------------------------------

    def traverse(
        self,
        start: str,
        direction: Direction,
        *,
        at: int | None,
        limits: TraversalLimits,
        edge_kinds: frozenset[EdgeKind] | None = None,
    ) -> Traversal:
        """Walk lineage from `start`; `at` None asks about the latest state."""
        with self._lock:
            origin = self._ids[start]
            result = Traversal(direction, at, edge_kinds, {origin: 0})
            deadline = time.monotonic() + limits.deadline_s
            sides = (
                [Direction.UPSTREAM, Direction.DOWNSTREAM]
                if direction is Direction.BOTH
                else [direction]
            )
            rust = at is None and edge_kinds is None and limits.depth >= RUST_MIN_DEPTH
            if rust and direction is Direction.UPSTREAM:
                result.hops = self._walk_rust(origin, direction, limits, result)
                result.doubled = True
                return result
            for number, side in enumerate(sides):
                if rust:
                    hops = self._walk_rust(origin, side, limits, result)
                    if side is Direction.UPSTREAM:
                        hops = Traversal(side, None, None, hops, doubled=True).node_hops()
                else:
                    hops = self._walk_python(origin, side, at, limits, edge_kinds, deadline, result)
                if number == 0:
                    result.hops = hops
                    continue
                for node, depth in hops.items():
                    if result.hops.get(node, depth + 1) > depth:
                        result.hops[node] = depth
            return result

    def _walk_rust(
        self, origin: int, side: Direction, limits: TraversalLimits, result: Traversal
    ) -> dict[int, int]:
        if side is Direction.UPSTREAM:
            layers = rx.bfs_layers(self._rx_up, [2 * origin])[: limits.depth + 2]
        else:
            layers = rx.bfs_layers(self._rx_down, [origin])[: limits.depth + 2]
        if len(layers) > limits.depth + 1:
            result.partial.add(PartialReason.DEPTH)
            layers = layers[: limits.depth + 1]
        total = 0
        for depth, layer in enumerate(layers):
            total += len(layer)
            if total > limits.limit:
                result.partial.add(PartialReason.LIMIT)
                layers[depth] = layer[: len(layer) - (total - limits.limit)]
                layers = layers[: depth + 1]
                break
        hops: dict[int, int] = {}
        for depth in range(len(layers) - 1, -1, -1):
            hops.update(dict.fromkeys(layers[depth], depth))
        return hops

    def _walk_python(
        self,
        origin: int,
        side: Direction,
        at: int | None,
        limits: TraversalLimits,
        edge_kinds: frozenset[EdgeKind] | None,
        deadline: float,
        result: Traversal,
    ) -> dict[int, int]:
        moment = LATEST if at is None else at
        adjacency = self._up if side is Direction.UPSTREAM else self._down
        vf, vt, ekind = self._vf, self._vt, self._ekind
        hops: dict[int, int] = {origin: 0}
        queue: deque[int] = deque([origin])
        expanded = 0
        while queue:
            node = queue.popleft()
            depth = hops[node]
            expanded += 1
            if expanded & 255 == 0 and time.monotonic() > deadline:
                result.partial.add(PartialReason.DEADLINE)
                break
            for neighbour, edge, terminal in adjacency[node]:
                if neighbour in hops or not (vf[edge] <= moment < vt[edge]):
                    continue
                if edge_kinds is not None and ekind[edge] not in edge_kinds:
                    continue
                if depth >= limits.depth:
                    result.partial.add(PartialReason.DEPTH)
                    continue
                if len(hops) >= limits.limit:
                    result.partial.add(PartialReason.LIMIT)
                    continue
                hops[neighbour] = depth + 1
                if not terminal:
                    queue.append(neighbour)
        return hops

    def describe(self, traversal: Traversal) -> list[tuple[str, NodeKind, int]]:
        """(urn, kind, hops) of every reached node, nearest first."""
        with self._lock:
            urns, kinds = self._urns, self._kinds
            ordered = sorted(traversal.node_hops().items(), key=lambda item: item[1])
            return [(urns[node], kinds[node], depth) for node, depth in ordered]

    def reached_of_kind(self, traversal: Traversal, kind: NodeKind) -> list[str]:
        """URNs of the reached nodes of one kind (no ordering, no per-node tuples)."""
        with self._lock:
            kinds, urns = self._kinds, self._urns
            return [urns[n] for n in traversal.node_hops() if kinds[n] is kind]

    def edges_within(self, traversal: Traversal) -> list[EdgeRecord]:
        """The lineage edges, valid at the traversal's moment, that join two reached nodes."""
        with self._lock:
            moment = LATEST if traversal.at is None else traversal.at
            reached = traversal.node_hops()
            sides = (
                [self._up, self._down]
                if traversal.direction is Direction.BOTH
                else [self._up if traversal.direction is Direction.UPSTREAM else self._down]
            )
            found: dict[int, None] = {}
            for adjacency in sides:
                for node in reached:
                    for neighbour, edge, _ in adjacency[node]:
                        if (
                            neighbour in reached
                            and self._vf[edge] <= moment < self._vt[edge]
                            and (
                                traversal.edge_kinds is None
                                or self._ekind[edge] in traversal.edge_kinds
                            )
                        ):
                            found[edge] = None
            return [self._edge(edge) for edge in found]

    def shortest_paths(
        self,
        source: str,
        target: str,
        *,
        at: int | None,
        max_depth: int,
        max_paths: int,
    ) -> list[list[EdgeRecord]]:
        """Shortest lineage paths from `source` to `target`, searched upstream, then downstream."""
        with self._lock:
            origin, goal = self._ids[source], self._ids[target]
            moment = LATEST if at is None else at
            for adjacency in (self._up, self._down):
                parents = self._bfs_parents(origin, goal, adjacency, moment, max_depth)
                if parents is not None:
                    return self._unwind(parents, origin, goal, max_paths)
            return []

    def _bfs_parents(
        self,
        origin: int,
        goal: int,
        adjacency: list[list[_Step]],
        moment: int,
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
                    if not (self._vf[edge] <= moment < self._vt[edge]):
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
                for neighbour, edge, _ in self._down[index]
                if not self._ekind[edge].may_cycle
                and self._ekind[edge].flow
                not in (Flow.CONTAINER_TO_MEMBER, Flow.MEMBER_TO_CONTAINER)
                and self._vt[edge] == OPEN_END
            ]
