"""The event log port. Adapters: sqlite (embedded default), postgresql (shared by servers)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from provgraph.catalog.model.event_versions import same_event
from provgraph.catalog.model.events import CatalogEvent


@dataclass(frozen=True, slots=True)
class NewEntry:
    idempotency_key: str
    actor: str
    event: CatalogEvent


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    seq: int
    idempotency_key: str
    actor: str
    recorded_at: datetime
    event: CatalogEvent


@dataclass(frozen=True, slots=True)
class KnownEvent:
    """A logged event found by its idempotency key: its payload as stored, and its version."""

    seq: int
    payload: str
    schema_version: int

    def same_as(self, event_json: str) -> bool:
        """Whether this is the event whose canonical JSON today is `event_json`."""
        return same_event(self.payload, self.schema_version, event_json, seq=self.seq)


@dataclass(frozen=True, slots=True)
class AppendResult:
    seq: int
    idempotency_key: str
    duplicate: bool


class EventLog(Protocol):
    def append(self, entries: Sequence[NewEntry]) -> list[AppendResult]:
        """Durably append all entries in one transaction; known keys are reported as duplicates."""
        ...

    def known(self, keys: Sequence[str]) -> dict[str, KnownEvent]:
        """Each key already in the log, with the event logged under it."""
        ...

    def read(self, *, after_seq: int = 0, limit: int = 1000) -> list[LoggedEvent]:
        """Events after `after_seq`, each read through the upcasters from its schema version."""
        ...

    def iter_all(self, *, after_seq: int = 0, batch: int = 1000) -> Iterator[LoggedEvent]: ...

    def last_seq(self) -> int: ...

    def wait_for(self, seq: int, timeout: float) -> int:
        """Wait until the log holds `seq`, at most `timeout` seconds; returns its last seq."""
        ...

    def check_writable(self) -> None:
        """Write and commit a few bytes; raise StorageFullError while the disk is full."""
        ...

    def identity(self) -> int:
        """A random number chosen when the log was created; a graph store records it."""
        ...

    def close(self) -> None: ...


def read_in_batches(log: EventLog, *, after_seq: int, batch: int) -> Iterator[LoggedEvent]:
    """Every event after `after_seq`, read `batch` at a time (what `iter_all` does)."""
    while True:
        chunk = log.read(after_seq=after_seq, limit=batch)
        if not chunk:
            return
        yield from chunk
        after_seq = chunk[-1].seq
