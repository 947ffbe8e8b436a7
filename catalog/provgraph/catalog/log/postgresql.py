"""PostgreSQL event log (`PROVGRAPH_LOG=postgresql://…`): one log that several servers share.

Sequence numbers are gap-safe for readers. Every append takes one transaction-level advisory
lock (`pg_advisory_xact_lock`) before it numbers its events `MAX(seq) + 1, …`, and holds it
until it commits. PostgreSQL makes a committed transaction visible before it releases its
locks, so the next appender sees every earlier commit and numbers after it: sequence numbers
are assigned in commit order. A reader whose snapshot holds seq M therefore holds every event
below M, and a reader tailing `seq > N` never skips an event that commits later with a smaller
number. (A sequence object would not do: its numbers are handed out before commit, out of
commit order.) Idempotency keys are unique in the table, so across every server.

Each append notifies the channel `provgraph_log` with its last sequence number on commit;
`wait_for` wakes on it, and also re-reads the log at least every second, so a missed
notification (a lost listener connection) only delays a waiter.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg

from provgraph.catalog.log.port import (
    AppendResult,
    KnownEvent,
    LoggedEvent,
    NewEntry,
    read_in_batches,
)
from provgraph.catalog.log.sqlite import PROBE
from provgraph.catalog.model.errors import InvalidEventError
from provgraph.catalog.model.event_versions import EVENT_SCHEMA_VERSION, read_logged
from provgraph.catalog.model.events import event_to_json
from provgraph.catalog.postgresql import database_error, open_pool, redacted

CHANNEL = "provgraph_log"
APPEND_LOCK = 0x70_67_6C_6F_67_01
"""The advisory lock key every append of this database takes (advisory locks are per database)."""
SCHEMA_LOCK = 0x70_67_6C_6F_67_00
POLL_S = 1.0
"""A waiter re-reads the log at least this often, notification or not."""

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS provgraph_events (
        seq BIGINT PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        actor TEXT NOT NULL,
        event_type TEXT NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL,
        payload TEXT NOT NULL,
        schema_version INTEGER NOT NULL DEFAULT 1
    )""",
    # a log created before events carried a version: each of its rows reads as version 1
    "ALTER TABLE provgraph_events ADD COLUMN IF NOT EXISTS schema_version INTEGER NOT NULL "
    "DEFAULT 1",
    "CREATE TABLE IF NOT EXISTS provgraph_log_meta (key TEXT PRIMARY KEY, ival BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS provgraph_log_probe (data BYTEA NOT NULL)",
)


