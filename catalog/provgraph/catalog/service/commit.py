"""One group commit: project queued requests, append them to the log, apply them to the store.

Only the writer thread calls this (LadybugDB allows one writer, and the projection of a group
must see the state left by the group before it). Every request of a group succeeds or fails
on its own; the group shares one log transaction and one store transaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from provgraph.catalog import metrics
from provgraph.catalog.log.port import AppendResult, EventLog, KnownEvent, LoggedEvent, NewEntry
from provgraph.catalog.model.errors import (
    CatalogError,
    InvalidEventError,
    StoreUnavailableError,
)
from provgraph.catalog.model.events import CatalogEvent, event_to_json
from provgraph.catalog.model.graph import GraphChange
from provgraph.catalog.model.idempotency import default_idempotency_key
from provgraph.catalog.service.graph_view import PendingView
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.node_cache import NodeCache
from provgraph.catalog.service.progress import Progress
from provgraph.catalog.service.projection import project
from provgraph.catalog.store.port import CatalogStore

RECOVERY_BATCH = 500
_log = logging.getLogger(__name__)
Listener = Callable[[GraphChange, int], None]
"""Called with each applied change and the sequence number reached (side indexes)."""
Resync = Callable[[int], object]
"""Brings a side index whose listener failed up to the store's applied sequence number."""


def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class WriterHooks:
    """Test seam: callables run at named points of a commit (crash tests kill the process)."""

    after_log_append: Callable[[], None] = _nothing


@dataclass(frozen=True, slots=True)
class Submission:
    event: CatalogEvent
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    seq: int
    idempotency_key: str
    duplicate: bool
    notes: tuple[str, ...] = ()
    """What the projection said about the event (accepted all the same), for the caller."""


@dataclass(slots=True)
class Request:
    """One caller's batch: all of it is stored, or none of it."""

    submissions: list[Submission]
    actor: str
    future: Future[list[Receipt]] = field(default_factory=Future)
    keys: list[str] = field(init=False)
    texts: list[str] = field(init=False)
    """Each event's canonical JSON."""
    size: int = field(init=False)
    """Bytes of canonical JSON: what bounds the work and memory the request may take."""

    def __post_init__(self) -> None:
        self.texts = [event_to_json(each.event) for each in self.submissions]
        self.keys = [
            each.idempotency_key or default_idempotency_key(each.event, event_json=text)
            for each, text in zip(self.submissions, self.texts, strict=True)
        ]
        self.size = sum(len(text) for text in self.texts)

    def fail(self, error: BaseException) -> None:
        if not self.future.done():
            self.future.set_exception(error)


class EventRejectedError(InvalidEventError):
    """Event number `position` of a batch was rejected; no event of the batch was stored."""

    def __init__(self, position: int, event_type: str, cause: CatalogError) -> None:
        super().__init__(f"event {position} ({event_type}) rejected: {cause}")
        self.position = position
        self.cause = cause


class BatchTooLargeError(InvalidEventError):
    """A batch is over the writer's size bound; nothing of it was stored."""


class _RestartError(Exception):
    """Project a batch again, without the event just refused."""


class RecoveryError(CatalogError):
    """A logged event could not be re-applied; the store is left at the last good batch."""


@dataclass(slots=True)
class _Plan:
    request: Request
    entries: list[NewEntry]
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The projection's notes on each new event, by idempotency key."""


