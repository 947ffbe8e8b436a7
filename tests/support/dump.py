"""A comparable dump of a whole graph store."""

from __future__ import annotations

from provgraph.catalog.model.graph import canonical_json
from provgraph.catalog.store.port import CatalogStore


def dump(store: CatalogStore) -> tuple[list[str], list[str]]:
    nodes = sorted(
        canonical_json([n.urn, n.kind.value, n.created_at, n.props]) for n in store.iter_nodes()
    )
    edges = sorted(
        canonical_json([e.kind.value, e.src, e.dst, e.valid_from, e.valid_to, e.props])
        for e in store.iter_edges()
    )
    return nodes, edges
