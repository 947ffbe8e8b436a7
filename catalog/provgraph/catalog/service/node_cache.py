"""Node properties the writer has seen, so projecting an event rarely needs a store read.

The writer is the only one writing, so the cache is kept exact: applied changes update it,
a failed apply clears it.
"""

from __future__ import annotations

from collections import OrderedDict

from provgraph.catalog.model.graph import GraphChange, NodeRecord
from provgraph.catalog.store.port import CatalogStore

DEFAULT_CAPACITY = 200_000


class NodeCache:
    def __init__(self, store: CatalogStore, *, capacity: int = DEFAULT_CAPACITY) -> None:
        self._store = store
        self._capacity = capacity
        self._nodes: OrderedDict[str, NodeRecord] = OrderedDict()

    def get(self, urn: str) -> NodeRecord | None:
        node = self._nodes.get(urn)
        if node is not None:
            self._nodes.move_to_end(urn)
            return node
        node = self._store.get_nodes([urn]).get(urn)
        if node is not None:
            self._put(node)
        return node

    def apply(self, change: GraphChange) -> None:
        for node in change.nodes:
            self._put(node)
        for node in change.updated:
            self._put(node)

    def clear(self) -> None:
        self._nodes.clear()

    def _put(self, node: NodeRecord) -> None:
        self._nodes[node.urn] = node
        self._nodes.move_to_end(node.urn)
        while len(self._nodes) > self._capacity:
            self._nodes.popitem(last=False)
