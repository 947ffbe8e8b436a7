"""The Rust (latest state) and Python (as-of, filtered) traversal engines give the same answers."""

from __future__ import annotations

import random

import pytest

from provgraph.catalog.model.graph import EdgeRecord, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.service.lineage_index import LATEST, LineageIndex
from provgraph.catalog.service.traversal import Direction, PartialReason, TraversalLimits

KINDS = [EdgeKind.DERIVED_FROM, EdgeKind.PRODUCED, EdgeKind.CONSUMED, EdgeKind.COMPUTED_FROM]


def _random_graph(seed: int) -> tuple[LineageIndex, list[str]]:
    rng = random.Random(seed)
    urns = [f"urn:provgraph:dataset-version:ns:t{i}@v" for i in range(60)]
    containers = [f"urn:provgraph:dataset:ns:c{i}" for i in range(5)]
    nodes = [NodeRecord(u, NodeKind.DATASET_VERSION, 0) for u in urns]
    nodes += [NodeRecord(c, NodeKind.DATASET, 0) for c in containers]
    edges = []
    for _ in range(150):
        a, b = sorted(rng.sample(range(len(urns)), 2))
        closed = rng.random() < 0.2
        edges.append(
            EdgeRecord(
                rng.choice(KINDS),
                urns[b],
                urns[a],
                rng.randrange(100),
                500 if closed else 2**63 - 1,
            )
        )
    for i, urn in enumerate(urns):
        edges.append(EdgeRecord(EdgeKind.HAS_VERSION, containers[i % 5], urn, 0))
    index = LineageIndex()
    index.load(nodes, edges)
    return index, urns + containers


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("direction", list(Direction))
@pytest.mark.parametrize("depth", [3, 6, 30])
def test_engines_agree(seed: int, direction: Direction, depth: int) -> None:
    index, urns = _random_graph(seed)
    limits = TraversalLimits(depth=depth, limit=10_000)
    for start in urns[::7]:
        rust = index.traverse(start, direction, at=None, limits=limits)
        python = index.traverse(start, direction, at=LATEST, limits=limits)
        assert rust.node_hops() == python.node_hops(), start
        assert rust.partial == python.partial, start
        assert sorted(e.eid for e in index.edges_within(rust)) == sorted(
            e.eid for e in index.edges_within(python)
        )


def test_closing_an_edge_removes_it_from_the_latest_state() -> None:
    a, b = "urn:provgraph:dataset:ns:a", "urn:provgraph:dataset:ns:b"
    index = LineageIndex()
    edge = EdgeRecord(EdgeKind.DERIVED_FROM, b, a, 10)
    index.load([NodeRecord(a, NodeKind.DATASET, 0), NodeRecord(b, NodeKind.DATASET, 0)], [edge])
    limits = TraversalLimits()
    assert len(index.traverse(b, Direction.UPSTREAM, at=None, limits=limits).node_hops()) == 2
    from provgraph.catalog.model.graph import EdgeClosure, GraphChange

    index.apply(GraphChange(closed=[EdgeClosure(edge.eid, b, 20)]))
    assert len(index.traverse(b, Direction.UPSTREAM, at=None, limits=limits).node_hops()) == 1
    assert len(index.traverse(b, Direction.UPSTREAM, at=15, limits=limits).node_hops()) == 2


def test_limit_cuts_the_farthest_nodes_first() -> None:
    index, urns = _random_graph(3)
    start = urns[59]
    full = index.traverse(start, Direction.UPSTREAM, at=None, limits=TraversalLimits(depth=30))
    capped = index.traverse(
        start, Direction.UPSTREAM, at=None, limits=TraversalLimits(depth=30, limit=4)
    )
    assert len(capped.node_hops()) == 4 and PartialReason.LIMIT in capped.partial
    assert max(capped.node_hops().values()) <= sorted(full.node_hops().values())[3]


def test_newest_version_does_not_depend_on_load_order() -> None:
    container = "urn:provgraph:dataset:ns:t"
    versions = [f"urn:provgraph:dataset-version:ns:t@{v}" for v in ("a", "b", "c")]
    nodes = [NodeRecord(container, NodeKind.DATASET, 0)] + [
        NodeRecord(v, NodeKind.DATASET_VERSION, 0) for v in versions
    ]
    edges = [
        EdgeRecord(EdgeKind.HAS_VERSION, container, v, 5 if v.endswith("c") else 9)
        for v in versions
    ]
    answers = set()
    for order in (edges, list(reversed(edges))):
        index = LineageIndex()
        index.load(nodes, order)
        answers.add(index.newest_member(container))
    assert answers == {(9, versions[1])}
