"""The write path: validate and project a batch, append it durably to the log, apply it.

One writer per catalog: a lock serializes batches (LadybugDB allows one writer, and the
projection of a batch must see the state left by the batch before it).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from provgraph.catalog import metrics
from provgraph.catalog.log.port import EventLog, NewEntry
from provgraph.catalog.model.errors import CatalogError, InvalidEventError
from provgraph.catalog.model.events import CatalogEvent, default_idempotency_key, event_to_json
from provgraph.catalog.model.graph import GraphChange
from provgraph.catalog.service.graph_view import PendingView
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.projection import project
from provgraph.catalog.store.port import CatalogStore

CRASH_ENV = "PROVGRAPH_CRASH_AT"
"""Fault injection for crash tests: 'after-log-append' kills the process with SIGKILL."""

RECOVERY_BATCH = 500


@dataclass(frozen=True, slots=True)
class Submission:
    event: CatalogEvent
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    seq: int
    idempotency_key: str
    duplicate: bool


class EventRejectedError(InvalidEventError):
    """Event number `position` of a batch was rejected; no event of the batch was stored."""

    def __init__(self, position: int, event_type: str, cause: CatalogError) -> None:
        super().__init__(f"event {position} ({event_type}) rejected: {cause}")
        self.position = position
        self.cause = cause


class RecoveryError(CatalogError):
    """A logged event could not be re-applied; the store is left at the last good batch."""


class EventWriter:
    def __init__(self, log: EventLog, store: CatalogStore, index: LineageIndex) -> None:
        self._log = log
        self._store = store
        self._index = index
        self._lock = threading.Lock()
        self._crash_at = os.environ.get(CRASH_ENV)
        self._listeners: list[Callable[[GraphChange, int], None]] = []
        self._behind = True
        """True until the store is known to hold every logged event (start, failed apply)."""

    def listen(self, listener: Callable[[GraphChange, int], None]) -> None:
        """Call `listener(change, applied_seq)` after each batch is applied (side indexes)."""
        self._listeners.append(listener)

    def submit(self, submissions: Sequence[Submission], *, actor: str) -> list[Receipt]:
        if not actor:
            raise InvalidEventError("every event needs an actor")
        with self._lock:
            if self._behind:
                self._catch_up()
            keys = [s.idempotency_key or default_idempotency_key(s.event) for s in submissions]
            known = self._log.known(keys)
            view = PendingView(self._index, self._store)
            fresh: list[NewEntry] = []
            batch_keys: set[str] = set()
            for position, (submission, key) in enumerate(zip(submissions, keys, strict=True)):
                if key in known:
                    if known[key][1] != event_to_json(submission.event):
                        raise EventRejectedError(
                            position,
                            submission.event.type,
                            InvalidEventError(
                                f"idempotency key {key!r} was already used for another event "
                                f"(seq {known[key][0]})"
                            ),
                        )
                    continue
                if key in batch_keys:
                    continue
                try:
                    project(submission.event, view)
                except CatalogError as exc:
                    metrics.EVENTS_REJECTED.inc()
                    raise EventRejectedError(position, submission.event.type, exc) from exc
                batch_keys.add(key)
                fresh.append(NewEntry(key, actor, submission.event))
            appended = self._log.append(fresh) if fresh else []
            self._crash_point("after-log-append")
            new_seqs = [r.seq for r in appended if not r.duplicate]
            if new_seqs:
                self._apply(view, max(new_seqs))
            for entry in fresh:
                metrics.EVENTS_APPENDED.labels(entry.event.type).inc()
            by_key = {r.idempotency_key: r for r in appended}
            receipts = []
            for key in keys:
                if key in known:
                    receipts.append(Receipt(known[key][0], key, True))
                else:
                    result = by_key[key]
                    receipts.append(Receipt(result.seq, key, result.duplicate))
            metrics.EVENTS_DUPLICATE.inc(sum(r.duplicate for r in receipts))
            return receipts

    def recover(self) -> int:
        """Apply logged events the store has not seen (after a crash, or into an empty store)."""
        with self._lock:
            return self._catch_up()

    def _catch_up(self) -> int:
        applied = self._store.applied_seq()
        replayed = 0
        while True:
            batch = self._log.read(after_seq=applied, limit=RECOVERY_BATCH)
            if not batch:
                break
            view = PendingView(self._index, self._store)
            for logged in batch:
                try:
                    project(logged.event, view)
                except CatalogError as exc:
                    raise RecoveryError(
                        f"logged event seq {logged.seq} cannot be re-applied: {exc}"
                    ) from exc
            applied = batch[-1].seq
            self._apply(view, applied)
            replayed += len(batch)
        self._behind = False
        metrics.EVENTS_RECOVERED.inc(replayed)
        return replayed

    def _apply(self, view: PendingView, applied_seq: int) -> None:
        started = time.perf_counter()
        try:
            self._store.apply(view.change, applied_seq=applied_seq)
        except BaseException:
            self._behind = True  # logged but not applied: the next batch catches up first
            raise
        self._index.apply(view.change)
        for listener in self._listeners:
            listener(view.change, applied_seq)
        metrics.APPLY_SECONDS.observe(time.perf_counter() - started)
        nodes, edges = self._index.counts()
        metrics.INDEX_NODES.set(nodes)
        metrics.INDEX_EDGES.set(edges)

    def _crash_point(self, name: str) -> None:
        if self._crash_at == name:
            os.kill(os.getpid(), signal.SIGKILL)
