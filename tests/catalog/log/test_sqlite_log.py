"""The SQLite event log: ordered, durable, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest

from provgraph.catalog.log.port import NewEntry
from provgraph.catalog.log.sqlite import SqliteEventLog
from provgraph.catalog.model.errors import InvalidEventError
from tests.support.events import dataset


def test_append_read_and_duplicates(tmp_path: Path) -> None:
    log = SqliteEventLog(tmp_path / "events.sqlite")
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
    log.close()
    reopened = SqliteEventLog(tmp_path / "events.sqlite")
    assert [e.seq for e in reopened.iter_all(batch=1)] == [1, 2]


def test_a_conflicting_key_rolls_back_the_whole_append(tmp_path: Path) -> None:
    log = SqliteEventLog(tmp_path / "events.sqlite")
    log.append([NewEntry("k1", "alice", dataset("a", "x"))])
    with pytest.raises(InvalidEventError, match="already used"):
        log.append(
            [NewEntry("k2", "a", dataset("c", "x")), NewEntry("k1", "a", dataset("other", "x"))]
        )
    assert log.last_seq() == 1
