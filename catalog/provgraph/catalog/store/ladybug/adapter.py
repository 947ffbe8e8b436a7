"""CatalogStore on LadybugDB (in-process, on-disk, ACID).

LadybugDB allows one writer per database and fails a second concurrent writer at once, so
every statement goes through one connection under a lock; readers in this process see
committed data.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import ladybug

from provgraph.catalog.model.errors import StorageFullError, StoreUnavailableError
from provgraph.catalog.model.graph import EdgeRecord, GraphChange, NodeRecord
from provgraph.catalog.settings import DEFAULT_BUFFER_POOL_MB
from provgraph.catalog.store import cypher
from provgraph.catalog.store.port import check_matched, chunks
from provgraph.catalog.store.rows import closure_row, edge_from, edge_row, node_from, node_row

_DDL = (
    "CREATE NODE TABLE IF NOT EXISTS Node("
    "urn STRING PRIMARY KEY, kind STRING, created_at INT64, props STRING)",
    "CREATE REL TABLE IF NOT EXISTS Edge("
    "FROM Node TO Node, eid STRING, kind STRING, valid_from INT64, valid_to INT64, props STRING)",
    "CREATE NODE TABLE IF NOT EXISTS Meta(key STRING PRIMARY KEY, ival INT64)",
)
_DELETE_ALL = "MATCH (n:Node) DETACH DELETE n"
_POOL_FULL = "buffer pool is full"
_WRITE_FAILED = "Cannot write to file"
"""LadybugDB's I/O error for a failed write (on a full disk, with a misleading errno)."""
_MIB = 1024 * 1024
CHECKPOINT_EVERY = 1_000
"""Write transactions between checkpoints. Until a checkpoint, LadybugDB keeps the page versions
of every committed write in the buffer pool (~30-60 KiB for a transaction that updates one
node, for a few hundred bytes of WAL), and its own trigger (16 MiB of WAL) would let tens of
thousands pile up: memory that only grows, then writes failing with "buffer pool is full".
A checkpoint takes ~0.2 s at 10^5 nodes, ~0.35 s at 3·10^5: ~0.3 ms per write, amortized."""

_log = logging.getLogger(__name__)


