"""The CatalogStore port: what the services need from a graph database, and nothing more.

Every adapter stores one node label `Node` (urn, kind, created_at, props as JSON) and one
relationship type `Edge` (eid, kind, valid_from, valid_to, props as JSON), so the same Cypher
shape works on every backend and the kind vocabulary lives in the domain model, not in DDL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, TypeVar

from provgraph.catalog.model.graph import EdgeRecord, GraphChange, NodeRecord

BATCH_ROWS = 2000
T = TypeVar("T")


class CatalogStore(Protocol):
    backend: str

    def initialize(self) -> None:
        """Create constraints and indexes if missing; idempotent."""
        ...

    def apply(self, change: GraphChange, *, applied_seq: int) -> None:
        """Apply `change` and record `applied_seq` in one transaction: all of it or nothing.

        A change whose `applied_seq` is not above the recorded one was applied already and is
        ignored, so a retried or replayed batch never applies twice.
        """
        ...

    def applied_seq(self) -> int:
        """The sequence number of the last event log entry applied to this store."""
        ...

    def log_identity(self) -> int | None:
        """The identity of the event log this store was built from; None before it is bound."""
        ...

    def bind_log(self, identity: int) -> None:
        """Record the identity of the event log this store is built from."""
        ...

    def get_nodes(self, urns: Sequence[str]) -> dict[str, NodeRecord]: ...

    def iter_nodes(self) -> Iterator[NodeRecord]: ...

    def iter_edges(self) -> Iterator[EdgeRecord]: ...

    def counts(self) -> tuple[int, int]:
        """(nodes, edges)."""
        ...

    def ping(self) -> None:
        """Raise StoreUnavailableError when the store cannot answer."""
        ...

    def clear(self) -> None:
        """Delete every node, edge, the applied watermark and the log binding (for rebuild)."""
        ...

    def close(self) -> None: ...


def chunks(rows: Sequence[T], size: int = BATCH_ROWS) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class StoreIntegrityError(RuntimeError):
    """A batch referenced a node or edge the store does not hold; the transaction is rolled back."""


def check_matched(what: str, got: object, expected: int) -> None:
    if int(str(got)) != expected:
        raise StoreIntegrityError(
            f"tried to {what} {expected} but matched {got}: a node or edge is missing, so "
            "nothing of this batch was applied"
        )
