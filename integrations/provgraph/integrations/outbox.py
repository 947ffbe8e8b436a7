"""Off the critical path: a bounded queue of work and events, drained by one sender thread.

`put` never blocks: when the queue is full the item is dropped, counted and warned about.
The sender thread runs work items (building events from what a listener captured), sends
events in batches, and keeps an unsent batch at the head of the queue while the catalog is
down or answering 5xx, retrying with exponential backoff. A batch the catalog rejects (4xx) is
split to find the events at fault; those are dropped and counted, the others are sent.
`flush` waits until everything put so far has been handled.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("provgraph.integrations")

Event = dict[str, Any]
Work = Callable[[], None]


class Rejected(Exception):  # noqa: N818 - the catalog's answer, not our failure
    """The catalog refused these events for good (a 4xx other than 408/429)."""


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
        batch_size: int = 100,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        name: str = "provgraph-outbox",
    ) -> None:
        if capacity < 1 or batch_size < 1:
            raise ValueError("capacity and batch_size must be at least 1")
        self._send = send
        self._capacity = capacity
        self._batch_size = batch_size
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._items: deque[Event | Work] = deque()
        self._cond = threading.Condition()
        self._busy = False
        self._closed = False
        self.stats = OutboxStats()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # ---- producers --------------------------------------------------------------------------

    def put(self, item: Event | Work) -> bool:
        """Queue an event (a JSON-ready dict) or work; False (dropped, counted) when full."""
        with self._cond:
            if self._closed:
                return False
            if len(self._items) >= self._capacity:
                self.stats.dropped_full += 1
                if self.stats.dropped_full in (1, 10, 100) or self.stats.dropped_full % 1000 == 0:
                    log.warning(
                        "provgraph: outbox full (%d items): dropped %d so far",
                        self._capacity,
                        self.stats.dropped_full,
                    )
                return False
            self._items.append(item)
            self.stats.queued += 1
            self._cond.notify_all()
            return True

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every item put so far is handled; False when `timeout` ran out first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._items or self._busy:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._cond.wait(remaining if remaining is not None else 1.0)
            return True

    def close(self, timeout: float | None = 10.0) -> bool:
        done = self.flush(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        return done

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._items)

    # ---- the sender thread ------------------------------------------------------------------

    def _take(self) -> Work | list[Event] | None:
        with self._cond:
            while not self._items:
                self._busy = False
                self._cond.notify_all()
                if self._closed:
                    return None
                self._cond.wait()
            self._busy = True
            head = self._items[0]
            if callable(head):
                self._items.popleft()
                return head
            events: list[Event] = []
            while self._items and len(events) < self._batch_size and not callable(self._items[0]):
                events.append(self._items[0])
                self._items.popleft()
            return events

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
            self._deliver(item)

    def _deliver(self, events: list[Event]) -> None:
        delay = self._backoff
        while True:
            try:
                self._send(events)
            except Rejected as exc:
                self._isolate(events, exc)
                return
            except Exception as exc:
                self.stats.send_failures += 1
                log.warning("provgraph: catalog unavailable (%s); retrying in %.1fs", exc, delay)
                with self._cond:
                    if self._closed:
                        return
                time.sleep(delay)
                delay = min(self._max_backoff, delay * 2)
                continue
            self.stats.sent += len(events)
            return

    def _isolate(self, events: list[Event], error: Rejected) -> None:
        if len(events) == 1:
            self.stats.rejected += 1
            log.warning("provgraph: the catalog rejected an event: %s", error)
            return
        for event in events:
            self._deliver([event])
