"""Choose and open the configured event log."""

from __future__ import annotations

from pathlib import Path

from provgraph.catalog.log.cluster import ApplierLease, ChangeFeed
from provgraph.catalog.log.port import EventLog
from provgraph.catalog.model.errors import StoreUnavailableError
from provgraph.catalog.postgresql import is_postgresql_url
from provgraph.catalog.settings import Settings


def open_log(settings: Settings, *, log_path: Path) -> EventLog:
    """The embedded SQLite log at `log_path` (default), or the PostgreSQL log `settings.log`."""
    if settings.log in ("", "sqlite"):
        from provgraph.catalog.log.sqlite import SqliteEventLog

        return SqliteEventLog(log_path)
    if is_postgresql_url(settings.log):
        try:
            from provgraph.catalog.log.postgresql import PostgresEventLog
        except ImportError as exc:
            raise StoreUnavailableError(
                "PROVGRAPH_LOG names a PostgreSQL URL but psycopg is not installed; "
                "install provgraph[postgresql]"
            ) from exc
        return PostgresEventLog(settings.log)
    raise StoreUnavailableError("unknown event log setting: use 'sqlite' or a postgresql:// URL")


def shares_store(settings: Settings) -> bool:
    """Several servers share the log and the graph store: a PostgreSQL log and a Neo4j store.

    With the embedded store every server has its own graph, so it applies its own writes as
    in the embedded mode (one server per log).
    """
    return is_postgresql_url(settings.log) and settings.store not in ("", "ladybug")


def open_cluster(settings: Settings, *, holder: str) -> tuple[ApplierLease, ChangeFeed]:
    """The applier lease and the change feed, in the PostgreSQL database of the shared log."""
    from provgraph.catalog.log.cluster_postgresql import PostgresApplierLease, PostgresChangeFeed

    lease = PostgresApplierLease(settings.log, holder=holder, lease_s=settings.applier_lease_s)
    try:
        return lease, PostgresChangeFeed(settings.log)
    except BaseException:
        lease.close()
        raise
