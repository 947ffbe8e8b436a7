"""SQLite event log: WAL, synchronous=FULL, so an appended event survives a crash or power loss."""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from provgraph.catalog.log.port import (
    AppendResult,
    KnownEvent,
    LoggedEvent,
    NewEntry,
    read_in_batches,
)
from provgraph.catalog.model.errors import (
    CatalogError,
    InvalidEventError,
    StorageFullError,
    StoreUnavailableError,
)
from provgraph.catalog.model.event_versions import EVENT_SCHEMA_VERSION, read_logged
from provgraph.catalog.model.events import event_to_json

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    actor TEXT NOT NULL,
    event_type TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    payload TEXT NOT NULL,
    schema_version INTEGER NOT NULL DEFAULT 1
)
"""
_VERSIONED = "ALTER TABLE events ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 1"
"""A log created before events carried a version: each of its rows reads as version 1."""
_META = "CREATE TABLE IF NOT EXISTS log_meta (key TEXT PRIMARY KEY, ival INTEGER NOT NULL)"
_PROBE = "CREATE TABLE IF NOT EXISTS log_probe (data BLOB)"
PROBE = 64 * 1024
"""Bytes a write probe commits: a full disk is reported until this much fits again."""


def storage_error(exc: sqlite3.Error, what: str) -> CatalogError:
    """A typed error for a failed SQLite write: a full disk, or another I/O failure."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL:
        return StorageFullError(
            f"the disk holding {what} is full ({exc}); nothing of this batch was stored. "
            "Free space: the catalog recovers by itself"
        )
    return StoreUnavailableError(f"{what} cannot be written: {exc}")


class SqliteEventLog:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._appended = threading.Condition()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(events)")}
        if "schema_version" not in columns:
            self._db.execute(_VERSIONED)
        self._db.execute(_META)
        self._db.execute(_PROBE)
        self._db.execute(
            "INSERT OR IGNORE INTO log_meta (key, ival) VALUES ('identity', ?)",
            (secrets.randbits(62) + 1,),
        )
        row = self._db.execute("SELECT ival FROM log_meta WHERE key = 'identity'").fetchone()
        self._identity = int(row[0])

    def append(self, entries: Sequence[NewEntry]) -> list[AppendResult]:
        results: list[AppendResult] = []
        recorded_at = datetime.now(UTC).isoformat()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for entry in entries:
                    payload = event_to_json(entry.event)
                    row = self._db.execute(
                        "SELECT seq, payload, schema_version FROM events WHERE idempotency_key = ?",
                        (entry.idempotency_key,),
                    ).fetchone()
                    if row is not None:
                        if not KnownEvent(*row).same_as(payload):
                            raise InvalidEventError(
                                f"idempotency key {entry.idempotency_key!r} was already used "
                                f"for a different event (seq {row[0]})"
                            )
                        results.append(AppendResult(row[0], entry.idempotency_key, True))
                        continue
                    cursor = self._db.execute(
                        "INSERT INTO events (idempotency_key, actor, event_type, recorded_at, "
                        "payload, schema_version) VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            entry.idempotency_key,
                            entry.actor,
                            entry.event.type,
                            recorded_at,
                            payload,
                            EVENT_SCHEMA_VERSION,
                        ),
                    )
                    seq = cursor.lastrowid
                    assert seq is not None
                    results.append(AppendResult(seq, entry.idempotency_key, False))
                self._db.execute("COMMIT")
            except BaseException as exc:
                if self._db.in_transaction:  # SQLITE_FULL has rolled it back already
                    self._db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise storage_error(exc, f"the event log {self._path}") from exc
                raise
        with self._appended:
            self._appended.notify_all()
        return results

    def check_writable(self) -> None:
        """Commit (then delete) a block as big as a batch of a few events: room for writes."""
        with self._lock:
            try:
                self._db.execute("INSERT INTO log_probe (data) VALUES (zeroblob(?))", (PROBE,))
                self._db.execute("DELETE FROM log_probe")
            except sqlite3.Error as exc:
                raise storage_error(exc, f"the event log {self._path}") from exc

    def known(self, keys: Sequence[str]) -> dict[str, KnownEvent]:
        found: dict[str, KnownEvent] = {}
        unique = list(dict.fromkeys(keys))
        with self._lock:
            for start in range(0, len(unique), 500):
                chunk = unique[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT idempotency_key, seq, payload, schema_version FROM events "  # noqa: S608 - placeholders only
                    f"WHERE idempotency_key IN ({marks})",
                    chunk,
                ).fetchall()
                found.update({key: KnownEvent(seq, text, ver) for key, seq, text, ver in rows})
        return found

    def read(self, *, after_seq: int = 0, limit: int = 1000) -> list[LoggedEvent]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, idempotency_key, actor, recorded_at, payload, schema_version "
                "FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                (after_seq, limit),
            ).fetchall()
        return [
            LoggedEvent(
                seq=seq,
                idempotency_key=key,
                actor=actor,
                recorded_at=datetime.fromisoformat(recorded_at),
                event=read_logged(payload, version, seq=seq),
            )
            for seq, key, actor, recorded_at, payload, version in rows
        ]

    def iter_all(self, *, after_seq: int = 0, batch: int = 1000) -> Iterator[LoggedEvent]:
        return read_in_batches(self, after_seq=after_seq, batch=batch)

    def last_seq(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
        return int(row[0])

    def wait_for(self, seq: int, timeout: float) -> int:
        """Only this process appends (the data directory is locked): its appends wake waiters."""
        deadline = time.monotonic() + timeout
        with self._appended:
            while (last := self.last_seq()) < seq and (left := deadline - time.monotonic()) > 0:
                self._appended.wait(left)
        return last

    def identity(self) -> int:
        return self._identity

    def close(self) -> None:
        with self._lock:
            self._db.close()
