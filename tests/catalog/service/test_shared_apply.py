"""Applying a log that several servers wrote: an event refused in sequence order is left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from provgraph.catalog.log.port import NewEntry
from provgraph.catalog.log.sqlite import SqliteEventLog
from provgraph.catalog.model.events import (
    CatalogEvent,
    ColumnRef,
    FeatureDefined,
    event_to_json,
)
from provgraph.catalog.model.idempotency import idempotency_key_of as key_of
from provgraph.catalog.service.commit import RecoveryError
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.writer import EventWriter
from provgraph.catalog.store.ladybug.adapter import LadybugStore
from tests.support.events import at, dataset


def _logged(path: Path) -> SqliteEventLog:
    """A log as two servers could leave it: each validated its event against its own index,
    and in sequence order the feature names a field its dataset does not have."""
    log = SqliteEventLog(path)
    feature = FeatureDefined(
        event_time=at(3),
        group="g",
        name="f",
        transformation="x",
        sources=[ColumnRef(namespace="db", name="raw", field="missing")],
    )
    events: list[CatalogEvent] = [dataset("raw", "id"), feature, dataset("clean", "id")]
    log.append([NewEntry(key_of(event_to_json(e)), "test", e) for e in events])
    return log


def test_an_event_refused_in_sequence_order_is_left_out_and_the_rest_applied(
    tmp_path: Path,
) -> None:
    log = _logged(tmp_path / "events.sqlite")
    strict = LadybugStore(tmp_path / "strict.lbug")
    strict.initialize()
    writer = EventWriter(log, strict, LineageIndex())
    with pytest.raises(RecoveryError, match="seq 2"):
        writer.recover()  # the embedded log never holds such an event: a refusal is an error
    writer.close()
    store = LadybugStore(tmp_path / "graph.lbug")
    store.initialize()
    index = LineageIndex()
    writer = EventWriter(log, store, index)
    try:
        assert writer.recover(skip_refused=True) == 3
    finally:
        writer.close()
    assert store.applied_seq() == 3
    assert index.has("urn:provgraph:dataset:db:raw") and index.has("urn:provgraph:dataset:db:clean")
    assert not index.has("urn:provgraph:feature:g:f")
    store.close()
    strict.close()
    log.close()