class LadybugStore:
    backend = "ladybug"

    def __init__(self, path: Path, *, buffer_pool_mb: int = DEFAULT_BUFFER_POOL_MB) -> None:
        self._path = path
        self._buffer_pool_mb = buffer_pool_mb
        self._writes = 0
        """write transactions since the last checkpoint"""
        self._lock = threading.RLock()
        try:
            self._db = ladybug.Database(str(path), buffer_pool_size=buffer_pool_mb * _MIB)
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            if path.exists():  # held by nobody else (the data directory is locked): damaged
                raise StoreUnavailableError(
                    f"the graph {path} is damaged or incomplete and cannot be opened ({exc}); "
                    "the event log is the system of record: rebuild the graph from it with "
                    f"`provgraph rebuild --data {path.parent}`"
                ) from exc
            raise StoreUnavailableError(f"cannot open LadybugDB at {path}: {exc}") from exc

    @property
    def buffer_pool_bytes(self) -> int:
        """The page cache LadybugDB was opened with: the most the store keeps in memory."""
        return int(self._db.buffer_pool_size)

    def _rows(self, query: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        result = self._conn.execute(query, params or {})
        assert isinstance(result, ladybug.QueryResult)  # one statement, one result
        rows: list[list[Any]] = []
        while result.has_next():
            rows.append(list(result.get_next()))
        return rows

    def initialize(self) -> None:
        with self._lock:
            for statement in _DDL:
                self._conn.execute(statement)

    def apply(self, change: GraphChange, *, applied_seq: int) -> None:
        with self._lock:
            try:
                try:
                    self._transaction(change, applied_seq)
                except RuntimeError as exc:
                    if _POOL_FULL not in str(exc):
                        raise
                    self._checkpoint()  # frees what committed writes kept; then try once more
                    self._transaction(change, applied_seq)
            except RuntimeError as exc:
                if _POOL_FULL in str(exc):
                    raise StoreUnavailableError(
                        f"the graph store's buffer pool ({self._buffer_pool_mb} MiB) is too small "
                        "for this batch: raise PROVGRAPH_BUFFER_POOL_MB or send smaller batches"
                    ) from exc
                if _WRITE_FAILED in str(exc):
                    raise StorageFullError(
                        f"the graph store cannot write to {self._path} (is the disk full?): "
                        f"{exc}; the batch was rolled back whole. Free space: the catalog "
                        "recovers by itself"
                    ) from exc
                raise
            self._writes += 1
            if self._writes >= CHECKPOINT_EVERY:
                try:
                    self._checkpoint()
                except RuntimeError as exc:  # committed all the same; the next write tries again
                    _log.warning("LadybugDB checkpoint failed: %s", exc)

    def _transaction(self, change: GraphChange, applied_seq: int) -> None:
        self._conn.execute("BEGIN TRANSACTION")
        try:
            if self._watermark() < applied_seq:
                self._write(change, applied_seq)
            self._conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _checkpoint(self) -> None:
        self._conn.execute("CHECKPOINT")
        self._writes = 0

    def _rollback(self) -> None:
        """Roll back, unless LadybugDB already did (it aborts a transaction that ran out of
        buffer pool): a failed ROLLBACK must not hide the error that caused it."""
        try:
            self._conn.execute("ROLLBACK")
        except RuntimeError as exc:
            if "No active transaction" not in str(exc):
                raise

    def _write(self, change: GraphChange, applied_seq: int) -> None:
        for batch in chunks([node_row(n) for n in change.nodes]):
            self._conn.execute(cypher.CREATE_NODES, {"rows": list(batch)})
        for statement, what, rows in (
            (cypher.UPDATE_NODES, "update nodes", [node_row(n) for n in change.updated]),
            (cypher.OPEN_EDGES, "open edges", [edge_row(e) for e in change.opened]),
            (cypher.CLOSE_EDGES, "close edges", [closure_row(c) for c in change.closed]),
        ):
            for batch in chunks(rows):
                matched = self._rows(statement, {"rows": list(batch)})[0][0]
                check_matched(what, matched, len(batch))
        self._conn.execute(cypher.SET_APPLIED_SEQ, {"seq": applied_seq})

    def _watermark(self) -> int:
        rows = self._rows(cypher.GET_APPLIED_SEQ)
        return int(rows[0][0]) if rows else 0

    def applied_seq(self) -> int:
        with self._lock:
            return self._watermark()

    def log_identity(self) -> int | None:
        with self._lock:
            rows = self._rows(cypher.GET_LOG_IDENTITY)
        return int(rows[0][0]) if rows else None

    def bind_log(self, identity: int) -> None:
        with self._lock:
            self._conn.execute(cypher.SET_LOG_IDENTITY, {"identity": identity})

    def get_nodes(self, urns: Sequence[str]) -> dict[str, NodeRecord]:
        if not urns:
            return {}
        with self._lock:
            rows = self._rows(cypher.GET_NODES, {"urns": list(urns)})
        return {row[0]: node_from(*row) for row in rows}

    def iter_nodes(self) -> Iterator[NodeRecord]:
        with self._lock:
            rows = self._rows(cypher.ALL_NODES)
        for row in rows:
            yield node_from(*row)

    def iter_edges(self) -> Iterator[EdgeRecord]:
        with self._lock:
            rows = self._rows(cypher.ALL_EDGES)
        for row in rows:
            yield edge_from(*row)

    def counts(self) -> tuple[int, int]:
        with self._lock:
            nodes = self._rows(cypher.COUNT_NODES)[0][0]
            edges = self._rows(cypher.COUNT_EDGES)[0][0]
        return int(nodes), int(edges)

    def ping(self) -> None:
        try:
            with self._lock:
                self._rows("RETURN 1")
        except RuntimeError as exc:
            raise StoreUnavailableError(
                f"LadybugDB at {self._path} does not answer: {exc}"
            ) from exc

    def clear(self) -> None:
        with self._lock:
            self._conn.execute(_DELETE_ALL)
            self._conn.execute(cypher.DELETE_META)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            self._db.close()
