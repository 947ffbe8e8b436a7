"""Online backup and restore of a data directory.

A backup holds what cannot be recomputed: the event log (the system of record), the API tokens
and the directory's marker, plus a manifest. It is taken while a server writes: the log is
copied with SQLite's online backup, one read transaction, so it is a consistent snapshot (every
event up to one sequence number, whole batches only). The graph and the search index are not
copied: restoring rebuilds them from the log, so a restored catalog is exactly the catalog the
logged events make.

The manifest lists every file with its SHA-256 digest and size and, when a key is given, is
signed with HMAC-SHA256. Restore verifies it before it uses a byte of the backup, writes into a
staging directory beside the target and renames it into place only when the copy is verified
and the graph rebuilt, so a failed restore leaves the target as it was.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from provgraph.catalog.access import TOKENS_FILE
from provgraph.catalog.datadir import MARKER
from provgraph.catalog.log.sqlite import SqliteEventLog
from provgraph.catalog.model.errors import BackupIntegrityError, DataDirError
from provgraph.catalog.service.catalog import rebuild
from provgraph.catalog.settings import Settings

MANIFEST = "backup.json"
LOG_FILE = "events.sqlite"
BACKUP_FORMAT = 2
MIN_KEY_BYTES = 16
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    last_seq: int
    """Every logged event up to this sequence number is in the backup, none after it."""
    tokens: bool
    created_at: datetime
    signed: bool


def read_key(path: Path | None) -> bytes | None:
    """The backup signing key: the bytes of `path` (surrounding whitespace ignored)."""
    if path is None:
        return None
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise DataDirError(f"cannot read the backup key file {path}: {exc.strerror}") from exc
    if len(key) < MIN_KEY_BYTES:
        raise DataDirError(f"the backup key file {path} holds under {MIN_KEY_BYTES} bytes")
    return key


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def _signature(manifest: dict[str, object], key: bytes) -> str:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def _empty_target(path: Path, what: str) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise DataDirError(f"{path} exists and is not empty: {what} into a new or empty directory")


def backup(data: Path, dest: Path, key: bytes | None = None) -> BackupInfo:
    """Copy the data directory's log, tokens and marker to `dest` (new or empty), with a
    manifest of their digests, signed with `key` when one is given."""
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
    (dest / LOG_FILE).chmod(0o600)
    created = datetime.now(UTC)
    names = [LOG_FILE, MARKER, *([TOKENS_FILE] if tokens else [])]
    manifest: dict[str, object] = {
        "format": BACKUP_FORMAT,
        "created_at": created.isoformat().replace("+00:00", "Z"),
        "last_seq": last_seq,
        "source": str(data.resolve()),
        "tokens": tokens,
        "files": {
            name: {"sha256": _digest(dest / name), "size": (dest / name).stat().st_size}
            for name in names
        },
    }
    manifest["signature"] = None if key is None else _signature(manifest, key)
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return BackupInfo(dest, last_seq, tokens, created, key is not None)


def read_manifest(src: Path) -> dict[str, object]:
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise DataDirError(f"{src} is not a provgraph backup (no readable {MANIFEST})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise DataDirError(f"{src / MANIFEST} is not a backup manifest this provgraph reads")
    return manifest


def _listed_files(manifest: dict[str, object], where: Path) -> dict[str, tuple[str, int]]:
    files = manifest.get("files")
    if not isinstance(files, dict) or not {LOG_FILE, MARKER} <= files.keys():
        raise BackupIntegrityError(f"{where} does not list {LOG_FILE} and {MARKER}")
    listed: dict[str, tuple[str, int]] = {}
    for name, entry in files.items():
        if name not in (LOG_FILE, MARKER, TOKENS_FILE) or not isinstance(entry, dict):
            raise BackupIntegrityError(f"{where} lists a file a backup does not hold: {name!r}")
        sha, size = entry.get("sha256"), entry.get("size")
        if not isinstance(sha, str) or not isinstance(size, int):
            raise BackupIntegrityError(f"{where} has no digest and size for {name}")
        listed[name] = (sha, size)
    return listed


def verify(src: Path, key: bytes | None) -> dict[str, tuple[str, int]]:
    """Check the manifest's signature (with `key`) and return the files it lists; raises
    BackupIntegrityError when the manifest cannot be trusted."""
    manifest = read_manifest(src)
    where = src / MANIFEST
    signature = manifest.get("signature")
    if key is None and signature is not None:
        raise BackupIntegrityError(
            f"{where} is signed: give its key (--key-file or PROVGRAPH_BACKUP_KEY_FILE)"
        )
    if key is not None:
        if not isinstance(signature, str):
            raise BackupIntegrityError(f"{where} is not signed, and a key was given")
        if not hmac.compare_digest(signature, _signature(manifest, key)):
            raise BackupIntegrityError(f"{where}: the signature does not match (wrong key?)")
    return _listed_files(manifest, where)


def _check_copy(directory: Path, listed: dict[str, tuple[str, int]]) -> None:
    for name, (sha, size) in listed.items():
        path = directory / name
        if path.stat().st_size != size or not hmac.compare_digest(_digest(path), sha):
            raise BackupIntegrityError(f"{name} does not match the backup's manifest")


def restore(src: Path, settings: Settings, key: bytes | None = None) -> int:
    """Restore the backup `src` into `settings.data` (new or empty) and rebuild the graph from
    its log; returns the number of events replayed.

    The manifest is verified first; the files are copied into a staging directory and checked
    against it there (what is checked is what is used), the graph is rebuilt in it, and only
    then is it renamed to `settings.data`. Any failure removes the staging directory.
    """
    listed = verify(src, key)
    data = Path(settings.data)
    _empty_target(data, "restore")
    missing = [name for name in listed if not (src / name).is_file()]
    if missing:
        raise BackupIntegrityError(f"{src} is incomplete: it lacks {', '.join(missing)}")
    data.parent.mkdir(parents=True, exist_ok=True)
    staging = data.parent / f".{data.name}.restoring-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        for name in listed:
            shutil.copyfile(src / name, staging / name)
        for name in (LOG_FILE, TOKENS_FILE):
            if (staging / name).is_file():
                (staging / name).chmod(0o600)
        _check_copy(staging, listed)
        replayed = rebuild(settings.model_copy(update={"data": staging}))
        if data.exists():
            data.rmdir()  # checked empty above
        staging.rename(data)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return replayed
