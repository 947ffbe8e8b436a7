"""What one request may cost the writer is bounded, and the index stays linear in fan-out."""

from __future__ import annotations

import pytest

from provgraph.catalog.model.events import DatasetRegistered, FieldSpec
from provgraph.catalog.model.graph import EdgeRecord, GraphChange, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind
from provgraph.catalog.model.urn import Urn
from provgraph.catalog.service import writer as writer_module
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.commit import Request
from provgraph.catalog.service.lineage_index import KEYED_FANOUT, LineageIndex
from provgraph.catalog.service.writer import BatchTooLargeError, Submission
from tests.catalog.service.test_writer_failures import Gate, _queue
from tests.support.events import at, dataset, subs


def _wide(name: str, fields: int) -> DatasetRegistered:
    return DatasetRegistered(
        event_time=at(1),
        namespace="db",
        name=name,
        fields=[FieldSpec(name=f"field_{n}", type="string") for n in range(fields)],
    )


def test_a_batch_over_the_bound_is_refused_before_it_is_queued(catalog: Catalog) -> None:
    one = _wide("wide_0", 10_000)  # one very wide table fits
    with pytest.raises(BatchTooLargeError, match="several smaller batches"):
        catalog.submit([Submission(one), Submission(_wide("wide_1", 10_000))], actor="big")
    assert catalog.log.last_seq() == 0 and catalog.writer.queued() == 0
    assert len(catalog.submit(subs(dataset("small", "id")), actor="small")) == 1


def test_a_group_holds_at_most_the_byte_bound(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    size = Request(subs(dataset("d0", "id")), "client").size
    monkeypatch.setattr(writer_module, "MAX_BATCH_BYTES", 2 * size + 1)
    with ThreadPoolExecutor(max_workers=8) as pool:
        gate = Gate(catalog)
        first = pool.submit(catalog.submit, subs(dataset("first", "id")), actor="first")
        assert gate.entered.wait(30)
        futures = _queue(catalog, pool, [subs(dataset(f"d{n}", "id")) for n in range(6)])
        gate.release.set()
        for future in [first, *futures]:
            future.result(30)
    assert gate.applies == 1 + 3  # six requests of `size` bytes: three groups of two


def _versions(count: int) -> tuple[list[NodeRecord], list[EdgeRecord]]:
    dataset_urn = Urn.dataset("db", "hourly")
    nodes = [NodeRecord(str(dataset_urn), NodeKind.DATASET, 0, {})]
    edges = []
    for number in range(count):
        version = str(dataset_urn.with_version(f"{number:016x}"))
        nodes.append(NodeRecord(version, NodeKind.DATASET_VERSION, number, {}))
        edges.append(EdgeRecord(EdgeKind.HAS_VERSION, str(dataset_urn), version, number))
    return nodes, edges


def test_a_node_with_a_large_fan_out_keeps_its_edges_unique() -> None:
    count = 4 * KEYED_FANOUT
    nodes, edges = _versions(count)
    index = LineageIndex()
    index.load(nodes, edges)
    index.load(nodes, edges)  # loading (or replaying) the same edges twice adds nothing
    index.apply(GraphChange(opened=edges[:10]))
    assert index.counts() == (count + 1, count)
    newest = edges[-1]
    assert index.edge_exists(newest.kind, newest.src, newest.dst, newest.valid_from)
    assert not index.edge_exists(newest.kind, newest.src, newest.dst, newest.valid_from + 1)
    assert index.newest_member(newest.src) == (newest.valid_from, newest.dst)
    later = EdgeRecord(newest.kind, newest.src, edges[0].dst, newest.valid_from + 1)
    index.apply(GraphChange(opened=[later]))  # same ends, another moment: a new edge
    assert index.counts() == (count + 1, count + 1)
