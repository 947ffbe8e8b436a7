"""Servers sharing one log and one graph store: the applier lease and the change feed (ports).

Exactly one server (the holder of the lease) applies the log into the shared graph store. For
every batch it applies it first *claims* the batch's graph change in the feed (one row per
starting sequence number, so a batch is claimed once whoever claims it), then applies it to
the store (whose watermark makes a second apply a no-op), then marks it applied. Every other
server keeps its lineage and search indexes current by reading the applied changes in order.
An applier that dies between claim and apply leaves the change for the next one, which
applies exactly that change: batch boundaries never differ between appliers.

The embedded mode (SQLite log, one process) has neither: the one server is always the applier
and applies what it logs directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from provgraph.catalog.model.graph import GraphChange


@dataclass(frozen=True, slots=True)
class ClaimedChange:
    """The graph change of the logged events `seq_from + 1 … seq_to`."""

    seq_from: int
    seq_to: int
    change: GraphChange


class ApplierLease(Protocol):
    def hold(self) -> bool:
        """Take or renew the lease; True while this server holds it."""
        ...

    def release(self) -> None:
        """Give the lease up (on shutdown), so another server takes over at once."""
        ...

    def holder(self) -> str | None:
        """Who holds an unexpired lease, if anyone."""
        ...

    def close(self) -> None: ...


class ChangeFeed(Protocol):
    def claim(self, seq_from: int, seq_to: int, change: GraphChange) -> ClaimedChange:
        """Record the change starting at `seq_from`, or return the one already recorded there."""
        ...

    def claimed_at(self, seq_from: int) -> ClaimedChange | None:
        """The change claimed starting at `seq_from` (applied or not), if any."""
        ...

    def mark_applied(self, seq_to: int) -> None:
        """The store holds the change ending at `seq_to`: other servers may follow it now."""
        ...

    def applied_after(self, seq: int, *, limit: int = 100) -> list[ClaimedChange]:
        """Applied changes ending after `seq`, in order."""
        ...

    def clear(self) -> None:
        """Forget every change (`provgraph rebuild` replaced the graph they described)."""
        ...

    def close(self) -> None: ...
