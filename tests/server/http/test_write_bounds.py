"""Over HTTP, a batch over the writer's bound is a 413 naming the bound, before any work."""

from __future__ import annotations

from pathlib import Path

import httpx

from provgraph.catalog.service.writer import MAX_BATCH_BYTES
from tests.support.server import serving


def _wide(name: str, fields: int) -> dict[str, object]:
    return {
        "event": {
            "type": "dataset.registered",
            "event_time": "2026-01-01T00:00:00Z",
            "namespace": "db",
            "name": name,
            "fields": [{"name": f"field_{n}", "type": "string"} for n in range(fields)],
        }
    }


def test_a_batch_over_the_bound_is_a_413(tmp_path: Path) -> None:
    with serving(tmp_path / "data") as server, httpx.Client(base_url=server.url) as http:
        # over the writer's bound, under the body limit (issue 13's 20 x 10,000 is now refused
        # by its size before it is read: test_big_bodies.py)
        big = [_wide(f"wide_{n}", 10_000) for n in range(3)]
        refused = http.post("/api/v1/events", json=big, timeout=60)
        assert refused.status_code == 413, refused.text
        assert refused.json()["error"] == "BatchTooLargeError"
        assert str(MAX_BATCH_BYTES) in refused.json()["detail"]
        accepted = http.post("/api/v1/events", json=[_wide("narrow", 10)], timeout=60)
        assert accepted.status_code == 200 and accepted.json()["receipts"][0]["seq"] == 1
