"""Logged events carry a schema version, on both adapters; a log written before they did
reads as version 1, and a row this release cannot read is refused, never skipped."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from provgraph.catalog.log.port import EventLog, NewEntry
from provgraph.catalog.log.postgresql import PostgresEventLog
from provgraph.catalog.log.sqlite import SqliteEventLog
from provgraph.catalog.model.errors import InvalidEventError, LogSchemaError
from provgraph.catalog.model.event_versions import EVENT_SCHEMA_VERSION, read_logged
from provgraph.catalog.model.events import event_to_json
from provgraph.catalog.model.graph import canonical_json
from tests.catalog.log.legacy import Corpus, corpora
from tests.support.events import dataset

FIRST = Corpus(corpora()[0].folder)


class Legacy:
    """A first-release log (no version column) on one adapter, and raw SQL on it."""

    def __init__(self, kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.kind = kind
        if kind == "sqlite":
            self.path = tmp_path / "events.sqlite"
            FIRST.copy_sqlite(self.path)
        else:
            self.url: str = request.getfixturevalue("postgres_url")
            FIRST.fill_postgres(self.url)

    def open(self) -> EventLog:
        return SqliteEventLog(self.path) if self.kind == "sqlite" else PostgresEventLog(self.url)

    def versions(self) -> list[int]:
        if self.kind == "sqlite":
            db = sqlite3.connect(self.path)
            try:
                rows = db.execute("SELECT schema_version FROM events ORDER BY seq").fetchall()
            finally:
                db.close()
        else:
            with psycopg.connect(self.url) as conn:
                query = "SELECT schema_version FROM provgraph_events ORDER BY seq"
                rows = conn.execute(query).fetchall()
        return [int(version) for (version,) in rows]

    def set_version(self, seq: int, version: int) -> None:
        self._update("schema_version", version, seq)

    def set_payload(self, seq: int, payload: str) -> None:
        self._update("payload", payload, seq)

    def _update(self, column: str, value: object, seq: int) -> None:
        sql = _UPDATES[self.kind, column]
        if self.kind == "sqlite":
            db = sqlite3.connect(self.path)
            try:
                db.execute(sql, (value, seq))
                db.commit()
            finally:
                db.close()
        else:
            with psycopg.connect(self.url) as conn:
                conn.execute(sql, (value, seq))


_UPDATES = {
    ("sqlite", "schema_version"): "UPDATE events SET schema_version = ? WHERE seq = ?",
    ("sqlite", "payload"): "UPDATE events SET payload = ? WHERE seq = ?",
    ("postgresql", "schema_version"): (
        "UPDATE provgraph_events SET schema_version = %s WHERE seq = %s"
    ),
    ("postgresql", "payload"): "UPDATE provgraph_events SET payload = %s WHERE seq = %s",
}
"""The test's own statements: a fixed column, a fixed table, values as parameters."""


@pytest.fixture(params=["sqlite", "postgresql"])
def legacy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Legacy]:
    yield Legacy(str(request.param), tmp_path, request)


def test_a_log_written_before_versions_reads_as_version_1(legacy: Legacy) -> None:
    log = legacy.open()
    try:
        logged = list(log.iter_all())
        assert len(logged) == len(FIRST.rows)
        assert [e.event.type for e in logged] == [r["event_type"] for r in FIRST.rows]
        result = log.append([NewEntry("new-key", "alice", dataset("fresh", "x"))])
        assert not result[0].duplicate
        assert log.read(after_seq=result[0].seq - 1)[0].event == dataset("fresh", "x")
        first_key = FIRST.rows[0]["idempotency_key"]
        resend = log.append([NewEntry(first_key, "alice", logged[0].event)])
        assert resend[0].duplicate and resend[0].seq == 1
    finally:
        log.close()
    assert legacy.versions() == [1] * len(FIRST.rows) + [EVENT_SCHEMA_VERSION]


def test_a_row_of_a_newer_version_is_refused_not_skipped(legacy: Legacy) -> None:
    legacy.open().close()  # adds the version column
    legacy.set_version(3, EVENT_SCHEMA_VERSION + 1)
    log = legacy.open()
    try:
        assert len(log.read(after_seq=0, limit=2)) == 2
        with pytest.raises(LogSchemaError, match=r"seq 3.*newer than this provgraph reads"):
            log.read(after_seq=0)
        with pytest.raises(LogSchemaError, match="seq 3"):
            list(log.iter_all())
    finally:
        log.close()


def test_a_row_that_no_longer_validates_names_its_seq() -> None:
    with pytest.raises(LogSchemaError, match=r"seq 7 .*does not read as a catalog event"):
        read_logged('{"type": "dataset.registered"}', 1, seq=7)


def test_a_resend_of_a_row_an_older_release_wrote_with_fewer_fields_is_a_duplicate(
    legacy: Legacy,
) -> None:
    """An older release dumped an event without fields added since (their defaults): a
    resend under its key is the same event, read as today's model reads the row."""
    row = next(r for r in FIRST.rows if r["event_type"] == "dataset.registered")
    stored = json.loads(row["payload"])
    event = read_logged(row["payload"], 1, seq=row["seq"])
    older = {key: value for key, value in stored.items() if key not in ("labels", "column_lineage")}
    assert stored["labels"] == [] and stored["column_lineage"] == {}
    legacy.open().close()
    legacy.set_payload(row["seq"], canonical_json(older))
    log = legacy.open()
    try:
        again = log.append([NewEntry(row["idempotency_key"], "bob", event)])
        assert again[0].duplicate and again[0].seq == row["seq"]
        assert log.known([row["idempotency_key"]])[row["idempotency_key"]].same_as(
            event_to_json(event)
        )
        changed = event.model_copy(update={"description": "another description"})
        with pytest.raises(InvalidEventError, match="already used"):
            log.append([NewEntry(row["idempotency_key"], "bob", changed)])
    finally:
        log.close()
