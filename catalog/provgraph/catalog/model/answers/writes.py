"""What a write answers: the receipts of logged catalog events, and what an OpenLineage post
turned into."""

from __future__ import annotations

from provgraph.catalog.model.answers.base import Answer


class Receipt(Answer):
    seq: int
    idempotency_key: str
    duplicate: bool


class EventWarning(Answer):
    """Something the catalog noted about an event it accepted (position in the batch)."""

    position: int
    warning: str


class EventsAccepted(Answer):
    accepted: int
    duplicates: int
    receipts: list[Receipt]
    warnings: list[EventWarning] = []
    """What the catalog noted about accepted events (a run id reused by another job, a
    dataset alias naming another dataset), by position in the batch."""


class OpenLineageAccepted(Answer):
    received: int
    """OpenLineage events in the body."""
    catalog_events: int
    """Catalog events they became."""
    duplicates: int
    seq: int = 0
    """The highest sequence number of the events logged or found (0 from older servers)."""
    warnings: list[EventWarning] = []
    more_warnings: int = 0
    """Warnings left out of `warnings` (it lists at most a bounded number)."""
