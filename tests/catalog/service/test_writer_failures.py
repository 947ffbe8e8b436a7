"""The writer thread's failure paths: each request succeeds or fails on its own, nothing is
half-applied, and what was logged reaches the store later.

The writer is held busy (its first store apply waits on an event) so that the requests queued
meanwhile form one group, as they do under load.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest

from provgraph.catalog.model.events import ColumnRef, DatasetRegistered, FeatureDefined
from provgraph.catalog.model.graph import GraphChange
from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.service.writer import (
    EventRejectedError,
    Receipt,
    Submission,
    WriterClosedError,
)
from tests.support.events import at, dataset, subs

DATASET = "urn:provgraph:dataset:db:"


class Gate:
    """Holds the writer in its next store apply until released; counts applies."""

    def __init__(self, catalog: Catalog) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.applies = 0
        self._armed = True
        self._apply = catalog.store.apply

        def gated(change: GraphChange, *, applied_seq: int) -> None:
            self.applies += 1
            if self._armed:
                self._armed = False
                self.entered.set()
                assert self.release.wait(30), "test never released the writer"
            self._apply(change, applied_seq=applied_seq)

        catalog.store.apply = gated  # type: ignore[method-assign]


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=8) as executor:
        yield executor


def _busy_writer(catalog: Catalog, pool: ThreadPoolExecutor) -> tuple[Gate, Future[list[Receipt]]]:
    gate = Gate(catalog)
    first = pool.submit(catalog.submit, subs(dataset("first", "id")), actor="first")
    assert gate.entered.wait(30)
    return gate, first


def _queue(
    catalog: Catalog, pool: ThreadPoolExecutor, batches: list[list[Submission]]
) -> list[Future[list[Receipt]]]:
    """Queue each batch behind the busy writer, in this order."""
    futures = []
    for number, batch in enumerate(batches):
        futures.append(pool.submit(catalog.submit, batch, actor=f"client-{number}"))
        _wait_for(partial(_queued, catalog, number + 1))
    return futures


def _queued(catalog: Catalog, expected: int) -> bool:
    return catalog.writer.queued() == expected


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.001)


def _consistent(catalog: Catalog) -> None:
    assert catalog.store.counts() == catalog.index.counts()
    assert catalog.store.applied_seq() == catalog.log.last_seq()


def _unknown_column_feature() -> FeatureDefined:
    return FeatureDefined(
        event_time=at(3),
        group="g",
        name="f",
        transformation="x",
        sources=[ColumnRef(namespace="db", name="first", field="missing")],
    )


def test_a_poisoned_batch_among_good_ones_fails_alone(
    catalog: Catalog, pool: ThreadPoolExecutor
) -> None:
    gate, first = _busy_writer(catalog, pool)
    # a batch that crashes projection (not a validation error: a bug's stand-in), one that is
    # rejected as invalid, and good ones around them
    poisoned = DatasetRegistered.model_construct(event_time=at(1), namespace="db")  # type: ignore[call-arg]
    futures = _queue(
        catalog,
        pool,
        [
            subs(dataset("good1", "id")),
            [Submission(dataset("good2", "id")), Submission(poisoned, "poison")],
            subs(dataset("good3", "id")),
            subs(_unknown_column_feature()),
            subs(dataset("good4", "id"), dataset("good2", "id")),
        ],
    )
    appends: list[int] = []
    append = catalog.log.append

    def counting(entries: Any) -> Any:
        appends.append(len(entries))
        return append(entries)

    catalog.log.append = counting  # type: ignore[method-assign]
    gate.release.set()
    first.result(30)
    assert futures[0].result(30)[0].duplicate is False
    with pytest.raises(AttributeError):
        futures[1].result(30)
    assert futures[2].result(30)[0].duplicate is False
    with pytest.raises(EventRejectedError, match="missing"):
        futures[3].result(30)
    good4, good2 = futures[4].result(30)
    assert not good4.duplicate and not good2.duplicate  # good2 of the poisoned batch is not in
    assert appends == [4] and gate.applies == 2  # one log and one store transaction
    assert {e.actor for e in catalog.log.read(after_seq=1)} == {"client-0", "client-2", "client-4"}
    _consistent(catalog)
    assert not catalog.index.has(DATASET + "poisoned")


def test_a_store_failure_mid_batch_fails_the_group_and_is_caught_up_later(
    catalog: Catalog, pool: ThreadPoolExecutor
) -> None:
    catalog.submit(subs(dataset("before", "id")), actor="setup")
    store: Any = catalog.store
    connection = store._conn  # fault injection inside the real LadybugDB transaction
    failures = {"left": 1}

    class FailingEdges:
        def execute(self, query: str, params: Any = None) -> Any:
            if "CREATE (a)-[e:Edge" in query and "db:d0" in str(params) and failures["left"]:
                failures["left"] -= 1
                raise RuntimeError("disk I/O error (injected after the nodes were written)")
            return connection.execute(query, params or {})

        def __getattr__(self, name: str) -> Any:
            return getattr(connection, name)

    store._conn = FailingEdges()
    gate, first = _busy_writer(catalog, pool)
    futures = _queue(catalog, pool, [subs(dataset(f"d{n}", "id")) for n in range(3)])
    gate.release.set()
    assert not first.result(30)[0].duplicate
    for future in futures:
        with pytest.raises(RuntimeError, match="injected"):
            future.result(30)
    # logged, not applied: the store rolled back (no half batch), the index did not move
    assert catalog.log.last_seq() == 5 and catalog.store.applied_seq() == 2
    assert catalog.store.counts() == catalog.index.counts()
    assert not catalog.index.has(DATASET + "d0")

    again = catalog.submit(subs(dataset("d0", "id")), actor="client-0")  # the client retries
    assert again[0].duplicate and again[0].seq == 3
    assert catalog.index.has(DATASET + "d2")  # caught up before the retry was answered
    _consistent(catalog)


def test_a_log_failure_fails_every_request_of_the_group_and_stores_nothing(
    catalog: Catalog, pool: ThreadPoolExecutor
) -> None:
    gate, first = _busy_writer(catalog, pool)
    futures = _queue(catalog, pool, [subs(dataset(f"d{n}", "id")) for n in range(3)])
    append = catalog.log.append
    calls = {"n": 0}

    def failing(entries: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("log device gone")
        return append(entries)

    catalog.log.append = failing  # type: ignore[method-assign]
    gate.release.set()
    first.result(30)
    for future in futures:
        with pytest.raises(OSError, match="log device gone"):
            future.result(30)
    assert catalog.log.last_seq() == 1
    _consistent(catalog)
    # the writer goes on; the same batches succeed when sent again
    for n in range(3):
        assert not catalog.submit(subs(dataset(f"d{n}", "id")), actor="again")[0].duplicate
    _consistent(catalog)


def test_shutdown_commits_what_is_queued_and_refuses_what_comes_after(
    catalog: Catalog, pool: ThreadPoolExecutor
) -> None:
    gate, first = _busy_writer(catalog, pool)
    futures = _queue(catalog, pool, [subs(dataset(f"d{n}", "id")) for n in range(3)])
    closing = pool.submit(catalog.writer.close)
    _wait_for(lambda: not catalog.writer.accepting)
    with pytest.raises(WriterClosedError):
        catalog.submit(subs(dataset("late", "id")), actor="late")
    gate.release.set()
    closing.result(30)
    assert not first.result(30)[0].duplicate
    assert [f.result(30)[0].seq for f in futures] == [2, 3, 4]
    with pytest.raises(WriterClosedError):
        catalog.submit(subs(dataset("late", "id")), actor="late")
    _consistent(catalog)


def test_a_big_request_is_committed_alone(catalog: Catalog, pool: ThreadPoolExecutor) -> None:
    from provgraph.catalog.service.writer import GROUP_EVENTS

    gate, first = _busy_writer(catalog, pool)
    big = subs(*(dataset(f"big{n}", "id") for n in range(GROUP_EVENTS)))
    futures = _queue(catalog, pool, [subs(dataset("small1", "id")), big, subs(dataset("s2", "id"))])
    gate.release.set()
    for future in [first, *futures]:
        future.result(60)
    assert gate.applies == 4  # first, [small1], [big], [s2]: the big one is not grouped
    _consistent(catalog)
