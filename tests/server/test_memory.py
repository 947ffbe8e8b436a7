"""Writes do not leak native memory: the server's libraries, loaded in the server's own order,
leave the store's allocations alone (regopy's snmalloc, loaded before LadybugDB, made every
write keep ~0.5 MiB: +215 MiB per 400 writes against ~+30 MiB for what the new nodes hold)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

_WRITES = 400
_SCRIPT = """
import json, sys
from pathlib import Path
from fastapi.testclient import TestClient
from provgraph.server.app import create_app  # every module, in the server's import order
from provgraph.catalog.settings import Settings

def rss_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

def event(n):
    fields = [{"name": f"c{i}", "type": "string"} for i in range(8)]
    return {"event": {"type": "dataset.registered", "event_time": "2026-04-01T00:00:00Z",
                      "namespace": "db", "name": f"t{n}", "fields": fields}}

settings = Settings(data=Path(sys.argv[1]), anonymous_role="admin", allowed_hosts=["testserver"])
with TestClient(create_app(settings)) as client:
    for n in range(20):
        client.post("/api/v1/events", json=event(n)).raise_for_status()
    start = rss_kib()
    for n in range(20, 20 + int(sys.argv[2])):
        client.post("/api/v1/events", json=event(n)).raise_for_status()
    print(json.dumps({"grown_kib": rss_kib() - start,
                      "modules": sorted(m for m in sys.modules if m.split(".")[0] == "regopy")}))
"""


@pytest.mark.slow
def test_writes_grow_memory_only_by_what_the_new_nodes_hold(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(tmp_path / "data"), str(_WRITES)],
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["modules"] == []
    # each write adds a dataset, a version and 8 columns: ~45 KiB of index, caches and store
    # pages per write is what they hold; a leak of ~0.5 MiB per write is 4x over this bound
    assert report["grown_kib"] < _WRITES * 128, report