class GroupCommitter:
    """The writer thread's state: the store watermark's follower, the node cache, listeners."""

    def __init__(
        self,
        log: EventLog,
        store: CatalogStore,
        index: LineageIndex,
        hooks: WriterHooks,
        *,
        applies_own_writes: bool = True,
        progress: Progress | None = None,
    ) -> None:
        self._log = log
        self._store = store
        self._index = index
        self._hooks = hooks
        self._cache = NodeCache(store)
        self.applies_own_writes = applies_own_writes
        """False when servers share the log: a write is logged here and applied by the one
        applier, in sequence order with every other server's (`shared_apply.py`)."""
        self.progress = progress or Progress()
        self.listeners: list[tuple[Listener, Resync]] = []
        self._stale: list[Resync] = []
        self.behind = True
        """True until the store is known to hold every logged event (start, failed apply)."""
        self.trouble: str | None = None
        """Why the last write failed for want of storage (a full disk); None when healthy."""

    def commit(self, group: Sequence[Request]) -> None:
        """Store every request of `group` that is valid; settle every request's future."""
        try:
            if self.behind and self.applies_own_writes:
                self.catch_up()
            known = self._log.known([key for request in group for key in request.keys])
        except BaseException as exc:
            if isinstance(exc, StoreUnavailableError):
                self.trouble = str(exc)
            for request in group:
                request.fail(exc)
            return
        view, plans = self._project_all(group, known)
        fresh = [entry for plan in plans for entry in plan.entries]
        try:
            appended = self._log.append(fresh) if fresh else []
            self._hooks.after_log_append()
            new_seqs = [r.seq for r in appended if not r.duplicate]
            if new_seqs and self.applies_own_writes:
                self._apply(view.change, max(new_seqs))
        except BaseException as exc:
            if isinstance(exc, StoreUnavailableError):
                self.trouble = str(exc)
            for plan in plans:
                plan.request.fail(exc)
            return
        if fresh and self.trouble is not None:
            self._recovered()
        for entry in fresh:
            metrics.EVENTS_APPENDED.labels(entry.event.type).inc()
        self._settle(plans, known, appended)

    def _project_all(
        self, group: Sequence[Request], known: dict[str, KnownEvent]
    ) -> tuple[PendingView, list[_Plan]]:
        """Project each request on the state left by the ones before it.

        A rejected (or crashing) request leaves pending changes behind; the view is then
        rebuilt from the requests accepted so far, so the next one never sees them.
        """
        view = PendingView(self._index, self._cache)
        plans: list[_Plan] = []
        claimed: set[str] = set()
        for request in group:
            notes: dict[str, tuple[str, ...]] = {}
            try:
                entries = self._project(request, known, claimed, view, notes)
            except Exception as exc:  # a bug in one request must not fail the others
                if isinstance(exc, CatalogError):
                    metrics.EVENTS_REJECTED.inc()
                request.fail(exc)
                view, plans, claimed = self._replay(plans, known)
                continue
            claimed.update(entry.idempotency_key for entry in entries)
            plans.append(_Plan(request, entries, notes))
        return view, plans

    def _replay(
        self, plans: list[_Plan], known: dict[str, KnownEvent]
    ) -> tuple[PendingView, list[_Plan], set[str]]:
        view = PendingView(self._index, self._cache)
        kept: list[_Plan] = []
        claimed: set[str] = set()
        for plan in plans:
            notes: dict[str, tuple[str, ...]] = {}
            try:
                entries = self._project(plan.request, known, claimed, view, notes)
            except Exception as exc:  # projection is deterministic: this is not expected
                plan.request.fail(exc)
                return self._replay(kept, known)
            claimed.update(entry.idempotency_key for entry in entries)
            kept.append(_Plan(plan.request, entries, notes))
        return view, kept, claimed

    def _project(
        self,
        request: Request,
        known: dict[str, KnownEvent],
        claimed: set[str],
        view: PendingView,
        notes: dict[str, tuple[str, ...]],
    ) -> list[NewEntry]:
        entries: list[NewEntry] = []
        taken: set[str] = set()
        for position, (submission, key, text) in enumerate(
            zip(request.submissions, request.keys, request.texts, strict=True)
        ):
            event = submission.event
            if key in known:
                if not known[key].same_as(text):
                    raise EventRejectedError(
                        position,
                        event.type,
                        InvalidEventError(
                            f"idempotency key {key!r} was already used for another event "
                            f"(seq {known[key].seq})"
                        ),
                    )
                continue
            if key in claimed or key in taken:
                continue
            try:
                project(event, view)
            except CatalogError as exc:
                raise EventRejectedError(position, event.type, exc) from exc
            said = view.take_notes()
            if said:
                notes[key] = said
            taken.add(key)
            entries.append(NewEntry(key, request.actor, event))
        return entries

    def _settle(
        self,
        plans: list[_Plan],
        known: dict[str, KnownEvent],
        appended: list[AppendResult],
    ) -> None:
        seq_of = {r.idempotency_key: r.seq for r in appended}
        for plan in plans:
            mine = {entry.idempotency_key for entry in plan.entries}
            receipts = []
            for key in plan.request.keys:
                if key in known:
                    receipts.append(Receipt(known[key].seq, key, True))
                else:
                    fresh = key in mine
                    notes = plan.notes.get(key, ()) if fresh else ()
                    receipts.append(Receipt(seq_of[key], key, not fresh, notes))
                    mine.discard(key)  # a repeat later in the same batch is a duplicate
            metrics.EVENTS_DUPLICATE.inc(sum(r.duplicate for r in receipts))
            if not plan.request.future.done():
                plan.request.future.set_result(receipts)

    def probe(self) -> str | None:
        """After a failed write: try the log, catch the store up, re-sync side indexes.

        Returns what is still wrong, or None once writes work again (space was freed).
        """
        if self.trouble is None:
            return None
        try:
            self._log.check_writable()
            if self.behind and self.applies_own_writes:  # shared: only the applier applies
                self.catch_up()
            self._recovered()
        except Exception as exc:
            self.trouble = str(exc)
        return self.trouble

    def clear_cache(self) -> None:
        """Forget cached node properties (on becoming the applier: they may be newer)."""
        self._cache.clear()

    def _recovered(self) -> None:
        applied = self._store.applied_seq()
        while self._stale:
            self._stale[0](applied)
            self._stale.pop(0)
        self.trouble = None

    def catch_up(self, *, skip_refused: bool = False) -> int:
        """Apply logged events the store has not seen (after a crash, or into an empty store)."""
        applied = self._store.applied_seq()
        replayed = 0
        while True:
            batch = self._log.read(after_seq=applied, limit=RECOVERY_BATCH)
            if not batch:
                break
            change = self.project_logged(batch, skip_refused=skip_refused)
            applied = batch[-1].seq
            self._apply(change, applied)
            replayed += len(batch)
        self.behind = False
        metrics.EVENTS_RECOVERED.inc(replayed)
        return replayed

    def project_logged(
        self, batch: Sequence[LoggedEvent], *, skip_refused: bool = False
    ) -> GraphChange:
        """The change logged events make to the state the index and store hold now.

        With `skip_refused` (servers sharing a log, where each validated a write against its
        own view before logging it), an event the projection refuses in sequence order is
        left out (counted and reported); the projection is deterministic, so a rebuild from
        the same log leaves out the same events. Else it is a RecoveryError.
        """
        refused: set[int] = set()
        while True:
            view = PendingView(self._index, self._cache)
            try:
                for logged in batch:
                    if logged.seq in refused:
                        continue
                    try:
                        project(logged.event, view)
                    except CatalogError as exc:
                        if not skip_refused:
                            raise RecoveryError(
                                f"logged event seq {logged.seq} cannot be re-applied: {exc}"
                            ) from exc
                        refused.add(logged.seq)
                        metrics.EVENTS_NOT_APPLIED.inc()
                        _log.warning("logged event seq %s is not applied: %s", logged.seq, exc)
                        raise _RestartError from exc
                    view.take_notes()  # said when it was accepted
            except _RestartError:
                continue  # project the batch again without it: nothing of it stays pending
            return view.change

    def _apply(self, change: GraphChange, applied_seq: int) -> None:
        started = time.perf_counter()
        try:
            self._store.apply(change, applied_seq=applied_seq)
        except BaseException:
            self.behind = True  # logged but not applied: the next group catches up first
            self._cache.clear()
            raise
        self.follow(change, applied_seq)
        metrics.APPLY_SECONDS.observe(time.perf_counter() - started)

    def follow(self, change: GraphChange, applied_seq: int) -> None:
        """Bring the lineage index, the node cache and the side indexes to `applied_seq`."""
        self._index.apply(change)
        self._cache.apply(change)
        for listener, resync in self.listeners:
            try:
                listener(change, applied_seq)
            except Exception as exc:  # applied and durable: the side index catches up later
                if resync not in self._stale:
                    self._stale.append(resync)
                self.trouble = f"a side index (search) could not be updated: {exc}"
        self.progress.reached(applied_seq)
        nodes, edges = self._index.counts()
        metrics.INDEX_NODES.set(nodes)
        metrics.INDEX_EDGES.set(edges)
