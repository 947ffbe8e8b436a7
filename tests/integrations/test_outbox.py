"""The outbox never blocks its producers: bounded, retried with backoff, rejected events
isolated, drops counted; its durable queue keeps what was not sent across a restart."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from provgraph.integrations.outbox import Event, Outbox, Rejected
from provgraph.integrations.spool import SpoolError, SqliteQueue


def test_a_full_queue_drops_and_counts_instead_of_blocking() -> None:
    gate = threading.Event()
    sent: list[Event] = []

    def send(events: list[Event]) -> None:
        gate.wait(10)
        sent.extend(events)

    outbox = Outbox(send, capacity=3, batch_size=1)
    accepted = [outbox.put({"n": i}) for i in range(10)]
    assert accepted.count(False) >= 6  # one may be in flight, three queued
    assert outbox.stats.dropped_full == accepted.count(False)
    gate.set()
    assert outbox.flush(10)
    assert len(sent) == accepted.count(True)


def test_failures_are_retried_until_the_catalog_answers() -> None:
    attempts: list[int] = []

    def send(events: list[Event]) -> None:
        attempts.append(len(events))
        if len(attempts) < 3:
            raise ConnectionError("catalog down")

    outbox = Outbox(send, backoff=0.01)
    outbox.put({"n": 1})
    assert outbox.flush(10)
    assert outbox.stats.send_failures == 2 and outbox.stats.sent == 1


def test_a_rejected_batch_is_split_to_drop_only_the_bad_events() -> None:
    gate = threading.Event()
    sent: list[Event] = []

    def send(events: list[Event]) -> None:
        gate.wait(10)
        if any(e.get("bad") for e in events):
            raise Rejected("422")
        sent.extend(events)

    outbox = Outbox(send, batch_size=10)
    for i in range(5):
        outbox.put({"n": i, "bad": i == 2})
    gate.set()
    assert outbox.flush(10)
    assert [e["n"] for e in sent] == [0, 1, 3, 4]
    assert outbox.stats.rejected == 1


def test_work_that_fails_is_counted_and_the_thread_goes_on() -> None:
    sent: list[Event] = []
    outbox = Outbox(sent.extend)

    def broken() -> None:
        raise ValueError("cannot build")

    outbox.put(broken)
    outbox.put({"n": 1})
    assert outbox.flush(10)
    assert outbox.stats.work_failures == 1 and sent == [{"n": 1}]


def test_a_durable_queue_keeps_what_was_not_sent_for_the_next_process(tmp_path: Path) -> None:
    path = tmp_path / "outbox" / "serving.sqlite"

    def down(events: list[Event]) -> None:
        raise ConnectionError("catalog down")

    first = Outbox(down, queue=SqliteQueue(path), backoff=0.01)
    for i in range(5):
        assert first.put({"n": i}, required=i % 2 == 0)
    assert not first.close(timeout=0.2), "nothing could be delivered"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"

    sent: list[Event] = []
    second = Outbox(sent.extend, queue=SqliteQueue(path))
    assert second.flush(10)
    assert [e["n"] for e in sent] == [0, 1, 2, 3, 4], "in order, each once"
    second.close()
    sent.clear()
    third = Outbox(sent.extend, queue=SqliteQueue(path))
    assert third.flush(10) and sent == [], "what was delivered is gone from the file"
    third.close()


def test_a_full_durable_queue_refuses_ordinary_events_and_keeps_required_ones(
    tmp_path: Path,
) -> None:
    gate = threading.Event()
    dropped: list[tuple[Event, str]] = []

    def send(events: list[Event]) -> None:
        gate.wait(10)
        raise ConnectionError("catalog down")

    queue = SqliteQueue(tmp_path / "bounded.sqlite", max_events=2)
    outbox = Outbox(
        send, queue=queue, backoff=0.01, on_drop=lambda e, why: dropped.append((e, why))
    )
    assert outbox.put({"n": 0}) and outbox.put({"n": 1})
    assert outbox.full
    assert not outbox.put({"n": 2}), "an ordinary event is dropped when full"
    assert outbox.put({"n": 3}, required=True), "a required one is kept past the bound"
    assert outbox.pending == 3
    assert outbox.stats.dropped_full == 1 and dropped == [({"n": 2}, "full")]
    gate.set()
    outbox.close(timeout=0)
    assert len(SqliteQueue(tmp_path / "bounded.sqlite")) == 3


def test_a_damaged_outbox_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "damaged.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(SpoolError, match="cannot use the outbox file"):
        SqliteQueue(path)
