"""How a local CLI finds the server that holds its data directory: the server writes its URL
into `<data>/server.json` while it serves, and holds the directory's lock."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

SERVER_FILE = "server.json"


def advertised_url(host: str, port: int) -> str:
    """The URL a local client reaches a server bound to `host`:`port` at."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def announce(data: Path, url: str) -> None:
    """Record that this process serves `data` at `url` (written atomically)."""
    target = data / SERVER_FILE
    partial = target.with_suffix(".json.partial")
    partial.write_text(json.dumps({"url": url, "pid": os.getpid()}) + "\n")
    partial.replace(target)


def withdraw(data: Path) -> None:
    (data / SERVER_FILE).unlink(missing_ok=True)


def serving_url(data: Path) -> str | None:
    """The URL of the server holding `data`, if one does (a stale file is ignored)."""
    try:
        info = json.loads((data / SERVER_FILE).read_text())
    except (OSError, ValueError):
        return None
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str) or not _held(data):
        return None
    return url


def _held(data: Path) -> bool:
    """Whether another process holds the data directory's lock (a server, if it announced)."""
    try:
        handle = (data / "lock").open("r")
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
