"""`EventBatch`: collect catalog events and send them in batches, the rest on exit."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from provgraph.catalog.model.events import CatalogEvent
from provgraph.client.models import EventsAccepted, Receipt, Submission


class EventBatch:
    """Events added are sent `size` at a time (each send is one atomic batch on the server);
    leaving the `with` block sends what is left, also when the block raised — the events
    describe what happened. `receipts` holds every receipt so far."""

    def __init__(
        self, send: Callable[[list[Submission]], EventsAccepted], *, size: int = 500
    ) -> None:
        if not 1 <= size <= 10_000:
            raise ValueError(f"a batch holds 1 to 10000 events, not {size}")
        self._send = send
        self._size = size
        self._pending: list[Submission] = []
        self.receipts: list[Receipt] = []

    def add(self, event: CatalogEvent, *, idempotency_key: str | None = None) -> None:
        self._pending.append(Submission(event, idempotency_key))
        if len(self._pending) >= self._size:
            self.flush()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        """Send what is pending now (nothing if nothing is)."""
        if not self._pending:
            return
        accepted = self._send(self._pending)
        self._pending = []
        self.receipts.extend(accepted.receipts)

    def __enter__(self) -> EventBatch:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.flush()
