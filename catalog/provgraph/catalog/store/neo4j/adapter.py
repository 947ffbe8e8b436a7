"""CatalogStore on Neo4j (or any server speaking Neo4j 5 Bolt and Cypher).

Writes run as managed transactions (`execute_write`), which the driver retries on transient
errors; every statement is a MERGE keyed by urn / eid, so a retried transaction is harmless.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import neo4j
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

from provgraph.catalog.model.errors import StoreUnavailableError
from provgraph.catalog.model.graph import EdgeRecord, GraphChange, NodeRecord
from provgraph.catalog.store import cypher
from provgraph.catalog.store.port import check_matched, chunks
from provgraph.catalog.store.rows import closure_row, edge_from, edge_row, node_from, node_row

_DDL = (
    "CREATE CONSTRAINT provgraph_node_urn IF NOT EXISTS FOR (n:Node) REQUIRE n.urn IS UNIQUE",
    "CREATE CONSTRAINT provgraph_meta_key IF NOT EXISTS FOR (m:Meta) REQUIRE m.key IS UNIQUE",
)
_DELETE_BATCH = "MATCH (n:Node) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS deleted"


class Neo4jStore:
    backend = "neo4j"

    def __init__(self, uri: str, *, user: str, password: str, database: str) -> None:
        self._uri = uri
        self._database = database
        try:
            self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
            self._driver.verify_connectivity()
        except (ServiceUnavailable, AuthError, ValueError, OSError) as exc:
            raise StoreUnavailableError(f"cannot reach Neo4j at {uri}: {exc}") from exc

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        try:
            records, _, _ = self._driver.execute_query(
                query, params, database_=self._database, routing_=neo4j.RoutingControl.READ
            )
        except ServiceUnavailable as exc:
            raise StoreUnavailableError(f"Neo4j at {self._uri} is unavailable: {exc}") from exc
        return [record.data() for record in records]

    def initialize(self) -> None:
        for statement in _DDL:
            self._driver.execute_query(statement, database_=self._database)

    def apply(self, change: GraphChange, *, applied_seq: int) -> None:
        node_rows = [node_row(n) for n in change.nodes]
        checked = (
            (cypher.UPDATE_NODES, "update nodes", [node_row(n) for n in change.updated]),
            (cypher.OPEN_EDGES, "open edges", [edge_row(e) for e in change.opened]),
            (cypher.CLOSE_EDGES, "close edges", [closure_row(c) for c in change.closed]),
        )

        def work(tx: neo4j.ManagedTransaction) -> None:
            current = tx.run(cypher.GET_APPLIED_SEQ).single()
            if current is not None and int(current["seq"]) >= applied_seq:
                return
            for batch in chunks(node_rows):
                tx.run(cypher.CREATE_NODES, rows=list(batch)).consume()
            for statement, what, rows in checked:
                for batch in chunks(rows):
                    matched = tx.run(statement, rows=list(batch)).single(strict=True)
                    check_matched(what, matched["matched"], len(batch))
            tx.run(cypher.SET_APPLIED_SEQ, seq=applied_seq).consume()

        try:
            with self._driver.session(database=self._database) as session:
                session.execute_write(work)
        except ServiceUnavailable as exc:
            raise StoreUnavailableError(f"Neo4j at {self._uri} is unavailable: {exc}") from exc

    def applied_seq(self) -> int:
        rows = self._read(cypher.GET_APPLIED_SEQ)
        return int(rows[0]["seq"]) if rows else 0

    def log_identity(self) -> int | None:
        rows = self._read(cypher.GET_LOG_IDENTITY)
        return int(rows[0]["identity"]) if rows else None

    def bind_log(self, identity: int) -> None:
        self._driver.execute_query(
            cypher.SET_LOG_IDENTITY, {"identity": identity}, database_=self._database
        )

    def get_nodes(self, urns: Sequence[str]) -> dict[str, NodeRecord]:
        if not urns:
            return {}
        rows = self._read(cypher.GET_NODES, urns=list(urns))
        return {row["urn"]: node_from(**row) for row in rows}

    def iter_nodes(self) -> Iterator[NodeRecord]:
        for row in self._read(cypher.ALL_NODES):
            yield node_from(**row)

    def iter_edges(self) -> Iterator[EdgeRecord]:
        for row in self._read(cypher.ALL_EDGES):
            yield edge_from(**row)

    def counts(self) -> tuple[int, int]:
        nodes = self._read(cypher.COUNT_NODES)[0]["c"]
        edges = self._read(cypher.COUNT_EDGES)[0]["c"]
        return int(nodes), int(edges)

    def ping(self) -> None:
        try:
            self._driver.verify_connectivity()
        except (ServiceUnavailable, Neo4jError, OSError) as exc:
            raise StoreUnavailableError(f"Neo4j at {self._uri} does not answer: {exc}") from exc

    def clear(self) -> None:
        while True:
            records, _, _ = self._driver.execute_query(_DELETE_BATCH, database_=self._database)
            if not records or int(records[0]["deleted"]) == 0:
                break
        self._driver.execute_query(cypher.DELETE_META, database_=self._database)

    def close(self) -> None:
        self._driver.close()
