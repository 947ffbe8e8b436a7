"""Event logs as releases before versioned events left them (no schema version stored)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provgraph.catalog.service.catalog import Catalog
from provgraph.catalog.settings import Settings

CORPORA = Path(__file__).parents[2] / "fixtures" / "event_log"
"""One folder per release whose events changed: `v1/`, ... (see write_corpus.py there)."""

SQLITE_V1 = """CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    actor TEXT NOT NULL,
    event_type TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    payload TEXT NOT NULL
)"""
POSTGRES_V1 = """CREATE TABLE provgraph_events (
    seq BIGINT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    actor TEXT NOT NULL,
    event_type TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    payload TEXT NOT NULL
)"""
"""The first release's events table on PostgreSQL, as its log created it."""


_COLUMNS = ("seq", "idempotency_key", "actor", "event_type", "recorded_at", "payload")


@dataclass(frozen=True, slots=True)
class Corpus:
    folder: Path

    @property
    def rows(self) -> list[dict[str, Any]]:
        with (self.folder / "events.jsonl").open() as lines:
            return [json.loads(line) for line in lines]

    @property
    def answers(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.folder / "answers.json").read_text())
        return loaded

    def copy_sqlite(self, target: Path) -> None:
        """The release's raw SQLite log file, copied to `target`."""
        shutil.copyfile(self.folder / "events.sqlite", target)

    def fill_postgres(self, url: str) -> None:
        """A fresh database holding this corpus as that release's PostgreSQL log did (the
        first release's table had no version column)."""
        import psycopg

        rows = self.rows
        versioned = "schema_version" in rows[0]
        columns = (*_COLUMNS, "schema_version") if versioned else _COLUMNS
        if versioned:
            from provgraph.catalog.log.postgresql import PostgresEventLog

            PostgresEventLog(url).close()  # that release's table is today's
        insert = _INSERT_VERSIONED if versioned else _INSERT
        with psycopg.connect(url) as conn, conn.transaction():
            if not versioned:
                conn.execute(POSTGRES_V1)
            with conn.cursor() as cursor:
                cursor.executemany(insert, [tuple(r[name] for name in columns) for r in rows])


_INSERT = (
    "INSERT INTO provgraph_events (seq, idempotency_key, actor, event_type, recorded_at, "
    "payload) VALUES (%s, %s, %s, %s, %s, %s)"
)
_INSERT_VERSIONED = (
    "INSERT INTO provgraph_events (seq, idempotency_key, actor, event_type, recorded_at, "
    "payload, schema_version) VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


def catalog_on_log(data: Path, log_file: Path) -> Catalog:
    """A catalog in a new data directory `data` whose event log is a copy of `log_file` and
    whose graph store is fresh: it replays the whole log on start."""
    Catalog(Settings(data=data)).close()  # a data directory, its log replaced below
    for path in data.iterdir():
        if path.name.startswith(("graph.", "search.")):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
    shutil.copyfile(log_file, data / "events.sqlite")
    return Catalog(Settings(data=data))


def corpora() -> list[Corpus]:
    return [Corpus(folder) for folder in sorted(CORPORA.glob("v*")) if folder.is_dir()]
