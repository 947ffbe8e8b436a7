"""What the PostgreSQL adapters (event log, tokens) share: opening a pool, typed errors.

psycopg 3 and psycopg-pool come with the `postgresql` extra (`pip install provgraph[postgresql]`);
the embedded mode never imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from provgraph.catalog.model.errors import CatalogError, StorageFullError, StoreUnavailableError

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT_S = 5
POOL_TIMEOUT_S = 10.0
_DISK_FULL = "53100"


def is_postgresql_url(value: str) -> bool:
    return value.startswith(SCHEMES)


def open_pool(url: str, *, name: str, max_size: int = 8) -> ConnectionPool:
    """A pool of autocommit connections (transactions are opened explicitly) to `url`."""
    try:
        import psycopg
        from psycopg_pool import ConnectionPool
    except ImportError as exc:
        raise StoreUnavailableError(
            "PostgreSQL is configured but psycopg is not installed; install provgraph[postgresql]"
        ) from exc
    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
        timeout=POOL_TIMEOUT_S,
        name=name,
        open=False,
    )
    try:
        pool.open(wait=True, timeout=POOL_TIMEOUT_S)
    except psycopg.Error as exc:  # psycopg_pool.PoolTimeout among them
        pool.close()
        raise StoreUnavailableError(
            f"{name}: cannot connect to PostgreSQL at {redacted(url)} within "
            f"{POOL_TIMEOUT_S:.0f} s: {exc}"
        ) from exc
    return pool


def database_error(exc: psycopg.Error | Exception, what: str) -> CatalogError:
    """A typed error for a failed PostgreSQL operation: a full disk, or the server unreachable."""
    if getattr(exc, "sqlstate", None) == _DISK_FULL:
        return StorageFullError(
            f"the disk holding {what} is full ({exc}); nothing of this batch was stored. "
            "Free space on the PostgreSQL server: the catalog recovers by itself"
        )
    return StoreUnavailableError(f"{what} cannot be reached or written: {exc}")


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}@{host}"
