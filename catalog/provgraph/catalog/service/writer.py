"""The write path: one writer thread, fed by a queue of requests, each with a future.

Callers validate nothing here and wait on their request's future. The writer thread takes
everything queued while it was busy (up to `GROUP_EVENTS` events; a bigger request goes
alone) and commits it as one group: one log transaction, one store transaction, and each
request still succeeds or fails on its own (see `commit.py`). LadybugDB allows one writer, and
the projection of a group must see the state left by the group before it: the one thread
gives both, without locks around the commit.

Fairness: requests are taken in arrival order, so a request waits at most for the group in
progress and the groups queued before it; a group holds at most `GROUP_EVENTS` events and
`MAX_BATCH_BYTES` of events, or one request, itself at most `MAX_BATCH_BYTES` (bigger ones
are refused before they are queued). So one client's big batch holds everyone else up for at
most the time one `MAX_BATCH_BYTES` batch takes (bench/write_bounds.py measures it).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

from provgraph.catalog import metrics
from provgraph.catalog.log.port import EventLog
from provgraph.catalog.model.errors import InvalidEventError, StoreUnavailableError
from provgraph.catalog.service.commit import (
    BatchTooLargeError,
    EventRejectedError,
    GroupCommitter,
    Listener,
    Receipt,
    RecoveryError,
    Request,
    Resync,
    Submission,
    WriterHooks,
)
from provgraph.catalog.service.lineage_index import LineageIndex
from provgraph.catalog.service.progress import Progress
from provgraph.catalog.store.port import CatalogStore

__all__ = [
    "BatchTooLargeError",
    "EventRejectedError",
    "EventWriter",
    "Receipt",
    "RecoveryError",
    "Submission",
    "WriterClosedError",
    "WriterHooks",
]

T = TypeVar("T")

GROUP_EVENTS = 2_000
"""A group takes queued requests until it holds this many events (a bigger request goes alone)."""
MAX_BATCH_BYTES = 1024 * 1024
"""The most one batch may hold (its events' canonical JSON, ~13,000 plain schema fields; one
event with 10,000 fields is ~780 KB): it bounds what one request costs the writer (time and
memory), and so how long it can hold up everyone else's writes. A group holds at most this
much too, unless it is one request."""


class WriterClosedError(StoreUnavailableError):
    """The catalog is shutting down; nothing of this batch was stored."""


class _Job:
    """Work other than a request that must run on the writer thread (recovery)."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self.work = work
        self.future: Future[Any] = Future()


class EventWriter:
    def __init__(
        self,
        log: EventLog,
        store: CatalogStore,
        index: LineageIndex,
        *,
        hooks: WriterHooks | None = None,
        applies_own_writes: bool = True,
        progress: Progress | None = None,
    ) -> None:
        self._committer = GroupCommitter(
            log,
            store,
            index,
            hooks or WriterHooks(),
            applies_own_writes=applies_own_writes,
            progress=progress,
        )
        self._queue: deque[Request | _Job] = deque()
        self._ready = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="provgraph-writer", daemon=True)
        self._thread.start()

    def listen(self, listener: Listener, *, resync: Resync) -> None:
        """Call `listener(change, applied_seq)` after each group is applied (side indexes).

        A listener that fails does not fail the write (it is durable and applied): the writer
        reports the trouble and calls `resync(applied_seq)` once writes work again.
        """
        self._committer.listeners.append((listener, resync))

    def health(self, *, timeout_s: float = 5.0) -> str | None:
        """None when writes work; else why not (after a write failed: probed again now)."""
        if self._committer.trouble is None:
            return None
        job = _Job(self._committer.probe)
        try:
            self._enqueue(job)
            found: str | None = job.future.result(timeout=timeout_s)
        except WriterClosedError as exc:
            return str(exc)
        except TimeoutError:
            return self._committer.trouble or "the writer is busy"
        return found

    def submit(self, submissions: Sequence[Submission], *, actor: str) -> list[Receipt]:
        """Validate, log durably and apply a batch; all of it or nothing."""
        if not actor:
            raise InvalidEventError("every event needs an actor")
        request = Request(list(submissions), actor)
        if request.size > MAX_BATCH_BYTES:
            raise BatchTooLargeError(
                f"this batch holds {request.size} bytes of events (canonical JSON), over the "
                f"writer's bound of {MAX_BATCH_BYTES} bytes per batch: send it as several "
                "smaller batches"
            )
        self._enqueue(request)
        return request.future.result()

    @property
    def committer(self) -> GroupCommitter:
        """The writer thread's state: touch it only from work passed to `run`."""
        return self._committer

    def run(self, work: Callable[[], T]) -> T:
        """Run `work` on the writer thread, between groups, and return what it returns."""
        job = _Job(work)
        self._enqueue(job)
        done: T = job.future.result()
        return done

    def recover(self, *, skip_refused: bool = False) -> int:
        """Apply logged events the store has not seen (after a crash, or into an empty store).

        `skip_refused`: a log that several servers wrote may hold events refused in sequence
        order; the shared applier left them out, and so does this (`project_logged`).
        """
        job = _Job(lambda: self._committer.catch_up(skip_refused=skip_refused))
        self._enqueue(job)
        replayed: int = job.future.result()
        return replayed

    def queued(self) -> int:
        """Requests waiting for the writer (not counting the group being committed)."""
        with self._ready:
            return len(self._queue)

    @property
    def accepting(self) -> bool:
        """False once `close()` was called."""
        with self._ready:
            return not self._closing

    def close(self) -> None:
        """Stop taking requests, commit every request already queued, stop the thread."""
        with self._ready:
            self._closing = True
            self._ready.notify()
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _enqueue(self, item: Request | _Job) -> None:
        with self._ready:
            if self._closing:
                raise WriterClosedError(
                    "the catalog is shutting down; nothing of this batch was stored"
                )
            self._queue.append(item)
            metrics.WRITER_QUEUED.set(len(self._queue))
            self._ready.notify()

    def _next(self) -> list[Request] | _Job | None:
        """The next job, or the next group of requests; None once closed and drained."""
        with self._ready:
            while not self._queue:
                if self._closing:
                    return None
                self._ready.wait()
            head = self._queue.popleft()
            if isinstance(head, _Job):
                return head
            group, events, size = [head], len(head.submissions), head.size
            while self._queue:
                following = self._queue[0]
                if isinstance(following, _Job):
                    break
                if events + len(following.submissions) > GROUP_EVENTS:
                    break
                if size + following.size > MAX_BATCH_BYTES:
                    break
                group.append(following)
                events += len(following.submissions)
                size += following.size
                self._queue.popleft()
            metrics.WRITER_QUEUED.set(len(self._queue))
            return group

    def _run(self) -> None:
        try:
            while (work := self._next()) is not None:
                if isinstance(work, _Job):
                    try:
                        work.future.set_result(work.work())
                    except BaseException as exc:
                        work.future.set_exception(exc)
                    continue
                try:
                    self._committer.commit(work)
                except BaseException as exc:  # a bug must not leave callers waiting forever
                    for request in work:
                        request.fail(exc)
        finally:
            self._fail_queued()

    def _fail_queued(self) -> None:
        with self._ready:
            self._closing = True
            left, self._queue = list(self._queue), deque()
        for item in left:
            error = WriterClosedError("the writer stopped; nothing of this batch was stored")
            if isinstance(item, _Job):
                item.future.set_exception(error)
            else:
                item.fail(error)
