"""The applier lease and the change feed on a real PostgreSQL."""

from __future__ import annotations

import time

from provgraph.catalog.log.cluster_postgresql import PostgresApplierLease, PostgresChangeFeed
from provgraph.catalog.model.graph import EdgeRecord, GraphChange, NodeRecord
from provgraph.catalog.model.kinds import EdgeKind, NodeKind


def test_one_holder_at_a_time_and_an_expired_lease_is_taken_over(postgres_url: str) -> None:
    first = PostgresApplierLease(postgres_url, holder="a", lease_s=1.0)
    second = PostgresApplierLease(postgres_url, holder="b", lease_s=1.0)
    try:
        assert first.hold() and not second.hold()
        assert first.hold()  # renewed
        assert first.holder() == "a"
        time.sleep(1.3)  # "a" stopped renewing: it died
        assert second.hold() and not first.hold()
        assert second.holder() == "b"
        second.release()  # a clean shutdown hands over at once
        assert first.hold()
    finally:
        first.close()
        second.close()


def _change(urn: str) -> GraphChange:
    return GraphChange(
        nodes=[NodeRecord(urn, NodeKind.DATASET, 1, {"name": urn})],
        opened=[EdgeRecord(EdgeKind.HAS_VERSION, urn, urn + "@v", 5, props={"x": 1})],
    )


def test_a_batch_is_claimed_once_and_followed_only_once_applied(postgres_url: str) -> None:
    feed = PostgresChangeFeed(postgres_url)
    try:
        mine = feed.claim(0, 3, _change("urn:a"))
        assert feed.claim(0, 5, _change("urn:b")) == mine  # a second applier gets the first's
        assert mine.change == _change("urn:a")  # the change survives its JSON round trip
        assert feed.applied_after(0) == []  # claimed, not in the store yet
        feed.mark_applied(3)
        assert feed.applied_after(0) == [mine]
        assert feed.applied_after(3) == []
        feed.clear()
        assert feed.claimed_at(0) is None
    finally:
        feed.close()
