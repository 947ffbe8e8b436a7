"""Online backup and restore of a data directory.

A backup holds what cannot be recomputed: the event log (the system of record), the API tokens
and the directory's marker, plus a manifest. It is taken while a server writes: the log is
copied with SQLite's online backup, one read transaction, so it is a consistent snapshot (every
event up to one sequence number, whole batches only). The graph and the search index are not
copied: restoring rebuilds them from the log, so a restored catalog is exactly the catalog the
logged events make.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from provgraph.catalog.access import TOKENS_FILE
from provgraph.catalog.datadir import MARKER
from provgraph.catalog.log.sqlite import SqliteEventLog
from provgraph.catalog.model.errors import DataDirError
from provgraph.catalog.service.catalog import rebuild
from provgraph.catalog.settings import Settings

MANIFEST = "backup.json"
LOG_FILE = "events.sqlite"
BACKUP_FORMAT = 1


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    last_seq: int
    """Every logged event up to this sequence number is in the backup, none after it."""
    tokens: bool
    created_at: datetime


def _empty_target(path: Path, what: str) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise DataDirError(f"{path} exists and is not empty: {what} into a new or empty directory")


def backup(data: Path, dest: Path) -> BackupInfo:
    """Copy the data directory's log, tokens and marker to `dest` (new or empty)."""
    source_log = data / LOG_FILE
    if not (data / MARKER).is_file() or not source_log.is_file():
        raise DataDirError(f"{data} is not a provgraph data directory with an event log")
    _empty_target(dest, "back up")
    dest.mkdir(parents=True, exist_ok=True)
    try:
        source = sqlite3.connect(source_log, timeout=30)
        try:
            target = sqlite3.connect(dest / LOG_FILE)
            try:
                source.backup(target)  # all pages in one step: one consistent read snapshot
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise DataDirError(f"cannot back up the event log {source_log}: {exc}") from exc
    copied = SqliteEventLog(dest / LOG_FILE)
    try:
        last_seq = copied.last_seq()
    finally:
        copied.close()
    shutil.copyfile(data / MARKER, dest / MARKER)
    tokens = (data / TOKENS_FILE).is_file()
    if tokens:  # replaced atomically by its writers, so a plain copy is consistent
        shutil.copyfile(data / TOKENS_FILE, dest / TOKENS_FILE)
        (dest / TOKENS_FILE).chmod(0o600)
    created = datetime.now(UTC)
    manifest = {
        "format": BACKUP_FORMAT,
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "last_seq": last_seq,
        "source": str(data.resolve()),
        "tokens": tokens,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return BackupInfo(dest, last_seq, tokens, created)


def read_manifest(src: Path) -> dict[str, object]:
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise DataDirError(f"{src} is not a provgraph backup (no readable {MANIFEST})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise DataDirError(f"{src / MANIFEST} is not a backup manifest this provgraph reads")
    if not (src / LOG_FILE).is_file() or not (src / MARKER).is_file():
        raise DataDirError(f"{src} is incomplete: it lacks {LOG_FILE} or {MARKER}")
    return manifest


def restore(src: Path, settings: Settings) -> int:
    """Restore the backup `src` into `settings.data` (new or empty) and rebuild the graph from
    its log; returns the number of events replayed."""
    read_manifest(src)
    data = Path(settings.data)
    _empty_target(data, "restore")
    data.mkdir(parents=True, exist_ok=True)
    for name in (MARKER, LOG_FILE, TOKENS_FILE):
        if (src / name).is_file():
            shutil.copyfile(src / name, data / name)
    if (data / TOKENS_FILE).is_file():
        (data / TOKENS_FILE).chmod(0o600)
    return rebuild(settings)
