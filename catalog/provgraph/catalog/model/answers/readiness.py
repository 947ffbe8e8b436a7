"""`GET /readyz`: whether a server is ready to answer, and how far its store has applied the
event log."""

from __future__ import annotations

from provgraph.catalog.model.answers.base import Answer


class Readiness(Answer):
    status: str
    """`ready`, `catching-up` or `unavailable`."""
    store: str | None = None
    applied_seq: int | None = None
    logged_seq: int | None = None
    index_seq: int | None = None
    """The log sequence number this server's lineage and search indexes reflect."""
    lag_events: int | None = None
    """Events logged that the indexes do not reflect yet."""
    lag_seconds: float | None = None
    """How long the oldest of those has waited."""
    applier: bool | None = None
    """With a shared log: whether this server holds the applier lease."""
    nodes: int | None = None
    edges: int | None = None
    detail: str | None = None
    """Why it is unavailable."""

    @property
    def ready(self) -> bool:
        return self.status == "ready"
