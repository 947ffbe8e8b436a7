"""The event log contract, on every adapter: ordered, durable, idempotent, gap-safe."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from provgraph.catalog.log.port import EventLog, NewEntry
from provgraph.catalog.log.postgresql import PostgresEventLog
from provgraph.catalog.log.sqlite import SqliteEventLog
from provgraph.catalog.model.errors import InvalidEventError
from tests.support.events import dataset

OpenLog = Callable[[], EventLog]


@pytest.fixture(params=["sqlite", "postgresql"])
def open_log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenLog]:
    """Opens the same log (again) on each call; every opened one is closed afterwards."""
    opened: list[EventLog] = []
    if request.param == "sqlite":
        path = tmp_path / "events.sqlite"

        def make() -> EventLog:
            return SqliteEventLog(path)
    else:
        url: str = request.getfixturevalue("postgres_url")

        def make() -> EventLog:
            return PostgresEventLog(url)

    def opener() -> EventLog:
        log = make()
        opened.append(log)
        return log

    yield opener
    for log in opened:
        log.close()


def test_append_read_and_duplicates(open_log: OpenLog) -> None:
    log = open_log()
    results = log.append(
        [NewEntry("k1", "alice", dataset("a", "x")), NewEntry("k2", "bob", dataset("b", "x"))]
    )
    assert [r.seq for r in results] == [1, 2]
    again = log.append([NewEntry("k1", "alice", dataset("a", "x"))])
    assert again[0].duplicate and again[0].seq == 1
    read = log.read(after_seq=1)
    assert [(e.seq, e.actor, e.event) for e in read] == [(2, "bob", dataset("b", "x"))]
    assert log.last_seq() == 2
    assert set(log.known(["k1", "k9"])) == {"k1"}
    identity = log.identity()
    log.close()
    reopened = open_log()
    assert [e.seq for e in reopened.iter_all(batch=1)] == [1, 2]
    assert reopened.identity() == identity


def test_a_repeat_in_one_batch_is_a_duplicate(open_log: OpenLog) -> None:
    log = open_log()
    results = log.append(
        [NewEntry("k1", "a", dataset("a", "x")), NewEntry("k1", "a", dataset("a", "x"))]
    )
    assert [(r.seq, r.duplicate) for r in results] == [(1, False), (1, True)]
    assert log.last_seq() == 1


def test_a_conflicting_key_rolls_back_the_whole_append(open_log: OpenLog) -> None:
    log = open_log()
    log.append([NewEntry("k1", "alice", dataset("a", "x"))])
    with pytest.raises(InvalidEventError, match="already used"):
        log.append(
            [NewEntry("k2", "a", dataset("c", "x")), NewEntry("k1", "a", dataset("other", "x"))]
        )
    assert log.last_seq() == 1
    assert log.known(["k2"]) == {}


def test_check_writable_on_a_healthy_log(open_log: OpenLog) -> None:
    open_log().check_writable()


def test_wait_for_wakes_on_an_append_and_times_out(open_log: OpenLog) -> None:
    log = open_log()
    started = time.monotonic()
    assert log.wait_for(1, timeout=0.2) == 0
    assert time.monotonic() - started >= 0.2
    writer = open_log() if isinstance(log, PostgresEventLog) else log  # another server
    threading.Timer(0.3, lambda: writer.append([NewEntry("k", "a", dataset("a", "x"))])).start()
    assert log.wait_for(1, timeout=10) == 1


def test_concurrent_appenders_never_let_a_tailer_skip_an_event(
    open_log: OpenLog,
) -> None:
    """Several connections (servers) append while a reader tails `seq > N`: the tailer sees
    every sequence number exactly once, in order, though appends commit concurrently."""
    writers = [open_log() for _ in range(4)] if isinstance(open_log(), PostgresEventLog) else []
    if not writers:
        log = open_log()
        writers = [log] * 4
    tailer = open_log()
    per_writer, batch = 30, 3
    done = threading.Event()
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            for i in range(per_writer):
                writers[number].append(
                    [
                        NewEntry(
                            f"w{number}-{i}-{j}", f"w{number}", dataset(f"d{number}", f"{i}{j}")
                        )
                        for j in range(batch)
                    ]
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(len(writers))]
    for thread in threads:
        thread.start()
    seen: list[int] = []

    def wait_for_writers() -> None:
        for thread in threads:
            thread.join()
        done.set()

    watcher = threading.Thread(target=wait_for_writers)
    watcher.start()
    while True:
        finished = done.is_set()
        after = seen[-1] if seen else 0
        seen.extend(e.seq for e in tailer.read(after_seq=after, limit=7))
        if finished and (not seen or tailer.last_seq() == seen[-1]):
            break
    watcher.join()
    assert not errors
    total = len(writers) * per_writer * batch
    assert seen == list(range(1, total + 1))
