"""Off the critical path: a bounded queue of work and events, drained by one sender thread.

`put` never waits on the catalog: when the queue is full an ordinary item is dropped, counted
and warned about, while a *required* one (an event an obligation requires, a run's end) is
kept past the bound — the caller stops admitting required work once `full` says so. The
queue is a port: `MemoryQueue` (the default) or `SqliteQueue` (`provgraph.integrations.spool`,
which survives a restart of the process). The sender thread runs work items (building events
from what a listener captured), sends events in batches, and keeps an unsent batch at the head
of the queue while the catalog is down or answering 5xx, retrying with exponential backoff. A
batch the catalog rejects (4xx) is split to find the events at fault; those are dropped and
counted, the others are sent. A batch leaves the queue only once it was handled, so a durable
queue closed mid-outage still holds it (resent later: the catalog keys OpenLineage events by
their content, so a resend is a no-op). `flush` waits until everything put so far is handled.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger("provgraph.integrations")

Event = dict[str, Any]
Work = Callable[[], None]
Dropped = Callable[[Event, str], None]
"""Told of each event the outbox gives up on, with why: "full" or "rejected"."""


class Rejected(Exception):  # noqa: N818 - the catalog's answer, not our failure
    """The catalog refused these events for good (a 4xx other than 408/429)."""


@dataclass(frozen=True)
class Held:
    """An event at the head of a queue, with the queue's handle on it."""

    key: int
    event: Event


class Queue(Protocol):
    """Where the outbox keeps what waits. Called under the outbox's lock, one call at a time."""

    def push(self, item: Event | Work, *, required: bool) -> bool:
        """Append; False (nothing kept) when full and not `required`."""
        ...

    def head(self, limit: int) -> Work | list[Held] | None:
        """The work at the head (removed), or up to `limit` events (kept until `remove`)."""
        ...

    def remove(self, held: list[Held]) -> None: ...

    def __len__(self) -> int: ...

    @property
    def full(self) -> bool: ...

    def close(self) -> None: ...


class MemoryQueue:
    """The default queue: in memory, bounded in items; what it holds is lost on exit."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._items: deque[tuple[int, Event | Work]] = deque()
        self._next = 0

    def push(self, item: Event | Work, *, required: bool) -> bool:
        if self.full and not required:
            return False
        self._items.append((self._next, item))
        self._next += 1
        return True

    def head(self, limit: int) -> Work | list[Held] | None:
        if not self._items:
            return None
        key, first = self._items[0]
        if callable(first):
            self._items.popleft()
            return first
        held: list[Held] = []
        for key, item in self._items:
            if callable(item) or len(held) >= limit:
                break
            held.append(Held(key, item))
        return held

    def remove(self, held: list[Held]) -> None:
        keys = {h.key for h in held}
        while self._items and self._items[0][0] in keys:
            self._items.popleft()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def full(self) -> bool:
        return len(self._items) >= self._capacity

    def close(self) -> None:
        return None


@dataclass
class OutboxStats:
    queued: int = 0
    sent: int = 0
    dropped_full: int = 0
    rejected: int = 0
    send_failures: int = 0
    work_failures: int = 0


class Outbox:
    def __init__(
        self,
        send: Callable[[list[Event]], None],
        *,
        capacity: int = 10_000,
        queue: Queue | None = None,
        batch_size: int = 100,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        on_drop: Dropped | None = None,
        name: str = "provgraph-outbox",
    ) -> None:
        if capacity < 1 or batch_size < 1:
            raise ValueError("capacity and batch_size must be at least 1")
        self._send = send
        self._queue: Queue = queue if queue is not None else MemoryQueue(capacity)
        self._batch_size = batch_size
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._on_drop = on_drop
        self._cond = threading.Condition()
        self._closing = threading.Event()
        self._busy = False
        self._closed = False
        self.stats = OutboxStats()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # ---- producers --------------------------------------------------------------------------

    def put(self, item: Event | Work, *, required: bool = False) -> bool:
        """Queue an event (a JSON-ready dict) or work; False (dropped, counted) when full,
        unless `required`. A required item is refused only by a closed outbox."""
        with self._cond:
            if self._closed:
                return False
            if not self._queue.push(item, required=required):
                self.stats.dropped_full += 1
                if self.stats.dropped_full in (1, 10, 100) or self.stats.dropped_full % 1000 == 0:
                    log.warning(
                        "provgraph: outbox full (%d items): dropped %d so far",
                        len(self._queue),
                        self.stats.dropped_full,
                    )
                dropped = item
            else:
                self.stats.queued += 1
                self._cond.notify_all()
                return True
        if self._on_drop is not None and not callable(dropped):
            self._on_drop(dropped, "full")
        return False

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every item put so far is handled; False when `timeout` ran out first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while len(self._queue) or self._busy:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining if remaining is not None else 1.0)
            return True

    def close(self, timeout: float | None = 10.0) -> bool:
        """Flush for up to `timeout`, then stop the sender. What a durable queue still holds
        stays there for the next outbox opened on it."""
        done = self.flush(timeout)
        with self._cond:
            # the sender touches the queue only under this lock and never once closed, so a
            # batch in flight now is not removed: a durable queue sends it again later
            self._closed = True
            self._closing.set()
            self._queue.close()
            self._cond.notify_all()
        return done

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._queue)

    @property
    def full(self) -> bool:
        """The queue holds as much as it may: ordinary items are dropped, callers should stop
        admitting work that would need a required one. Read without the lock (request paths
        ask it): a count read while the sender changes it is at most one batch stale."""
        return self._queue.full

    # ---- the sender thread ------------------------------------------------------------------

    def _take(self) -> Work | list[Held] | None:
        with self._cond:
            while True:
                if self._closed:
                    self._busy = False
                    self._cond.notify_all()
                    return None
                head = self._queue.head(self._batch_size)
                if head is not None:
                    self._busy = True
                    return head
                self._busy = False
                self._cond.notify_all()
                self._cond.wait()

    def _run(self) -> None:
        while True:
            item = self._take()
            if item is None:
                return
            if callable(item):
                try:
                    item()
                except Exception:
                    self.stats.work_failures += 1
                    log.exception("provgraph: could not build lineage events")
                continue
            if self._deliver([h.event for h in item]):
                with self._cond:
                    if not self._closed:
                        self._queue.remove(item)

    def _deliver(self, events: list[Event]) -> bool:
        """Send until the catalog took or refused them: True; False when closed meanwhile."""
        delay = self._backoff
        while True:
            try:
                self._send(events)
            except Rejected as exc:
                return self._isolate(events, exc)
            except Exception as exc:
                self.stats.send_failures += 1
                log.warning("provgraph: catalog unavailable (%s); retrying in %.1fs", exc, delay)
                if self._closing.wait(delay):
                    return False
                delay = min(self._max_backoff, delay * 2)
                continue
            self.stats.sent += len(events)
            return True

    def _isolate(self, events: list[Event], error: Rejected) -> bool:
        if len(events) == 1:
            self.stats.rejected += 1
            log.warning("provgraph: the catalog rejected an event: %s", error)
            if self._on_drop is not None:
                self._on_drop(events[0], "rejected")
            return True
        return all(self._deliver([event]) for event in events)
