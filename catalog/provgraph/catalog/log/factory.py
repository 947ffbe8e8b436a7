"""Choose and open the configured event log."""

from __future__ import annotations

from pathlib import Path

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
