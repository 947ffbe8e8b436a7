"""The store contract: every CatalogStore adapter must pass all of these, on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from provgraph.catalog.model.graph import EdgeClosure, EdgeRecord, GraphChange, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.timeutil import OPEN_END
from provgraph.catalog.model.urn import MAX_URN_BYTES
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.demo import load_demo
from provgraph.catalog.service.traversal import Direction
from provgraph.catalog.settings import Settings
from provgraph.catalog.store.port import CatalogStore, StoreIntegrityError
from tests.support.demo import DEMO_COUNTS, DEMO_EVENTS

A = "urn:provgraph:dataset:ns:a"
B = "urn:provgraph:dataset:ns:b"
C = "urn:provgraph:dataset:ns:c"


def _node(urn: str, at: int = 10, **props: object) -> NodeRecord:
    return NodeRecord(urn, NodeKind.DATASET, at, dict(props))


def _abc() -> GraphChange:
    return GraphChange(
        nodes=[_node(A, description="a"), _node(B), _node(C)],
        opened=[
            EdgeRecord(EdgeKind.DERIVED_FROM, B, A, 100),
            EdgeRecord(EdgeKind.DERIVED_FROM, C, B, 200),
        ],
    )


def test_initialize_is_idempotent(store: CatalogStore) -> None:
    store.initialize()
    store.initialize()
    assert store.counts() == (0, 0)
    assert store.applied_seq() == 0


def test_apply_then_read_back(store: CatalogStore) -> None:
    store.apply(_abc(), applied_seq=7)
    assert store.counts() == (3, 2)
    assert store.applied_seq() == 7
    nodes = store.get_nodes([A, C, "urn:provgraph:dataset:ns:missing"])
    assert set(nodes) == {A, C}
    assert nodes[A].props == {"description": "a"}
    assert nodes[A].kind is NodeKind.DATASET and nodes[A].created_at == 10
    edges = sorted(store.iter_edges(), key=lambda e: e.valid_from)
    assert edges == [
        EdgeRecord(EdgeKind.DERIVED_FROM, B, A, 100, OPEN_END),
        EdgeRecord(EdgeKind.DERIVED_FROM, C, B, 200, OPEN_END),
    ]
    assert {n.urn for n in store.iter_nodes()} == {A, B, C}


def test_a_change_at_or_below_the_watermark_is_ignored(store: CatalogStore) -> None:
    store.apply(_abc(), applied_seq=5)
    store.apply(_abc(), applied_seq=5)
    store.apply(GraphChange(updated=[_node(A, description="late")]), applied_seq=3)
    assert store.counts() == (3, 2)
    assert store.get_nodes([A])[A].props == {"description": "a"}
    assert store.applied_seq() == 5


def test_creating_an_existing_node_fails_the_batch(store: CatalogStore) -> None:
    store.apply(_abc(), applied_seq=1)
    with pytest.raises(Exception):  # noqa: B017 - each backend names its constraint error
        store.apply(GraphChange(nodes=[_node(A)]), applied_seq=2)
    assert store.applied_seq() == 1 and store.counts() == (3, 2)


def test_updates_change_props_but_keep_identity(store: CatalogStore) -> None:
    store.apply(_abc(), applied_seq=1)
    store.apply(GraphChange(updated=[_node(A, at=999, description="new")]), applied_seq=2)
    node = store.get_nodes([A])[A]
    assert node.props == {"description": "new"}
    assert node.created_at == 10


def test_closing_an_edge_sets_valid_to(store: CatalogStore) -> None:
    store.apply(_abc(), applied_seq=1)
    edge = EdgeRecord(EdgeKind.DERIVED_FROM, B, A, 100)
    store.apply(GraphChange(closed=[EdgeClosure(edge.eid, B, 150)]), applied_seq=2)
    closed = [e for e in store.iter_edges() if e.src == B]
    assert closed == [EdgeRecord(EdgeKind.DERIVED_FROM, B, A, 100, 150)]


def test_a_failing_batch_is_applied_not_at_all(store: CatalogStore) -> None:
    store.apply(_abc(), applied_seq=1)
    bad = GraphChange(
        nodes=[_node("urn:provgraph:dataset:ns:d")],
        opened=[
            EdgeRecord(
                EdgeKind.DERIVED_FROM,
                "urn:provgraph:dataset:ns:d",
                "urn:provgraph:dataset:ns:nope",
                5,
            )
        ],
    )
    with pytest.raises(StoreIntegrityError):
        store.apply(bad, applied_seq=2)
    assert store.counts() == (3, 2)
    assert store.applied_seq() == 1
    assert store.get_nodes(["urn:provgraph:dataset:ns:d"]) == {}


def test_updating_an_unknown_node_fails_the_batch(store: CatalogStore) -> None:
    store.apply(_abc(), applied_seq=1)
    with pytest.raises(StoreIntegrityError):
        store.apply(GraphChange(updated=[_node("urn:provgraph:dataset:ns:ghost")]), applied_seq=2)
    assert store.applied_seq() == 1


def test_closing_an_unknown_edge_fails_the_batch(store: CatalogStore) -> None:
    store.apply(_abc(), applied_seq=1)
    with pytest.raises(StoreIntegrityError):
        store.apply(GraphChange(closed=[EdgeClosure("f" * 24, A, 5)]), applied_seq=2)
    assert store.applied_seq() == 1


def test_large_batches(store: CatalogStore) -> None:
    count = 5000
    urns = [f"urn:provgraph:dataset:bulk:t{i}" for i in range(count)]
    change = GraphChange(
        nodes=[_node(u, i=i) for i, u in enumerate(urns)],
        opened=[
            EdgeRecord(EdgeKind.DERIVED_FROM, urns[i + 1], urns[i], i) for i in range(count - 1)
        ],
    )
    store.apply(change, applied_seq=3)
    assert store.counts() == (count, count - 1)


def test_unusual_characters_round_trip(store: CatalogStore) -> None:
    urn = "urn:provgraph:dataset:s3%3A//bucket:dir/ünïcödé 'quoted' \"double\" `tick`"
    props = {"description": "multi\nline ' \" \\ ✓", "nested": {"list": [1, 2.5, None, True]}}
    store.apply(GraphChange(nodes=[NodeRecord(urn, NodeKind.DATASET, 10, props)]), applied_seq=1)
    assert store.get_nodes([urn])[urn].props == props


def test_urns_as_long_as_the_bound_are_stored_indexed_and_found(store: CatalogStore) -> None:
    head = "urn:provgraph:dataset:s3:"
    longest = head + "é" * ((MAX_URN_BYTES - len(head)) // 2)  # two bytes each
    other = head + "x" * (MAX_URN_BYTES - len(head))
    assert len(longest.encode()) <= MAX_URN_BYTES and len(other.encode()) == MAX_URN_BYTES
    change = GraphChange(
        nodes=[_node(longest, name="é" * 10), _node(other)],
        opened=[EdgeRecord(EdgeKind.DERIVED_FROM, other, longest, 5)],
    )
    store.apply(change, applied_seq=1)
    assert set(store.get_nodes([longest, other])) == {longest, other}
    assert [(e.src, e.dst) for e in store.iter_edges()] == [(other, longest)]


def test_clear_removes_everything(store: CatalogStore) -> None:
    store.apply(_abc(), applied_seq=4)
    store.clear()
    assert store.counts() == (0, 0)
    assert store.applied_seq() == 0


def test_the_demo_catalog_answers_the_same_on_every_backend(
    store: CatalogStore, tmp_path: Path
) -> None:
    with Catalog(Settings(data=tmp_path / "demo"), store=store) as catalog:
        assert load_demo(catalog) == DEMO_EVENTS
        nodes, edges = catalog.index.counts()
        assert store.counts() == (nodes, edges) == DEMO_COUNTS
        upstream = catalog.lineage.lineage(
            "urn:provgraph:deployment:production:fraud-detector", direction=Direction.UPSTREAM
        )
        assert len(upstream.nodes) == 45
        assert not upstream.is_partial


def test_the_log_binding_is_kept_and_cleared(store: CatalogStore) -> None:
    assert store.log_identity() is None
    store.bind_log(2**62)
    store.apply(GraphChange(), applied_seq=3)
    assert store.log_identity() == 2**62
    store.clear()
    assert store.log_identity() is None and store.applied_seq() == 0
