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
from dataclasses import dataclass, field

from provgraph.catalog import metrics
from provgraph.catalog.log.port import EventLog, NewEntry
from provgraph.catalog.model.errors import CatalogError, InvalidEventError
from provgraph.catalog.model.events import CatalogEvent, default_idempotency_key, event_to_json
from provgraph.catalog.model.graph import GraphChange
from provgraph.catalog.service.graph_view import PendingView
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.node_cache import NodeCache
from provgraph.catalog.service.projection import project
from provgraph.catalog.store.port import CatalogStore

CRASH_ENV = "PROVGRAPH_CRASH_AT"
"""Fault injection for crash tests: 'after-log-append' kills the process with SIGKILL."""

RECOVERY_BATCH = 500
GROUP_WINDOW_S = 0.001


@dataclass(frozen=True, slots=True)
class Submission:
    event: CatalogEvent
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    seq: int
    idempotency_key: str
    duplicate: bool


@dataclass(slots=True)
class _Request:
    submissions: list[Submission]
    actor: str
    receipts: list[Receipt] | None = None
    error: BaseException | None = None
    done: bool = False
    wake: threading.Event = field(default_factory=threading.Event)


def _key(submission: Submission) -> str:
    return submission.idempotency_key or default_idempotency_key(submission.event)


def _fail(requests: list[_Request], error: BaseException) -> None:
    for request in requests:
        request.error = error
        request.done = True


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
        self._queue_lock = threading.Lock()
        self._queue: list[_Request] = []
        self._concurrent = False
        """Whether the last group saw other writers (then the next one waits for them)."""
        """Callers inside submit(), queued or about to queue."""
        self._crash_at = os.environ.get(CRASH_ENV)
        self._cache = NodeCache(store)
        self._listeners: list[Callable[[GraphChange, int], None]] = []
        self._behind = True
        """True until the store is known to hold every logged event (start, failed apply)."""

    def listen(self, listener: Callable[[GraphChange, int], None]) -> None:
        """Call `listener(change, applied_seq)` after each batch is applied (side indexes)."""
        self._listeners.append(listener)

    def submit(self, submissions: Sequence[Submission], *, actor: str) -> list[Receipt]:
        """Validate, log durably and apply a batch; all of it or nothing.

        Group commit: concurrent callers queue their batches, and whichever holds the writer
        lock commits every queued batch with one log transaction and one store transaction.
        Each batch still succeeds or fails on its own.
        """
        if not actor:
            raise InvalidEventError("every event needs an actor")
        request = _Request(list(submissions), actor)
        with self._queue_lock:
            self._queue.append(request)
        while True:
            request.wake.clear()  # before looking: a wake-up set after this is not lost
            if request.done:
                break
            if self._lock.acquire(blocking=False):
                try:
                    self._lead()
                finally:
                    self._lock.release()
                self._nudge_next()
            else:
                request.wake.wait(timeout=0.05)
        if request.error is not None:
            raise request.error
        assert request.receipts is not None
        return request.receipts

    def _lead(self) -> None:
        """Commit every queued batch as one group (the caller holds the writer lock)."""
        if self._concurrent:
            # the last group had company: give concurrent writers a moment to queue up
            time.sleep(GROUP_WINDOW_S)
        with self._queue_lock:
            group, self._queue = self._queue, []
        self._concurrent = len(group) > 1
        if not group:
            return
        try:
            self._commit(group)
        except BaseException as exc:  # a bug must not leave writers waiting forever
            _fail([r for r in group if not r.done], exc)
        finally:
            for request in group:
                request.wake.set()

    def _nudge_next(self) -> None:
        """Wake a queued writer so it takes the lead for the next group."""
        with self._queue_lock:
            waiting = self._queue[0] if self._queue else None
        if waiting is not None:
            waiting.wake.set()

    def _commit(self, group: list[_Request]) -> None:
        try:
            if self._behind:
                self._catch_up()
            keys = {id(r): [_key(s) for s in r.submissions] for r in group}
            known = self._log.known([k for ks in keys.values() for k in ks])
        except BaseException as exc:
            _fail(group, exc)
            return
        view = PendingView(self._index, self._cache)
        fresh: list[NewEntry] = []
        claimed: set[str] = set()
        planned: list[tuple[_Request, set[str]]] = []
        for request in group:
            mark = view.savepoint() if len(group) > 1 else None
            try:
                entries = self._project(request, keys[id(request)], known, claimed, view)
            except CatalogError as exc:
                metrics.EVENTS_REJECTED.inc()
                if mark is not None:
                    view.rollback(mark)
                _fail([request], exc)
                continue
            mine = {entry.idempotency_key for entry in entries}
            claimed |= mine
            fresh += entries
            planned.append((request, mine))
        try:
            appended = self._log.append(fresh) if fresh else []
            self._crash_point("after-log-append")
            new_seqs = [r.seq for r in appended if not r.duplicate]
            if new_seqs:
                self._apply(view, max(new_seqs))
        except BaseException as exc:
            _fail([request for request, _ in planned], exc)
            return
        for entry in fresh:
            metrics.EVENTS_APPENDED.labels(entry.event.type).inc()
        seq_of = {r.idempotency_key: r.seq for r in appended}
        for request, mine in planned:
            receipts = []
            for key in keys[id(request)]:
                if key in known:
                    receipts.append(Receipt(known[key][0], key, True))
                else:
                    receipts.append(Receipt(seq_of[key], key, key not in mine))
                    mine.discard(key)  # a repeat later in the same batch is a duplicate
            metrics.EVENTS_DUPLICATE.inc(sum(r.duplicate for r in receipts))
            request.receipts = receipts
            request.done = True

    def _project(
        self,
        request: _Request,
        keys: list[str],
        known: dict[str, tuple[int, str]],
        claimed: set[str],
        view: PendingView,
    ) -> list[NewEntry]:
        entries: list[NewEntry] = []
        taken: set[str] = set()
        for position, (submission, key) in enumerate(zip(request.submissions, keys, strict=True)):
            event = submission.event
            if key in known:
                if known[key][1] != event_to_json(event):
                    raise EventRejectedError(
                        position,
                        event.type,
                        InvalidEventError(
                            f"idempotency key {key!r} was already used for another event "
                            f"(seq {known[key][0]})"
                        ),
                    )
                continue
            if key in claimed or key in taken:
                continue
            try:
                project(event, view)
            except CatalogError as exc:
                raise EventRejectedError(position, event.type, exc) from exc
            taken.add(key)
            entries.append(NewEntry(key, request.actor, event))
        return entries

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
            view = PendingView(self._index, self._cache)
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
        change = view.change
        try:
            self._store.apply(change, applied_seq=applied_seq)
        except BaseException:
            self._behind = True  # logged but not applied: the next batch catches up first
            self._cache.clear()
            raise
        self._index.apply(change)
        self._cache.apply(change)
        for listener in self._listeners:
            listener(change, applied_seq)
        metrics.APPLY_SECONDS.observe(time.perf_counter() - started)
        nodes, edges = self._index.counts()
        metrics.INDEX_NODES.set(nodes)
        metrics.INDEX_EDGES.set(edges)

    def _crash_point(self, name: str) -> None:
        if self._crash_at == name:
            os.kill(os.getpid(), signal.SIGKILL)
