"""The outbox never blocks its producers: bounded, retried with backoff, rejected events
isolated, drops counted."""

from __future__ import annotations

import threading

from provgraph.integrations.outbox import Event, Outbox, Rejected


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
