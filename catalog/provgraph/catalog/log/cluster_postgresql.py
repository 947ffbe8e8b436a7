"""The applier lease and the change feed in the PostgreSQL database that holds the shared log.

The lease is one row with an expiry, taken the way DataHub's PostgreSQL queue takes its
leases: `INSERT … ON CONFLICT … DO UPDATE … WHERE locked_until < now() OR holder = me`. The
row's expiry is compared with PostgreSQL's clock only, so the servers' clocks do not matter.
A holder renews it every second or so; one that dies stops renewing and another server takes
the lease over once it expires (`applier_lease_s`).
"""

from __future__ import annotations

import psycopg
from psycopg_pool import ConnectionPool

from provgraph.catalog.log.cluster import ClaimedChange
from provgraph.catalog.model.graph import GraphChange
from provgraph.catalog.model.graph_json import change_from_json, change_to_json
from provgraph.catalog.postgresql import database_error, open_pool, redacted

LEASE = "applier"

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS provgraph_leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        locked_until TIMESTAMPTZ NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS provgraph_changes (
        seq_from BIGINT PRIMARY KEY,
        seq_to BIGINT NOT NULL UNIQUE,
        applied BOOLEAN NOT NULL DEFAULT FALSE,
        change TEXT NOT NULL
    )""",
)


def _open(url: str, *, name: str, what: str) -> ConnectionPool:
    """A small pool to `url`, with the lease and change feed tables created if missing."""
    from provgraph.catalog.log.postgresql import SCHEMA_LOCK

    pool = open_pool(url, name=name, max_size=2)
    try:
        with pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for statement in _SCHEMA:
                conn.execute(statement)
    except psycopg.Error as exc:
        pool.close()
        raise database_error(exc, what) from exc
    return pool


class PostgresApplierLease:
    def __init__(self, url: str, *, holder: str, lease_s: float) -> None:
        self._what = f"the applier lease at {redacted(url)}"
        self._holder = holder
        self._lease_s = lease_s
        self._pool = _open(url, name="provgraph-lease", what=self._what)

    def hold(self) -> bool:
        try:
            with self._pool.connection() as conn:
                row = conn.execute(
                    "INSERT INTO provgraph_leases AS l (name, holder, locked_until) "
                    "VALUES (%s, %s, now() + make_interval(secs => %s)) "
                    "ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, "
                    "locked_until = EXCLUDED.locked_until "
                    "WHERE l.locked_until < now() OR l.holder = EXCLUDED.holder "
                    "RETURNING holder",
                    (LEASE, self._holder, self._lease_s),
                ).fetchone()
        except psycopg.Error as exc:
            raise database_error(exc, self._what) from exc
        return row is not None

    def release(self) -> None:
        try:
            with self._pool.connection() as conn:
                conn.execute(
                    "DELETE FROM provgraph_leases WHERE name = %s AND holder = %s",
                    (LEASE, self._holder),
                )
        except psycopg.Error as exc:
            raise database_error(exc, self._what) from exc

    def holder(self) -> str | None:
        try:
            with self._pool.connection() as conn:
                row = conn.execute(
                    "SELECT holder FROM provgraph_leases WHERE name = %s AND locked_until >= now()",
                    (LEASE,),
                ).fetchone()
        except psycopg.Error as exc:
            raise database_error(exc, self._what) from exc
        return None if row is None else str(row[0])

    def close(self) -> None:
        self._pool.close()


class PostgresChangeFeed:
    def __init__(self, url: str) -> None:
        self._what = f"the change feed at {redacted(url)}"
        self._pool = _open(url, name="provgraph-changes", what=self._what)

    def claim(self, seq_from: int, seq_to: int, change: GraphChange) -> ClaimedChange:
        try:
            with self._pool.connection() as conn:
                conn.execute(
                    "INSERT INTO provgraph_changes (seq_from, seq_to, change) "
                    "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                    (seq_from, seq_to, change_to_json(change)),
                )
        except psycopg.Error as exc:
            raise database_error(exc, self._what) from exc
        claimed = self.claimed_at(seq_from)
        if claimed is None:  # a row ending at seq_to but starting elsewhere: never written
            raise database_error(
                RuntimeError(f"no change recorded from seq {seq_from}"), self._what
            )
        return claimed

    def claimed_at(self, seq_from: int) -> ClaimedChange | None:
        rows = self._select("WHERE seq_from = %s", (seq_from,))
        return rows[0] if rows else None

    def mark_applied(self, seq_to: int) -> None:
        try:
            with self._pool.connection() as conn:
                conn.execute(
                    "UPDATE provgraph_changes SET applied = TRUE WHERE seq_to = %s", (seq_to,)
                )
        except psycopg.Error as exc:
            raise database_error(exc, self._what) from exc

    def applied_after(self, seq: int, *, limit: int = 100) -> list[ClaimedChange]:
        return self._select(
            "WHERE seq_to > %s AND applied ORDER BY seq_from LIMIT %s", (seq, limit)
        )

    def clear(self) -> None:
        try:
            with self._pool.connection() as conn:
                conn.execute("DELETE FROM provgraph_changes")
        except psycopg.Error as exc:
            raise database_error(exc, self._what) from exc

    def _select(self, where: str, params: tuple[int, ...]) -> list[ClaimedChange]:
        try:
            with self._pool.connection() as conn:
                rows = conn.execute(
                    f"SELECT seq_from, seq_to, change FROM provgraph_changes {where}",  # noqa: S608 (constant clauses)
                    params,
                ).fetchall()
        except psycopg.Error as exc:
            raise database_error(exc, self._what) from exc
        return [
            ClaimedChange(int(seq_from), int(seq_to), change_from_json(str(text)))
            for seq_from, seq_to, text in rows
        ]

    def close(self) -> None:
        self._pool.close()
