"""A real full disk under a real server: 503 with the reason, /readyz not ready, and recovery
by itself when space returns, with every acknowledged event kept.

The data directory lives on a small tmpfs mounted for the test, filled with a file; this needs
root (CAP_SYS_ADMIN), so elsewhere the test is skipped and tests/catalog/log/test_full_disk.py
(SQLite's max_page_count) covers the same path.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import serving


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); see test_full_disk.py")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _event(name: str, columns: int = 100) -> dict[str, object]:
    fields = [{"name": f"column_{n}_of_{name}", "type": "string"} for n in range(columns)]
    return {
        "event": {
            "type": "dataset.registered",
            "event_time": "2026-01-01T00:00:00Z",
            "namespace": "db",
            "name": name,
            "fields": fields,
        }
    }


def _fill(disk: Path) -> Path:
    """Write a file until not one more byte fits."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 8, 1):
            try:
                while True:
                    os.write(descriptor, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(descriptor)
    return filler


def test_a_full_disk_is_a_503_and_recovers_by_itself(small_disk: Path) -> None:
    data = small_disk / "data"
    acknowledged: list[str] = []
    with serving(data) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        for name in ("a", "b"):
            assert http.post("/api/v1/events", json=[_event(name)]).status_code == 200
            acknowledged.append(name)
        filler = _fill(small_disk)
        refused = []
        for number in range(10):
            name = f"full{number}"
            answer = http.post("/api/v1/events", json=[_event(name)])
            if answer.status_code == 200:
                acknowledged.append(name)  # room for a small write remained: it must be kept
                continue
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"] == "StorageFullError"
            assert "full" in answer.json()["detail"]
            refused.append(name)
        assert refused, "the disk never filled up"
        ready = http.get("/readyz")
        assert ready.status_code == 503 and "full" in ready.json()["detail"]
        assert http.get("/healthz").status_code == 200

        os.unlink(filler)  # space returns: no restart, no operator action
        ready = http.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["applied_seq"] == ready.json()["logged_seq"]
        for name in refused:  # the clients resend; nothing was half-stored
            assert http.post("/api/v1/events", json=[_event(name)]).status_code == 200
            acknowledged.append(name)
    with serving(data) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        for name in acknowledged:
            found = http.get("/api/v1/nodes", params={"urn": f"urn:provgraph:dataset:db:{name}"})
            assert found.status_code == 200, (name, found.text)
