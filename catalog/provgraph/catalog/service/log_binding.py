"""A graph store belongs to one event log: it is refused with another, a shorter or an empty one.

The log picks a random identity when it is created; the store records it beside its applied
watermark when it is first opened with that log (or rebuilt from it). Serving writes with a
lost or replaced log would hand out sequence numbers the store ignores (at or below its
watermark) and lose acknowledged events on the next start.
"""

from __future__ import annotations

from provgraph.catalog.log.port import EventLog
from provgraph.catalog.model.errors import LogMismatchError
from provgraph.catalog.store.port import CatalogStore

RECOVERY = (
    "restore the event log (events.sqlite) from a backup taken after the graph's last write, "
    "or rebuild the graph from the log you have with `provgraph rebuild` (the graph then holds "
    "only what that log holds)"
)


def check_log_binding(log: EventLog, store: CatalogStore) -> None:
    """Bind an unbound store to `log`; raise LogMismatchError if it belongs to another log."""
    identity = log.identity()
    bound = store.log_identity()
    applied, logged = store.applied_seq(), log.last_seq()
    if bound is not None and bound != identity:
        raise LogMismatchError(
            f"the graph store was built from event log {bound:016x}, but the event log here is "
            f"{identity:016x} (holding {logged} events; the graph has applied {applied}): the "
            f"log was deleted, emptied or replaced. Nothing was changed. To recover, {RECOVERY}"
        )
    if applied > logged:
        raise LogMismatchError(
            f"the graph store has applied {applied} events but the event log holds only "
            f"{logged}: the log was truncated or restored from an older backup. Nothing was "
            f"changed. To recover, {RECOVERY}"
        )
    if bound is None:
        store.bind_log(identity)
