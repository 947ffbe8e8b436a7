"""The data directory: ownership marker and an exclusive lock for the one writing process."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import IO

from provgraph.catalog.model.errors import DataDirError, DataDirLockedError

MARKER = "provgraph.json"
FORMAT = 1


class DataDir:
    """Opened and locked on construction; `close()` releases the lock."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path.resolve()
        self._claim(create)
        self._lock_file: IO[str] | None = self._lock()

    @property
    def event_log_path(self) -> Path:
        return self.path / "events.sqlite"

    @property
    def search_path(self) -> Path:
        return self.path / "search.sqlite"

    @property
    def graph_path(self) -> Path:
        return self.path / "graph.lbug"

    def _claim(self, create: bool) -> None:
        marker = self.path / MARKER
        if self.path.exists() and not self.path.is_dir():
            raise DataDirError(f"{self.path} is a file, not a data directory")
        if marker.exists():
            try:
                info = json.loads(marker.read_text())
            except (OSError, ValueError) as exc:
                raise DataDirError(f"{marker} is unreadable or corrupt: {exc}") from exc
            if info.get("format") != FORMAT:
                raise DataDirError(
                    f"{self.path} holds data format {info.get('format')!r}; "
                    f"this provgraph reads format {FORMAT}"
                )
            return
        if self.path.exists() and any(self.path.iterdir()):
            raise DataDirError(
                f"{self.path} is not empty and has no {MARKER}: it is not a provgraph data "
                "directory, and provgraph will not write into it"
            )
        if not create:
            raise DataDirError(f"{self.path} is not a provgraph data directory (no {MARKER})")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            marker.write_text(json.dumps({"format": FORMAT}) + "\n")
        except OSError as exc:
            raise DataDirError(f"cannot create data directory {self.path}: {exc}") from exc

    def _lock(self) -> IO[str]:
        handle = (self.path / "lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise DataDirLockedError(
                f"{self.path} is in use by another provgraph process (pid {holder}); "
                "stop it or use another --data directory"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        return handle

    def close(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None
