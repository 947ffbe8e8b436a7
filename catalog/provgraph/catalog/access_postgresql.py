"""API tokens in PostgreSQL (the event log's database), hashed, shared by every server.

Every lookup asks the database (one indexed read): a revoked token is refused by every server
at once, with no cache to expire. With the database unreachable, authenticated requests fail
closed (503).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg

from provgraph.catalog.access import (
    Principal,
    Role,
    TokenError,
    TokenStoreUnavailableError,
    digest,
    new_token,
)
from provgraph.catalog.postgresql import open_pool

_SCHEMA = """CREATE TABLE IF NOT EXISTS provgraph_tokens (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
)"""
_SCHEMA_LOCK = 0x70_67_74_6F_6B_00


class PostgresTokenStore:
    def __init__(self, url: str) -> None:
        self._pool = open_pool(url, name="provgraph-tokens", max_size=4)
        try:
            with self._pool.connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                conn.execute(_SCHEMA)
        except psycopg.Error as exc:
            self._pool.close()
            raise TokenStoreUnavailableError(f"the token table cannot be created: {exc}") from exc

    @property
    def where(self) -> str:
        return "the PostgreSQL table provgraph_tokens"

    def create(self, name: str, role: Role) -> str:
        token = new_token(name)
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO provgraph_tokens (name, role, sha256, created_at) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
                "role = EXCLUDED.role, sha256 = EXCLUDED.sha256, created_at = EXCLUDED.created_at",
                (name, role.label, digest(token), datetime.now(UTC)),
            )
        return token

    def revoke(self, name: str) -> bool:
        with self._connection() as conn:
            deleted = conn.execute("DELETE FROM provgraph_tokens WHERE name = %s", (name,))
            return deleted.rowcount > 0

    def count(self) -> int:
        with self._connection() as conn:
            row = conn.execute("SELECT count(*) FROM provgraph_tokens").fetchone()
        return int(row[0]) if row is not None else 0

    def lookup(self, token: str) -> Principal | None:
        with self._connection() as conn:
            row = conn.execute(
                "SELECT name, role FROM provgraph_tokens WHERE sha256 = %s", (digest(token),)
            ).fetchone()
        if row is None:
            return None
        try:
            return Principal(actor=f"token:{row[0]}", role=Role.named(str(row[1])))
        except TokenError:
            raise TokenStoreUnavailableError(
                "the token table holds an unknown role; an operator must fix it"
            ) from None

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
        """A pooled connection whose failures are TokenStoreUnavailableError (fail closed)."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except psycopg.Error as exc:
            raise TokenStoreUnavailableError(f"the token database failed: {exc}") from exc
