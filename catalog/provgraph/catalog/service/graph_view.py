"""A view of the graph while a batch of events is projected: committed state plus pending changes.

Projection of event n sees events 1..n-1 of the same batch; if any event is rejected, the
pending changes are dropped and nothing of the batch is logged or applied.
"""

from __future__ import annotations

from collections import deque

from provgraph.catalog.model.errors import InvalidEventError, LineageCycleError
from provgraph.catalog.model.graph import EdgeClosure, EdgeRecord, GraphChange, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind, Flow, NodeKind
from provgraph.catalog.model.urn import MAX_URN_BYTES, Urn
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.node_cache import NodeCache
from provgraph.catalog.service.versions import edge_key, version_key


class PendingView:
    def __init__(self, index: LineageIndex, cache: NodeCache) -> None:
        self._index = index
        self._cache = cache
        self._nodes: dict[str, NodeRecord] = {}
        self._created: set[str] = set()
        self._opened: dict[str, EdgeRecord] = {}
        self._opened_from: dict[str, list[EdgeRecord]] = {}
        self._opened_to: dict[str, list[EdgeRecord]] = {}
        self._closed: dict[str, int] = {}
        self._closures: list[EdgeClosure] = []
        self._notes: list[str] = []

    @property
    def change(self) -> GraphChange:
        return GraphChange(
            nodes=[n for u, n in self._nodes.items() if u in self._created],
            updated=[n for u, n in self._nodes.items() if u not in self._created],
            opened=list(self._opened.values()),
            closed=list(self._closures),
        )

    # ---- reads ----------------------------------------------------------------------------

    def has(self, urn: str) -> bool:
        return urn in self._nodes or self._index.has(urn)

    def node(self, urn: str) -> NodeRecord | None:
        if urn in self._nodes:
            return self._nodes[urn]
        if not self._index.has(urn):
            return None
        return self._cache.get(urn)

    def edges_from(self, urn: str, kind: EdgeKind, *, open_only: bool = False) -> list[EdgeRecord]:
        edges = self._index.edges_from(urn, kind) + [
            e for e in self._opened_from.get(urn, ()) if e.kind is kind
        ]
        return self._current(edges, open_only)

    def edges_to(self, urn: str, kind: EdgeKind, *, open_only: bool = False) -> list[EdgeRecord]:
        edges = self._index.edges_to(urn, kind) + [
            e for e in self._opened_to.get(urn, ()) if e.kind is kind
        ]
        return self._current(edges, open_only)

    def _current(self, edges: list[EdgeRecord], open_only: bool) -> list[EdgeRecord]:
        out = []
        for edge in edges:
            if self._closed and edge.eid in self._closed:
                edge = EdgeRecord(
                    edge.kind, edge.src, edge.dst, edge.valid_from, self._closed[edge.eid]
                )
            if not open_only or edge.is_open:
                out.append(edge)
        return out

    def newest_member(self, container: str, kind: NodeKind) -> str | None:
        """The newest version (by when it was recorded) of a dataset, feature or model."""
        candidates = [
            edge_key(e)
            for e in self._opened_from.get(container, ())
            if e.kind is EdgeKind.HAS_VERSION and self.kind_of(e.dst) is kind
        ]
        committed = self._index.newest_member(container)
        if committed is not None and self.kind_of(committed[1]) is kind:
            candidates.append(version_key(*committed))
        return max(candidates)[1] if candidates else None

    def newest_of_kind(self, kind: NodeKind, name: str) -> str | None:
        """The newest version (the rule in versions.py) of the nodes of `kind` named `name`,
        such as a training set named by name, pending ones included."""
        candidates = [
            version_key(n.created_at, n.urn)
            for n in self._nodes.values()
            if n.kind is kind and Urn.parse(n.urn).name == name
        ]
        committed = self._index.newest_of_kind(kind, name)
        if committed is not None:
            created = self._index.created_at(committed)
            assert created is not None
            candidates.append(version_key(created, committed))
        return max(candidates)[1] if candidates else None

    def kind_of(self, urn: str) -> NodeKind | None:
        if urn in self._nodes:
            return self._nodes[urn].kind
        return self._index.kind_of(urn)

    # ---- notes ----------------------------------------------------------------------------

    def note(self, text: str) -> None:
        """Say something the producer should know about the event being projected (accepted
        all the same): the writer hands it back with the event's receipt."""
        self._notes.append(text)

    def take_notes(self) -> tuple[str, ...]:
        """The notes made since the last call, in order, once each."""
        taken = tuple(dict.fromkeys(self._notes))
        self._notes.clear()
        return taken

    # ---- writes ---------------------------------------------------------------------------

    def put_node(self, node: NodeRecord) -> None:
        existing = self.node(node.urn)
        if existing is None:
            _check_size(node.urn)
            self._created.add(node.urn)
        else:
            node = NodeRecord(node.urn, existing.kind, existing.created_at, node.props)
            if existing.props == node.props:
                return
        self._nodes[node.urn] = node

    def open_edge(self, edge: EdgeRecord) -> None:
        if edge.eid in self._opened or self._index.edge_exists(
            edge.kind, edge.src, edge.dst, edge.valid_from
        ):
            return
        self._opened[edge.eid] = edge
        self._opened_from.setdefault(edge.src, []).append(edge)
        self._opened_to.setdefault(edge.dst, []).append(edge)

    def ensure_edge(self, kind: EdgeKind, src: str, dst: str, at: int) -> None:
        """Open `src -kind-> dst` at `at` unless such an edge is open already."""
        if any(e.dst == dst for e in self.edges_from(src, kind, open_only=True)):
            return
        self.open_edge(EdgeRecord(kind, src, dst, at))

    def close_edge(self, edge: EdgeRecord, at: int) -> None:
        if not edge.is_open or edge.eid in self._closed:
            return
        if at < edge.valid_from:
            raise InvalidEventError(
                f"event at {at} is older than the {edge.kind} edge {edge.src} -> {edge.dst} "
                f"it would close (open since {edge.valid_from}); send events in time order"
            )
        self._closed[edge.eid] = at
        self._closures.append(EdgeClosure(edge.eid, edge.src, at))

    def check_acyclic(self, upstream: str, downstream: str) -> None:
        """Raise LineageCycleError if data flowing upstream -> downstream would close a cycle."""
        if upstream == downstream:
            raise LineageCycleError(
                f"lineage cycle: {upstream} cannot be derived from itself", path=[upstream]
            )
        came_from: dict[str, str] = {downstream: downstream}
        queue: deque[str] = deque([downstream])
        while queue:
            urn = queue.popleft()
            pending = [
                e.src if e.kind.flow is Flow.TO_UPSTREAM else e.dst
                for e in self._opened.values()
                if e.kind.flow in (Flow.TO_UPSTREAM, Flow.TO_DOWNSTREAM)
                and not e.kind.may_cycle
                and (e.dst if e.kind.flow is Flow.TO_UPSTREAM else e.src) == urn
            ]
            for neighbour in self._index.acyclic_downstream(urn) + pending:
                if neighbour in came_from:
                    continue
                came_from[neighbour] = urn
                if neighbour == upstream:
                    path = [neighbour]
                    while path[-1] != downstream:
                        path.append(came_from[path[-1]])
                    path.reverse()
                    raise LineageCycleError(
                        f"lineage cycle: {downstream} is already upstream of {upstream} via "
                        + " -> ".join(path),
                        path=[*path, downstream],
                    )
                queue.append(neighbour)


def _check_size(urn: str) -> None:
    size = len(urn.encode())
    if size > MAX_URN_BYTES:
        raise InvalidEventError(
            f"the URN {urn[:100]}… is {size} bytes long (UTF-8): a URN is at most "
            f"{MAX_URN_BYTES} bytes, what every graph store can index; use a shorter name"
        )
