"""The outbox's durable queue: events kept in one SQLite file, so they survive a restart.

Each event is committed (WAL, synchronous=FULL) before `put` returns and deleted only after the
catalog took or refused it; an outbox opened on the file later sends what an earlier process
left. Bounded in events and bytes: past the bound ordinary events are refused (the outbox
counts them as dropped) and required ones are still written — their producers stop admitting
new work once the queue says it is `full`. The directory is made 0700 and the file 0600 (it
holds what the events say). One process per file: separate producers get separate files.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

from provgraph.integrations.errors import IntegrationError
from provgraph.integrations.outbox import Event, Held, Work

ENV_DIR = "PROVGRAPH_OUTBOX_DIR"
MAX_EVENTS = 10_000
MAX_BYTES = 64 * 1024 * 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL,
    size INTEGER NOT NULL,
    required INTEGER NOT NULL
)
"""


class SpoolError(IntegrationError):
    """The outbox file cannot be opened or written (unwritable directory, a damaged file)."""


def outbox_dir(configured: str | Path | None = None) -> Path:
    """`configured`, else $PROVGRAPH_OUTBOX_DIR, else $XDG_STATE_HOME (~/.local/state)
    /provgraph/outbox."""
    if configured:
        return Path(configured)
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "provgraph" / "outbox"


def outbox_file(directory: str | Path | None, kind: str, *identity: str) -> Path:
    """The file of one producer (`kind`: serving, runs) for one identity (catalog, deployment)."""
    key = hashlib.sha256("\0".join(identity).encode()).hexdigest()[:16]
    return outbox_dir(directory) / f"{kind}-{key}.sqlite"


class SqliteQueue:
    def __init__(
        self, path: str | Path, *, max_events: int = MAX_EVENTS, max_bytes: int = MAX_BYTES
    ) -> None:
        if max_events < 1 or max_bytes < 1:
            raise ValueError("max_events and max_bytes must be at least 1")
        self.path = Path(path)
        self._max_events = max_events
        self._max_bytes = max_bytes
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.execute(_SCHEMA)
            count, size = self._db.execute(
                "SELECT count(*), coalesce(sum(size), 0) FROM outbox"
            ).fetchone()
        except (OSError, sqlite3.Error) as exc:
            raise SpoolError(f"cannot use the outbox file {self.path}: {exc}") from exc
        self._count = int(count)
        self._bytes = int(size)
        self._closed = False

    def push(self, item: Event | Work, *, required: bool) -> bool:
        if callable(item):
            raise TypeError("a durable queue holds events, not work")
        body = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
        size = len(body.encode())
        if not required and (
            self._count >= self._max_events or self._bytes + size > self._max_bytes
        ):
            return False
        try:
            self._db.execute(
                "INSERT INTO outbox (body, size, required) VALUES (?, ?, ?)",
                (body, size, int(required)),
            )
        except sqlite3.Error as exc:
            raise SpoolError(f"cannot write to the outbox file {self.path}: {exc}") from exc
        self._count += 1
        self._bytes += size
        return True

    def head(self, limit: int) -> Work | list[Held] | None:
        rows = self._db.execute(
            "SELECT id, body FROM outbox ORDER BY id LIMIT ?", (limit,)
        ).fetchall()
        if not rows:
            return None
        return [Held(int(key), json.loads(body)) for key, body in rows]

    def remove(self, held: list[Held]) -> None:
        if self._closed or not held:
            return
        keys = [(h.key,) for h in held]
        self._db.execute("BEGIN IMMEDIATE")
        try:
            sizes = [
                row[0]
                for (key,) in keys
                for row in self._db.execute("SELECT size FROM outbox WHERE id = ?", (key,))
            ]
            self._db.executemany("DELETE FROM outbox WHERE id = ?", keys)
            self._db.execute("COMMIT")
        except sqlite3.Error:
            self._db.execute("ROLLBACK")
            raise
        self._count -= len(sizes)
        self._bytes -= sum(sizes)

    def __len__(self) -> int:
        return self._count

    @property
    def full(self) -> bool:
        return self._count >= self._max_events or self._bytes >= self._max_bytes

    @property
    def held_bytes(self) -> int:
        return self._bytes

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._db.close()