class PostgresEventLog:
    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        self._url = url
        self._what = f"the event log at {redacted(url)}"
        self._pool = open_pool(url, name="provgraph-log", max_size=pool_size)
        self._changed = threading.Condition()
        self._notified = 0
        self._listener: threading.Thread | None = None
        self._closing = threading.Event()
        try:
            with self._pool.connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO provgraph_log_meta (key, ival) VALUES ('identity', %s) "
                    "ON CONFLICT (key) DO NOTHING",
                    (secrets.randbits(62) + 1,),
                )
                row = conn.execute(
                    "SELECT ival FROM provgraph_log_meta WHERE key = 'identity'"
                ).fetchone()
        except psycopg.Error as exc:
            self._pool.close()
            raise database_error(exc, self._what) from exc
        assert row is not None
        self._identity = int(row[0])

    def append(self, entries: Sequence[NewEntry]) -> list[AppendResult]:
        results: list[AppendResult] = []
        recorded_at = datetime.now(UTC)
        payloads = [event_to_json(entry.event) for entry in entries]
        keys = list(dict.fromkeys(entry.idempotency_key for entry in entries))
        try:
            with self._pool.connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (APPEND_LOCK,))
                known = self._known(conn, keys)
                row = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM provgraph_events").fetchone()
                assert row is not None
                seq = int(row[0])
                fresh: list[tuple[int, str, str, str, datetime, str, int]] = []
                for entry, payload in zip(entries, payloads, strict=True):
                    key = entry.idempotency_key
                    if key in known:
                        logged = known[key]
                        if not logged.same_as(payload):
                            raise InvalidEventError(
                                f"idempotency key {key!r} was already used "
                                f"for a different event (seq {logged.seq})"
                            )
                        results.append(AppendResult(logged.seq, key, True))
                        continue
                    seq += 1
                    known[key] = KnownEvent(seq, payload, EVENT_SCHEMA_VERSION)
                    fresh.append(
                        (
                            seq,
                            key,
                            entry.actor,
                            entry.event.type,
                            recorded_at,
                            payload,
                            EVENT_SCHEMA_VERSION,
                        )
                    )
                    results.append(AppendResult(seq, key, False))
                if fresh:
                    with conn.cursor() as cursor:
                        cursor.executemany(
                            "INSERT INTO provgraph_events (seq, idempotency_key, actor, "
                            "event_type, recorded_at, payload, schema_version) "
                            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                            fresh,
                        )
                    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(seq)))
        except psycopg.Error as exc:
            raise database_error(exc, self._what) from exc
        if fresh:
            self._saw(seq)
        return results

    def check_writable(self) -> None:
        """Commit (then delete) a block as big as a batch of a few events: room for writes."""
        try:
            with self._pool.connection() as conn, conn.transaction():
                conn.execute(
                    "INSERT INTO provgraph_log_probe (data) VALUES (%s)",
                    (secrets.token_bytes(PROBE),),
                )
                conn.execute("DELETE FROM provgraph_log_probe")
        except psycopg.Error as exc:
            raise database_error(exc, self._what) from exc

    def known(self, keys: Sequence[str]) -> dict[str, KnownEvent]:
        try:
            with self._pool.connection() as conn:
                return self._known(conn, list(dict.fromkeys(keys)))
        except psycopg.Error as exc:
            raise database_error(exc, self._what) from exc

    @staticmethod
    def _known(conn: psycopg.Connection[tuple[Any, ...]], keys: list[str]) -> dict[str, KnownEvent]:
        found: dict[str, KnownEvent] = {}
        for start in range(0, len(keys), 1000):
            rows = conn.execute(
                "SELECT idempotency_key, seq, payload, schema_version FROM provgraph_events "
                "WHERE idempotency_key = ANY(%s)",
                (keys[start : start + 1000],),
            ).fetchall()
            found.update(
                {
                    str(key): KnownEvent(int(seq), str(payload), int(version))
                    for key, seq, payload, version in rows
                }
            )
        return found

    def read(self, *, after_seq: int = 0, limit: int = 1000) -> list[LoggedEvent]:
        try:
            with self._pool.connection() as conn:
                rows = conn.execute(
                    "SELECT seq, idempotency_key, actor, recorded_at, payload, schema_version "
                    "FROM provgraph_events WHERE seq > %s ORDER BY seq LIMIT %s",
                    (after_seq, limit),
                ).fetchall()
        except psycopg.Error as exc:
            raise database_error(exc, self._what) from exc
        return [
            LoggedEvent(
                seq=int(seq),
                idempotency_key=str(key),
                actor=str(actor),
                recorded_at=recorded_at,
                event=read_logged(str(payload), int(version), seq=int(seq)),
            )
            for seq, key, actor, recorded_at, payload, version in rows
        ]

    def iter_all(self, *, after_seq: int = 0, batch: int = 1000) -> Iterator[LoggedEvent]:
        return read_in_batches(self, after_seq=after_seq, batch=batch)

    def last_seq(self) -> int:
        try:
            with self._pool.connection() as conn:
                row = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM provgraph_events").fetchone()
        except psycopg.Error as exc:
            raise database_error(exc, self._what) from exc
        assert row is not None
        return int(row[0])

    def wait_for(self, seq: int, timeout: float) -> int:
        """Wait until the log holds `seq` (appended by any server), at most `timeout` seconds."""
        self._start_listener()
        deadline = time.monotonic() + timeout
        while True:
            last = self.last_seq()
            self._saw(last)
            remaining = deadline - time.monotonic()
            if last >= seq or remaining <= 0:
                return last
            with self._changed:
                self._changed.wait_for(
                    lambda: self._notified >= seq or self._closing.is_set(),
                    timeout=min(remaining, POLL_S),
                )
            if self._closing.is_set():
                return self._notified

    def _saw(self, seq: int) -> None:
        with self._changed:
            if seq > self._notified:
                self._notified = seq
                self._changed.notify_all()

    def _start_listener(self) -> None:
        with self._changed:
            if self._listener is None and not self._closing.is_set():
                self._listener = threading.Thread(
                    target=self._listen, name="provgraph-log-listener", daemon=True
                )
                self._listener.start()

    def _listen(self) -> None:
        """Hold one LISTEN connection; reconnect after a failure (waiters poll meanwhile)."""
        while not self._closing.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")  # a constant identifier, not input
                    while not self._closing.is_set():
                        for note in conn.notifies(timeout=POLL_S):
                            if note.payload.isdigit():
                                self._saw(int(note.payload))
            except psycopg.Error:
                self._closing.wait(POLL_S)

    def identity(self) -> int:
        return self._identity

    def close(self) -> None:
        self._closing.set()
        with self._changed:
            self._changed.notify_all()
            listener = self._listener
        if listener is not None:
            listener.join(timeout=2 * POLL_S + 1)
        self._pool.close()
